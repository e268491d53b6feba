"""A queue that cannot hang a request (issue 20): the job row is the outbox of its messages.

With the broker at a closed port a report request answers within 2 s and the job waits, saying why;
once the broker answers, the sweep (and a worker starting) sends every waiting job exactly once, counted
in a real Redis (database 12, tests/required_services.py: CI fails rather than skips without it); a
duplicate message finds the job taken; a job whose worker died gets attempt 2, and after the last
attempt fails with a Japanese reason that its page shows, with a way to make it again.
"""

import base64
import datetime
import json
import os
import subprocess
import threading
import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from reports import services, tasks
from reports.models import JobStatus, ReportJob
from tests.councils.factories import staff_of
from tests.required_services import TEST_REDIS_URL, require_postgresql, require_redis

from . import factories
from .broker import CLOSED_PORT, broker_at

TALLY = {"petition": "25jo", "date": "2020-08-31", "format": "pdf", "prefecture": "14"}


@pytest.fixture
def redis_queue():
    """(Redis client, a queue name of this test's own), emptied afterwards."""
    client = require_redis()
    queue = f"outbox-test-{uuid.uuid4().hex[:10]}"
    yield client, queue
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")  # kombu's routing keys
    client.close()


def _messages(client, queue):
    """The (job id, attempt) of every render message waiting in `queue`, oldest first."""
    found = []
    for raw in reversed(client.lrange(queue, 0, -1)):
        message = json.loads(raw)
        assert message["headers"]["task"] == "reports.render_report"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        found.append(tuple(args))
    return found


@pytest.fixture
def councils(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    councils = factories.federation()
    factories.petition_25jo(councils)
    return councils


def _waiting_jobs(councils, n):
    staff = staff_of(councils["kanagawa"])
    # 集約一覧表 requests as Kanagawa staff, each for another date: `n` jobs 待機中, committed, never sent.
    return [
        services.request_job(kind="tally_table", params={**TALLY, "date": f"2020-08-{10 + i}"}, user=staff)[0]
        for i in range(n)
    ]


@pytest.mark.django_db(transaction=True)
def test_a_report_request_with_the_broker_down_answers_within_2_s_and_the_job_waits_saying_why(
    client, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    councils = factories.federation()
    factories.petition_25jo(councils)
    staff = staff_of(councils["kanagawa"])
    client.force_login(staff)
    url = reverse("reports:new_kind", args=["tally_table"])
    with broker_at(CLOSED_PORT):
        started = time.monotonic()
        response = client.post(url, TALLY)
        elapsed = time.monotonic() - started
    # Before the outbox: 19 s in the result backend's reconnect loop, then a 500 and a job never sent.
    assert response.status_code == 302, response.content.decode()[:500]
    assert elapsed < 2, f"the request took {elapsed:.1f} s with the broker down"
    job = ReportJob.objects.get()  # committed: what the user asked for is kept
    assert response["Location"] == reverse("reports:job", args=[job.token])
    assert job.status == JobStatus.QUEUED and job.sent_at is None and job.attempt == 0
    assert job.step == "順番待ち（処理サーバーに接続できません）"
    assert job.params == {"petition": "25jo", "date": "2020-08-31", "format": "pdf", "prefecture": "14"}
    page = client.get(response["Location"]).content.decode()
    assert "順番待ち（処理サーバーに接続できません）" in page
    assert "順番待ち（処理サーバーに接続できません）" in client.get(reverse("reports:jobs")).content.decode()
    admin = client.get(reverse("admin:reports_reportjob_changelist"))
    assert admin.status_code == 200
    assert "待機中：順番待ち（処理サーバーに接続できません）" in admin.content.decode()


def test_when_the_broker_answers_the_sweep_sends_each_waiting_job_once(councils, redis_queue):
    client, queue = redis_queue
    jobs = _waiting_jobs(councils, 3)
    with broker_at(CLOSED_PORT):
        assert tasks.send_pending_jobs(queue=queue) == 0  # still down: nothing sent, nothing lost
    assert {j.step for j in ReportJob.objects.all()} == {services.UNREACHABLE_STEP}
    with broker_at(TEST_REDIS_URL):
        assert tasks.requeue_stale_jobs(queue=queue) == (0, 0)  # the beat sweep's work
        tasks.send_pending_jobs(queue=queue)  # a second sweep, or a worker starting: nothing more
        tasks.requeue_stale_jobs(queue=queue)
    assert sorted(_messages(client, queue)) == [(job.pk, 1) for job in jobs]
    for job in ReportJob.objects.all():
        assert job.status == JobStatus.QUEUED and job.sent_at is not None and job.step == "待機中"


def test_two_sweeps_that_both_listed_the_jobs_send_each_job_once(councils, redis_queue):
    client, queue = redis_queue
    jobs = _waiting_jobs(councils, 3)
    # Both sweepers read the list before either sends: only the conditional claim keeps them apart.
    first, second = services.jobs_to_send(), services.jobs_to_send()
    assert first == second == [job.pk for job in jobs]
    with broker_at(TEST_REDIS_URL):
        sent = [tasks.send_pending_job(pk, queue=queue) for pk in first]
        sent += [tasks.send_pending_job(pk, queue=queue) for pk in second]
    assert sent.count(True) == 3
    assert sorted(_messages(client, queue)) == [(job.pk, 1) for job in jobs]


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_racing_in_threads_send_each_job_once(settings, tmp_path, redis_queue):
    require_postgresql()  # two connections writing at once
    settings.MEDIA_ROOT = tmp_path
    client, queue = redis_queue
    councils = factories.federation()
    factories.petition_25jo(councils)
    jobs = _waiting_jobs(councils, 8)
    barrier = threading.Barrier(2)
    counts, errors = [], []

    def sweep():
        from django.db import connections

        try:
            barrier.wait(timeout=10)
            counts.append(tasks.send_pending_jobs(queue=queue))
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    with broker_at(TEST_REDIS_URL):
        threads = [threading.Thread(target=sweep) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert not errors, errors
    assert sum(counts) == 8
    assert sorted(_messages(client, queue)) == [(job.pk, 1) for job in jobs]


def test_a_duplicate_message_finds_the_job_taken_and_stops(councils, redis_queue, django_capture_on_commit_callbacks):
    from reports.tasks import render_report

    client, queue = redis_queue
    (job,) = _waiting_jobs(councils, 1)
    with broker_at(TEST_REDIS_URL):
        tasks.send_pending_jobs(queue=queue)
    ((job_id, attempt),) = _messages(client, queue)
    # The message delivered twice (a redelivery after a lost ack, or a sweep's resend): one render.
    assert render_report.apply(args=[job_id, attempt]).get() == "done"
    job.refresh_from_db()
    first_file, finished = job.file.name, job.finished_at
    assert render_report.apply(args=[job_id, attempt]).get() == "skipped"
    job.refresh_from_db()
    assert (job.status, job.attempt, job.file.name, job.finished_at) == (JobStatus.DONE, 1, first_file, finished)


def _dead_pid():
    process = subprocess.Popen(["true"])
    process.wait()
    return process.pid


def _worker_dies_holding(job, attempt):
    """A worker claimed `job` as `attempt`, then died: its process is gone and its heartbeat stopped."""
    assert services.start_attempt(job_id=job.pk, attempt=attempt, worker="celery@host", pid=_dead_pid())
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(minutes=5))


def test_a_job_whose_worker_died_gets_attempt_2_then_fails_with_the_reason_after_the_limit(
    councils, redis_queue, client, settings
):
    settings.REPORTS_MAX_ATTEMPTS = 3
    redis, queue = redis_queue
    (job,) = _waiting_jobs(councils, 1)
    with broker_at(TEST_REDIS_URL):
        tasks.send_pending_jobs(queue=queue)
        _worker_dies_holding(job, 1)
        assert tasks.requeue_stale_jobs(queue=queue) == (1, 0)
        job.refresh_from_db()
        assert (job.status, job.step, job.worker) == (JobStatus.QUEUED, "再試行待ち", "")
        _worker_dies_holding(job, 2)
        assert tasks.requeue_stale_jobs(queue=queue) == (1, 0)
        _worker_dies_holding(job, 3)
        assert tasks.requeue_stale_jobs(queue=queue) == (0, 1)  # the limit: no attempt 4
        assert tasks.requeue_stale_jobs(queue=queue) == (0, 0)
    assert _messages(redis, queue) == [(job.pk, 1), (job.pk, 2), (job.pk, 3)]
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and job.attempt == 3 and job.finished_at
    assert job.error.startswith("作成が途中で止まりました（3回試行")
    # Its page says so, and offers to make it again.
    staff = staff_of(councils["kanagawa"])
    client.force_login(staff)
    page = client.get(reverse("reports:job", args=[job.token])).content.decode()
    assert "失敗" in page and "作成が途中で止まりました（3回試行" in page
    assert reverse("reports:job_rerun", args=[job.token]) in page and "もう一度作成" in page


def test_staff_make_a_failed_job_again_from_its_page_and_from_the_admin(
    councils, client, django_capture_on_commit_callbacks
):
    (job,) = _waiting_jobs(councils, 1)
    _worker_dies_holding(job, services.max_attempts())
    tasks.requeue_stale_jobs()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    client.force_login(staff_of(councils["kanagawa"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:job_rerun", args=[job.token]))
    again = ReportJob.objects.exclude(pk=job.pk).get()
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[again.token])
    assert again.status == JobStatus.DONE and again.params == job.params  # run in-process here
    # The admin's action on the same failed job: another new job (the first retry was a different request
    # only in time; the failed one stays as the record).
    ReportJob.objects.filter(pk=again.pk).delete()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:reports_reportjob_changelist"), {"action": "rerun", "_selected_action": [job.pk]})
    assert ReportJob.objects.exclude(pk=job.pk).get().status == JobStatus.DONE


def test_another_councils_staff_cannot_make_a_failed_job_again(councils, client):
    (job,) = _waiting_jobs(councils, 1)
    client.force_login(staff_of(councils["tokyo"]))
    assert client.post(reverse("reports:job_rerun", args=[job.token])).status_code == 404
    assert ReportJob.objects.count() == 1


def test_a_message_handed_back_after_its_pool_process_died_sends_attempt_2_at_once(councils):
    import socket

    from reports.tasks import render_report

    (job,) = _waiting_jobs(councils, 1)
    # The pool process that ran attempt 1 was killed; Celery hands its message back to the same worker.
    services.start_attempt(job_id=job.pk, attempt=1, worker=socket.gethostname(), pid=_dead_pid())
    assert render_report.apply(args=[job.pk, 1]).get() == "skipped"  # the message itself stops...
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempt == 2  # ...and attempt 2 ran (in-process here)
    # A message handed back while its process still renders is only a duplicate.
    other, _ = services.request_job(
        kind="tally_table", params={**TALLY, "date": "2020-07-31"}, user=staff_of(councils["kanagawa"])
    )
    services.start_attempt(job_id=other.pk, attempt=1, worker=socket.gethostname(), pid=os.getpid())
    assert render_report.apply(args=[other.pk, 1]).get() == "skipped"
    other.refresh_from_db()
    assert other.status == JobStatus.RUNNING and other.attempt == 1


def test_a_worker_restarting_under_the_same_name_requeues_its_dead_predecessors_jobs(councils, redis_queue):
    redis, queue = redis_queue
    dead, alive, elsewhere = _waiting_jobs(councils, 3)
    services.start_attempt(job_id=dead.pk, attempt=1, worker="celery@host", pid=_dead_pid())
    services.start_attempt(job_id=alive.pk, attempt=1, worker="celery@host", pid=os.getpid())  # still rendering
    services.start_attempt(job_id=elsewhere.pk, attempt=1, worker="celery@other", pid=_dead_pid())
    with broker_at(TEST_REDIS_URL):
        assert tasks.recover_at_start(worker="celery@host", queue=queue) == (1, 0, 1)
    assert _messages(redis, queue) == [(dead.pk, 2)]  # at once, not after its heartbeat goes stale
    statuses = dict(ReportJob.objects.values_list("pk", "status"))
    assert statuses == {dead.pk: JobStatus.QUEUED, alive.pk: JobStatus.RUNNING, elsewhere.pk: JobStatus.RUNNING}


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_goes_on_during_a_long_layout(settings, tmp_path, monkeypatch):
    from reports import documents

    settings.MEDIA_ROOT = tmp_path
    settings.REPORTS_HEARTBEAT_SECONDS = 0.1
    councils = factories.federation()
    job, _ = services.request_job(kind="council_directory", params={"prefecture": "14"}, user=None)
    job = services.start_attempt(job_id=job.pk, attempt=1)
    layout, seen = documents.layout, {}

    def slow_layout(html, **kwargs):
        # A layout with no progress call for a while: only the heartbeat thread writes meanwhile.
        seen["before"] = ReportJob.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk)
        time.sleep(0.6)
        seen["after"] = ReportJob.objects.values_list("heartbeat_at", flat=True).get(pk=job.pk)
        return layout(html, **kwargs)

    monkeypatch.setattr(documents, "layout", slow_layout)
    services.render_job(job=job)
    assert councils and job.status == JobStatus.DONE
    assert seen["after"] - seen["before"] >= datetime.timedelta(seconds=0.3)
    assert not [t for t in threading.enumerate() if t.name.startswith("report-heartbeat")]  # stopped with the render
