"""Liveness and readiness for the proxy, compose and a cluster: `/health/live/` and `/health/ready/`.

Answered by the first middleware, before anything else runs: no session, no cookie, no login, no HTTPS
redirect and no ALLOWED_HOSTS check (a probe calls the pod's address over plain HTTP), and no request log
line (a probe every few seconds would drown the real ones).

- live: the process answers; nothing else is asked (a dead database must not get web processes restarted).
- ready: the database (SELECT 1), the cache (set, get, delete of a probe key), the broker (Redis PING; no
  broker configured means tasks run in-process: ok) and the default storage (exists() of a probe name), each
  in a thread of its own, all within SHAHO_HEALTH_TIMEOUT_SECONDS (2 s). 200 when all are up, else 503 with
  the names of the failed parts. The answer names parts only: the errors (which may hold host names) go to
  the log, not to whoever asks.

Written here rather than with django-health-check: its Celery check sends a task and waits for a worker's
result (a web process is ready without a worker, and results are ignored here: CELERY_TASK_IGNORE_RESULT),
its database check writes a row of its own model (a migration for a probe), and a check that hangs has no
timeout of its own; these four fit in a page.
"""

import json
import logging
import threading
import time
import uuid

from django.conf import settings
from django.http import HttpResponse

logger = logging.getLogger(__name__)

LIVE_PATH = "/health/live/"
READY_PATH = "/health/ready/"
PROBE_NAME = "health/probe-that-never-exists"


def _timeout():
    return float(getattr(settings, "SHAHO_HEALTH_TIMEOUT_SECONDS", 2.0))


def check_database():
    from django.db import connections

    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            assert cursor.fetchone()[0] == 1
    finally:
        connections.close_all()  # this thread's own connection: closed, not left to the pool


def check_cache():
    from django.core.cache import cache

    key, value = f"health:probe:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, timeout=30)
    if cache.get(key) != value:
        raise RuntimeError("the cache did not return what was just set")
    cache.delete(key)


def check_broker():
    url = getattr(settings, "CELERY_BROKER_URL", "")
    if not url:
        return "in-process"  # no broker: tasks run in the web process (make run)
    timeout = _timeout()
    if url.startswith(("redis://", "rediss://", "unix://")):
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
        try:
            client.ping()
        finally:
            client.close()
        return None
    from kombu import Connection

    with Connection(url, connect_timeout=timeout) as connection:
        connection.ensure_connection(max_retries=1, timeout=timeout)
    return None


def check_storage():
    from django.core.files.storage import default_storage

    default_storage.exists(PROBE_NAME)  # raises when the storage cannot be reached; the answer itself is moot


CHECKS = {
    "database": check_database,
    "cache": check_cache,
    "broker": check_broker,
    "storage": check_storage,
}


def run_checks(checks=None, *, timeout=None):
    """Run every check at once, each in its own thread: {name: {"ok": bool, "ms": int, ...}} within `timeout`.

    A check still running at the deadline counts as failed ("timeout"); its thread is left to finish on its
    own (daemon), the answer does not wait for it.
    """
    checks = CHECKS if checks is None else checks
    timeout = _timeout() if timeout is None else timeout
    results, threads = {}, {}

    def run(name, check):
        started = time.monotonic()
        try:
            detail = check()
        except Exception as exc:
            logger.warning("health: %s failed: %s: %s", name, type(exc).__name__, exc)
            results[name] = {"ok": False, "error": type(exc).__name__}
        else:
            results[name] = {"ok": True, **({"detail": detail} if detail else {})}
        results[name]["ms"] = round((time.monotonic() - started) * 1000)

    for name, check in checks.items():
        threads[name] = threading.Thread(target=run, args=(name, check), name=f"health-{name}", daemon=True)
        threads[name].start()
    deadline = time.monotonic() + timeout
    for thread in threads.values():
        thread.join(max(0.0, deadline - time.monotonic()))
    answer = {}
    for name in checks:
        result = results.get(name)
        if result is None:
            logger.warning("health: %s did not answer within %.1f s", name, timeout)
            result = {"ok": False, "error": "timeout", "ms": round(timeout * 1000)}
        answer[name] = result
    return answer


def _json(payload, status):
    response = HttpResponse(json.dumps(payload, ensure_ascii=False), status=status, content_type="application/json")
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def live_response():
    return _json({"status": "ok"}, 200)


def ready_response():
    checks = run_checks()
    failed = [name for name, result in checks.items() if not result["ok"]]
    return _json({"status": "fail" if failed else "ok", "failed": failed, "checks": checks}, 503 if failed else 200)


class HealthMiddleware:
    """First in MIDDLEWARE: answers the two probe paths itself, whatever the Host header or scheme."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        path = request.path_info
        if path == LIVE_PATH or path == READY_PATH:
            if request.method not in ("GET", "HEAD"):
                response = _json({"status": "method not allowed"}, 405)
                response["Allow"] = "GET, HEAD"
                return response
            return live_response() if path == LIVE_PATH else ready_response()
        return self.get_response(request)
