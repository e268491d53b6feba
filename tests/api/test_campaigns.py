"""The campaigns API as a client meets it: campaigns, actions with participation per organisation, the calendar
and its feed link, a campaign's counts; Tokyo's rows never reach a Kanagawa token."""

import datetime

import pytest
from django.urls import reverse

from campaigns.models import Campaign
from campaigns.services import feed_for
from shaho.core.api.models import ApiAccess
from tests.api.conftest import api_get, make_token
from tests.campaigns.factories import action
from tests.councils.factories import local_council, staff_of

pytestmark = pytest.mark.django_db
D = datetime.date
CANARY = "cnrytokyo"


@pytest.fixture
def world(national, kanagawa, kawasaki, tokyo):
    """A national campaign with a Kawasaki action and a Tokyo-only action; one campaign each of Kanagawa and Tokyo."""
    tokyo_local = local_council("13", name=f"{CANARY}-local")
    shared = Campaign.objects.create(slug="hokensho", name="保険証", starts_on=D(2024, 1, 1), lead_council=national)
    mine = Campaign.objects.create(slug="kanagawa", name="神奈川の運動", starts_on=D(2024, 1, 1), lead_council=kanagawa)
    theirs = Campaign.objects.create(
        slug="tokyo", name=f"{CANARY}-campaign", starts_on=D(2024, 1, 1), lead_council=tokyo
    )
    ours = action(
        staff_of(kawasaki), kawasaki, title="川崎駅前宣伝", starts_on=D(2024, 3, 1), campaigns=[shared, mine],
        participants=[{"organisation_name": "保険医協会", "count": 7}, {"organisation_name": "年金者組合", "count": 2}],
    )  # fmt: skip
    tokyos = action(
        staff_of(tokyo_local), tokyo_local, title=f"{CANARY}-action", starts_on=D(2024, 3, 2), place=f"{CANARY}-place",
        campaigns=[shared, theirs], participants=[{"organisation_name": f"{CANARY}-org", "count": 40}],
    )  # fmt: skip
    return {
        "shared": shared, "mine": mine, "theirs": theirs, "ours": ours, "tokyos": tokyos, "tokyo_local": tokyo_local,
    }  # fmt: skip


def _get(client, secret, name, *args, **query):
    url = reverse(name, args=args)
    if query:
        url += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    return api_get(client, secret, url)


def test_a_kanagawa_token_sees_its_actions_with_their_rows_and_no_tokyo_action(client, kanagawa_token, world):
    _, secret = kanagawa_token
    response = _get(client, secret, "api:campaign-action-list")
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [r["title"] for r in rows] == ["川崎駅前宣伝"]
    assert rows[0]["organisations"] == 2 and rows[0]["participants"] == 9
    assert [(p["label"], p["count"]) for p in rows[0]["participations"]] == [("保険医協会", 7), ("年金者組合", 2)]
    assert CANARY not in response.content.decode()
    assert _get(client, secret, "api:campaign-action-detail", world["tokyos"].pk).status_code == 404


def test_campaigns_in_scope_are_the_shared_ones_and_our_own(client, kanagawa_token, world):
    _, secret = kanagawa_token
    response = _get(client, secret, "api:campaign-list")
    assert sorted(r["slug"] for r in response.json()["results"]) == ["hokensho", "kanagawa"]
    assert _get(client, secret, "api:campaign-detail", world["theirs"].pk).status_code == 404
    assert _get(client, secret, "api:campaign-counts", world["theirs"].pk).status_code == 404
    assert _get(client, secret, "api:campaign-organisations", world["theirs"].pk).status_code == 404


def test_a_national_campaigns_counts_hold_only_the_actions_the_token_sees(client, kanagawa_token, tokyo_token, world):
    _, secret = kanagawa_token
    response = _get(client, secret, "api:campaign-counts", world["shared"].pk)
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["actions"] == 1 and body["participants"] == 9
    assert [o["organisation"] for o in body["organisations"]] == ["保険医協会", "年金者組合"]
    assert CANARY not in response.content.decode()
    table = _get(client, secret, "api:campaign-organisations", world["shared"].pk, format="csv")
    assert table.status_code == 200 and CANARY not in table.content.decode("utf-8-sig")
    # Tokyo's token counts its own action and the shared ones: the same selector, its own scope.
    tokyo_body = _get(client, tokyo_token[1], "api:campaign-counts", world["shared"].pk).json()
    assert tokyo_body["actions"] == 1 and tokyo_body["participants"] == 40


def test_the_calendar_of_a_period_and_its_feed_link(client, kanagawa, kanagawa_token, world):
    _, secret = kanagawa_token
    response = _get(client, secret, "api:campaign-calendar", **{"from": "2024-02-01", "to": "2024-03-31"})
    assert response.status_code == 200, response.content
    assert [r["title"] for r in response.json()] == ["川崎駅前宣伝"]
    assert CANARY not in response.content.decode()
    csv = _get(client, secret, "api:campaign-calendar", format="csv", **{"from": "2024-02-01", "to": "2024-03-31"})
    assert csv.content.startswith(b"\xef\xbb\xbf") and "川崎駅前宣伝" in csv.content.decode("utf-8-sig")
    # Another prefecture's council is not found; a period backwards is a 400 naming `to`.
    other = _get(client, secret, "api:campaign-calendar", council=world["tokyo_local"].pk)
    assert other.status_code == 404
    backwards = _get(client, secret, "api:campaign-calendar", **{"from": "2024-03-01", "to": "2024-02-01"})
    assert backwards.status_code == 400 and "to" in backwards.json()["error"]["fields"]
    # The feed: none issued yet (the API issues none), then the staff token reads its secret URL.
    assert _get(client, secret, "api:campaign-calendar-feed").json()["ical_url"] is None
    feed = feed_for(council=kanagawa)
    link = _get(client, secret, "api:campaign-calendar-feed").json()
    assert link["ical_url"].endswith(reverse("campaigns:feed", args=[feed.token]))
    assert client.get(link["ical_url"]).status_code == 200  # the existing feed answers it
    # A 会員向け token never sees the secret; Tokyo's feed is not reachable.
    _, member_secret = make_token(kanagawa, access=ApiAccess.MEMBER)
    assert _get(client, member_secret, "api:campaign-calendar-feed").json()["ical_url"] is None
    feed_for(council=world["tokyo_local"])
    assert _get(client, secret, "api:campaign-calendar-feed", council=world["tokyo_local"].pk).status_code == 404


def test_the_action_list_answers_304_to_its_etag_and_moves_on_a_new_action(client, kanagawa_token, kawasaki, world):
    _, secret = kanagawa_token
    url = reverse("api:campaign-action-list")
    first = api_get(client, secret, url)
    again = api_get(client, secret, url, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    action(staff_of(kawasaki), kawasaki, title="新しい行動", starts_on=D(2024, 4, 1))
    assert api_get(client, secret, url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_the_action_list_filters_by_campaign_and_period(client, kanagawa_token, world):
    _, secret = kanagawa_token
    rows = _get(client, secret, "api:campaign-action-list", campaign=world["mine"].pk).json()["results"]
    assert [r["id"] for r in rows] == [world["ours"].pk]
    assert _get(client, secret, "api:campaign-action-list", **{"from": "2024-03-02"}).json()["count"] == 0
    assert _get(client, secret, "api:campaign-action-list", campaign="x").status_code == 400


@pytest.mark.parametrize(
    "name", ["api:campaign-action-list", "api:campaign-calendar", "api:campaign-counts", "api:campaign-organisations"]
)
def test_queries_do_not_grow_with_actions(client, kanagawa_token, kawasaki, world, django_assert_num_queries, name):
    _, secret = kanagawa_token
    query = {"from": "2024-01-01", "to": "2024-12-31"} if name == "api:campaign-calendar" else {}
    args = [world["mine"].pk] if name in ("api:campaign-counts", "api:campaign-organisations") else []

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert _get(client, secret, name, *args, **query).status_code == 200
        return len(ctx.captured_queries)

    count()  # the token's lookup is cached by the first request
    small = count()
    user = staff_of(kawasaki)
    for i in range(6):
        action(
            user, kawasaki, title=f"行動{i}", starts_on=D(2024, 5, i + 1), campaigns=[world["mine"]],
            participants=[{"organisation_name": f"団体{i}", "count": i + 1}, {"organisation_name": "共通", "count": 1}],
        )  # fmt: skip
    with django_assert_num_queries(small):
        response = _get(client, secret, name, *args, **query)
        assert response.status_code == 200
    shown = "団体5" if name in ("api:campaign-counts", "api:campaign-organisations") else "行動5"
    assert shown in response.content.decode()  # the larger data set is in the answer


def test_modified_since_lists_the_actions_entered_since(client, kanagawa_token, kawasaki, world):
    _, secret = kanagawa_token
    assert _get(client, secret, "api:campaign-action-list", modified_since="2000-01-01").json()["count"] == 1
    assert _get(client, secret, "api:campaign-action-list", modified_since="2999-01-01").json()["count"] == 0
    bad = _get(client, secret, "api:campaign-action-list", modified_since="きのう")
    assert bad.status_code == 400 and "modified_since" in bad.json()["error"]["fields"]
