"""Read only on every route, conditional requests (ETag/304 in one query), CSV as Excel reads it, rate limits."""

import datetime
import os
import subprocess
import sys
import time
import uuid

import pytest
from django.core.cache import caches
from django.test import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils.http import http_date

from shaho.core.api import tokens, usage
from shaho.core.api.models import ApiTokenUse
from tests.api.kit import api_get, make_token
from tests.councils.factories import local_council
from tests.required_services import TEST_REDIS_URL, require_redis

pytestmark = pytest.mark.django_db

LIST = "/api/v1/councils/"
WRITES = ("post", "put", "patch", "delete")


def api_routes():
    """(name, url) of every /api/v1/ pattern but the catch-all 404, its arguments filled with 1: endpoints added
    later are covered without a line here."""
    found = []

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, ":".join(filter(None, [namespace, pattern.namespace])))
            elif isinstance(pattern, URLPattern) and namespace == "api" and pattern.name != "not_found":
                name = f"api:{pattern.name}"
                kwargs = dict.fromkeys(pattern.pattern.regex.groupindex, "1")
                found.append((name, reverse(name, kwargs=kwargs)))

    walk(get_resolver().url_patterns, "")
    return found


def test_there_are_api_routes_to_check():
    names = {name for name, _ in api_routes()}
    assert {"api:council-list", "api:council-detail", "api:schema", "api:docs"} <= names


@pytest.mark.parametrize("method", WRITES)
def test_no_write_method_is_accepted_on_any_route(client, kanagawa_token, method):
    _, secret = kanagawa_token
    refused = []
    for name, url in api_routes():
        response = getattr(client, method)(
            url, data="{}", content_type="application/json", HTTP_AUTHORIZATION=f"Token {secret}"
        )
        if response.status_code != 405:
            refused.append(f"{method.upper()} {name} {url} → {response.status_code}")
        elif name not in ("api:schema", "api:docs"):
            assert response.json()["error"]["code"] == "method_not_allowed"
    assert not refused, refused


def test_a_list_answers_304_to_its_etag_in_one_query(
    client, kanagawa_token, kawasaki, settings, django_assert_max_num_queries
):
    settings.SHAHO_API_USE_BATCH = 1000
    caches["default"].set("shaho:api-uses-flushed", 1, 3600)  # the usage log's next write is not due (usage.py)
    _, secret = kanagawa_token
    first = api_get(client, secret, LIST)
    assert first.status_code == 200
    etag, last_modified = first["ETag"], first["Last-Modified"]
    with django_assert_max_num_queries(1):
        again = api_get(client, secret, LIST, HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304 and again.content == b"" and again["ETag"] == etag
    with django_assert_max_num_queries(1):
        since = api_get(client, secret, LIST, HTTP_IF_MODIFIED_SINCE=last_modified)
    assert since.status_code == 304
    # Another page, another format: another ETag.
    assert api_get(client, secret, LIST + "?format=csv", HTTP_IF_NONE_MATCH=etag).status_code == 200
    # A change in the token's scope: a new answer.
    local_council("14", name="新しい地域社保協")
    changed = api_get(client, secret, LIST, HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200 and changed["ETag"] != etag
    assert "新しい地域社保協" in changed.content.decode()
    an_hour_ago = http_date(time.time() - 3600)
    assert api_get(client, secret, LIST, HTTP_IF_MODIFIED_SINCE=an_hour_ago).status_code == 200


def test_a_neighbours_change_does_not_move_the_etag(client, kanagawa_token, tokyo):
    _, secret = kanagawa_token
    etag = api_get(client, secret, LIST)["ETag"]
    tokyo.phone = "03-0000-0000"
    tokyo.save()
    # Councils are federation-public (their whole table counts) … a Tokyo council's edit is seen by the ETag,
    # which costs a 200 and never shows the row: what the body holds is still only Kanagawa's.
    response = api_get(client, secret, LIST, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code in (200, 304)
    assert tokyo.name not in response.content.decode()


def test_csv_is_utf8_with_a_bom_and_formulas_are_text(client, kanagawa_token):
    _, secret = kanagawa_token
    local_council("14", name='=HYPERLINK("http://example.com")社保協')
    response = api_get(client, secret, LIST + "?format=csv&page_size=100")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert 'filename="councils.csv"' in response["Content-Disposition"]
    body = response.content
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "\n=HYPERLINK" not in text and ",=HYPERLINK" not in text
    assert text.splitlines()[0].split(",")[:3] == ["id", "name", "kind"]


def test_an_error_is_json_whatever_format_was_asked(client, kanagawa_token):
    _, secret = kanagawa_token
    response = api_get(client, secret, "/api/v1/councils/census/?date=x&format=csv")
    assert response.status_code == 400 and response["Content-Type"].startswith("application/json")
    assert "「x」は日付として読めません" in response.json()["error"]["fields"]["date"][0]


def test_pages_hold_at_most_100_rows_in_a_total_order(client, kanagawa_token):
    _, secret = kanagawa_token
    for _i in range(3):
        local_council("14", name="同名の社保協")
    response = api_get(client, secret, LIST + "?page_size=1000&ordering=name")
    assert response.status_code == 200
    ids = [row["id"] for row in response.json()["results"] if row["name"] == "同名の社保協"]
    assert ids == sorted(ids) and len(ids) == 3
    walked = []
    url = LIST + "?page_size=1&ordering=name"
    while url:
        page = api_get(client, secret, url).json()
        walked += [row["id"] for row in page["results"]]
        url = page["next"]
    assert len(walked) == len(set(walked)) == response.json()["count"]


def test_over_the_rate_the_answer_is_429_with_retry_after(client, kanagawa, settings):
    settings.SHAHO_API_RATE = "3/min,1000/hour"
    _, secret = make_token(kanagawa)
    statuses = [api_get(client, secret, LIST).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = api_get(client, secret, LIST)
    assert refused.status_code == 429
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert refused.json()["error"]["code"] == "throttled"
    _, other = make_token(kanagawa, name="別のトークン")
    assert api_get(client, other, LIST).status_code == 200  # per token


COUNT_ELSEWHERE = """
import os, sys, types
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "shaho.settings"
django.setup()
from shaho.core.api.throttling import TokenRateThrottle
request = types.SimpleNamespace(auth=types.SimpleNamespace(key=sys.argv[1]))
print(sum(TokenRateThrottle().allow_request(request, None) for _ in range(int(sys.argv[2]))))
"""


def test_two_processes_count_together_in_the_shared_cache(client, kanagawa, settings):
    require_redis(TEST_REDIS_URL).close()
    rate = "4/hour"
    while time.time() % 3600 > 3590:  # not across the hour's window
        time.sleep(1)
    redis_cache = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": TEST_REDIS_URL}}
    with override_settings(CACHES=redis_cache, SHAHO_API_RATE=rate):
        token, secret = make_token(kanagawa, name=f"二つのプロセス {uuid.uuid4().hex[:6]}")
        env = {**os.environ, "CACHE_URL": TEST_REDIS_URL, "SHAHO_API_RATE": rate}
        counted = subprocess.run(
            [sys.executable, "-c", COUNT_ELSEWHERE, token.key, "3"], env=env, capture_output=True, text=True, check=True
        )
        assert counted.stdout.strip() == "3"  # the other process was allowed its three
        assert api_get(client, secret, LIST).status_code == 200  # the fourth of the hour, here
        refused = api_get(client, secret, LIST)
        assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
        usage.flush()  # the uses went to the Redis list: into the log, and the list is empty again
        assert ApiTokenUse.objects.filter(token=token, status=429).count() == 1
        tokens.forget([token.key])


def test_modified_since_is_read_or_refused_by_name(client, kanagawa_token):
    from shaho.core.api.conditional import parse_modified_since

    assert parse_modified_since("2026-12-01").date() == datetime.date(2026, 12, 1)
    assert parse_modified_since("2026-12-01T09:00:00+09:00").hour == 9
    from rest_framework.exceptions import ValidationError

    with pytest.raises(ValidationError, match="modified_since"):
        parse_modified_since("先週")
