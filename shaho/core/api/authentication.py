"""Token authentication: `Authorization: Token shaho_<key>.<secret>`.

`request.user` becomes the token's principal: an UNSAVED user of the project's user model, attached to the
token's council, acting as its staff (a 事務局 token) or as a member (a 会員向け token; national staff or a
national member for the national council's tokens), active, so `shaho.core.scoping.scope_for`/`restrict` and
the role helpers work unchanged. `request.auth` is the token's `TokenSnapshot`.

Revoked, expired, wrong-address, made-up tokens and a token whose council is dissolved or dormant all fail
with the same 401 (status, body and headers): the client learns nothing about which it was.
No database query when the token is in the shared cache (`shaho.core.api.tokens.lookup`).
"""

from django.contrib.auth import get_user_model
from django.utils import timezone
from rest_framework import authentication, exceptions

from shaho.core.access import client_ip
from shaho.core.roles import Role

from . import tokens
from .models import ApiAccess

KEYWORD = "Token"
NOT_AUTHENTICATED = "認証できませんでした。有効なAPIトークンを「Authorization: Token …」ヘッダーで送ってください。"


def principal_for(snapshot):
    """The unsaved user a token acts as (see the module docstring)."""
    from django.apps import apps

    Council = apps.get_model("councils", "Council")
    council = Council(
        pk=snapshot.council_id,
        name=snapshot.council_name,
        kind=snapshot.council_kind,
        path=snapshot.council_path,
        prefecture_id=snapshot.council_prefecture_id,
        parent_id=snapshot.council_parent_id,
        status=snapshot.council_status,
        dissolved_on=snapshot.council_dissolved_on,
    )
    national = snapshot.council_kind == "national"
    staff = snapshot.access == ApiAccess.STAFF
    if staff:
        role = Role.NATIONAL_STAFF if national else Role.COUNCIL_STAFF
    else:
        role = Role.MEMBER
    User = get_user_model()
    user = User(
        username=f"api:{snapshot.key}",
        display_name=f"APIトークン「{snapshot.name}」",
        council=council,
        role=role,
        is_active=True,
        is_staff=staff,
        is_superuser=False,
    )
    user.api_token = snapshot
    return user


def shows_enterers(request):
    """Whether the request may read who entered a row: a 事務局 token (or a signed-in staff member's session)."""
    snapshot = getattr(request, "auth", None)
    if isinstance(snapshot, tokens.TokenSnapshot):
        return snapshot.access == ApiAccess.STAFF
    return False


class TokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1", errors="replace")
        if not header:
            return None  # → NotAuthenticated, the same 401 (see exceptions.py)
        scheme, _, raw = header.partition(" ")
        if scheme.lower() != KEYWORD.lower():
            raise exceptions.AuthenticationFailed(NOT_AUTHENTICATED)
        parsed = tokens.parse_token(raw)
        snapshot = tokens.lookup(parsed[0]) if parsed else None
        # The hash is computed whatever happened, so timing tells a made-up key from a wrong secret no better.
        matched = tokens.secret_matches(parsed[1] if parsed else "-", snapshot.secret_hash if snapshot else "")
        request._request.api_token_key = snapshot.key if snapshot else None  # for the usage log (views.py)
        if not (snapshot and matched and snapshot.usable(now=timezone.now(), address=client_ip(request))):
            raise exceptions.AuthenticationFailed(NOT_AUTHENTICATED)
        return principal_for(snapshot), snapshot

    def authenticate_header(self, request):
        return KEYWORD
