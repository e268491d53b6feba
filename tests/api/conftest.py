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


def read_csv_as_excel(response):
    """The rows of a CSV answer as Excel/Power Query reads it (Csv.Document, Encoding 65001): the BOM says UTF-8,
    and every character must also exist in CP932 (Excel on Japanese Windows) or it shows as '?'."""
    import csv
    import io

    body = response.content
    assert body.startswith(b"\xef\xbb\xbf"), "no BOM: Excel would read the CSV as CP932"
    text = body[3:].decode("utf-8")
    text.encode("cp932")  # raises on a character Japanese Excel cannot show
    return list(csv.reader(io.StringIO(text, newline="")))
