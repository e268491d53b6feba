"""API tokens as a client meets them: one 401 for every bad token, the pepper, the last-used time, the usage log,
and the secret shown once."""

import datetime

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse
from django.utils import timezone

from councils.models import Council
from shaho.core.api import tokens, usage
from shaho.core.api.models import ApiAccess, ApiToken, ApiTokenUse
from shaho.core.api.services import api_token_revoke, api_token_update
from tests.api.kit import api_get, make_token
from tests.councils.factories import local_council

pytestmark = pytest.mark.django_db

LIST = "/api/v1/councils/"


# Headers that differ on every request whatever the token: the request's own id (shaho.core.logs).
PER_REQUEST = {"x-request-id"}


def _answer(response):
    """What a client can tell apart: the status, the body and every header (but the request's own id)."""
    headers = sorted((k, v) for k, v in response.headers.items() if k.lower() not in PER_REQUEST)
    return response.status_code, response.content, headers


def test_every_bad_token_gets_the_same_401(client, kanagawa, kanagawa_staff, settings):
    _, good = make_token(kanagawa)
    assert api_get(client, good, LIST).status_code == 200

    revoked_token, revoked = make_token(kanagawa, name="失効")
    api_token_revoke(token=revoked_token, user=kanagawa_staff)

    expired_token, expired = make_token(
        kanagawa, name="期限切れ", expires_at=timezone.now() + datetime.timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=expired_token.pk).update(expires_at=timezone.now() - datetime.timedelta(seconds=1))
    tokens.forget([expired_token.key])  # update() bypasses the signal; the cache keeps snapshots 5 minutes at most

    _, elsewhere = make_token(kanagawa, name="接続元", allowed_addresses=["192.0.2.0/24"])

    dissolved_council = local_council("14", name="解散した社保協")
    _, dissolved = make_token(dissolved_council, name="解散")
    assert api_get(client, dissolved, LIST).status_code == 200  # works until the council is dissolved
    dissolved_council.status = Council.Status.DISSOLVED
    dissolved_council.dissolved_on = timezone.localdate()
    dissolved_council.save()

    dormant_council = local_council("14", name="休止中の社保協")
    _, dormant = make_token(dormant_council, name="休止")
    dormant_council.status = Council.Status.DORMANT
    dormant_council.save()

    key = good.split(".")[0]
    presented = {
        "revoked": revoked,
        "expired": expired,
        "wrong address": elsewhere,
        "made-up": "shaho_0123456789abcdef." + "x" * 43,
        "wrong secret of a real key": key + ".not-the-secret",
        "not a token": "hello",
        "dissolved council": dissolved,
        "dormant council": dormant,
    }
    answers = {label: _answer(api_get(client, value, LIST)) for label, value in presented.items()}
    answers["no header"] = _answer(client.get(LIST))
    answers["another scheme"] = _answer(client.get(LIST, HTTP_AUTHORIZATION=f"Bearer {good}"))
    first = answers["revoked"]
    assert first[0] == 401
    assert b"not_authenticated" in first[1]
    different = {label for label, answer in answers.items() if answer != first}
    assert not different, f"these 401s can be told apart from a revoked token's: {different}"
    # The address rule works for the right address (the test client comes from 127.0.0.1).
    _, here = make_token(kanagawa, name="ここから", allowed_addresses=["127.0.0.0/8"])
    assert api_get(client, here, LIST).status_code == 200


def test_a_revoke_takes_effect_at_the_next_request(client, kanagawa, kanagawa_staff):
    token, secret = make_token(kanagawa)
    assert api_get(client, secret, LIST).status_code == 200  # the snapshot is cached now
    api_token_revoke(token=token, user=kanagawa_staff)
    assert api_get(client, secret, LIST).status_code == 401


def test_moving_an_expiry_into_the_past_is_refused_and_the_rename_is_seen_at_once(client, kanagawa, kanagawa_staff):
    token, secret = make_token(kanagawa)
    assert api_get(client, secret, LIST).status_code == 200
    api_token_update(token=token, user=kanagawa_staff, name="新しい名前", allowed_addresses=["198.51.100.7"])
    assert api_get(client, secret, LIST).status_code == 401  # the new address rule, no stale cache


def test_the_database_alone_does_not_verify_a_token(client, kanagawa, settings):
    token, secret = make_token(kanagawa)
    token.refresh_from_db()
    key, raw = tokens.parse_token(secret)
    assert raw not in token.secret_hash and token.secret_hash != tokens.hashlib.sha256(raw.encode()).hexdigest()
    assert token.secret_hash == tokens.hash_secret(raw)
    assert token.secret_hash != tokens.hash_secret(raw, with_pepper="another pepper")
    settings.SHAHO_API_TOKEN_PEPPER = "a leaked database restored elsewhere has another pepper"
    tokens.forget([key])
    assert api_get(client, secret, LIST).status_code == 401
    with pytest.raises(RuntimeError):
        tokens.hash_secret(raw, with_pepper="")


def test_no_pepper_with_debug_off_is_a_system_check_error(settings):
    settings.SHAHO_API_TOKEN_PEPPER = ""
    with pytest.raises(SystemCheckError, match="SHAHO_API_TOKEN_PEPPER"):
        call_command("check")


def test_every_use_is_logged_and_last_used_moves_at_most_once_a_minute(client, kanagawa, kanagawa_staff, settings):
    settings.SHAHO_API_USE_BATCH = 1000
    settings.SHAHO_API_USE_FLUSH_SECONDS = 3600
    token, secret = make_token(kanagawa)
    for _ in range(3):
        assert api_get(client, secret, LIST).status_code == 200
    assert api_get(client, secret, "/api/v1/councils/999999/").status_code == 404
    usage.flush()
    uses = list(ApiTokenUse.objects.filter(token=token).order_by("used_at", "pk"))
    assert [(u.endpoint, u.status, u.method, u.address) for u in uses] == [
        ("api:council-list", 200, "GET", "127.0.0.1")
    ] * 3 + [("api:council-detail", 404, "GET", "127.0.0.1")]
    assert all(u.council_id == kanagawa.pk for u in uses)
    token.refresh_from_db()
    first_used = token.last_used_at
    assert first_used == uses[0].used_at  # the first use set it; the next ones, within the minute, did not

    api_token_revoke(token=token, user=kanagawa_staff)
    assert api_get(client, secret, LIST).status_code == 401
    assert api_get(client, "shaho_0123456789abcdef.made-up", LIST).status_code == 401
    usage.flush()
    refused = ApiTokenUse.objects.filter(status=401).order_by("pk")
    assert [(u.token_id, u.endpoint) for u in refused] == [(token.pk, "api:council-list"), (None, "api:council-list")]
    token.refresh_from_db()
    assert token.last_used_at == first_used  # a refused request is no use

    # Within the minute a use does not move it, even flushed on its own; a minute later the next use does.
    fresh, fresh_secret = make_token(kanagawa, name="次")
    api_get(client, fresh_secret, LIST)
    usage.flush()
    fresh.refresh_from_db()
    before = fresh.last_used_at
    api_get(client, fresh_secret, LIST)
    usage.flush()
    fresh.refresh_from_db()
    assert fresh.last_used_at == before
    a_minute_ago = before - datetime.timedelta(seconds=usage.LAST_USED_EVERY)
    ApiToken.objects.filter(pk=fresh.pk).update(last_used_at=a_minute_ago)
    api_get(client, fresh_secret, LIST)
    usage.flush()
    fresh.refresh_from_db()
    assert fresh.last_used_at > before


def test_the_secret_is_shown_once_and_never_again(client, kanagawa, kanagawa_staff):
    client.force_login(kanagawa_staff)
    page = client.post(
        reverse("api_tokens"), {"name": "県のサイト", "council": kanagawa.pk, "access": ApiAccess.MEMBER}
    )
    assert page.status_code == 200
    token = ApiToken.objects.get(name="県のサイト")
    secret = page.context["secret"]
    assert secret.startswith(f"shaho_{token.key}.") and secret in page.content.decode()
    assert "no-store" in page["Cache-Control"]
    listed = client.get(reverse("api_tokens")).content.decode()
    assert token.key in listed and secret not in listed and token.secret_hash not in listed
    admin_page = client.get(reverse("admin:core_apitoken_change", args=[token.pk])).content.decode()
    assert admin_page and secret.split(".")[1] not in admin_page and token.secret_hash not in admin_page
    edit = client.get(reverse("api_token_edit", args=[token.pk])).content.decode()
    assert secret.split(".")[1] not in edit and token.secret_hash not in edit
    # and it works
    client.logout()
    assert api_get(client, secret, LIST).status_code == 200


def test_members_may_not_manage_tokens_and_staff_only_their_own(client, kanagawa, tokyo, tokyo_staff, kawasaki):
    from councils.models import Role
    from tests.councils.factories import staff_of

    tokyo_token, _ = make_token(tokyo)
    member = staff_of(kanagawa, role=Role.MEMBER)
    client.force_login(member)
    assert client.get(reverse("api_tokens")).status_code == 403
    staff = staff_of(kanagawa)
    client.force_login(staff)
    assert client.get(reverse("api_token_edit", args=[tokyo_token.pk])).status_code == 404
    assert client.post(reverse("api_token_revoke", args=[tokyo_token.pk])).status_code == 404
    refused = client.post(reverse("api_tokens"), {"name": "東京の", "council": tokyo.pk, "access": "staff"})
    assert refused.status_code == 200 and "社保協" in str(refused.context["form"].errors)
    tokyo_token.refresh_from_db()
    assert tokyo_token.revoked_at is None and not ApiToken.objects.filter(name="東京の").exists()
    # a Kanagawa token for Kawasaki (below Kanagawa) is fine
    made = client.post(reverse("api_tokens"), {"name": "川崎の", "council": kawasaki.pk, "access": "member"})
    assert made.status_code == 200 and ApiToken.objects.filter(name="川崎の", council=kawasaki).exists()


def test_national_staff_may_revoke_any_token(client, tokyo, national_staff):
    token, _ = make_token(tokyo)
    client.force_login(national_staff)
    assert client.post(reverse("api_token_revoke", args=[token.pk])).status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None and token.revoked_by == national_staff


def test_a_council_change_drops_every_cached_token_without_a_query(client, kanagawa, django_assert_num_queries):
    token, secret = make_token(kanagawa)
    assert api_get(client, secret, LIST).status_code == 200  # cached
    with django_assert_num_queries(0):
        tokens.forget_all()
    assert tokens.lookup(token.key).council_name == kanagawa.name
    kanagawa.name = "神奈川県社保協（改称）"
    kanagawa.save()
    assert tokens.lookup(token.key).council_name == "神奈川県社保協（改称）"


def test_a_lost_generation_makes_every_cached_token_stale(kanagawa):
    """The cache may evict the generation counter: a snapshot cached before a council change is not trusted
    again when the counter is gone."""
    token, _ = make_token(kanagawa)
    cache.delete(tokens.GENERATION_KEY)  # never set yet (or evicted)
    assert tokens.lookup(token.key).council_name == kanagawa.name  # cached
    Council.objects.filter(pk=kanagawa.pk).update(name="神奈川県社保協（退避後）")
    tokens.forget_all()  # the council's change
    cache.delete(tokens.GENERATION_KEY)  # and the counter evicted before the next request
    assert tokens.lookup(token.key).council_name == "神奈川県社保協（退避後）"


def test_last_used_moves_to_the_first_use_of_each_new_minute():
    start = timezone.now()
    at = [start + datetime.timedelta(seconds=s) for s in (0, 10, 59, 60, 61, 200)]
    assert usage.last_used_moves(None, at[:3]) == at[0]
    assert usage.last_used_moves(None, at) == at[5]  # 0 → 60 → 200
    assert usage.last_used_moves(at[0], at[1:3]) == at[0]
    assert usage.last_used_moves(at[0], at[2:5]) == at[3]
    assert usage.last_used_moves(at[0], []) == at[0]
