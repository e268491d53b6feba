"""Queues by kind of work (issue 22): `reports` (WeasyPrint, long), `imports`, `default` (mail, upkeep).

Every task is routed by name in settings (CELERY_TASK_ROUTES); messages land in the real Redis of the tests
(tests/required_services.py: CI fails rather than skips without it), counted in its lists. Real worker
processes (`celery -A shaho worker -Q …`) show that a worker on `default` leaves a report job alone, and that
a short job on `default` runs while a long job holds the `reports` worker.

Marked services: they use the fixed queue names in the test Redis, so they run in CI's single-process pass.
"""

import base64
import json
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings

from reports import services, tasks
from shaho.celery import app as shaho_app
from tests.reports import factories
from tests.reports.broker import broker_at
from tests.required_services import TEST_REDIS_URL, require_redis

ROOT = Path(__file__).resolve().parents[2]
QUEUES = ("reports", "imports", "default")

pytestmark = [pytest.mark.services]


def _clear(client):
    # The queues' messages only: the exchanges' bindings stay, as a broker keeps them (kombu declares a queue once
    # per process and connection: a binding deleted under a producer that declared it already routes nothing).
    for queue in QUEUES:
        client.delete(queue)
    # Messages a killed test worker held unacknowledged would come back into the queues an hour later.
    client.delete("unacked", "unacked_index", "unacked_mutex")


@pytest.fixture
def redis_client():
    """The tests' real Redis with the three queues empty, before and after."""
    client = require_redis()
    _clear(client)
    yield client
    _clear(client)
    client.close()


def _producer():
    """A Celery app with the project's settings (routes included), publishing to the tests' Redis."""
    from celery import Celery

    producer = Celery("shaho-queue-tests")
    producer.config_from_object("django.conf:settings", namespace="CELERY")
    # broker_write_url too: Celery prefers the CELERY_BROKER_URL environment variable (set in CI) to broker_url.
    producer.conf.update(
        broker_url=TEST_REDIS_URL,
        broker_write_url=TEST_REDIS_URL,
        broker_read_url=TEST_REDIS_URL,
        result_backend=TEST_REDIS_URL,
        task_always_eager=False,
    )
    return producer


def _task_names(client, queue):
    """The task name of every message waiting in `queue`, oldest first."""
    return [json.loads(raw)["headers"]["task"] for raw in reversed(client.lrange(queue, 0, -1))]


def _report_messages(client, queue):
    found = []
    for raw in reversed(client.lrange(queue, 0, -1)):
        message = json.loads(raw)
        assert message["headers"]["task"] == "reports.render_report"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        found.append(tuple(args))
    return found


def test_every_task_of_the_project_has_a_route_to_one_of_the_three_queues():
    shaho_app.loader.import_default_modules()
    names = {name for name in shaho_app.tasks if not name.startswith("celery.")}
    assert {"reports.render_report", "reports.sweep_stale_jobs", "shaho.ping"} <= names
    routes = settings.CELERY_TASK_ROUTES
    assert sorted(names - set(routes)) == [], "a task without a route would go to the default queue unsaid"
    assert {route["queue"] for route in routes.values()} <= set(QUEUES)
    assert routes["reports.render_report"] == {"queue": "reports"}
    assert settings.CELERY_TASK_DEFAULT_QUEUE == "default"
    # Declared: `celery purge` empties all three, and a worker started without -Q takes all three.
    # The declared queues (settings.CELERY_TASK_QUEUES); a test that sends to a private queue of its own (the kill
    # test in tests/reports/test_worker.py) adds it to this process's app, which is not a declaration.
    assert [queue.name for queue in settings.CELERY_TASK_QUEUES] == list(QUEUES)
    assert set(QUEUES) <= set(shaho_app.amqp.queues)


def test_routing_sends_each_task_name_to_its_queue(redis_client):
    producer = _producer()
    try:
        for name in settings.CELERY_TASK_ROUTES:
            producer.send_task(name, args=[])
    finally:
        producer.close()
    expected = {queue: [] for queue in QUEUES}
    for name, route in settings.CELERY_TASK_ROUTES.items():
        expected[route["queue"]].append(name)
    for queue in QUEUES:
        assert sorted(_task_names(redis_client, queue)) == sorted(expected[queue]), queue
    assert _task_names(redis_client, "reports") == ["reports.render_report"]
    assert redis_client.llen("celery") == 0  # Celery's own default queue is not used


@pytest.mark.django_db(transaction=True)
def test_the_sweep_sends_each_waiting_job_to_the_reports_queue(redis_client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    factories.federation()
    job, _ = services.request_job(kind="council_directory", params={"prefecture": "14"}, user=None)
    with broker_at(TEST_REDIS_URL):
        assert tasks.requeue_stale_jobs() == (0, 0)  # what the beat task reports.sweep_stale_jobs runs
    assert _report_messages(redis_client, "reports") == [(job.pk, 1)]
    assert redis_client.llen("default") == 0 and redis_client.llen("imports") == 0


def _consumer(*queues):
    return SimpleNamespace(app=SimpleNamespace(amqp=SimpleNamespace(queues=SimpleNamespace(consume_from=queues)),
                                               conf=shaho_app.conf))  # fmt: skip


def test_a_worker_of_any_project_queue_sends_waiting_jobs_by_their_route_a_private_one_to_its_own():
    # A worker starting on imports,default (or on reports) sends what waits by its route: `reports`. Before the
    # queues, a worker not reading the default queue sent report jobs to its own first queue: `imports`.
    assert tasks._queue_of(_consumer("imports", "default")) is None
    assert tasks._queue_of(_consumer("imports")) is None
    assert tasks._queue_of(_consumer("reports")) is None
    assert tasks._queue_of(_consumer("reports-killtest-1234")) == "reports-killtest-1234"


# --- real workers ----------------------------------------------------------------------------------------


class Worker:
    def __init__(self, tmp_path, queues, *, include=()):
        self.name = f"queues-{'-'.join(queues.split(','))}-{uuid.uuid4().hex[:6]}"
        self.log_path = tmp_path / f"{self.name}.log"
        env = {
            **os.environ,
            "CELERY_BROKER_URL": TEST_REDIS_URL,
            "CELERY_RESULT_BACKEND": TEST_REDIS_URL,
            # No database: these workers run no task that reads one (their start-up recovery says so and goes on).
            "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.sqlite3'}",
            "LOG_FORMAT": "plain",
        }
        celery = Path(sys.executable).with_name("celery")
        command = [str(celery), "-A", "shaho", "worker", "-Q", queues, "--concurrency=1", "--without-gossip",
                   "--without-mingle", "--without-heartbeat", "--loglevel=INFO", "-n", f"{self.name}@%h"]  # fmt: skip
        for module in include:
            command += ["-I", module]
        self.log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True
        )

    def wait_ready(self, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"worker {self.name} exited\n{self.tail()}")
            if b" ready." in self.log_path.read_bytes():
                return
            time.sleep(0.1)
        raise AssertionError(f"worker {self.name} not ready after {timeout} s\n{self.tail()}")

    def tail(self):
        return self.log_path.read_text(errors="replace")[-3000:]

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, 9)
        self.process.wait(timeout=10)
        self.log.close()


@pytest.fixture
def workers(tmp_path):
    started = []

    def start(queues, **kwargs):
        worker = Worker(tmp_path, queues, **kwargs)
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def test_a_worker_on_default_does_not_take_a_report_job_waiting_in_the_queue(redis_client, workers):
    producer = _producer()
    try:
        producer.send_task("reports.render_report", args=[987654321, 1])  # routed: reports
        assert _report_messages(redis_client, "reports") == [(987654321, 1)]
        worker = workers("default")
        worker.wait_ready()
        # The worker reads its queue: a ping sent to `default` comes back, and the report job still waits.
        assert producer.send_task("shaho.ping").get(timeout=60) == "pong", worker.tail()
    finally:
        producer.close()
    assert _report_messages(redis_client, "reports") == [(987654321, 1)], worker.tail()
    assert "reports.render_report" not in worker.tail()


def test_a_short_job_on_default_runs_while_a_long_job_holds_the_reports_worker(redis_client, workers):
    key = f"queues-test-{uuid.uuid4().hex[:8]}"
    reports_worker = workers("reports", include=["tests.core.queue_tasks"])
    default_worker = workers("default")
    reports_worker.wait_ready()
    default_worker.wait_ready()
    producer = _producer()
    try:
        long_job = producer.send_task("tests.hold_until_released", args=[TEST_REDIS_URL, key], queue="reports")
        deadline = time.monotonic() + 60
        while not redis_client.exists(f"{key}:started"):
            assert time.monotonic() < deadline, f"the long job never started\n{reports_worker.tail()}"
            time.sleep(0.05)
        # The reports worker (one process) is busy with the long job; the short one goes through the other.
        assert producer.send_task("shaho.ping").get(timeout=60) == "pong", default_worker.tail()
        assert not long_job.ready(), "the long job finished before the short one was even asked"
        redis_client.set(f"{key}:release", "1", ex=60)
        assert long_job.get(timeout=60) == "released"
    finally:
        producer.close()
        redis_client.delete(f"{key}:started", f"{key}:release")
