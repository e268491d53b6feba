"""System checks of what must be shared between web processes (issue 22: stateless web).

Sessions and the login lock-out counters live in the database; the password-reset counters and any other
rate limit live in the cache. With DEBUG off the cache must be one that every process reads (Redis, from
CACHE_URL): a per-process cache (LocMemCache) gives each gunicorn worker its own counters, so a limit of 5
becomes 5 per worker, and a lock-out or a limit reached on one web machine does not hold on the next.
"""

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}
PER_PROCESS_SESSIONS = {"django.contrib.sessions.backends.cache", "django.contrib.sessions.backends.signed_cookies"}


@checks.register(checks.Tags.caches)
def shared_state_between_processes(app_configs=None, **kwargs):
    """shaho.W001: with DEBUG off, the cache (rate limits, password-reset counters) is per process.

    A warning, not an error: a single process (one gunicorn worker on one machine) is a real if small
    deployment, and `make run` (DEBUG on) needs no Redis. `check --deploy --fail-level WARNING` fails on it.
    shaho.E004 / E005: sessions / the lock-out counters kept where another process cannot read them.
    """
    found = []
    backend = settings.CACHES.get("default", {}).get("BACKEND", "")
    if not settings.DEBUG and backend in PER_PROCESS_CACHES:
        found.append(
            checks.Warning(
                f"The cache is per process ({backend.rpartition('.')[2]}): the password-reset counters and rate "
                "limits are counted separately by every web process, so a limit reached on one does not hold "
                "on another.",
                hint="Set CACHE_URL to a Redis shared by every web process (e.g. redis://redis:6379/1).",
                id="shaho.W001",
            )
        )
    engine = getattr(settings, "SESSION_ENGINE", "django.contrib.sessions.backends.db")
    if engine in PER_PROCESS_SESSIONS or (
        engine == "django.contrib.sessions.backends.cache" and backend in PER_PROCESS_CACHES
    ):
        found.append(
            checks.Error(
                f"Sessions are kept by {engine}: another process cannot end them (logout everywhere, limits).",
                hint="Keep SESSION_ENGINE = 'django.contrib.sessions.backends.db' (or cached_db with a shared cache).",
                id="shaho.E004",
            )
        )
    handler = getattr(settings, "AXES_HANDLER", "axes.handlers.database.AxesDatabaseHandler")
    if handler.endswith(("AxesCacheHandler", "AxesDummyHandler")) and backend in PER_PROCESS_CACHES:
        found.append(
            checks.Error(
                f"The login lock-out counters are kept by {handler} in a per-process cache: a lock-out made "
                "on one web process does not hold on another.",
                hint="Keep AXES_HANDLER = 'axes.handlers.database.AxesDatabaseHandler'.",
                id="shaho.E005",
            )
        )
    return found
