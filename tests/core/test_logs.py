"""Structured logs (issue 22): with LOG_FORMAT=json one JSON line per request and per job, parsed back here from
the console handler's own output; plain text by default; no query string, token or password in a line."""

import io
import json
import logging
import logging.config

import pytest
from django.urls import reverse

from reports import tasks as report_tasks
from shaho.celery import app
from shaho.core.logs import logging_config
from tests.reports import factories


@pytest.fixture
def log_lines(settings):
    """Logging as LOG_FORMAT=json configures it, its console handler writing to a buffer: a function that
    returns the lines written so far, each parsed as JSON (a line that is not JSON fails the test)."""
    buffers = []

    def configure(log_format="json"):
        logging.config.dictConfig(logging_config(log_format=log_format, level="WARNING"))
        handler = next(h for h in logging.getLogger().handlers if isinstance(h, logging.StreamHandler))
        buffer = io.StringIO()
        handler.setStream(buffer)
        buffers.append(buffer)
        return buffer

    configure()

    def lines(*, raw=False):
        text = buffers[-1].getvalue()
        return text if raw else [json.loads(line) for line in text.splitlines() if line.strip()]

    lines.configure = configure
    yield lines
    logging.config.dictConfig(settings.LOGGING)


def _requests(lines):
    return [line for line in lines() if line.get("event") == "request"]


@pytest.mark.django_db
def test_one_json_line_per_request_with_its_id_route_status_and_duration_but_no_query_string(client, log_lines):
    response = client.get("/login/?next=/reports/&token=s3cr3t-t0ken", HTTP_X_REQUEST_ID="probe-42.a")
    assert response.status_code == 200
    assert response["X-Request-ID"] == "probe-42.a"  # honoured and handed back
    (line,) = _requests(log_lines)
    assert line["request_id"] == "probe-42.a"
    assert (line["method"], line["route"], line["path"], line["status"]) == ("GET", "login", "/login/", 200)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["user_id"] is None and line["council_id"] is None
    assert line["level"] == "INFO" and line["logger"] == "shaho.request" and line["time"].endswith("+00:00")
    assert "s3cr3t-t0ken" not in log_lines(raw=True) and "next=" not in log_lines(raw=True)


@pytest.mark.django_db
def test_a_request_id_that_is_not_a_plain_token_is_replaced_by_a_new_one(client, log_lines):
    response = client.get("/login/", HTTP_X_REQUEST_ID='x" \n{"forged": 1}')
    (line,) = _requests(log_lines)
    assert len(line["request_id"]) == 32 and line["request_id"] == response["X-Request-ID"]
    assert "forged" not in log_lines(raw=True)


@pytest.mark.django_db
def test_a_signed_in_request_names_the_user_and_the_council(client, kanagawa_staff, log_lines):
    client.force_login(kanagawa_staff)
    assert client.get(reverse("home")).status_code == 200
    (line,) = _requests(log_lines)
    assert (line["user_id"], line["council_id"]) == (kanagawa_staff.pk, kanagawa_staff.council_id)
    assert line["route"] == "home" and line["status"] == 200


@pytest.mark.django_db
def test_a_token_in_the_path_is_not_logged(client, log_lines):
    # A password-reset link: /password/reset/<uidb64>/<token>/
    client.get("/password/reset/MTIz/cpw8xk-0123456789abcdef0123456789abcdef/")
    (line,) = _requests(log_lines)
    assert line["route"] == "password_reset_confirm"
    assert line["path"] == "/password/reset/…/…/"
    raw = log_lines(raw=True)
    assert "0123456789abcdef0123456789abcdef" not in raw and "MTIz" not in raw


@pytest.mark.django_db
def test_one_json_line_per_job_with_its_id_kind_attempt_duration_and_outcome(
    settings, tmp_path, log_lines, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    factories.federation()
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True  # in this process, even with a broker (CI)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            job = report_tasks.request_report(kind="council_directory", params={"prefecture": "14"}, user=None)
        report_tasks.sweep_stale_jobs.apply()
    finally:
        app.conf.task_always_eager = eager
    jobs = [line for line in log_lines() if line.get("event") == "job"]
    render, sweep = jobs
    assert render["task"] == "reports.render_report" and render["task_id"]
    assert (render["job_id"], render["kind"], render["attempt"], render["outcome"]) == (
        job.pk,
        "council_directory",
        1,
        "done",
    )
    assert isinstance(render["duration_ms"], float) and render["duration_ms"] > 0
    assert sweep["task"] == sweep["kind"] == "reports.sweep_stale_jobs"
    assert sweep["job_id"] == sweep["task_id"] and sweep["attempt"] == 0 and sweep["outcome"] == "success"


def test_every_other_record_is_one_json_line_too_exceptions_included(log_lines):
    logger = logging.getLogger("shaho.test")
    try:
        raise ValueError("壊れた")
    except ValueError:
        logger.exception("集計に失敗しました: %s", "神奈川県")
    (line,) = log_lines()
    assert line["message"] == "集計に失敗しました: 神奈川県" and line["level"] == "ERROR"
    assert "ValueError: 壊れた" in line["exc_info"]


@pytest.mark.django_db
def test_plain_text_by_default_and_no_request_lines(client, settings, log_lines):
    assert settings.LOG_FORMAT == "plain" and "formatter" not in settings.LOGGING["handlers"]["console"]
    log_lines.configure("plain")
    client.get("/login/?token=s3cr3t")
    logging.getLogger("shaho.test").warning("平文のまま")
    assert log_lines(raw=True) == "平文のまま\n"
