"""Every API request made with a token is logged (ApiTokenUse), without a query on the request's way.

A use is appended to a buffer: a Redis list when the shared cache is Redis (every process appends to the same
list, rows survive a process that dies), a list in this process otherwise. The buffer is written to the
database in one INSERT (and one UPDATE per token whose last-used time is due) when it holds
SHAHO_API_USE_BATCH rows, by the Celery beat task `core.flush_api_uses` every SHAHO_API_USE_FLUSH_SECONDS, and,
without a broker (no beat), by the first request after that many seconds. `last_used_at` moves at most once a
minute per token, decided by the flush from the time the token holds (`last_used_moves`): a request pays one
round trip to the cache for its log line, and no query.
"""

import json
import threading

from django.conf import settings
from django.core.cache import cache, caches
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from . import shared

LIST_KEY = "shaho:api-uses"
FLUSHED_KEY = "shaho:api-uses-flushed"
LAST_USED_EVERY = 60  # seconds
_local = []
_local_lock = threading.Lock()


def _redis():
    return shared.redis()


def _list_key():
    return caches["default"].make_key(LIST_KEY)


def batch_size():
    return int(getattr(settings, "SHAHO_API_USE_BATCH", 100))


def flush_seconds():
    return float(getattr(settings, "SHAHO_API_USE_FLUSH_SECONDS", 30))


def record_use(*, token_key, method, endpoint, path, status, address):
    """Buffer one use; write the buffer when it is full (or, without a broker, when it is old).

    With Redis: one round trip (a pipeline: the append and, without a broker, whether the buffer's time is due)."""
    row = json.dumps(
        {
            "k": token_key,
            "at": timezone.now().isoformat(),
            "m": method[:10],
            "e": (endpoint or "")[:120],
            "p": (path or "")[:300],
            "s": int(status),
            "a": address,
        }
    )
    timed = not getattr(settings, "CELERY_BROKER_URL", "")
    client = _redis()
    if client is not None:
        with client.pipeline(transaction=False) as pipe:
            pipe.rpush(_list_key(), row)
            if timed:
                pipe.set(cache.make_key(FLUSHED_KEY), 1, ex=max(1, round(flush_seconds())), nx=True)
            results = pipe.execute()
        length, due_by_time = results[0], timed and bool(results[-1])
    else:
        with _local_lock:
            _local.append(row)
            length = len(_local)
        due_by_time = timed and cache.add(FLUSHED_KEY, 1, flush_seconds())
    if length >= batch_size() or due_by_time:
        flush()


def last_used_moves(current, times):
    """The token's last-used time after the successful uses at `times`, from `current` (None: never used): a
    use moves it when at least LAST_USED_EVERY seconds have passed since the time it holds, so it moves at most
    once a minute, to the first use of each new minute (decided at the flush: no request pays for it)."""
    for at in sorted(times):
        if current is None or (at - current).total_seconds() >= LAST_USED_EVERY:
            current = at
    return current


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
        key: (pk, council_id, last_used)
        for key, pk, council_id, last_used in ApiToken.objects.filter(
            key__in={r["k"] for r in rows if r["k"]}
        ).values_list("key", "pk", "council_id", "last_used_at")
    }
    uses = [
        ApiTokenUse(
            token_id=known.get(r["k"], (None, None, None))[0],
            council_id=known.get(r["k"], (None, None, None))[1],
            used_at=parse_datetime(r["at"]),
            method=r["m"],
            endpoint=r["e"],
            path=r["p"],
            status=r["s"],
            address=r["a"] or None,
        )
        for r in rows
    ]
    successes = {}
    for r in rows:
        if r["k"] in known and r["s"] < 400:
            successes.setdefault(r["k"], []).append(parse_datetime(r["at"]))
    last_used = {}
    for key, times in successes.items():
        token_id, _council_id, current = known[key]
        moved = last_used_moves(current, times)
        if moved != current:
            last_used[token_id] = (moved, current)
    with transaction.atomic():
        ApiTokenUse.objects.bulk_create(uses, batch_size=500)
        for token_id, (moved, read) in last_used.items():
            # update(), not save(): the cached snapshot stays (it does not hold the last-used time). Only from the
            # value read above: a flush running beside this one that moved it first wins, and nothing goes back.
            ApiToken.objects.filter(pk=token_id, last_used_at=read).update(last_used_at=moved)
    return len(uses)
