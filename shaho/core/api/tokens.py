"""Token secrets and the lookup that authenticates a request, without a database query when the cache has it.

A token reads `shaho_<key>.<secret>`. Only HMAC-SHA256(pepper, secret) is stored; verifying compares with
`hmac.compare_digest`. What the authentication needs of a token and its council is kept in the shared cache
(`django.core.cache`, Redis when CACHE_URL is set) as a `TokenSnapshot`, for TOKEN_CACHE_SECONDS at most, and
deleted at once when the token or any council is saved (signals below): a revoke, an expiry, a rename, a
council dissolved or moved takes effect at the next request.
"""

import dataclasses
import datetime
import hashlib
import hmac
import ipaddress
import secrets

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from shaho.core import generations

PREFIX = "shaho_"
KEY_BYTES = 8  # 16 hex characters: public, unique, the lookup value
SECRET_BYTES = 32  # 43 URL-safe characters: 256 bits
TOKEN_CACHE_SECONDS = 300
_MISSING = "missing"  # cached for a key no token has, so made-up keys do not each cost a query


def pepper():
    """The server-side pepper (settings.SHAHO_API_TOKEN_PEPPER: from the environment; settings.py puts a development
    value there only when DEBUG is on)."""
    return getattr(settings, "SHAHO_API_TOKEN_PEPPER", "")


def hash_secret(secret, *, with_pepper=None):
    key = pepper() if with_pepper is None else with_pepper
    if not key:
        # Never hash without a pepper: a leaked table would then verify by itself. The system check says so.
        raise RuntimeError("SHAHO_API_TOKEN_PEPPER is not set (required when DEBUG is off).")
    return hmac.new(key.encode(), secret.encode(), hashlib.sha256).hexdigest()


def new_key_and_secret():
    return secrets.token_hex(KEY_BYTES), secrets.token_urlsafe(SECRET_BYTES)


def full_token(key, secret):
    return f"{PREFIX}{key}.{secret}"


def parse_token(raw):
    """(key, secret) of a presented token, or None when it is not shaped like one."""
    raw = (raw or "").strip()
    if not raw.startswith(PREFIX) or "." not in raw:
        return None
    key, _, secret = raw[len(PREFIX) :].partition(".")
    if len(key) != 2 * KEY_BYTES or not secret or len(secret) > 100:
        return None
    return key, secret


def secret_matches(secret, secret_hash):
    return hmac.compare_digest(hash_secret(secret), secret_hash or "")


@dataclasses.dataclass(frozen=True)
class TokenSnapshot:
    """What authenticating a request needs of a token and its council (kept in the cache)."""

    id: int
    key: str
    name: str
    access: str
    secret_hash: str
    revoked: bool
    expires_at: datetime.datetime | None
    allowed_addresses: tuple
    council_id: int
    council_name: str
    council_kind: str
    council_path: str
    council_prefecture_id: int | None
    council_parent_id: int | None
    council_status: str
    council_dissolved_on: datetime.date | None

    def usable(self, *, now, address):
        """Whether this token may be used now from `address` (the reasons are never told apart)."""
        if self.revoked:
            return False
        if self.expires_at is not None and self.expires_at <= now:
            return False
        if self.council_status != "active":
            return False
        if self.council_dissolved_on is not None and self.council_dissolved_on <= timezone.localdate(now):
            return False
        return not self.allowed_addresses or address_allowed(address, self.allowed_addresses)


def snapshot_of(token):
    council = token.council
    return TokenSnapshot(
        id=token.pk,
        key=token.key,
        name=token.name,
        access=token.access,
        secret_hash=token.secret_hash,
        revoked=token.revoked_at is not None,
        expires_at=token.expires_at,
        allowed_addresses=tuple(token.allowed_addresses or ()),
        council_id=council.pk,
        council_name=council.name,
        council_kind=council.kind,
        council_path=council.path,
        council_prefecture_id=council.prefecture_id,
        council_parent_id=council.parent_id,
        council_status=council.status,
        council_dissolved_on=council.dissolved_on,
    )


GENERATION_KEY = "shaho:api-token-generation"


def _cache_key(key):
    return f"shaho:api-token:{key}"


def lookup(key):
    """The TokenSnapshot of `key` (cache first, else one query), or None when no token has that key.

    One read of the shared cache: the snapshot with the generation it was read in, and the current generation
    (`shaho.core.generations`). The generation moves when any council changes (`forget_all`).
    """
    from .models import ApiToken

    generation, cached = generations.read(GENERATION_KEY, _cache_key(key))
    if cached is not None:
        return None if cached == _MISSING else cached
    token = ApiToken.objects.select_related("council").filter(key=key).first()
    snapshot = snapshot_of(token) if token else None
    # A missing key is remembered briefly (a token made later with that key invalidates it on save).
    generations.store(_cache_key(key), generation, snapshot or _MISSING, TOKEN_CACHE_SECONDS if snapshot else 60)
    return snapshot


def forget(keys):
    cache.delete_many([_cache_key(k) for k in keys])


def forget_all():
    """Every cached snapshot stale (a council renamed, dissolved or moved): no query, one cache write."""
    generations.move(GENERATION_KEY)


def normalise_addresses(values):
    """The allowed addresses as canonical strings ('192.0.2.0/24', '2001:db8::1'); ValueError names a bad one."""
    result = []
    for value in values:
        text = str(value).strip()
        if not text:
            continue
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError as exc:
            raise ValueError(f"「{text}」は IP アドレスまたは範囲（CIDR）として読めません。") from exc
        result.append(str(network.network_address) if network.num_addresses == 1 else str(network))
    return result


def address_allowed(address, allowed):
    try:
        ip = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    for entry in allowed:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False
