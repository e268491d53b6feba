"""Values kept in the shared cache under a generation: moving the generation makes every one of them stale at once.

A value is stored with the generation it was read in, and read back in ONE cache read together with the current
generation (`read`). A caller that changes what such values were read from moves the generation (`move`): no
query, one cache write. A generation the cache has lost (evicted, a flushed Redis) is replaced by a new one that
no stored value holds, so nothing read before the loss is trusted again.
"""

import time

from django.core.cache import cache


def read(generation_key, key):
    """(generation, the value stored under `key` in that generation, or None when missing or stale)."""
    found = cache.get_many([generation_key, key])
    generation = found.get(generation_key)
    if generation is None:  # never set, or lost: a new one
        cache.add(generation_key, time.time_ns(), None)
        generation = cache.get(generation_key)
    stored = found.get(key)
    if stored is not None and stored[0] == generation:
        return generation, stored[1]
    return generation, None


def store(key, generation, value, seconds):
    """Keep `value`, read in `generation`, for `seconds` at most."""
    cache.set(key, (generation, value), seconds)


def move(generation_key):
    """Every value stored under the generation stale."""
    if not cache.add(generation_key, time.time_ns(), None):
        try:
            cache.incr(generation_key)
        except ValueError:  # lost meanwhile
            cache.add(generation_key, time.time_ns(), None)
