"""The petitions API as its clients meet it: drives, goals, the ledger, the 集約一覧表 (issue 21, part 2).

Scope (a Kanagawa token meets no Tokyo-only canary on any endpoint, in JSON and CSV), the page's figures, the
ledger's enterer for a 事務局 token only, ETag/304 in one query, constant queries per page at two sizes, and
Excel's Power Query reading the table as CSV.
"""

import csv
import io
import re

import pytest
from django.urls import reverse

from councils.models import Role
from petitions import selectors
from petitions.models import PetitionItem, Submission, TallyEntry
from petitions.services import tally_correct
from shaho.core.api.models import ApiAccess
from tests.api.conftest import api_get, auth_header, make_token
from tests.councils.factories import OrganisationFactory, local_council, staff_of
from tests.petitions.factories import D, PetitionDriveFactory, goal, record, with_rounds

pytestmark = pytest.mark.django_db

CANARY = re.compile(r"cnry\d{4}")


@pytest.fixture
def world(kanagawa, kawasaki, tokyo, national, petition):
    """A national drive with entries in Kanagawa, Kawasaki and Tokyo; a Kanagawa drive; a Tokyo drive. Every
    Tokyo-only text is a canary (cnryNNNN)."""
    with_rounds(petition, D(2024, 1, 31), D(2024, 6, 30))
    kanagawa_staff = staff_of(kanagawa)
    tokyo_staff = staff_of(tokyo, display_name="cnry0001")
    tokyo_local = local_council("13", name="cnry0002社保協")
    tokyo_org = OrganisationFactory(name="cnry0003", home_council=tokyo)
    tokyo_drive = PetitionDriveFactory(organiser=tokyo, title="cnry0004", short_name="cnry0005", slug="tokyo-only")
    PetitionItem.objects.create(petition=tokyo_drive, number=1, text="cnry0006")
    kanagawa_drive = PetitionDriveFactory(organiser=kanagawa, title="神奈川の署名", slug="kanagawa-own")
    PetitionItem.objects.create(petition=petition, number=1, text="保険証を残してください")
    goal(petition, kanagawa, 1000)
    goal(petition, kawasaki, 300)
    goal(petition, tokyo_local, 777)
    goal(petition, national, 50000)
    own = [
        record(kanagawa_staff, petition, kanagawa, 120, collected_on=D(2024, 1, 10)),
        record(kanagawa_staff, petition, kawasaki, 45, collected_on=D(2024, 1, 12)),
        record(kanagawa_staff, petition, kawasaki, 7, collected_on=D(2024, 2, 3), kind="web"),
    ]
    correction = tally_correct(user=kanagawa_staff, entry=own[1], corrected=40, reason="数え間違い").entry
    record(tokyo_staff, petition, tokyo_local, 4321, collected_on=D(2024, 1, 15), organisation=tokyo_org)
    record(tokyo_staff, tokyo_drive, tokyo, 99, collected_on=D(2024, 1, 15))
    Submission.objects.create(
        petition=petition, council=kawasaki, submitted_on=D(2024, 2, 1), submitted_to="衆議院議長", count=30,
        entered_by=kanagawa_staff,
    )  # fmt: skip
    return {
        "petition": petition,
        "kanagawa_drive": kanagawa_drive,
        "tokyo_drive": tokyo_drive,
        "own": own,
        "correction": correction,
        "kanagawa_staff": kanagawa_staff,
        "tokyo_local": tokyo_local,
    }


@pytest.fixture(autouse=True)
def _usage_log_not_flushed_mid_test(settings):
    """Without a broker the usage log is written by the first request after SHAHO_API_USE_FLUSH_SECONDS
    (shaho.core.api.usage): on a slow machine that would land inside a counted request. Counted here are the
    endpoint's own queries; the log's one INSERT per batch is the foundation's (tests/api/test_foundation.py)."""
    from django.core.cache import cache

    settings.SHAHO_API_USE_FLUSH_SECONDS = 3600
    cache.set("shaho:api-uses-flushed", 1, 3600)
    yield
    cache.delete("shaho:api-uses-flushed")


# This module's own walk of the petitions endpoints with tokens (the isolation walk has them too:
# tests/petitions/walk.py): every URL pattern of petitions/api/urls.py, as (URL name, URLs a Kanagawa token may
# read, Tokyo objects' URLs → 404).
API_URL_CASES = [
    (
        "api:petition-drive-list",
        lambda w: [reverse("api:petition-drive-list")],
        lambda w: [],
    ),
    (
        "api:petition-drive-detail",
        lambda w: [reverse("api:petition-drive-detail", args=[w["petition"].pk])],
        lambda w: [reverse("api:petition-drive-detail", args=[w["tokyo_drive"].pk])],
    ),
    (
        "api:petition-goal-list",
        lambda w: [reverse("api:petition-goal-list"), reverse("api:petition-goal-list") + f"?drive={w['petition'].pk}"],
        lambda w: [],
    ),
    (
        "api:petition-goal-detail",
        lambda w: [],
        lambda w: [
            reverse("api:petition-goal-detail", args=[g.pk])
            for g in w["petition"].goals.filter(council__prefecture__code="13")
        ],
    ),
    (
        "api:petition-entry-list",
        lambda w: [
            reverse("api:petition-entry-list"),
            reverse("api:petition-entry-list") + f"?drive={w['petition'].pk}",
            reverse("api:petition-entry-list") + f"?drive={w['tokyo_drive'].pk}",
            reverse("api:petition-entry-list") + "?modified_since=2000-01-01",
        ],
        lambda w: [],
    ),
    (
        "api:petition-entry-detail",
        lambda w: [reverse("api:petition-entry-detail", args=[w["correction"].pk])],
        lambda w: [
            reverse("api:petition-entry-detail", args=[e.pk])
            for e in w["petition"].tally_entries.filter(council__prefecture__code="13")
        ],
    ),
    (
        "api:petition-tally-table",
        lambda w: [
            reverse("api:petition-tally-table", args=[w["petition"].pk]) + q
            for q in ("", "?as_of=2024-01-31", "?prefecture=14", "?prefecture=14&as_of=2024-02-28")
        ],
        lambda w: [
            reverse("api:petition-tally-table", args=[w["petition"].pk]) + "?prefecture=13",
            reverse("api:petition-tally-table", args=[w["tokyo_drive"].pk]),
            reverse("api:petition-tally-table", args=[w["tokyo_drive"].pk]) + "?prefecture=13",
        ],
    ),
]


def test_every_petitions_api_url_has_a_case():
    from django.urls import get_resolver

    resolver = get_resolver("petitions.api.urls")
    names = {f"api:{p.name}" for p in resolver.url_patterns}
    assert names == {name for name, _, _ in API_URL_CASES}


@pytest.mark.parametrize("access", [ApiAccess.STAFF, ApiAccess.MEMBER])
def test_a_kanagawa_token_meets_no_tokyo_canary_on_any_petitions_endpoint(client, world, kanagawa, access):
    _, secret = make_token(kanagawa, access=access)
    read = 0
    for name, urls, objects in API_URL_CASES:
        for url in urls(world):
            for fmt in ("", "csv"):
                full = url + (("&" if "?" in url else "?") + f"format={fmt}" if fmt else "")
                response = api_get(client, secret, full)
                assert response.status_code == 200, (name, full, response.content[:300])
                text = response.content.decode("utf-8-sig")
                assert not CANARY.findall(text), (name, full, CANARY.findall(text))
                if name != "api:petition-tally-table":  # the national table's Tokyo row is a public sum
                    assert "4321" not in text, (name, full)  # Tokyo's entry, row by row
                read += 1
        for url in objects(world):
            response = api_get(client, secret, url)
            assert response.status_code == 404, (name, url, response.status_code)
            assert not CANARY.findall(response.content.decode()), (name, url)
    assert read >= 20


def test_drives_list_the_tokens_drives_with_items_and_rounds(client, world, kanagawa_token):
    _, secret = kanagawa_token
    rows = api_get(client, secret, reverse("api:petition-drive-list")).json()["results"]
    slugs = [r["slug"] for r in rows]
    assert set(slugs) == {"hokensho", "kanagawa-own"}
    national = next(r for r in rows if r["slug"] == "hokensho")
    assert national["items"] == [{"number": 1, "text": "保険証を残してください"}]
    assert [r["deadline"] for r in national["rounds"]] == ["2024-01-31", "2024-06-30"]
    assert national["unit"] == "筆" and national["starts_on"] == "2023-09-01"


def test_goals_are_the_tokens_councils(client, world, kanagawa_token, kawasaki):
    _, secret = kanagawa_token
    rows = api_get(client, secret, reverse("api:petition-goal-list") + f"?drive={world['petition'].pk}").json()
    assert sorted((r["council_name"], r["goal"]) for r in rows["results"]) == sorted(
        [(world["petition"].goals.get(goal=1000).council.name, 1000), (kawasaki.name, 300)]
    )
    bad = api_get(client, secret, reverse("api:petition-goal-list") + "?drive=abc")
    assert bad.status_code == 400 and "drive" in bad.json()["error"]["fields"]


# --- the ledger ------------------------------------------------------------------------------------------------


def test_the_ledger_lists_the_tokens_councils_oldest_first_with_the_correction_link(client, world, kanagawa):
    _, secret = make_token(kanagawa, access=ApiAccess.STAFF)
    response = api_get(client, secret, reverse("api:petition-entry-list") + f"?drive={world['petition'].pk}")
    assert response.status_code == 200
    rows = response.json()["results"]
    assert [r["id"] for r in rows] == [e.pk for e in world["own"]] + [world["correction"].pk]
    assert [r["count"] for r in rows] == [120, 45, 7, -5]
    assert rows[0]["collected_on"] == "2024-01-10" and rows[2]["kind"] == "web"
    correction = rows[-1]
    assert correction["corrects"] == world["own"][1].pk
    followed = api_get(client, secret, correction["corrects_url"])
    assert followed.status_code == 200 and followed.json()["count"] == 45
    assert rows[0]["entered_by"] == str(world["kanagawa_staff"])
    for hidden in ("source", "note", "correction_reason"):
        assert hidden not in rows[0]


def test_a_member_token_never_learns_who_entered_an_entry(client, world, kanagawa):
    _, secret = make_token(kanagawa, access=ApiAccess.MEMBER)
    response = api_get(client, secret, reverse("api:petition-entry-list"))
    rows = response.json()["results"]
    assert len(rows) == 4
    assert all("entered_by" not in r for r in rows)
    assert str(world["kanagawa_staff"]) not in response.content.decode()
    as_csv = api_get(client, secret, reverse("api:petition-entry-list") + "?format=csv").content.decode("utf-8-sig")
    assert "entered_by" not in as_csv.splitlines()[0] and str(world["kanagawa_staff"]) not in as_csv


@pytest.mark.parametrize("access", [ApiAccess.STAFF, ApiAccess.MEMBER])
def test_the_ledgers_direct_rows_are_what_drfs_fields_give(rf, world, kanagawa, access):
    """TallyEntrySerializer builds its rows directly (speed); DRF's own walk of the declared fields gives the same."""
    from rest_framework.request import Request

    from petitions.api.serializers import TallyEntrySerializer
    from shaho.core.api.authentication import TokenAuthentication

    _, secret = make_token(kanagawa, access=access)
    request = Request(rf.get("/", HTTP_AUTHORIZATION=f"Token {secret}"), authenticators=[TokenAuthentication()])
    request.user  # noqa: B018 (authenticates)
    organisation = OrganisationFactory(name="川崎の団体", home_council=kanagawa)
    world["kanagawa_staff"].display_name = "神奈川 事務局の人"  # str(user) is the display name, not the user name
    world["kanagawa_staff"].save()
    record(
        world["kanagawa_staff"], world["petition"], kanagawa, 3, collected_on=D(2024, 1, 20), organisation=organisation
    )
    entries = list(selectors.ledger_entries(user=request.user))
    serializer = TallyEntrySerializer(entries, many=True, context={"request": request})
    direct = serializer.data
    generic = [serializer.child.generic_representation(e) for e in entries]
    assert [dict(r) for r in direct] == [dict(r) for r in generic]
    assert list(direct[0]) == list(generic[0])  # the same columns in the same order (the CSV's header)
    assert any(r["organisation_name"] == "川崎の団体" for r in direct)
    assert any(r["corrects_url"] for r in direct)
    assert ("entered_by" in direct[0]) == (access == ApiAccess.STAFF)
    if access == ApiAccess.STAFF:
        assert any(r["entered_by"] == "神奈川 事務局の人" for r in direct)
    # A list reads its rows as values (the view's queryset): the same answer, column for column.
    values = selectors.ledger_entries(user=request.user).values(*TallyEntrySerializer.LIST_VALUES)
    listed = TallyEntrySerializer(list(values), many=True, context={"request": request}).data
    assert [list(r.items()) for r in listed] == [list(r.items()) for r in direct]


def test_the_ledger_as_xlsx_is_the_same_rows(client, world, kanagawa_token):
    from openpyxl import load_workbook

    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:petition-entry-list") + "?format=xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("id", "drive", "council") and "entered_by" in rows[0]
    assert [r[rows[0].index("count")] for r in rows[1:]] == [120, 45, 7, -5]


def test_a_ledger_page_is_two_queries(client, world, kanagawa_token, django_assert_num_queries):
    """Its fingerprint (with the list's count, reused by the paginator) and its rows with their joins."""
    _, secret = kanagawa_token
    api_get(client, secret, reverse("api:petition-drive-list"))  # the token into the cache
    with django_assert_num_queries(2):
        response = api_get(client, secret, reverse("api:petition-entry-list") + "?page_size=2&page=2")
    assert response.json()["count"] == 4 and len(response.json()["results"]) == 2


def test_a_local_token_sees_its_own_council_only(client, world, kawasaki):
    _, secret = make_token(kawasaki)
    rows = api_get(client, secret, reverse("api:petition-entry-list")).json()["results"]
    assert {r["council"] for r in rows} == {kawasaki.pk}


def test_the_ledger_pages_walk_every_entry_once_and_modified_since_narrows(client, world, kanagawa_token):
    _, secret = kanagawa_token
    seen, url = [], reverse("api:petition-entry-list") + "?page_size=1"
    while url:
        page = api_get(client, secret, url).json()
        seen += [r["id"] for r in page["results"]]
        url = page["next"]
    assert len(seen) == len(set(seen)) == 4
    later = world["correction"].entered_at.isoformat()
    rows = api_get(client, secret, reverse("api:petition-entry-list"), data={"modified_since": later}).json()
    assert [r["id"] for r in rows["results"]] == [world["correction"].pk]
    bad = api_get(client, secret, reverse("api:petition-entry-list") + "?modified_since=きのう")
    assert bad.status_code == 400 and "modified_since" in bad.json()["error"]["fields"]


# --- the 集約一覧表 ----------------------------------------------------------------------------------------------


def _table_url(petition, **query):
    from urllib.parse import urlencode

    url = reverse("api:petition-tally-table", args=[petition.pk])
    return f"{url}?{urlencode(query)}" if query else url


def test_the_tally_table_is_the_selectors_table(client, world, kanagawa_token):
    _, secret = kanagawa_token
    petition = world["petition"]
    rows = api_get(client, secret, _table_url(petition, as_of="2024-01-31")).json()
    table = selectors.tally_table(petition=petition, as_of=D(2024, 1, 31))
    assert [(r["level"], r["label"], r["goal"], r["this_round"], r["to_date"], r["submitted"]) for r in rows] == [
        (r.level, r.label, r.goal, r.this_round, r.to_date, r.submitted) for r in table.all_rows()
    ]
    total = rows[-1]
    assert total["level"] == "total" and total["to_date"] == 120 + 40 + 4321 and total["goal"] == 50000
    kanagawa_row = next(r for r in rows if r["code"] == "14")
    assert (kanagawa_row["to_date"], kanagawa_row["goal"]) == (160, 1000)


def test_a_prefectures_table_lists_its_councils_and_is_refused_to_another_prefecture(client, world, kanagawa_token):
    _, secret = kanagawa_token
    petition = world["petition"]
    rows = api_get(client, secret, _table_url(petition, prefecture="14", as_of="2024-02-28")).json()
    assert [r["level"] for r in rows] == ["council", "council", "total"]
    assert rows[-1]["to_date"] == 120 + 40 + 7 and rows[-1]["submitted"] == 30
    refused = api_get(client, secret, _table_url(petition, prefecture="13"))
    assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
    assert api_get(client, secret, _table_url(petition, prefecture="1")).status_code == 400
    assert api_get(client, secret, _table_url(petition, as_of="2024-13-01")).status_code == 400
    assert api_get(client, secret, _table_url(world["tokyo_drive"])).status_code == 404


def test_power_query_reads_the_same_totals_as_the_page_shows_a_staff_member(client, world, kanagawa):
    """Excel's Power Query: Web.Contents(url, [Headers=[Authorization="Token …"]]) → Csv.Document(…, [Encoding=65001]).

    The bytes are UTF-8 with a BOM; the text survives CP932 (what Excel on Japanese Windows shows); the totals are
    the page's, as a staff member of the same council sees the 集約一覧表."""
    _, secret = make_token(kanagawa, access=ApiAccess.STAFF)
    petition = world["petition"]
    for query, page_query in (({"as_of": "2024-02-28"}, {}), ({"as_of": "2024-02-28", "prefecture": "14"}, None)):
        response = client.get(_table_url(petition, format="csv", **query), HTTP_AUTHORIZATION=f"Token {secret}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        body = response.content
        assert body.startswith(b"\xef\xbb\xbf")
        text = body.decode("utf-8-sig")
        assert text.encode("cp932").decode("cp932") == text  # every character has a CP932 code: no 「?」 in Excel
        rows = list(csv.DictReader(io.StringIO(text)))
        total = rows[-1]
        assert total["level"] == "total"

        staff = world["kanagawa_staff"]
        assert staff.role == Role.COUNCIL_STAFF and staff.council == kanagawa
        client.force_login(staff)
        if page_query is None:
            page = client.get(reverse("petitions:prefecture", args=[petition.slug, "14"]), {"date": "2024-02-28"})
        else:
            page = client.get(reverse("petitions:national", args=[petition.slug]), {"date": "2024-02-28"})
        client.logout()
        assert page.status_code == 200
        shown = page.context["table"].total
        assert (int(total["to_date"]), int(total["this_round"]), int(total["submitted"]), int(total["other"])) == (
            shown.to_date,
            shown.this_round,
            shown.submitted,
            shown.other,
        )
        assert f"{shown.to_date:,}" in page.content.decode()  # the figure the staff member reads on the page
        by_label = {r["label"]: r for r in rows}
        for row in page.context["table"].rows:
            assert int(by_label[row.label]["to_date"]) == row.to_date if row.level != "block" else True


# --- conditional requests and query counts --------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("api:petition-drive-list"),
        lambda w: reverse("api:petition-goal-list"),
        lambda w: reverse("api:petition-entry-list"),
        lambda w: _table_url(w["petition"], as_of="2024-02-28"),
        lambda w: _table_url(w["petition"], prefecture="14", format="csv"),
    ],
)
def test_an_unchanged_answer_is_a_304_in_one_query(client, world, kanagawa_token, django_assert_num_queries, url):
    _, secret = kanagawa_token
    first = api_get(client, secret, url(world))
    assert first.status_code == 200 and first["ETag"]
    with django_assert_num_queries(1):  # the fingerprint; the token comes from the cache
        again = api_get(client, secret, url(world), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and not again.content
    # a new entry (the ledger, the tables), a new item (the drives), a new goal (the goals): every answer moves
    record(world["kanagawa_staff"], world["petition"], world["own"][0].council, 3, collected_on=D(2024, 2, 20))
    PetitionItem.objects.create(petition=world["petition"], number=2, text="窓口負担を下げてください")
    goal(world["kanagawa_drive"], world["own"][1].council, 5)
    changed = api_get(client, secret, url(world), HTTP_IF_NONE_MATCH=first["ETag"])
    assert changed.status_code == 200 and changed["ETag"] != first["ETag"]


def test_an_entry_deleted_or_changed_by_hand_moves_the_etags(client, world, kanagawa_token):
    """The ledger is append-only, but a row removed in the database by hand moves both fingerprints (the list's
    count), and a count altered by hand the table's (its summary, kept by triggers: petitions/api/versions.py)."""
    _, secret = kanagawa_token
    urls = [reverse("api:petition-entry-list"), _table_url(world["petition"], as_of="2024-02-28")]
    etags = [api_get(client, secret, url)["ETag"] for url in urls]
    TallyEntry.objects.filter(pk=world["own"][2].pk).delete()
    moved = [api_get(client, secret, url, HTTP_IF_NONE_MATCH=etag) for url, etag in zip(urls, etags, strict=True)]
    assert [r.status_code for r in moved] == [200, 200]
    assert moved[0].json()["count"] == 3
    table_etag = moved[1]["ETag"]
    TallyEntry.objects.filter(pk=world["own"][0].pk).update(count=121)
    assert api_get(client, secret, urls[1], HTTP_IF_NONE_MATCH=table_etag).status_code == 200


def _grow(world, n):
    """`n` more entries, drives with items and goals, all in Kanagawa's scope."""
    staff, kanagawa = world["kanagawa_staff"], world["own"][0].council
    for i in range(n):
        record(staff, world["petition"], kanagawa, i + 1, collected_on=D(2024, 1, 1 + i % 28))
        drive = PetitionDriveFactory(organiser=kanagawa)
        PetitionItem.objects.create(petition=drive, number=1, text="項目")
        with_rounds(drive, D(2024, 3, 31))
        goal(drive, kanagawa, 10 + i)


@pytest.mark.parametrize(
    "url",
    [
        lambda w: reverse("api:petition-drive-list"),
        lambda w: reverse("api:petition-goal-list"),
        lambda w: reverse("api:petition-entry-list") + "?format=csv",
        lambda w: _table_url(w["petition"], as_of="2024-02-28"),
        lambda w: _table_url(w["petition"], prefecture="14"),
    ],
)
def test_queries_per_page_do_not_grow_with_rows(client, world, kanagawa_token, django_assert_num_queries, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = kanagawa_token
    api_get(client, secret, reverse("api:petition-drive-list"))  # the token into the cache
    with CaptureQueriesContext(connection) as small:
        assert api_get(client, secret, url(world)).status_code == 200
    _grow(world, 12)
    with django_assert_num_queries(len(small)):
        response = api_get(client, secret, url(world))
    assert response.status_code == 200
    assert len(small) <= 8, [q["sql"][:120] for q in small]


def test_write_methods_are_refused(client, world, kanagawa_token):
    _, secret = kanagawa_token
    for url in (reverse("api:petition-entry-list"), _table_url(world["petition"])):
        response = client.post(url, {"count": 1}, **auth_header(secret))
        assert response.status_code == 405
