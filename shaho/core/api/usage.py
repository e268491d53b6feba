"""Every API request made with a token is logged (ApiTokenUse), without a query on the request's way.

A use is appended to a buffer: a Redis list when the shared cache is Redis (every process appends to the same
list, rows survive a process that dies), a list in this process otherwise. The buffer is written to the
database in one INSERT (and one UPDATE per token whose last-used time is due) when it holds
SHAHO_API_USE_BATCH rows, by the Celery beat task `core.flush_api_uses` every SHAHO_API_USE_FLUSH_SECONDS, and,
without a broker (no beat), by the first request after that many seconds. `last_used_at` moves at most once a
minute per token: the cache says whether a minute has passed (`cache.add`).
"""

import json
import threading

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

LIST_KEY = "shaho:api-uses"
LAST_USED_EVERY = 60  # seconds
_local = []
_local_lock = threading.Lock()


def _redis():
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(LIST_KEY, write=True)
    return None


def _list_key():
    return caches["default"].make_key(LIST_KEY)


def batch_size():
    return int(getattr(settings, "SHAHO_API_USE_BATCH", 100))


def flush_seconds():
    return float(getattr(settings, "SHAHO_API_USE_FLUSH_SECONDS", 30))


def record_use(*, token_key, method, endpoint, path, status, address):
    """Buffer one use; write the buffer when it is full (or, without a broker, when it is old)."""
    touch = bool(token_key) and status < 400 and cache.add(f"shaho:api-used:{token_key}", 1, LAST_USED_EVERY)
    row = json.dumps(
        {
            "k": token_key,
            "at": timezone.now().isoformat(),
            "m": method[:10],
            "e": (endpoint or "")[:120],
            "p": (path or "")[:300],
            "s": int(status),
            "a": address,
            "touch": touch,
        }
    )
    client = _redis()
    if client is not None:
        length = client.rpush(_list_key(), row)
    else:
        with _local_lock:
            _local.append(row)
            length = len(_local)
    due = length >= batch_size()
    if not due and not getattr(settings, "CELERY_BROKER_URL", ""):
        due = cache.add("shaho:api-uses-flushed", 1, flush_seconds())
    if due:
        flush()


def _take():
    client = _redis()
    if client is not None:
        with client.pipeline(transaction=True) as pipe:
            pipe.lrange(_list_key(), 0, -1)
            pipe.delete(_list_key())
            rows, _ = pipe.execute()
        return [r.decode() if isinstance(r, bytes) else r for r in rows]
    with _local_lock:
        rows = list(_local)
        _local.clear()
    return rows


def flush():
    """Write every buffered use to the database; returns how many rows were written."""
    from .models import ApiToken, ApiTokenUse

    rows = [json.loads(r) for r in _take()]
    if not rows:
        return 0
    # By key, not id: a row buffered for a token deleted since is kept without it (never given to another).
    known = {
        key: (pk, council_id)
        for key, pk, council_id in ApiToken.objects.filter(key__in={r["k"] for r in rows if r["k"]}).values_list(
            "key", "pk", "council_id"
        )
    }
    uses = [
        ApiTokenUse(
            token_id=known.get(r["k"], (None, None))[0],
            council_id=known.get(r["k"], (None, None))[1],
            used_at=parse_datetime(r["at"]),
            method=r["m"],
            endpoint=r["e"],
            path=r["p"],
            status=r["s"],
            address=r["a"] or None,
        )
        for r in rows
    ]
    last_used = {}
    for r in rows:
        if r["touch"] and r["k"] in known:
            token_id = known[r["k"]][0]
            last_used[token_id] = max(last_used.get(token_id, r["at"]), r["at"])
    with transaction.atomic():
        ApiTokenUse.objects.bulk_create(uses, batch_size=500)
        for token_id, at in last_used.items():
            # update(), not save(): the cached snapshot stays (it does not hold the last-used time).
            ApiToken.objects.filter(pk=token_id).update(last_used_at=parse_datetime(at))
    return len(uses)
