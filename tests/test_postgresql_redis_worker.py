"""The real services that .ci/run starts the second pass with: PostgreSQL, Redis and a Celery worker.

With SHAHO_REQUIRE_SERVICES=1 every test here must pass, so a CI run that
silently fell back to SQLite or to in-process tasks fails instead of passing.
Without it (a plain `make test` on SQLite) they are skipped, and `-ra` prints why.
"""

import time

import pytest
from django.conf import settings
from django.db import connection

from tests.required_services import REQUIRED

pytestmark = [
    pytest.mark.services,
    pytest.mark.skipif(
        not REQUIRED,
        reason="needs PostgreSQL, Redis and a Celery worker; .ci/run sets SHAHO_REQUIRE_SERVICES=1 and starts them",
    ),
]


def _broker_url():
    url = settings.CELERY_BROKER_URL
    assert url, "SHAHO_REQUIRE_SERVICES=1 but CELERY_BROKER_URL is not set: tasks would run in-process"
    return url


@pytest.mark.django_db
def test_database_is_postgresql():
    assert connection.vendor == "postgresql", (
        f"SHAHO_REQUIRE_SERVICES=1 but the database is {connection.vendor}: set DATABASE_URL=postgres://..."
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        (version,) = cursor.fetchone()
    assert version.startswith("PostgreSQL")


def test_redis_broker_answers_ping():
    import redis

    url = _broker_url()
    assert url.startswith(("redis://", "rediss://")), f"broker is not Redis: {url}"
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        assert client.ping() is True
    finally:
        client.close()


def test_tasks_are_sent_to_a_broker_not_run_in_process():
    from shaho.celery import app

    _broker_url()
    # An eager ping would answer "pong" with no worker at all.
    assert app.conf.task_always_eager is False


def test_celery_worker_answers_control_ping():
    from shaho.celery import app

    _broker_url()
    # The worker may still be booting when the suite reaches this test.
    deadline = time.monotonic() + 30
    replies = []
    while not replies and time.monotonic() < deadline:
        replies = app.control.ping(timeout=2)
    assert replies, "no Celery worker answered app.control.ping within 30 s"
    assert all(reply.get("ok") == "pong" for answer in replies for reply in answer.values())


def test_celery_worker_runs_the_ping_task():
    from shaho.celery import app, ping

    _broker_url()
    assert app.conf.task_always_eager is False
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
