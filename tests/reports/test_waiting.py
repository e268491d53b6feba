"""Requesting a report does not hold the browser: without a broker the job runs in a thread after the
response (shaho.core.tasks.TransactionAwareTask), and the job page follows it through its status JSON.

The kind's build is held on an event, so the test sees the response come back while the job is
still waiting or running, then lets it finish.
"""

import dataclasses
import threading
import time

import pytest
from django.urls import reverse

from councils.report_kinds import DIRECTORY
from reports.models import JobStatus, ReportJob
from shaho.core import report_kinds
from tests.councils.factories import staff_of

from . import factories


@pytest.fixture
def held_directory(monkeypatch):
    """The 社保協名簿 kind, its build waiting for `release` (at most 30 s)."""
    release = threading.Event()

    def build(**kwargs):
        release.wait(30)
        return DIRECTORY.build(**kwargs)

    monkeypatch.setitem(report_kinds._kinds, DIRECTORY.name, dataclasses.replace(DIRECTORY, build=build))
    return release


def _wait_until_finished(job, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        time.sleep(0.1)
    raise AssertionError(f"job still {job.status} / {job.step}")


@pytest.mark.django_db(transaction=True)
def test_the_request_returns_before_the_job_is_done_and_the_job_finishes_in_its_thread(
    client, settings, tmp_path, held_directory
):
    settings.MEDIA_ROOT = tmp_path
    settings.TASKS_EAGER_IN_THREAD = True
    councils = factories.federation()
    client.force_login(staff_of(councils["kanagawa"]))

    started = time.monotonic()
    response = client.post(reverse("reports:new_kind", args=["council_directory"]), {"prefecture": "14"})
    elapsed = time.monotonic() - started
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.status in (JobStatus.QUEUED, JobStatus.RUNNING)  # the build is still held
    assert elapsed < 5

    status = client.get(reverse("reports:job_status", args=[job.token])).json()
    assert not status["finished"] and status["steps"][0]["step"] == "依頼を受付"

    held_directory.set()
    job = _wait_until_finished(job)
    assert job.status == JobStatus.DONE, job.error
    status = client.get(reverse("reports:job_status", args=[job.token])).json()
    steps = [s["step"] for s in status["steps"]]
    assert status["finished"] and status["status_label"] == "完了" and status["step"] == ""
    assert "PDFを組版中" in steps and "完了" not in steps  # 完了 is the status, printed once


def test_nothing_is_sent_before_the_commit(client, settings, tmp_path, db):
    # TransactionAwareTask: the render waits for the row's commit; a test's transaction never commits.
    settings.MEDIA_ROOT = tmp_path
    councils = factories.federation()
    client.force_login(staff_of(councils["kanagawa"]))
    response = client.post(reverse("reports:new_kind", args=["council_directory"]), {"prefecture": "14"})
    assert response.status_code == 302
    assert ReportJob.objects.get().status == JobStatus.QUEUED


def test_job_status_is_scoped_like_the_job_page(client, settings, tmp_path, db):
    settings.MEDIA_ROOT = tmp_path
    councils = factories.federation()
    from reports.services import run_now

    tokyo_job = run_now(kind="council_directory", params={"prefecture": "13"})
    client.force_login(staff_of(councils["kanagawa"]))
    assert client.get(reverse("reports:job_status", args=[tokyo_job.token])).status_code == 404
    client.force_login(staff_of(councils["tokyo"]))
    data = client.get(reverse("reports:job_status", args=[tokyo_job.token])).json()
    assert data["status"] == "done" and data["download_url"]
