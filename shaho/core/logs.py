"""Structured logs: with LOG_FORMAT=json every log record is one JSON line, and each request and each job
adds one line of its own (logger `shaho.request`, `shaho.jobs`, at INFO). Plain text by default, as before:
then those two loggers stay at the root's level (WARNING) and say nothing.

What is never logged: query strings (a reset link's token, a search), headers but the request id, bodies,
and so no password or token. The request id is the client's `X-Request-ID` when it looks like one (a proxy
sets it), else a new one; the response carries it back.

No Django import at module level: settings build LOGGING with `logging_config()`.
"""

import datetime
import json
import logging
import re
import time
import uuid

REQUEST_LOGGER = "shaho.request"
JOB_LOGGER = "shaho.jobs"
# A request id from outside is kept only when it is short and plain (no log injection, no secrets smuggled).
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# The attributes every LogRecord has: anything else on a record came from `extra=` and goes into the line.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


class JSONFormatter(logging.Formatter):
    """One JSON object per record: time (UTC, ISO 8601), level, logger, message, the record's extras, and the
    exception's traceback as one string."""

    def format(self, record):
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, tz=datetime.UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and not key.startswith("_"):
                line[key] = value
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def logging_config(*, log_format="plain", level="WARNING"):
    """Django's LOGGING: the console handler, plain or JSON; with JSON the request and job lines at INFO."""
    json_lines = log_format == "json"
    config = {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": "shaho.core.logs.JSONFormatter"}},
        "handlers": {"console": {"class": "logging.StreamHandler", **({"formatter": "json"} if json_lines else {})}},
        "root": {"handlers": ["console"], "level": level},
    }
    # Plain text: the request and job lines stay off whatever LOG_LEVEL says (a bare "request" says nothing).
    config["loggers"] = {REQUEST_LOGGER: {"level": "WARNING"}, JOB_LOGGER: {"level": "WARNING"}}
    if json_lines:
        config["loggers"] = {
            REQUEST_LOGGER: {"level": "INFO"},
            JOB_LOGGER: {"level": "INFO"},
            # Celery's own worker lines ("ready.", each task received) through the same JSON handler
            # (settings turn worker_hijack_root_logger off with LOG_FORMAT=json).
            "celery": {"level": "INFO"},
        }
    return config


# URL parts that are secrets: a reset link's token, a job's or a download's token (a capability in the path).
_SECRET_KWARG = re.compile(r"token|uidb64|secret|password", re.IGNORECASE)


def redacted_path(path, match):
    """`path` with the values of its secret URL parts (by their name in the pattern) replaced by '…'."""
    for name, value in match.kwargs.items() if match else ():
        if _SECRET_KWARG.search(name) and str(value):
            path = path.replace(str(value), "…")
    return path


def request_id_of(request):
    given = request.headers.get("X-Request-ID", "")
    return given if _REQUEST_ID.match(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    """One line per request: request id, method, route, path (never the query string), status, duration_ms,
    user id and council id (only when the request already loaded its user: the line costs no query)."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.logger = logging.getLogger(REQUEST_LOGGER)

    def __call__(self, request):
        request.request_id = request_id_of(request)
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        if self.logger.isEnabledFor(logging.INFO):
            self.logger.info("request", extra=self.fields(request, response, started))
        return response

    @staticmethod
    def fields(request, response, started):
        match = getattr(request, "resolver_match", None)
        from django.utils.functional import SimpleLazyObject, empty

        user_id = council_id = None
        user = getattr(request, "user", None)
        if isinstance(user, SimpleLazyObject):
            # A lazy user the request never touched stays unloaded: the log line must not cost a query.
            user = None if user._wrapped is empty else user._wrapped
        if user is not None and getattr(user, "is_authenticated", False):
            user_id, council_id = user.pk, getattr(user, "council_id", None)
        return {
            "event": "request",
            "request_id": request.request_id,
            "method": request.method,
            "route": match.view_name if match else None,
            "path": redacted_path(request.path, match),
            "status": response.status_code,
            "duration_ms": round((time.monotonic() - started) * 1000, 1),
            "user_id": user_id,
            "council_id": council_id,
        }


# --- one line per job, from Celery's task signals (connected in shaho/celery.py) -----------------------------

_started = {}


def job_started(task_id=None, task=None, **kwargs):
    _started[task_id] = time.monotonic()


def job_finished(task_id=None, task=None, args=None, retval=None, state=None, **kwargs):
    started = _started.pop(task_id, None)
    logger = logging.getLogger(JOB_LOGGER)
    if not logger.isEnabledFor(logging.INFO):
        return
    request = getattr(task, "request", None)
    # A task may say what it worked on (the report task: its job's id, kind and attempt) in request.log_fields.
    fields = dict(getattr(request, "log_fields", None) or {})
    outcome = retval if isinstance(retval, str) and state == "SUCCESS" else (state or "").lower()
    logger.info(
        "job",
        extra={
            "event": "job",
            "task": getattr(task, "name", None),
            "task_id": task_id,
            "job_id": fields.pop("job_id", task_id),
            "kind": fields.pop("kind", getattr(task, "name", None)),
            "attempt": fields.pop("attempt", getattr(request, "retries", 0) or 0),
            "queue": ((getattr(request, "delivery_info", None) or {}).get("routing_key")),
            "duration_ms": round((time.monotonic() - started) * 1000, 1) if started is not None else None,
            "outcome": outcome,
            **fields,
        },
    )
