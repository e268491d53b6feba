"""The isolation walk's rule over the read API's endpoints of part 3 (tests/api/walk_cases.py): on the walk's own
planting (every scoped model's Tokyo row, a canary in each of its text fields), a Kanagawa token — 事務局 and
会員向け — meets no Tokyo canary on any endpoint, as JSON or CSV, and every Tokyo object's URL is a 404."""

import pytest
from django.test import Client

from campaigns.models import Action, Campaign, Participation
from shaho.core.api.models import ApiAccess
from tests.api.conftest import auth_header, make_token
from tests.api.walk_cases import API_URL_CASES
from tests.test_isolation_walk import Walk, plant, url_patterns

MY_PREFIXES = ("api:campaign", "api:caravan", "api:assembly", "api:consultation", "api:report")


def test_every_endpoint_of_part_3_has_a_walk_case():
    mine = sorted(key for key in url_patterns() if key.startswith(MY_PREFIXES))
    assert mine, "no endpoint found: the prefixes are stale"
    assert sorted(API_URL_CASES) == mine


@pytest.mark.django_db
def test_a_kanagawa_token_meets_no_tokyo_canary_on_any_endpoint(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    t = plant(documents=False)
    # Tokyo's action (its participation rows hold canaries) inside the national campaign Kanagawa reads the counts of:
    # the counts must hold only what the token sees.
    t[Action].campaigns.add(Campaign.objects.get(slug="walk-national"))
    assert t[Participation].organisation_name.startswith("cnry")
    walk = Walk(t)
    client = Client()
    tokens = {access: make_token(t.kanagawa, access=access)[1] for access in (ApiAccess.STAFF, ApiAccess.MEMBER)}
    for key, case in sorted(API_URL_CASES.items()):
        for access, secret in tokens.items():
            who = f"token {access}"
            for url in case.urls(t) if case.urls else []:
                for variant in (url, url + ("&" if "?" in url else "?") + "format=csv"):
                    response = client.get(variant, **auth_header(secret))
                    assert response.status_code == 200, (key, who, variant, response.content[:300])
                    walk.check(key, case, who, f"GET {variant}", response, set())
            for url in case.objects(t) if case.objects else []:
                response = client.get(url, **auth_header(secret))
                assert response.status_code == 404, (key, who, url, response.status_code)
                walk.check(key, case, who, f"GET {url}", response, set(), object_page=True)
    assert walk.requests > 60
    assert not walk.findings, "\n".join(f"{key}: {message}" for key, message in walk.findings)


@pytest.mark.django_db
def test_every_table_of_part_3_answers_304_to_its_etag(settings, tmp_path):
    """ETag/304 on every endpoint but a single row's detail (as the foundation's base classes promise)."""
    settings.MEDIA_ROOT = tmp_path
    t = plant(documents=False)
    client = Client()
    _, secret = make_token(t.kanagawa)
    seen = 0
    for key, case in sorted(API_URL_CASES.items()):
        for url in case.urls(t) if case.urls else []:
            first = client.get(url, **auth_header(secret))
            if key.endswith("-detail"):
                continue
            assert first.has_header("ETag"), (key, url)
            again = client.get(url, **auth_header(secret), HTTP_IF_NONE_MATCH=first["ETag"])
            assert again.status_code == 304, (key, url, again.status_code)
            seen += 1
    assert seen >= 14
