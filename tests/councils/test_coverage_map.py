"""The coverage map (issue 17): which municipalities have a local council, per prefecture and one by one.

Figures from known rows: a prefecture left with 10 municipalities, 3 of them covered, shows 30.0%; a ward
covered makes its designated city covered; a 準備会 is its own class. The panels read them scoped: a
Kanagawa staff's dashboard never names a Tokyo council (canaries).
"""

import datetime

import pytest

from councils.models import CouncilKind
from councils.selectors import CoverageStatus, municipality_coverage, municipality_coverage_map
from municipalities.models import Municipality
from tests.councils.factories import local_council

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
