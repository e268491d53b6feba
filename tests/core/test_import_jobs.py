"""An import's commit is a job on the `imports` queue (shaho.core.import_jobs, task `core.run_import`).

取り込む makes one job per checked upload, redirects to the job's page and the task writes every row or none;
the page shows rows done of total while it runs (from the cache: the import's transaction holds the rows) and
the outcome with its file at the end; only the owner and staff of the job's council or above see any of it.
Without a broker the task runs in-process (here, in the test's thread); the last test runs it on a real worker
that reads only `imports`.
"""

import csv
import io
import os
import re
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.urls import reverse

from councils.models import Role
from petitions.importing import IMPORTER, TALLIES
from petitions.models import ImportBatch, TallyEntry
from shaho.core import import_jobs, tasks
from shaho.core.models import ImportJob, PendingUpload
from shaho.core.uploads import pending_upload_store
from tests.councils.factories import local_council, staff_of
from tests.required_services import TEST_REDIS_URL, require_redis, service_missing

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("tasks_in_process"),
]  # the import job runs in-process, even in CI's pass with a broker

HEADERS = ["社保協", "団体", "種別", "筆数", "日付", "備考"]
GOOD_ROWS = [
    ["川崎社保協", "", "個人", "120", "2025-12-07", "駅前宣伝"],
    ["横浜社保協", "", "WEB", "30", "2025/12/7", ""],
    ["川崎社保協", "", "個人", "5", "2025-12-08", ""],
]
TOKEN = r'name="token" value="([0-9A-Za-z_-]+)"'
ROOT = Path(__file__).resolve().parents[2]


def csv_bytes(rows):
    buffer = io.StringIO(newline="")
    csv.writer(buffer, lineterminator="\r\n").writerows([HEADERS, *rows])
    return buffer.getvalue().encode()


@pytest.fixture(autouse=True)
def _no_live_figures_of_earlier_tests():
    # The live figures of each test's jobs, in the process's memory: gone before the next test.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def yokohama(kanagawa):
    return local_council("14", name="横浜社保協")


@pytest.fixture
def staff(kanagawa, kawasaki, yokohama, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return staff_of(kanagawa, role=Role.COUNCIL_STAFF)


def preview(client, petition, rows, name="file.csv"):
    """Upload and check a file on the admin's import page: the pending upload's token."""
    body = client.post(
        reverse("admin:petitions_tallyentry_import"),
        {"petition": petition.pk, "encoding": "", "file": SimpleUploadedFile(name, csv_bytes(rows)), "_preview": "1"},
    ).content.decode()
    return re.search(TOKEN, body).group(1)


def commit(client, token, **extra):
    return client.post(reverse("admin:petitions_tallyentry_import"), {"token": token, "_commit": "1", **extra})


def job_of(staff, petition, rows):
    """A job for a stored upload of `rows`, not yet sent: what 取り込む makes."""
    upload = pending_upload_store(
        owner=staff, importer=IMPORTER, file_name="direct.csv", data=csv_bytes(rows), options={"encoding": ""}
    )
    job, created = import_jobs.job_for_upload(upload=upload, user=staff, importer=TALLIES, target=petition, options={})
    assert created
    return job


# --- the commit, through the view --------------------------------------------------------------------------


def test_commit_makes_a_job_whose_task_writes_every_row_with_counts_and_an_outcome_file(client, staff, petition):
    client.force_login(staff)
    token = preview(client, petition, GOOD_ROWS)
    assert ImportJob.objects.count() == 0 and TallyEntry.objects.count() == 0  # the preview writes nothing

    response = commit(client, token)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("imports:job", args=[job.token])
    assert job.status == ImportJob.Status.DONE and job.attempt == 1 and job.owner == staff
    assert job.council == staff.council and job.importer == IMPORTER and job.target == str(petition.pk)
    assert (job.rows_done, job.rows_total) == (3, 3)
    assert (job.count_new, job.count_changed, job.count_unchanged, job.count_errors) == (3, 0, 0, 0)
    assert TallyEntry.objects.count() == 3 and ImportBatch.objects.count() == 1
    assert not PendingUpload.objects.filter(token=token).exists()  # gone with the rows' commit

    page = client.get(response["Location"]).content.decode()
    assert "完了" in page and "3行（新規 3・変更 0・変更なし 0・エラー 0）" in page
    assert 'id="job-progress"' in page and 'value="100"' in page and "js/report_job.js" in page
    assert "<script>" not in page  # the CSP allows no inline script: the poll is the static file
    status = client.get(reverse("imports:job_status", args=[job.token])).json()
    assert status["finished"] and status["status_label"] == "完了" and status["progress"] == 100
    assert (status["rows_done"], status["rows_total"]) == (3, 3)

    outcome = client.get(reverse("imports:job_outcome", args=[job.token]))
    assert outcome.status_code == 200 and "no-store" in outcome["Cache-Control"]
    lines = b"".join(outcome.streaming_content).decode("utf-8-sig").splitlines()
    assert lines[0].startswith("行,結果,番号,社保協") and len(lines) == 4
    assert lines[1].startswith("2,新規,,川崎社会保障推進協議会") or lines[1].startswith("2,新規,,川崎社保協")


def test_a_second_submit_of_the_same_upload_makes_one_job(client, staff, petition, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks, "send_import", lambda *, job: sent.append(job.pk))  # both submits while it waits
    client.force_login(staff)
    token = preview(client, petition, GOOD_ROWS)
    first, second = commit(client, token), commit(client, token)
    job = ImportJob.objects.get()
    assert first["Location"] == second["Location"] == reverse("imports:job", args=[job.token])
    assert sent == [job.pk] and job.status == ImportJob.Status.QUEUED

    # Once it ran, the same submit again (the upload gone with the commit) still names that job, and adds nothing.
    monkeypatch.undo()
    tasks.send_import(job=job)
    assert commit(client, token)["Location"] == reverse("imports:job", args=[job.token])
    assert ImportJob.objects.count() == 1 and TallyEntry.objects.count() == 3


def test_the_task_is_routed_to_the_imports_queue():
    assert django_settings.CELERY_TASK_ROUTES["core.run_import"] == {"queue": "imports"}
    assert tasks.run_import.name == "core.run_import"


# --- all or nothing ----------------------------------------------------------------------------------------


def test_an_error_row_writes_nothing_and_the_job_fails_naming_the_row(staff, petition, client):
    bad = [*GOOD_ROWS[:2], ["東京都社会保障推進協議会", "", "", "5", "2025-12-07", ""]]
    job = job_of(staff, petition, bad)  # the rows are checked again in the job, whatever the preview said
    tasks.send_import(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and TallyEntry.objects.count() == 0
    assert ImportBatch.objects.count() == 0
    assert "何も保存していません" in job.error and "4行目「社保協」" in job.error and "見つかりません" in job.error
    assert (job.count_new, job.count_errors, job.rows_total) == (2, 1, 3)
    assert PendingUpload.objects.filter(pk=job.upload_id).exists()  # kept: nothing was imported
    client.force_login(staff)
    page = client.get(reverse("imports:job", args=[job.token])).content.decode()
    assert "失敗" in page and "4行目「社保協」" in page
    lines = b"".join(client.get(reverse("imports:job_outcome", args=[job.token])).streaming_content)
    assert "4,エラー,,東京都社会保障推進協議会" in lines.decode("utf-8-sig")


def test_a_refused_upload_sent_again_from_its_preview_is_a_new_job(client, staff, petition):
    client.force_login(staff)
    commit(client, preview(client, petition, GOOD_ROWS))
    token = preview(client, petition, GOOD_ROWS)  # the same file: the preview offers 置き換える
    refused = commit(client, token)  # without it: refused, nothing written
    assert "取り込み済み" in ImportJob.objects.get(upload_token=token).error and ImportBatch.objects.count() == 1
    replaced = commit(client, token, replace="1")
    assert replaced["Location"] != refused["Location"] and ImportBatch.objects.count() == 2
    assert ImportJob.objects.get(upload_token=token).status == ImportJob.Status.DONE


def test_a_job_taken_over_while_it_wrote_keeps_nothing(staff, petition, monkeypatch):
    """The rows and 完了 are one transaction: an attempt that lost its job (the sweep sent another) rolls back."""
    job = job_of(staff, petition, GOOD_ROWS)
    started = import_jobs.start_attempt(job_id=job.pk, attempt=1)

    def taken_over(progress):
        ImportJob.objects.filter(pk=job.pk).update(attempt=2)  # as the sweep and a second attempt would

    monkeypatch.setattr(import_jobs.Progress, "saving", taken_over)
    with pytest.raises(import_jobs.StaleAttempt):
        import_jobs.run_job(job=started, attempt=1)
    assert TallyEntry.objects.count() == 0 and ImportBatch.objects.count() == 0
    assert PendingUpload.objects.filter(pk=job.upload_id).exists()


# --- progress ----------------------------------------------------------------------------------------------


def test_the_progress_writer_shows_rows_done_of_total_while_the_job_runs(staff, petition):
    job = job_of(staff, petition, GOOD_ROWS)
    job = import_jobs.start_attempt(job_id=job.pk, attempt=1)
    progress = import_jobs.Progress(job, 1, every=1)
    progress.reading()
    assert import_jobs.live(job) == {"done": 0, "total": None, "step": import_jobs.READING, "percent": 0}
    progress.rows_read(4)
    seen = []
    for _ in range(4):
        progress.tick()
        seen.append(import_jobs.live(job)["done"])
    assert seen == [1, 2, 3, 4] and import_jobs.live(job)["total"] == 4
    progress.tick()  # a tick past the file's rows (a second pass) never shows more than the total
    assert import_jobs.live(job)["done"] == 4
    # A figure of an earlier attempt is not this one's.
    ImportJob.objects.filter(pk=job.pk).update(attempt=2)
    job.refresh_from_db()
    assert import_jobs.live(job)["done"] == 0


def test_a_running_commit_writes_rising_progress_to_the_cache_before_its_rows_are_committed(
    staff, petition, monkeypatch
):
    rows = [["川崎社保協", "", "個人", str(n), "2025-12-07", ""] for n in range(1, 501)]
    job = job_of(staff, petition, rows)
    written = []
    original = import_jobs.Progress.write

    def recording(progress):
        original(progress)
        figures = cache.get(f"shaho:import-job:{job.token}")
        written.append((figures["done"], figures["total"], figures["step"], TallyEntry.objects.count()))

    monkeypatch.setattr(import_jobs.Progress, "write", recording)
    tasks.send_import(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and TallyEntry.objects.count() == 500
    checking = [done for done, total, step, _entries in written if step == import_jobs.CHECKING]
    assert checking == sorted(checking) and checking[0] == 0 and checking[-1] >= 400 and len(set(checking)) >= 3
    assert all(total == 500 for _done, total, step, _e in written if step != import_jobs.READING)
    assert written[-1][:3] == (500, 500, import_jobs.SAVING)
    assert all(entries == 0 for *_figures, entries in written[:-1])  # shown while nothing was written yet


# --- who sees a job ----------------------------------------------------------------------------------------


def test_only_the_owner_and_staff_of_the_jobs_council_or_above_see_a_job(
    client, staff, petition, kawasaki, tokyo_staff, national_staff
):
    client.force_login(staff)
    commit(client, preview(client, petition, GOOD_ROWS))
    job = ImportJob.objects.get()
    urls = [reverse(name, args=[job.token]) for name in ("imports:job", "imports:job_status", "imports:job_outcome")]
    for user, expected in [
        (staff, 200),
        (national_staff, 200),
        (tokyo_staff, 404),  # another prefecture's staff
        (staff_of(kawasaki, role=Role.COUNCIL_STAFF), 404),  # staff below the job's council
        (staff_of(job.council, role=Role.MEMBER), 404),  # a member of the same council, not the owner
    ]:
        other = Client()
        other.force_login(user)
        assert [other.get(url).status_code for url in urls] == [expected] * 3, user
    anonymous = [Client().get(url) for url in urls]
    assert all(r.status_code == 302 and "/login/" in r["Location"] for r in anonymous)


def test_an_organizer_sees_their_own_job(client, petition, kawasaki, settings, tmp_path, kanagawa, yokohama):
    settings.MEDIA_ROOT = tmp_path
    organizer = staff_of(kawasaki, role=Role.ORGANIZER)
    job = job_of(organizer, petition, GOOD_ROWS[:1])
    client.force_login(organizer)
    assert client.get(reverse("imports:job", args=[job.token])).status_code == 200
    client.force_login(staff_of(kawasaki, role=Role.ORGANIZER))
    assert client.get(reverse("imports:job", args=[job.token])).status_code == 404


# --- a worker that died -------------------------------------------------------------------------------------


def _stale(job, attempt=1):
    from datetime import timedelta

    from django.utils import timezone

    started = import_jobs.start_attempt(job_id=job.pk, attempt=attempt)  # a worker claimed it, then died
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(hours=1))
    return started


def test_the_sweep_sends_a_dead_workers_job_again_and_it_completes(staff, petition):
    job = job_of(staff, petition, GOOD_ROWS)
    _stale(job)
    assert tasks.sweep_import_jobs() == {"requeued": 1, "failed": 0, "sent": 1}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempt == 2 and TallyEntry.objects.count() == 3
    assert tasks.sweep_import_jobs() == {"requeued": 0, "failed": 0, "sent": 0}  # nothing left: idempotent


def test_the_sweep_leaves_a_job_whose_heartbeat_is_in_the_cache(staff, petition):
    job = job_of(staff, petition, GOOD_ROWS)
    _stale(job)
    import_jobs.Progress(job, 1).beat()  # SQLite: the live heartbeat is in the cache, the row cannot be written
    assert tasks.sweep_import_jobs()["requeued"] == 0
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_after_the_last_attempt_the_sweep_fails_the_job_saying_nothing_was_saved(staff, petition, settings):
    settings.REPORTS_MAX_ATTEMPTS = 1
    job = job_of(staff, petition, GOOD_ROWS)
    _stale(job)
    assert tasks.sweep_import_jobs() == {"requeued": 0, "failed": 1, "sent": 0}
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "何も保存していません" in job.error
    assert "1回試行" in job.error and TallyEntry.objects.count() == 0


def test_a_duplicate_message_does_not_run_a_job_twice(staff, petition):
    job = job_of(staff, petition, GOOD_ROWS)
    assert tasks.run_import.apply(args=[job.pk, 1]).get() == ImportJob.Status.DONE
    assert tasks.run_import.apply(args=[job.pk, 1]).get() == "skipped"
    assert TallyEntry.objects.count() == 3


# --- on a real worker reading only `imports` -------------------------------------------------------------------


def _database_url():
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_an_import_commit_runs_on_a_worker_that_reads_only_the_imports_queue(
    transactional_db, kanagawa, kawasaki, yokohama, petition, tmp_path, settings
):
    from tests.reports.broker import broker_at

    if connection.vendor != "postgresql":
        service_missing(f"the database is {connection.vendor}: a worker process needs PostgreSQL")
    redis_client = require_redis()
    for queue in ("reports", "imports", "default"):
        redis_client.delete(queue)
    settings.MEDIA_ROOT = tmp_path / "media"
    staff = staff_of(kanagawa, role=Role.COUNCIL_STAFF)
    job = job_of(staff, petition, GOOD_ROWS)
    name = f"imports-{uuid.uuid4().hex[:6]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": TEST_REDIS_URL,
        "CELERY_RESULT_BACKEND": TEST_REDIS_URL,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "LOG_FORMAT": "plain",
    }
    log_path = tmp_path / "worker.log"
    celery = str(Path(sys.executable).with_name("celery"))
    command = [celery, "-A", "shaho", "worker", "-Q", "imports", "--concurrency=1", "--without-gossip",
               "--without-mingle", "--loglevel=INFO", "-n", f"{name}@%h"]  # fmt: skip
    with open(log_path, "wb") as log:
        worker = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        with broker_at(TEST_REDIS_URL):
            tasks.send_import(job=job)  # committed (a transactional test): sent at once, routed to `imports`
        deadline = time.monotonic() + 120
        while not job.is_finished:
            assert worker.poll() is None, log_path.read_text(errors="replace")[-3000:]
            assert time.monotonic() < deadline, f"job still {job.status}\n{log_path.read_text(errors='replace')}"
            time.sleep(0.1)
            job.refresh_from_db()
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, 9)
        worker.wait(timeout=10)
        for queue in ("reports", "imports", "default"):
            redis_client.delete(queue)
        redis_client.close()
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.worker.startswith(f"{name}@") and TallyEntry.objects.count() == 3
    assert job.outcome and job.outcome.storage.exists(job.outcome.name)
