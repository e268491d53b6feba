"""The coverage map (issue 17): which municipalities have a local council, per prefecture and one by one.

Figures from known rows: a prefecture left with 10 municipalities, 3 of them covered, shows 30.0%; a ward
covered makes its designated city covered; a 準備会 is its own class. The panels read them scoped: a
Kanagawa staff's dashboard never names a Tokyo council (canaries).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import CouncilKind, Role
from councils.selectors import (
    CoverageStatus,
    coverage_by_prefecture,
    municipality_coverage,
    municipality_coverage_map,
)
from municipalities.models import Municipality
from municipalities.registry.maps import CREDIT
from shaho.core.dashboard import context_for, panel
from shaho.core.pictures import table_response
from tests.councils.factories import local_council, staff_of

TOTTORI = "31"
D = datetime.date
TODAY = D(2026, 12, 6)


def _leave_ten(prefecture_code):
    """Tottori with 10 municipalities existing on TODAY: the others ended (rolled back with the test)."""
    plain = Municipality.objects.filter(prefecture__code=prefecture_code).exclude(kind="ward").order_by("code")
    keep = list(plain[:10])
    plain.exclude(pk__in=[m.pk for m in keep]).update(valid_until=D(2000, 1, 1))
    return keep


@pytest.mark.django_db
def test_three_of_ten_covered_is_thirty_percent():
    ten = _leave_ten(TOTTORI)
    local_council(TOTTORI, name="鳥取東部社保協", municipalities=ten[:2])
    local_council(TOTTORI, name="鳥取西部社保協", municipalities=[ten[1], ten[2]])  # one covered twice counts once
    local_council(TOTTORI, name="鳥取準備会", kind=CouncilKind.PREPARATORY, municipalities=[ten[3]])
    rows, _national = municipality_coverage(date=TODAY, prefecture=TOTTORI)
    assert (rows[0].covered, rows[0].total, rows[0].percent) == (3, 10, 30.0)

    cells = {m.code: m for m in municipality_coverage_map(date=TODAY, prefecture=TOTTORI)}
    assert len(cells) == 10
    assert [cells[m.code].status for m in ten[:5]] == ["local", "local", "local", "preparatory", "none"]
    assert cells[ten[1].code].councils == ("鳥取東部社保協", "鳥取西部社保協")
    assert cells[ten[3].code].status_label == "準備会あり"


@pytest.mark.django_db
def test_a_ward_covered_covers_its_city_and_the_city_covers_its_wards():
    yokohama = Municipality.objects.get(code="141003")
    tsurumi, kanagawa_ku = yokohama.wards.order_by("code")[:2]
    local_council("14", name="鶴見社保協", municipalities=[tsurumi])
    cells = {m.code: m for m in municipality_coverage_map(date=TODAY, prefecture="14")}
    assert cells["141003"].status == CoverageStatus.LOCAL
    assert cells["141003"].councils == ("鶴見社保協",)
    assert cells[tsurumi.code].status == CoverageStatus.LOCAL
    assert cells[kanagawa_ku.code].status == CoverageStatus.NONE  # its sibling ward is not covered by it
    local_council("14", name="横浜市社保協", municipalities=[yokohama])
    cells = {m.code: m for m in municipality_coverage_map(date=TODAY, prefecture="14")}
    assert cells[kanagawa_ku.code].status == CoverageStatus.LOCAL


@pytest.mark.django_db
def test_the_national_panel_counts_per_prefecture_from_the_map_as_the_database_does():
    """coverage_by_prefecture (the national panel's per-prefecture figures, from the map's rows) equals
    municipality_coverage (counted in the database): a ward covered makes its city count, a 準備会 does not,
    a municipality covered twice counts once. And the map is two queries whatever the number of councils."""
    ten = _leave_ten(TOTTORI)
    local_council(TOTTORI, name="鳥取東部社保協", municipalities=ten[:2])
    local_council(TOTTORI, name="鳥取西部社保協", municipalities=[ten[1], ten[2]])
    local_council(TOTTORI, name="鳥取準備会", kind=CouncilKind.PREPARATORY, municipalities=[ten[3]])
    yokohama = Municipality.objects.get(code="141003")
    local_council("14", name="鶴見社保協", municipalities=[yokohama.wards.order_by("code").first()])
    local_council("13", name="新宿社保協", municipalities=[Municipality.objects.get(code="131041")])
    with CaptureQueriesContext(connection) as queries:
        municipalities = municipality_coverage_map(date=TODAY)
    assert len(queries) == 2
    rows, national = coverage_by_prefecture(municipalities)
    expected_rows, expected_national = municipality_coverage(date=TODAY)
    assert rows == expected_rows
    assert national == expected_national
    by_code = {r.prefecture_code: r for r in rows}
    assert (by_code[TOTTORI].covered, by_code[TOTTORI].total) == (3, 10)
    assert by_code["14"].covered >= 1 and by_code["13"].covered >= 1


@pytest.mark.django_db
def test_a_council_dissolved_or_not_yet_founded_covers_nothing():
    ten = _leave_ten(TOTTORI)
    local_council(TOTTORI, name="解散した社保協", municipalities=[ten[0]], founded_on=D(2000, 1, 1),
                  dissolved_on=D(2020, 1, 1), status="dissolved")  # fmt: skip
    local_council(TOTTORI, name="これから", municipalities=[ten[1]], founded_on=D(2027, 1, 1))
    cells = {m.code: m for m in municipality_coverage_map(date=TODAY, prefecture=TOTTORI)}
    assert {cells[ten[0].code].status, cells[ten[1].code].status} == {"none"}


@pytest.mark.django_db
def test_the_coverage_map_is_two_queries_whatever_the_councils(django_assert_num_queries):
    ten = _leave_ten(TOTTORI)
    local_council(TOTTORI, municipalities=ten[:1])
    with django_assert_num_queries(2):
        municipality_coverage_map(date=TODAY)
    for m in ten[1:6]:
        local_council(TOTTORI, municipalities=[m])
    with django_assert_num_queries(2):
        rows = municipality_coverage_map(date=TODAY)
    assert sum(1 for r in rows if r.status == "local") == 6


# --- the panels ---------------------------------------------------------------------------------


def everything_shown(pictures):
    """What a page and the downloads show of `pictures`: titles, SVG, notes, credits and the CSV of each table."""
    parts = []
    for p in pictures:
        parts += [p.title, str(p.svg), p.note, p.credit, p.link]
        parts.append(table_response(p, fmt="csv", filename="x").content.decode("utf-8-sig"))
    return "\n".join(parts)


def coverage_panel(user):
    return panel("councils.coverage").function(context_for(user, date=TODAY))


@pytest.fixture
def two_prefectures(kanagawa, tokyo):
    local_council("14", name="川崎社保協", municipalities=[Municipality.objects.get(code="141305")])
    local_council("13", name="渋谷カナリア社保協", municipalities=[Municipality.objects.get(code="131130")])


def test_national_staff_see_the_national_percent_the_maps_and_the_ranking(two_prefectures, national_staff):
    pictures = coverage_panel(national_staff)
    by_key = {p.key: p for p in pictures}
    assert list(by_key) == [
        "coverage.national", "coverage.prefectures", "coverage.tiles", "coverage.ranking", "coverage.municipalities"
    ]  # fmt: skip
    _rows, national = municipality_coverage(date=TODAY)
    assert f"全国 {national.percent}%（2 / {national.total:,}" in by_key["coverage.national"].title
    for key in ("coverage.prefectures", "coverage.tiles", "coverage.municipalities"):
        assert by_key[key].credit == CREDIT and "<svg" in by_key[key].svg
    assert "過半数を超えた都道府県 0、超えていない都道府県 47" == by_key["coverage.ranking"].title
    kanagawa_row = next(r for r in by_key["coverage.prefectures"].table.rows if r[0] == "神奈川県")
    assert kanagawa_row[1] == 1
    text = everything_shown(pictures)
    assert "渋谷カナリア社保協" in text  # national staff see every council


def test_kanagawa_staff_see_their_prefecture_and_no_tokyo_council(two_prefectures, kanagawa_staff):
    pictures = coverage_panel(kanagawa_staff)
    assert [p.key for p in pictures] == ["coverage.prefecture", "coverage.councils"]
    assert pictures[0].credit == CREDIT
    text = everything_shown(pictures)
    assert "川崎社保協" in text
    assert "渋谷カナリア社保協" not in text and "渋谷区" not in text and "東京都" not in text


def test_a_registry_entry_without_a_shape_is_listed_under_the_map(kanagawa_staff):
    Municipality.objects.create(
        code="149993", prefecture=kanagawa_staff.council.prefecture, name="新設テスト市", kind="city"
    )
    picture = coverage_panel(kanagawa_staff)[0]
    assert "地図に形のない区域" in picture.note and "新設テスト市" in picture.note
    assert ["神奈川県", "149993", "新設テスト市", "なし", ""] in picture.table.rows


def test_a_local_council_staff_gets_no_coverage_panel(kawasaki, two_prefectures):
    staff = staff_of(kawasaki, role=Role.COUNCIL_STAFF)
    ctx = context_for(staff, date=TODAY)
    assert ctx.audience == "local"
    assert ctx.audience not in panel("councils.coverage").audiences


def test_the_national_coverage_panel_queries_do_not_grow(national_staff):
    ten = _leave_ten(TOTTORI)
    counts = []
    for chunk in (ten[:1], ten[1:8]):
        for m in chunk:
            local_council(TOTTORI, municipalities=[m])
        with CaptureQueriesContext(connection) as queries:
            coverage_panel(national_staff)
        counts.append(len(queries))
    assert counts[0] == counts[1]
