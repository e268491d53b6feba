"""Liveness and readiness (issue 22): /health/live/ and /health/ready/ for the proxy, compose and a cluster.

Ready asks the real parts: the test database, the cache, the broker (the tests' real Redis: CI fails rather
than skips without it) and the default storage; a broker at a closed port makes it 503 naming the broker,
within the check timeout. Both answer without login, set no cookie, and answer any Host over plain HTTP.
"""

import json
import time

import pytest

from shaho.core import health
from tests.reports.broker import CLOSED_PORT
from tests.required_services import TEST_REDIS_URL, require_redis

PARTS = ["database", "cache", "broker", "storage"]


@pytest.fixture
def up(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    require_redis().close()
    settings.CELERY_BROKER_URL = TEST_REDIS_URL


def _answer(response):
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


def test_live_answers_200_without_asking_anything(client, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT  # a broker that is down does not make the process dead
    response = client.get("/health/live/")
    assert response.status_code == 200
    assert _answer(response) == {"status": "ok"}


@pytest.mark.django_db
def test_ready_is_200_when_database_cache_broker_and_storage_answer(client, up):
    response = client.get("/health/ready/")
    body = _answer(response)
    assert response.status_code == 200, body
    assert body["status"] == "ok" and body["failed"] == []
    assert list(body["checks"]) == PARTS
    assert all(check["ok"] for check in body["checks"].values())


@pytest.mark.django_db
def test_ready_without_a_broker_says_tasks_run_in_process(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.CELERY_BROKER_URL = ""
    body = _answer(client.get("/health/ready/"))
    assert body["checks"]["broker"]["ok"] and body["checks"]["broker"]["detail"] == "in-process"


@pytest.mark.django_db
def test_ready_is_503_naming_the_broker_when_it_is_at_a_closed_port_and_answers_within_3_s(client, up, settings):
    settings.CELERY_BROKER_URL = CLOSED_PORT
    started = time.monotonic()
    response = client.get("/health/ready/")
    elapsed = time.monotonic() - started
    body = _answer(response)
    assert response.status_code == 503, body
    assert body["status"] == "fail" and body["failed"] == ["broker"]
    assert body["checks"]["broker"] == {"ok": False, "error": "ConnectionError", "ms": body["checks"]["broker"]["ms"]}
    assert all(body["checks"][part]["ok"] for part in ["database", "cache", "storage"])
    assert elapsed < 3, f"readiness took {elapsed:.1f} s with the broker down"
    assert "127.0.0.1" not in response.content.decode()  # the error's detail goes to the log, not the answer


def test_a_check_that_hangs_fails_as_timeout_and_does_not_hold_the_answer():
    def hangs():
        time.sleep(5)

    started = time.monotonic()
    checks = health.run_checks({"fine": lambda: None, "stuck": hangs}, timeout=0.3)
    assert time.monotonic() - started < 2
    assert checks["fine"]["ok"] is True
    assert checks["stuck"] == {"ok": False, "error": "timeout", "ms": 300}


@pytest.mark.django_db
def test_probes_need_no_login_set_no_cookie_and_answer_any_host_over_plain_http(client, up, settings):
    # As a production web process behind the proxy: HTTPS redirect on, a short host list. A probe calls the
    # pod's address over plain HTTP; neither the redirect nor the host check may stand in its way.
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["shaho.example.jp"]
    for path in ["/health/live/", "/health/ready/"]:
        response = client.get(path, HTTP_HOST="10.42.0.17:8000")
        assert response.status_code == 200, (path, response.status_code, response.content[:300])
        assert not response.cookies, path
        assert "Set-Cookie" not in response, path
        assert response["Cache-Control"] == "no-store"
    # The same request to a page: redirected to HTTPS (the settings above are in force).
    assert client.get("/login/", HTTP_HOST="shaho.example.jp").status_code == 301


def test_probes_take_only_get_and_head(client):
    assert client.post("/health/ready/").status_code == 405
    assert client.head("/health/live/").status_code == 200
