"""Rate limits per token, counted in the shared cache so every web process counts together.

`SHAHO_API_RATE` (settings, from the environment) lists limits such as "120/min,2000/hour": each is a fixed
window counted with the cache's atomic `incr` (with Redis, CACHE_URL, every window in one pipeline). A request
over any limit gets 429 with `Retry-After` (seconds until that window ends). Requests without a valid token
are refused before (401) and count against no token.
"""

import time

from django.conf import settings
from rest_framework.throttling import BaseThrottle

from . import shared

PERIODS = {
    "s": 1,
    "sec": 1,
    "second": 1,
    "m": 60,
    "min": 60,
    "minute": 60,
    "h": 3600,
    "hour": 3600,
    "d": 86400,
    "day": 86400,
}


def parse_rates(text):
    """ "120/min,2000/hour" → [(120, 60), (2000, 3600)]; ValueError names a bad part."""
    rates = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        number, _, period = part.partition("/")
        period = period.strip().lower()
        digits = "".join(ch for ch in period if ch.isdigit())
        unit = period[len(digits) :]
        if not number.strip().isdigit() or unit not in PERIODS:
            raise ValueError(f"SHAHO_API_RATE: cannot read {part!r} (e.g. 120/min, 2000/hour, 10/5s)")
        rates.append((int(number), int(digits or 1) * PERIODS[unit]))
    return rates


class TokenRateThrottle(BaseThrottle):
    def allow_request(self, request, view):
        snapshot = getattr(request, "auth", None)
        token_key = getattr(snapshot, "key", None)
        if token_key is None:
            return True
        now = time.time()
        self._wait = 0.0
        rates = parse_rates(getattr(settings, "SHAHO_API_RATE", ""))
        windows = [(int(now // seconds), seconds) for _limit, seconds in rates]
        # Every window counted in one round trip to the shared cache (shared.py).
        counts = shared.count_windows(
            [(f"shaho:api-rate:{token_key}:{seconds}:{window}", seconds + 5) for window, seconds in windows]
        )
        for (limit, seconds), (window, _), count in zip(rates, windows, counts, strict=True):
            if count > limit:
                self._wait = max(self._wait, (window + 1) * seconds - now)
        return self._wait == 0.0

    def wait(self):
        return self._wait
