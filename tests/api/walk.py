"""The read API's part of the isolation walk (tests/test_isolation_walk.py): Tokyo's token and its use log
(canaries in the name, the endpoint and the path), and the /api/v1/ URLs requested with Kanagawa's tokens
(`Case(api=True)`; see docs/api.md "The isolation walk")."""

from django.utils import timezone

from shaho.core.api.models import ApiToken, ApiTokenUse
from shaho.core.api.services import api_token_create
from tests.walk_kit import TOKYO, Case, D, r


def _tokyo_token(t):
    token, _secret = api_token_create(
        council=t.tokyo, name="walk", user=t.tokyo_staff, allowed_addresses=["192.0.2.0/24"]
    )
    return token


def _tokyo_use(t):
    token = t[ApiToken]
    return ApiTokenUse.objects.create(
        token=token,
        council=token.council,
        used_at=timezone.now(),
        method="GET",
        endpoint="walk",
        path="/walk",
        status=200,
    )


CANARY_RECIPES = {
    ApiToken: _tokyo_token,
    ApiTokenUse: _tokyo_use,
}

URL_CASES = {
    # The site's token pages: Tokyo's token is neither listed, nor editable, nor revocable; no token made for Tokyo.
    "api_tokens": Case(
        urls=lambda t: [r("api_tokens")],
        posts=lambda t: [(r("api_tokens"), {"name": "walk", "council": t.tokyo.pk, "access": "staff"})],
    ),
    "api_token_edit": Case(
        objects=lambda t: [r("api_token_edit", t[ApiToken].pk)],
        posts=lambda t: [(r("api_token_edit", t[ApiToken].pk), {"name": "walk", "allowed_addresses": ""})],
    ),
    "api_token_revoke": Case(
        objects=lambda t: [r("api_token_revoke", t[ApiToken].pk)],
        posts=lambda t: [(r("api_token_revoke", t[ApiToken].pk), {})],
    ),
    # The schema and the docs page hold no data: anyone may read them (the walk's session users).
    "api:schema": Case(urls=lambda t: [r("api:schema"), r("api:schema", format="json")]),
    "api:docs": Case(urls=lambda t: [r("api:docs"), r("api:docs", script="")]),
    "api:not_found": Case(api=True, urls=lambda t: ["/api/v1/no-such-endpoint/", f"/api/v1/councils/{t.tokyo.pk}/x/"]),
    "api:council-list": Case(
        api=True,
        urls=lambda t: [
            r("api:council-list"),
            r("api:council-list", format="csv"),
            r("api:council-list", format="xlsx"),
            r("api:council-list", ordering="-name", page_size=100),
        ],
    ),
    "api:council-detail": Case(
        api=True,
        urls=lambda t: [r("api:council-detail", t.kanagawa.pk)],
        objects=lambda t: [r("api:council-detail", pk) for pk in t.tokyo_councils],
    ),
    "api:council-census": Case(
        api=True, urls=lambda t: [r("api:council-census"), r("api:council-census", date=D(2024, 4, 1), format="csv")]
    ),
    "api:council-coverage": Case(
        api=True,
        urls=lambda t: [
            r("api:council-coverage"),
            r("api:council-coverage", prefecture=TOKYO, format="xlsx"),
            r("api:council-coverage", date=D(2024, 4, 1), format="csv"),
        ],
    ),
}
