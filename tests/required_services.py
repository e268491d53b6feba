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
