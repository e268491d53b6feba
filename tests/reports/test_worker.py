"""Report jobs on a real Celery worker (PostgreSQL + Redis): run to 完了, and survive a worker killed mid-job.

With SHAHO_REQUIRE_SERVICES=1 (CI's second pass) these must pass; a missing broker or worker fails.
Without it they are skipped. The rows are committed (transactional tests) so the worker sees them;
the registry that the flush after such a test empties is loaded again by tests/conftest.py's hook.
"""

import os
import signal
import socket
import subprocess
import sys
import time
import unicodedata
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from reports import services, tasks
from reports.documents import missing_glyphs
from reports.models import JobStatus, ReportJob
from tests.required_services import REQUIRED, service_missing

from . import factories
from .broker import CLOSED_PORT, broker_at

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.services]


_unavailable = service_missing


def _require_broker_and_database():
    if not settings.CELERY_BROKER_URL:
        _unavailable("CELERY_BROKER_URL is not set: report tasks would run in-process")
    if connection.vendor != "postgresql":
        _unavailable(f"the database is {connection.vendor}: a worker process needs PostgreSQL")


def _require_worker():
    from shaho.celery import app

    _require_broker_and_database()
    deadline = time.monotonic() + (30 if REQUIRED else 3)
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return
    _unavailable("no Celery worker answered a ping")


def _wait(job, *, until, timeout=90, interval=0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if until(job):
            return job
        time.sleep(interval)
    raise AssertionError(f"job {job.pk} still {job.status} / {job.step} after {timeout} s")


@pytest.mark.django_db(transaction=True)
def test_worker_runs_a_job_to_done_with_progress_steps(transactional_db):
    _require_worker()
    factories.federation()
    job = tasks.request_report(kind="council_directory", params={"prefecture": "14"}, user=None)
    job = _wait(job, until=lambda j: j.is_finished)
    assert job.status == JobStatus.DONE, job.error
    steps = [s["step"] for s in job.steps]
    assert {"データを集計中", "PDFを組版中", "保存中", "完了"} <= set(steps)
    assert job.file.storage.exists(job.file.name) and job.page_count == 1


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_worker(queue, log):
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
    }
    celery = Path(sys.executable).with_name("celery")
    command = [str(celery), "-A", "shaho", "worker", "--concurrency=1", "-Q", queue, "--without-gossip",
               "--without-mingle", "--loglevel=INFO", "-n", f"{queue}@%h"]  # fmt: skip
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _kill(process):
    """SIGKILL to the worker's whole process group, then wait until every member has exited (or is a zombie: see
    reports.tasks._pid_alive), as a supervisor restarts a service only once it is dead."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            os.killpg(process.pid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.05)


@pytest.mark.django_db(transaction=True)
def test_a_job_requested_while_the_broker_was_down_runs_when_a_worker_starts(transactional_db, tmp_path, settings):
    _require_broker_and_database()
    settings.MEDIA_ROOT = tmp_path / "media"
    factories.federation()
    with broker_at(CLOSED_PORT):
        job = tasks.request_report(kind="council_directory", params={"prefecture": "14"}, user=None)
    job.refresh_from_db()
    assert job.status == JobStatus.QUEUED and job.step == services.UNREACHABLE_STEP and job.sent_at is None
    # The broker is back; a worker starts (reading only this test's queue): at start-up it sends what waits.
    queue = f"reports-outbox-{uuid.uuid4().hex[:8]}"
    worker = _start_worker(queue, open(tmp_path / "worker.log", "wb"))
    try:
        job = _wait(job, until=lambda j: j.is_finished, timeout=90)
    finally:
        _kill(worker)
    assert job.status == JobStatus.DONE and job.attempt == 1, (tmp_path / "worker.log").read_text(errors="replace")
    assert job.sent_at is not None and job.file.storage.exists(job.file.name)


def _long_meeting(councils):
    """A meeting long enough (about 40 pages) that laying it out takes a while: the step to kill the worker in."""
    seed = Path(settings.BASE_DIR).parent / "shared" / "seeds" / "000_eb68dec02dc9e998.txt"
    text = seed.read_text(encoding="utf-8") if seed.exists() else ""
    filler = "社会保障の拡充を求める運動を、地域から全国へ広げます。" * 40
    paragraphs = [p.strip() for p in text.replace("[bookmark:", "\n").splitlines() if len(p.strip()) > 20]
    body = "\n\n".join(p for p in paragraphs if "<" not in p and "{" not in p) or "\n\n".join([filler] * 60)
    for ch in missing_glyphs(body):  # the seed's ⑴ ➁ are not in IPAexGothic: written as (1) 2, as staff would
        replacement = unicodedata.normalize("NFKC", ch)
        body = body.replace(ch, replacement if replacement != ch else "・")
    return factories.meeting(councils, chapters=[(f"第{i}章", body) for i in range(1, 3)])


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_mid_job_is_retried_to_done_with_one_file(transactional_db, tmp_path, settings):
    _require_broker_and_database()
    settings.MEDIA_ROOT = tmp_path / "media"  # this test's own workers write here, and nothing else does
    councils = factories.federation()
    _long_meeting(councils)
    queue = f"reports-killtest-{uuid.uuid4().hex[:8]}"
    job, _ = services.request_job(kind="policy_draft", params={"meeting": "64"}, user=None)
    tasks.send_render(job=job, queue=queue)  # committed: sent at once, to this test's own queue
    first_log = open(tmp_path / "worker1.log", "wb")
    first = _start_worker(queue, first_log)
    second = None
    try:
        job = _wait(job, until=lambda j: j.step == "PDFを組版中" or j.is_finished, timeout=120, interval=0.02)
        assert job.status == JobStatus.RUNNING, f"the job finished before the worker could be killed: {job.status}"
        assert job.worker == f"{queue}@{socket.gethostname()}" and job.worker_pid  # who holds it
        _kill(first)  # SIGKILL to the worker's whole process group, mid-layout
        job.refresh_from_db()
        assert job.status == JobStatus.RUNNING and job.attempt == 1

        # The worker restarts under the same node name: at start-up it finds its dead predecessor's job
        # (same name, a process that is gone) and sends attempt 2 at once, with no sweep and no stale wait.
        second = _start_worker(queue, open(tmp_path / "worker2.log", "wb"))
        job = _wait(job, until=lambda j: j.is_finished, timeout=120)
    finally:
        _kill(first)
        if second is not None:
            _kill(second)
    logs = "".join(p.read_text(errors="replace")[-2000:] for p in tmp_path.glob("worker*.log"))
    assert job.status == JobStatus.DONE, f"{job.error}\n{logs}"
    assert job.attempt == 2
    assert [s["attempt"] for s in job.steps if s.get("step") == "PDFを組版中"] == [1, 2]
    assert ReportJob.objects.filter(pk=job.pk).count() == 1
    files = [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    assert [p.name for p in files] == [Path(job.file.name).name]
