"""Deploy checks of the two Redis roles (`manage.py check --deploy`): the broker never evicts, the cache may.

A broker whose Redis evicts under memory pressure drops queued report jobs without a word (the outbox resends
them only after REPORTS_RESEND_AFTER_SECONDS); a cache sharing the broker's database makes its eviction policy
the broker's. So, warned about:

- shaho.W101: the broker's Redis answers CONFIG GET maxmemory-policy with anything but `noeviction`;
- shaho.W102: CACHE_URL and CELERY_BROKER_URL name the same Redis database.

A Redis that cannot be reached, or refuses CONFIG (managed services often rename or disable it), gives no
warning: nothing is known, and the readiness probe (/health/ready/) is what reports a broker that is down.
"""

from urllib.parse import parse_qs, urlsplit

from django.conf import settings
from django.core import checks

REDIS_SCHEMES = {"redis", "rediss"}


def redis_database(url):
    """(host, port, db) of a redis:// URL, or None for anything else (no broker, another transport)."""
    if not url:
        return None
    url = url.split(",")[0].strip()  # Django's RedisCache takes several servers: the first is the one written to
    parts = urlsplit(url)
    if parts.scheme not in REDIS_SCHEMES:
        return None
    db = parts.path.strip("/") or parse_qs(parts.query).get("db", ["0"])[0]
    try:
        db = int(db)
    except ValueError:
        db = 0
    return ((parts.hostname or "localhost").lower(), parts.port or 6379, db)


def broker_eviction_policy(url, *, timeout=1.0):
    """The broker's `maxmemory-policy`, or None when it cannot be asked (unreachable, CONFIG disabled)."""
    import redis

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        answer = client.config_get("maxmemory-policy")
    except redis.RedisError:
        return None
    finally:
        client.close()
    value = answer.get("maxmemory-policy") or answer.get(b"maxmemory-policy")
    return value.decode() if isinstance(value, bytes) else value


@checks.register(checks.Tags.caches, deploy=True)
def check_redis_roles(app_configs=None, **kwargs):
    found = []
    broker_url = getattr(settings, "CELERY_BROKER_URL", "")
    broker = redis_database(broker_url)
    if broker is not None:
        policy = broker_eviction_policy(broker_url)
        if policy is not None and policy != "noeviction":
            found.append(
                checks.Warning(
                    f"The broker's Redis (CELERY_BROKER_URL) has maxmemory-policy {policy}: under memory pressure "
                    "it drops queued jobs.",
                    hint="Run the broker's Redis with --maxmemory-policy noeviction (docker-compose.yml: "
                    "redis-broker), and the cache on a Redis of its own that may evict (redis-cache).",
                    id="shaho.W101",
                )
            )
    cache = redis_database(getattr(settings, "CACHE_URL", ""))
    if broker is not None and cache == broker:
        found.append(
            checks.Warning(
                "CACHE_URL and CELERY_BROKER_URL point at the same Redis database: cache keys and queued jobs "
                "share one eviction policy.",
                hint="Give the cache its own Redis (allkeys-lru) or at least its own database number.",
                id="shaho.W102",
            )
        )
    return found
