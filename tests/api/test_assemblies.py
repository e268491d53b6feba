"""The assemblies API: petitions with outcomes and party votes, a campaign's adoption count, the party record."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.models import Campaign
from municipalities.assemblies import services
from municipalities.assemblies.models import AssemblyPetition, Outcome, Season, Stage
from municipalities.assemblies.selectors import assembly_count
from municipalities.assemblies.services import VoteLine
from municipalities.registry.models import Municipality
from tests.api.conftest import api_get

pytestmark = pytest.mark.django_db
D = datetime.date
CANARY = "cnrytokyo"


def _adopted(code, campaign, title, *, group_name="日本共産党", party="共産"):
    assembly = services.assembly_of(municipality=Municipality.objects.get(code=code))
    sitting = services.sitting_for(assembly=assembly, season=Season.DECEMBER, year=2023, starts_on=D(2023, 11, 28))
    group = services.party_group_of(assembly=assembly, name=group_name)
    group.party = party
    group.save()
    petition = AssemblyPetition(
        assembly=assembly, sitting=sitting, title=title, campaign=campaign, submitted_on=D(2023, 11, 28),
        committee="厚生委員会", committee_on=D(2023, 12, 5), committee_outcome=Outcome.ADOPTED,
    )  # fmt: skip
    return services.petition_save(
        user=None, petition=petition, votes={Stage.COMMITTEE: [VoteLine(group=group, position="for")]}
    )


@pytest.fixture
def world(national, kanagawa, tokyo):
    campaign = Campaign.objects.create(slug="hokensho", name="保険証", starts_on=D(2023, 1, 1), lead_council=national)
    ours = [_adopted("141003", campaign, "保険証を残す陳情"), _adopted("141305", campaign, "保険証の陳情")]
    theirs = _adopted("131130", campaign, f"{CANARY}-petition", group_name=f"{CANARY}-group", party=f"{CANARY}-party")
    return {"campaign": campaign, "ours": ours, "theirs": theirs}


def test_petitions_in_scope_with_outcomes_and_votes(client, kanagawa_token, world):
    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:assembly-petition-list"))
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [r["municipality"] for r in rows] == ["141003", "141305"]
    assert rows[0]["outcome"] == "adopted" and rows[0]["decided_on"] == "2023-12-05"
    assert rows[0]["votes"] == [
        {"stage": "committee", "group": "日本共産党", "party": "共産", "position": "for", "position_label": "賛成",
         "members_for": None, "members_against": None},
    ]  # fmt: skip
    assert CANARY not in response.content.decode()
    detail = reverse("api:assembly-petition-detail", args=[world["theirs"].pk])
    assert api_get(client, secret, detail).status_code == 404
    filtered = api_get(client, secret, reverse("api:assembly-petition-list") + "?outcome=rejected").json()
    assert filtered["count"] == 0
    bad = api_get(client, secret, reverse("api:assembly-petition-list") + "?outcome=maybe")
    assert bad.status_code == 400 and "outcome" in bad.json()["error"]["fields"]


def test_a_campaigns_adoption_count_is_the_selectors_within_the_tokens_scope(client, kanagawa_token, world, kanagawa):
    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:assembly-adoptions", args=[world["campaign"].pk]))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["municipalities"] == 2 and body["prefecture_count"] == 1
    assert [p["code"] for p in body["prefectures"]] == ["14"]
    from tests.councils.factories import staff_of

    page = assembly_count(campaign=world["campaign"], user=staff_of(kanagawa))
    assert body["sentence"] == page.sentence()
    assert CANARY not in response.content.decode()


def test_the_party_record_counts_our_assemblies_only(client, kanagawa_token, world):
    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:assembly-party-votes") + f"?campaign={world['campaign'].pk}")
    assert response.status_code == 200, response.content
    assert response.json() == [{"party": "共産", "position": "for", "position_label": "賛成", "n": 2}]
    csv = api_get(client, secret, reverse("api:assembly-party-votes") + "?format=csv")
    assert CANARY not in csv.content.decode("utf-8-sig") and "共産" in csv.content.decode("utf-8-sig")


@pytest.mark.parametrize("name", ["api:assembly-petition-list", "api:assembly-adoptions", "api:assembly-party-votes"])
def test_queries_do_not_grow_with_petitions(client, kanagawa_token, world, name):
    _, secret = kanagawa_token
    url = reverse(name, args=[world["campaign"].pk] if name == "api:assembly-adoptions" else [])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api_get(client, secret, url).status_code == 200
        return len(ctx.captured_queries)

    count()
    small = count()
    for code in Municipality.objects.filter(prefecture__code="14", kind="town").values_list("code", flat=True)[:6]:
        _adopted(code, world["campaign"], "陳情", group_name="会派A")
    assert AssemblyPetition.objects.filter(assembly__prefecture__code="14").count() == 8
    assert count() == small
