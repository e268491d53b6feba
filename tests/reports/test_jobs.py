"""Jobs run through the task (in-process here), record their progress steps, and never stay 作成中."""

import datetime
import re

import pytest
from django.utils import timezone

from councils.models import Role
from reports import services, tasks
from reports.models import JobStatus, ReportJob
from reports.tasks import render_report, sweep_stale_jobs
from tests.councils.factories import staff_of

from . import factories


@pytest.fixture
def councils(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return factories.federation()


@pytest.fixture
def kanagawa_staff(councils):
    return staff_of(councils["kanagawa"])


def test_job_runs_to_done_with_its_progress_steps_recorded(
    councils, kanagawa_staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        job = tasks.request_report(kind="council_directory", params={"prefecture": "14"}, user=kanagawa_staff)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error
    assert job.progress == 100 and job.attempt == 1
    steps = [s["step"] for s in job.steps]
    assert steps[0] == "依頼を受付" and steps[-1] == "完了"
    assert {"データを集計中", "HTMLを作成中", "PDFを組版中", "PDFを書き出し中", "保存中"} <= set(steps)
    progress = [s["progress"] for s in job.steps]
    assert progress == sorted(progress)
    assert job.started_at <= job.finished_at
    assert job.file.name.startswith("reports/") and job.file.name.endswith(".pdf")
    # 24 random bytes, URL-safe: nothing of the job's id, kind or council in the name
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}\.pdf", job.file.name.rsplit("/", 1)[-1])
    assert job.file_size > 1000 and job.page_count == 1


def test_a_redelivered_message_does_not_render_twice(councils, kanagawa_staff):
    job, _ = services.request_job(kind="council_directory", params={"prefecture": "14"}, user=kanagawa_staff)
    assert render_report.apply(args=[job.pk, 1]).get() == "done"
    job.refresh_from_db()
    first_file = job.file.name
    assert render_report.apply(args=[job.pk, 1]).get() == "skipped"
    job.refresh_from_db()
    assert job.file.name == first_file and job.attempt == 1


def test_a_dead_attempt_cannot_finish_after_a_later_one_took_over(councils, kanagawa_staff, tmp_path):
    job, _ = services.request_job(kind="council_directory", params={"prefecture": "14"}, user=kanagawa_staff)
    dead = services.start_attempt(job_id=job.pk, attempt=1)
    ReportJob.objects.filter(pk=job.pk).update(status=JobStatus.QUEUED)  # as the sweep does
    assert render_report.apply(args=[job.pk, 2]).get() == "done"
    with pytest.raises(services.StaleAttempt):
        services.render_job(job=dead, attempt=1)
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempt == 2
    files = [p for p in (tmp_path / "reports").rglob("*") if p.is_file()]
    assert [p.name for p in files] == [job.file.name.rsplit("/", 1)[-1]]  # one file, the dead attempt's removed


def test_sweep_requeues_a_stale_job_and_the_retry_completes(
    councils, kanagawa_staff, django_capture_on_commit_callbacks
):
    job, _ = services.request_job(kind="council_directory", params={"prefecture": "14"}, user=kanagawa_staff)
    services.start_attempt(job_id=job.pk, attempt=1)  # a worker claimed it, then died
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert sweep_stale_jobs.apply().get() == {"requeued": 1, "failed": 0}
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempt == 2


def test_sweep_marks_a_job_stale_after_its_last_attempt_failed_with_the_reason(councils, kanagawa_staff, settings):
    job, _ = services.request_job(kind="council_directory", params={"prefecture": "14"}, user=kanagawa_staff)
    services.start_attempt(job_id=job.pk, attempt=services.max_attempts())
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    requeued, failed = tasks.requeue_stale_jobs()
    job.refresh_from_db()
    assert (requeued, failed) == (0, 1)
    assert job.status == JobStatus.FAILED and "止まりました" in job.error and job.finished_at


def test_sweep_leaves_a_running_job_with_a_fresh_heartbeat(councils, kanagawa_staff):
    job, _ = services.request_job(kind="council_directory", params={"prefecture": "14"}, user=kanagawa_staff)
    services.start_attempt(job_id=job.pk, attempt=1)
    assert tasks.requeue_stale_jobs() == (0, 0)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING


def test_a_job_whose_data_breaks_fails_with_the_reason(councils, kanagawa_staff):
    from reports.models import Chapter

    factories.meeting(councils, chapters=factories.CHAPTERS[:1])
    national = staff_of(councils["national"], role=Role.NATIONAL_STAFF)
    job, _ = services.request_job(kind="policy_draft", params={"meeting": "64"}, user=national)
    # between the request and the run, a chapter is edited to name a petition that does not exist
    Chapter.objects.filter(meeting__number=64, order=1).update(body="{{ petition.to_date petition=gone }}")
    assert render_report.apply(args=[job.pk, 1]).get() == "failed"
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "gone" in job.error and not job.file


def test_sweep_is_on_the_beat_schedule(settings):
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert "reports.sweep_stale_jobs" in tasks
