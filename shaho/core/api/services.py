"""Making, changing and revoking API tokens: the site pages and the admin call these, nothing else writes tokens."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from shaho.core.roles import is_staff_user
from shaho.core.scoping import require_in_scope

from . import tokens
from .models import ApiAccess, ApiToken

NOT_STAFF = "APIトークンを扱えるのは社保協の事務局だけです。"


def may_manage_tokens(user):
    """Staff (council or national) manage their councils' tokens; members and organizers do not."""
    return is_staff_user(user)


def _require_manager(user, council):
    if not may_manage_tokens(user):
        raise PermissionDenied(NOT_STAFF)
    require_in_scope(user, council)


def _clean_fields(*, name, expires_at, allowed_addresses):
    errors = {}
    name = (name or "").strip()
    if not name:
        errors["name"] = "名前を入力してください。"
    if expires_at is not None and expires_at <= timezone.now():
        errors["expires_at"] = "有効期限は今より後の日時にしてください。"
    try:
        addresses = tokens.normalise_addresses(allowed_addresses or ())
    except ValueError as exc:
        errors["allowed_addresses"] = str(exc)
        addresses = []
    if errors:
        raise ValidationError(errors)
    return name, addresses


@transaction.atomic
def api_token_create(*, council, name, user, access=ApiAccess.MEMBER, expires_at=None, allowed_addresses=()):
    """A new token of `council`, made by `user` (staff within whose scope the council is).

    Returns (token, secret): `secret` is the whole `shaho_<key>.<secret>` string, to be shown to the user once;
    only its keyed hash is stored. Raises PermissionDenied or ValidationError (Japanese, per field).
    """
    _require_manager(user, council)
    name, addresses = _clean_fields(name=name, expires_at=expires_at, allowed_addresses=allowed_addresses)
    if access not in ApiAccess.values:
        raise ValidationError({"access": "権限を選んでください。"})
    key, secret = tokens.new_key_and_secret()
    token = ApiToken(
        name=name,
        council=council,
        access=access,
        key=key,
        secret_hash=tokens.hash_secret(secret),
        created_by=user if getattr(user, "pk", None) else None,
        created_at=timezone.now(),
        expires_at=expires_at,
        allowed_addresses=addresses,
    )
    token.full_clean()
    token.save()
    return token, tokens.full_token(key, secret)


@transaction.atomic
def api_token_update(*, token, user, name, expires_at=None, allowed_addresses=()):
    """Rename a token, set its expiry and its allowed addresses (the council and the secret never change)."""
    _require_manager(user, token.council_id)
    if token.revoked_at is not None:
        raise ValidationError("失効したトークンは変更できません。")
    token.name, token.allowed_addresses = _clean_fields(
        name=name, expires_at=expires_at, allowed_addresses=allowed_addresses
    )
    token.expires_at = expires_at
    token.full_clean()
    token.save()
    return token


@transaction.atomic
def api_token_revoke(*, token, user):
    """Revoke a token for good: its council's staff (within their scope) or national staff may."""
    _require_manager(user, token.council_id)
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.revoked_by = user if getattr(user, "pk", None) else None
        token.save(update_fields=["revoked_at", "revoked_by"])
    return token
