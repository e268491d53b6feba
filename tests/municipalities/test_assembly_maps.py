"""The adoption map (issue 17): each municipality's assembly and a campaign — 採択, 趣旨採択, 継続・審議中, 不採択など,
未提出 — with its 意見書; scoped on the dashboard, public only for a national campaign on /public/.
"""

import datetime

import pytest

from campaigns.models import Campaign
from municipalities.assemblies.selectors import AdoptionStatus, adoption_map, current_campaign, public_campaigns
from municipalities.models import Assembly, AssemblyPetition, Municipality, OpinionStatement, Sitting
from municipalities.registry.maps import CREDIT
from shaho.core.dashboard import context_for, panel
from shaho.core.pictures import table_response

pytestmark = pytest.mark.django_db
D = datetime.date
TODAY = D(2026, 12, 6)


APRIL = D(2026, 4, 1)


def campaign_of(council, slug, starts_on=APRIL, **extra):
    return Campaign.objects.create(slug=slug, name=f"運動{slug}", starts_on=starts_on, lead_council=council, **extra)


def petition(campaign, code, outcome, *, title="陳情", statement=False):
    municipality = Municipality.objects.get(code=code)
    assembly, _ = Assembly.objects.get_or_create(municipality=municipality, prefecture=municipality.prefecture)
    sitting, _ = Sitting.objects.get_or_create(
        assembly=assembly, season="12", year=2026, defaults={"starts_on": D(2026, 11, 28), "ends_on": D(2026, 12, 20)}
    )
    decided = outcome not in ("pending", "continued")
    row = AssemblyPetition.objects.create(
        assembly=assembly, sitting=sitting, title=title, campaign=campaign,
        committee_on=D(2026, 12, 5) if decided else None, committee_outcome=outcome, outcome=outcome,
        decided_on=D(2026, 12, 5) if decided else None,
    )  # fmt: skip
    if statement:
        OpinionStatement.objects.create(
            assembly=assembly,
            petition=row,
            campaign=campaign,
            title="意見書",
            status="adopted",
            adopted_on=D(2026, 12, 20),
        )
    return row


KAWASAKI, HIRATSUKA, OISO, KAMAKURA, FUJISAWA, SHIBUYA = "141305", "142034", "143413", "142042", "142051", "131130"


@pytest.fixture
def national_campaign(national, kanagawa, tokyo):
    campaign = campaign_of(national, "hokensho")
    petition(campaign, KAWASAKI, "adopted", statement=True)
    petition(campaign, KAWASAKI, "rejected")  # the better outcome counts
    petition(campaign, HIRATSUKA, "spirit")
    petition(campaign, OISO, "continued")
    petition(campaign, KAMAKURA, "noted")
    petition(campaign, SHIBUYA, "partly", statement=True)
    return campaign


def test_each_municipality_is_in_its_class(national_campaign, national_staff):
    rows = {r.code: r for r in adoption_map(campaign=national_campaign, date=TODAY, user=national_staff)}
    assert rows[KAWASAKI].status == AdoptionStatus.ADOPTED
    assert (rows[KAWASAKI].petitions, rows[KAWASAKI].adopted, rows[KAWASAKI].statements) == (2, 1, 1)
    assert rows[HIRATSUKA].status_label == "趣旨採択"
    assert rows[OISO].status_label == "継続・審議中"
    assert rows[KAMAKURA].status_label == "不採択など"  # 趣旨了承 is not adopted
    assert rows[FUJISAWA].status_label == "未提出"
    assert rows[SHIBUYA].status_label == "採択"  # 一部採択 counts as adopted
    assert rows["141321"].status == AdoptionStatus.ADOPTED  # 川崎市幸区: a ward shows its city's assembly
    assert len(rows) == Municipality.objects.filter(Municipality.valid_on(TODAY)).count()


def test_kanagawa_staff_sees_no_tokyo_outcome(national_campaign, kanagawa_staff):
    rows = {r.code: r for r in adoption_map(campaign=national_campaign, date=TODAY, user=kanagawa_staff)}
    assert rows[KAWASAKI].status == AdoptionStatus.ADOPTED
    assert rows[SHIBUYA].status == AdoptionStatus.NONE and rows[SHIBUYA].statements == 0


def test_one_prefecture(national_campaign, national_staff):
    prefecture = Municipality.objects.get(code=KAWASAKI).prefecture
    kanagawa = adoption_map(campaign=national_campaign, date=TODAY, user=national_staff, prefecture=prefecture)
    assert {r.prefecture_code for r in kanagawa} == {"14"}


def test_the_current_campaign_is_the_newest_running_one_with_petitions_the_user_may_see(
    national, kanagawa, tokyo, kanagawa_staff, national_staff
):
    old = campaign_of(national, "old", starts_on=D(2019, 4, 1), ends_on=D(2020, 3, 31))
    petition(old, KAWASAKI, "adopted")
    assert current_campaign(user=kanagawa_staff, date=TODAY) == old  # none running: the newest with petitions
    running = campaign_of(national, "running", starts_on=D(2026, 1, 1))
    petition(running, KAWASAKI, "pending")
    campaign_of(national, "empty", starts_on=D(2026, 6, 1))  # no petition: not shown
    assert current_campaign(user=kanagawa_staff, date=TODAY) == running
    tokyo_only = campaign_of(national, "tokyo-only", starts_on=D(2026, 9, 1))
    petition(tokyo_only, SHIBUYA, "adopted")
    assert current_campaign(user=kanagawa_staff, date=TODAY) == running  # its petitions are not Kanagawa's
    assert current_campaign(user=national_staff, date=TODAY) == tokyo_only


def test_only_national_campaigns_are_public(national_campaign, tokyo):
    tokyo_campaign = campaign_of(tokyo, "tokyo")
    petition(tokyo_campaign, SHIBUYA, "adopted")
    assert list(public_campaigns()) == [national_campaign]


def test_the_adoption_map_is_three_queries_at_two_sizes(national_campaign, national_staff, django_assert_num_queries):
    with django_assert_num_queries(3):
        adoption_map(campaign=national_campaign, date=TODAY, user=national_staff)
    for code in ("142069", "142077", "142085", "142107"):
        petition(national_campaign, code, "adopted", statement=True)
    with django_assert_num_queries(3):
        rows = adoption_map(campaign=national_campaign, date=TODAY, user=national_staff)
    assert sum(r.statements for r in rows if not r.is_ward) == 6


# --- the panel and the public maps ------------------------------------------------------------------------


def shown(picture):
    csv = table_response(picture, fmt="csv", filename="x").content.decode("utf-8-sig")
    return "\n".join([picture.title, str(picture.svg), picture.note, picture.credit, picture.link, csv])


def adoption_panel(user):
    return panel("assemblies.adoptions").function(context_for(user, date=TODAY))


def test_national_staff_see_the_municipality_map_of_japan(national_campaign, national_staff):
    picture = adoption_panel(national_staff)
    assert picture.key == "assemblies.adoptions" and picture.credit == CREDIT
    assert picture.title == "運動hokensho 採択 2市区町村（2都道府県）・意見書 2本"
    rows = {r[2]: r for r in picture.table.rows}
    assert rows["川崎市"][3:] == ["採択", 2, 1, 1]
    assert rows["大磯町"][3] == "継続・審議中"
    assert "渋谷区" in rows
    assert "campaign=hokensho" in picture.link


def test_kanagawa_staff_see_their_prefecture_only(national_campaign, kanagawa_staff):
    picture = adoption_panel(kanagawa_staff)
    assert picture.title == "神奈川県 運動hokensho 採択 1市区町村・意見書 1本"
    assert picture.credit == CREDIT
    text = shown(picture)
    assert "川崎市" in text
    assert "渋谷区" not in text and "東京都" not in text


def test_the_adoption_panel_queries_do_not_grow(national_campaign, national_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for codes in (["142069"], ["142077", "142085", "142107", "142115"]):
        for code in codes:
            petition(national_campaign, code, "adopted", statement=True)
        with CaptureQueriesContext(connection) as queries:
            adoption_panel(national_staff)
        counts.append(len(queries))
    assert counts[0] == counts[1]


def test_no_campaign_with_petitions_no_panel(national, kanagawa_staff):
    campaign_of(national, "empty")
    assert adoption_panel(kanagawa_staff) is None


def test_the_public_map_of_a_national_campaign(client, national_campaign):
    response = client.get("/public/assemblies/hokensho/")
    assert response.status_code == 200
    page = response.content.decode()
    assert CREDIT in page and "表で見る" in page and "<svg" in page
    assert " style=" not in page and "<script" not in page
    assert "川崎市：採択・意見書 1" in page
    assert "/public/assemblies/hokensho/14/" in page
    csv = client.get("/public/assemblies/hokensho/?format=csv").content.decode("utf-8-sig")
    assert "神奈川県,141305,川崎市,採択,2,1,1" in csv
    prefecture = client.get("/public/assemblies/hokensho/14/")
    assert prefecture.status_code == 200 and "平塚市：趣旨採択" in prefecture.content.decode()
    xlsx = client.get("/public/assemblies/hokensho/14/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert "/public/assemblies/hokensho/" in client.get("/public/assemblies/").content.decode()
    assert "/public/assemblies/" in client.get("/public/").content.decode()


def test_the_public_map_shows_no_petition_text(client, national_campaign):
    AssemblyPetition.objects.filter(campaign=national_campaign).update(
        title="内部カナリア件名", note="内部カナリア備考"
    )
    OpinionStatement.objects.filter(campaign=national_campaign).update(title="内部カナリア意見書")
    for url in (
        "/public/assemblies/hokensho/",
        "/public/assemblies/hokensho/?format=csv",
        "/public/assemblies/hokensho/13/",
    ):
        assert "内部カナリア" not in client.get(url).content.decode("utf-8-sig")


def test_a_prefectural_campaign_has_no_public_map(client, tokyo):
    tokyo_campaign = campaign_of(tokyo, "tokyo-only")
    petition(tokyo_campaign, SHIBUYA, "adopted")
    for url in (
        "/public/assemblies/tokyo-only/",
        "/public/assemblies/tokyo-only/13/",
        "/public/assemblies/tokyo-only/?format=csv",
    ):
        assert client.get(url).status_code == 404
    assert "tokyo-only" not in client.get("/public/assemblies/").content.decode()
