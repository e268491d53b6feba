"""One rule for tests that need a real service: under CI (SHAHO_REQUIRE_SERVICES=1) a missing
service fails the test; on a developer's machine the test is skipped and `-ra` prints why."""

import os

import pytest
from django.db import connection

REQUIRED = os.environ.get("SHAHO_REQUIRE_SERVICES", "").strip() == "1"


def service_missing(reason):
    if REQUIRED:
        pytest.fail(f"SHAHO_REQUIRE_SERVICES=1 but {reason}")
    pytest.skip(reason)


def require_postgresql():
    if connection.vendor != "postgresql":
        service_missing(f"needs concurrent writers (PostgreSQL); the database is {connection.vendor}")


# The real Redis of the outbox tests (tests/reports/test_outbox.py): database 12, whatever CELERY_BROKER_URL is.
TEST_REDIS_URL = os.environ.get("SHAHO_TEST_REDIS_URL", "redis://127.0.0.1:6379/12")


def require_redis(url=TEST_REDIS_URL):
    """A client of the real Redis at `url`, or the test fails (CI) / is skipped (locally) when none answers."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        client.close()
        service_missing(f"needs Redis at {url}: {exc}")
    return client
