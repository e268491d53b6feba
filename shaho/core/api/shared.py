"""The API's per-request state in the shared cache, in as few round trips as the cache allows.

A token's request reads its snapshot, counts its rate limit, notes when its ETag was first served and logs its
use: four steps. With Redis as the shared cache (CACHE_URL) each step is ONE round trip (a multi-key read or a
pipeline of the step's commands); with another cache backend (the process's memory in development and tests)
each goes through Django's cache API, command by command. Values are written as Django's Redis cache writes
them (a plain integer as its digits, anything else pickled), so `cache.get` reads what is written here.
"""

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def _backend():
    return caches["default"]


def redis():
    """The shared cache's Redis client (its connection pool), or None when the cache is not Redis."""
    backend = _backend()
    if not isinstance(backend, RedisCache):
        return None
    # One client per cache client (its pool): redis-py builds its command tables in every new client, which
    # Django's get_client() makes on each call.
    holder = backend._cache
    client = getattr(holder, "_shaho_client", None)
    if client is None:
        client = holder._shaho_client = holder.get_client(write=True)
    return client


def make_key(key):
    return _backend().make_key(key)


def count_windows(windows):
    """Add one to each counter of `windows` [(key, seconds)] and return the new counts, in order.

    A counter starts at 0 when absent and expires `seconds` after it was made (a fixed window)."""
    client = redis()
    if client is None:
        cache = _backend()
        counts = []
        for key, seconds in windows:
            cache.add(key, 0, seconds)
            try:
                counts.append(cache.incr(key))
            except ValueError:  # expired between add and incr
                cache.add(key, 1, seconds)
                counts.append(1)
        return counts
    with client.pipeline(transaction=False) as pipe:
        for key, seconds in windows:
            full = make_key(key)
            pipe.set(full, 0, ex=int(seconds), nx=True)
            pipe.incr(full)
        results = pipe.execute()
    return [int(n) for n in results[1::2]]


def add_or_get(key, value, seconds):
    """Store the integer `value` under `key` unless a value is there; return the value now stored."""
    client = redis()
    if client is None:
        cache = _backend()
        if cache.add(key, value, seconds):
            return value
        found = cache.get(key)
        return value if found is None else found
    full = make_key(key)
    with client.pipeline(transaction=False) as pipe:
        pipe.set(full, int(value), ex=int(seconds), nx=True)
        pipe.get(full)
        _, found = pipe.execute()
    return value if found is None else int(found)
