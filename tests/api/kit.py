"""Helpers for API tests, for every app's tests: `from tests.api.kit import make_token, api_get`.

`make_token(council, access=…)` → (ApiToken, the whole secret string); `api_get(client, secret, url, **headers)`
is a GET with the token header as Power Query or curl sends it; `read_csv_as_excel(response)` reads a CSV answer
as Excel does. The fixtures `kanagawa_token` and `tokyo_token` are in tests/api/conftest.py (tests/api/ only).
"""

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
