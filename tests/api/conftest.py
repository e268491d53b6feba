"""Fixtures for the API tests in tests/api/ (the helpers are in tests/api/kit.py, for every app's tests)."""

import pytest

from shaho.core.api import usage
from tests.api.kit import api_get, auth_header, make_token, read_csv_as_excel  # noqa: F401  (older imports)


@pytest.fixture
def kanagawa_token(kanagawa):
    """(token, secret) of a 事務局 token of Kanagawa's prefectural council."""
    return make_token(kanagawa)


@pytest.fixture
def tokyo_token(tokyo):
    return make_token(tokyo)


@pytest.fixture(autouse=True)
def _empty_usage_buffer():
    # Uses buffered by an earlier test (in this process) are not this test's. Without a broker the first request
    # 30 s after the last write flushes the buffer inline (shaho.core.api.usage): under a loaded CI that can land
    # inside a counted request, so here the next write is never due by time; tests of the log call flush().
    from django.core.cache import cache

    usage._take()
    cache.set("shaho:api-uses-flushed", 1, 3600)
    yield
    cache.delete("shaho:api-uses-flushed")
    usage._take()
