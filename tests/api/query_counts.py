"""The read API's part of the query-count test (tests/test_query_counts.py): the tokens' and their uses' admin
lists and the site's token page, at 3 and at 30 rows."""

from django.urls import reverse
from django.utils import timezone

from shaho.core.api.models import ApiToken, ApiTokenUse
from shaho.core.api.services import api_token_create
from tests.walk_kit import serial


def _tokens(world, k):
    for _ in range(k):
        api_token_create(council=world.local(), name=f"地域社保協のサイト{next(serial)}", user=world.kanagawa_staff)


def _uses(world, k):
    token, _secret = api_token_create(council=world.local(), name=f"集約表{next(serial)}", user=world.kanagawa_staff)
    ApiTokenUse.objects.bulk_create(
        ApiTokenUse(
            token=token,
            council=token.council,
            used_at=timezone.now(),
            method="GET",
            endpoint="api:council-list",
            path="/api/v1/councils/",
            status=200,
            address="192.0.2.1",
        )
        for _ in range(k)
    )


BUILDERS = {ApiToken: _tokens, ApiTokenUse: _uses}

SITE_PAGES = {
    "api_tokens": (lambda world: reverse("api_tokens"), _tokens),
}
