"""Tokens and clients for the API tests (tests/api/ and every app's API tests: import from here).

`make_token(council, access=…)` → (ApiToken, the whole secret string); `api_get(client, secret, url, **headers)`
is a GET with the token header as Power Query or curl sends it.
"""

import pytest

from shaho.core.api import usage
from shaho.core.api.models import ApiAccess
from shaho.core.api.services import api_token_create


def make_token(council, *, access=ApiAccess.STAFF, name="テスト用", by=None, **kwargs):
    from tests.councils.factories import staff_of

    user = by or staff_of(council)
    return api_token_create(council=council, name=name, user=user, access=access, **kwargs)


def auth_header(secret):
    return {"HTTP_AUTHORIZATION": f"Token {secret}"}


def api_get(client, secret, url, **extra):
    return client.get(url, **auth_header(secret), **extra)


@pytest.fixture
def kanagawa_token(kanagawa):
    """(token, secret) of a 事務局 token of Kanagawa's prefectural council."""
    return make_token(kanagawa)


@pytest.fixture
def tokyo_token(tokyo):
    return make_token(tokyo)


@pytest.fixture(autouse=True)
def _empty_usage_buffer():
    # Uses buffered by an earlier test (in this process) are not this test's.
    usage._take()
    yield
    usage._take()
