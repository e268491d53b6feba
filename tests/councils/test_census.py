"""The federation's census and municipality coverage: the selectors, their query counts and commands."""

import datetime
import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Council, CouncilKind
from councils.selectors import council_census, councils_on, municipality_coverage, one_year_before
from municipalities.models import Municipality

from .factories import CouncilFactory, became, local_council, national_council

D = datetime.date
DAY = D(2020, 9, 1)
ONE_DAY = datetime.timedelta(days=1)
LOCAL, PREPARATORY, FRIENDLY, PREFECTURAL = (
    CouncilKind.LOCAL,
    CouncilKind.PREPARATORY,
    CouncilKind.FRIENDLY,
    CouncilKind.PREFECTURAL,
)
pytestmark = pytest.mark.django_db


def counted_municipalities(code=None):
    qs = Municipality.objects.exclude(kind=Municipality.Kind.WARD).filter(Municipality.valid_on(DAY))
    return qs.filter(prefecture__code=code).count() if code else qs.count()


def designated_city_with_wards(code="14"):
    city = Municipality.objects.filter(prefecture__code=code, kind=Municipality.Kind.DESIGNATED_CITY).first()
    wards = list(city.wards.order_by("code")[:2])
    return city, wards


def town(code="14", n=0):
    """The n-th city, special ward, town or village of a prefecture: one that has no wards."""
    K = Municipality.Kind
    plain = Municipality.objects.filter(prefecture__code=code, kind__in=[K.CITY, K.SPECIAL_WARD, K.TOWN, K.VILLAGE])
    return plain.order_by("code")[n]


def covering(municipalities, code="14", **kwargs):
    founded_on = kwargs.pop("founded_on", D(2000, 1, 1))
    return local_council(code, founded_on=founded_on, municipalities=list(municipalities), **kwargs)


# --- census ----------------------------------------------------------------------------------------


def test_council_founded_on_the_day_counts_and_one_dissolved_on_the_day_does_not():
    local_council("14", founded_on=DAY)
    local_council("14", founded_on=DAY + ONE_DAY)
    local_council("14", founded_on=D(2000, 1, 1), dissolved_on=DAY)
    local_council("14", founded_on=D(2000, 1, 1), dissolved_on=DAY + ONE_DAY)

    census = council_census(date=DAY)

    assert census.counts[LOCAL] == 2
    assert census.counts[PREFECTURAL] == 1  # the factory's prefectural council: founding date unknown, counts
    assert census.total == 3  # the national council is not counted


def test_census_counts_every_kind_but_the_national_council():
    local_council("13", founded_on=D(1990, 4, 1))
    local_council("13", kind=PREPARATORY, founded_on=D(2019, 4, 1))
    local_council("14", kind=PREPARATORY, founded_on=D(2019, 4, 1))
    CouncilFactory(name="友好団体", kind=FRIENDLY, parent=national_council(), founded_on=D(2001, 1, 1))

    census = council_census(date=DAY)

    assert census.counts == {PREFECTURAL: 2, LOCAL: 1, PREPARATORY: 2, FRIENDLY: 1}
    assert census.total == 6


def test_preparatory_committee_becoming_local_moves_between_kinds_on_the_stage_date():
    committee = local_council("14", kind=PREPARATORY, founded_on=D(2018, 4, 1))
    became(committee, LOCAL, on=D(2020, 4, 1))

    before = council_census(date=D(2020, 3, 31))
    on_the_day = council_census(date=D(2020, 4, 1))

    assert (before.counts[PREPARATORY], before.counts[LOCAL]) == (1, 0)
    assert (on_the_day.counts[PREPARATORY], on_the_day.counts[LOCAL]) == (0, 1)
    assert before.total == on_the_day.total


def test_council_whose_founding_date_was_corrected_earlier_counts_with_its_first_kind():
    # The first stage is written at the founding date; a later correction of 結成日 leaves it behind.
    council = local_council("14", founded_on=D(2010, 1, 1))
    Council.objects.filter(pk=council.pk).update(founded_on=D(2005, 1, 1))

    assert council_census(date=D(2007, 1, 1)).counts[LOCAL] == 1
    assert councils_on(date=D(2007, 1, 1)).get(pk=council.pk).kind_on == LOCAL


def test_census_change_against_one_year_earlier_has_its_sign():
    local_council("14", founded_on=D(2000, 1, 1))
    local_council("14", kind=PREPARATORY, founded_on=D(2020, 2, 1))

    census = council_census(date=DAY)

    assert census.previous_date == D(2019, 9, 1)
    assert (census.total, census.previous_total, census.change) == (3, 2, 1)
    assert census.change_of(PREPARATORY) == 1
    assert census.change_of(LOCAL) == 0
    assert census.line().endswith("計 3（前年 2、+1）")


def test_census_change_is_negative_when_a_council_dissolved_in_the_year():
    local_council("14", founded_on=D(2000, 1, 1), dissolved_on=D(2020, 3, 31))
    local_council("14", founded_on=D(2000, 1, 1))

    census = council_census(date=DAY)

    assert census.change == -1
    assert "（前年 3、-1）" in census.line()


def test_census_without_change_says_plus_minus_zero():
    local_council("14", founded_on=D(2000, 1, 1))
    assert council_census(date=DAY).line().endswith("（前年 2、±0）")


def test_one_year_before_29_february_is_28_february():
    assert one_year_before(D(2024, 2, 29)) == D(2023, 2, 28)
    assert one_year_before(DAY) == D(2019, 9, 1)


# --- coverage --------------------------------------------------------------------------------------


def test_designated_city_counts_as_covered_when_one_of_its_wards_is():
    city, (ward, _) = designated_city_with_wards()
    assert ward.parent_id == city.pk
    covering([ward])

    rows, national = municipality_coverage(date=DAY, prefecture="14")

    assert len(rows) == 1
    assert (rows[0].prefecture_code, rows[0].covered, rows[0].total) == ("14", 1, counted_municipalities("14"))
    assert national.covered == 1


def test_municipality_covered_twice_counts_once():
    city, (ward_a, ward_b) = designated_city_with_wards()
    covering([town()])
    covering([town()])
    covering([ward_a])
    covering([ward_b])
    covering([city])

    rows, national = municipality_coverage(date=DAY)

    by_code = {r.prefecture_code: r for r in rows}
    assert by_code["14"].covered == 2  # the town and the city
    assert national.covered == 2
    assert national.total == counted_municipalities()
    assert sum(r.total for r in rows) == national.total
    assert len(rows) == 47


def test_only_local_councils_existing_on_the_day_cover():
    covering([town(n=0)], kind=PREPARATORY)
    covering([town(n=1)], founded_on=DAY + ONE_DAY)
    covering([town(n=2)], dissolved_on=DAY)
    covering([town(n=3)], founded_on=DAY)
    committee = covering([town(n=4)], kind=PREPARATORY, founded_on=D(2018, 1, 1))
    became(committee, LOCAL, on=D(2020, 4, 1))

    rows, _ = municipality_coverage(date=DAY, prefecture="14")

    assert rows[0].covered == 2  # towns 3 and 4
    # The day before the committee became local: only town 2, whose council had not yet dissolved.
    assert municipality_coverage(date=D(2020, 3, 31), prefecture="14")[0][0].covered == 1


def test_coverage_percent_per_prefecture_and_nationally():
    for n in range(3):
        covering([town("13", n)], code="13")

    rows, national = municipality_coverage(date=DAY)

    tokyo = next(r for r in rows if r.prefecture_code == "13")
    assert tokyo.percent == round(100 * 3 / counted_municipalities("13"), 1)
    assert national.percent == round(100 * 3 / counted_municipalities(), 1)


# --- query counts ----------------------------------------------------------------------------------


def queries(function):
    with CaptureQueriesContext(connection) as ctx:
        function()
    return len(ctx.captured_queries)


def build_councils(n, code):
    for i in range(n):
        covering([town(code, i)], code=code, kind=PREPARATORY if i % 3 == 0 else LOCAL)


def test_census_and_coverage_run_the_same_queries_for_few_and_many_councils():
    build_councils(2, "14")
    few = queries(lambda: council_census(date=DAY)), queries(lambda: municipality_coverage(date=DAY))
    build_councils(12, "13")
    many = queries(lambda: council_census(date=DAY)), queries(lambda: municipality_coverage(date=DAY))

    assert few == many == (2, 1)


# --- commands --------------------------------------------------------------------------------------


def run(command, *args, **options):
    out = StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


@pytest.mark.parametrize("date", ["2020-09-01", "2020年9月1日", "令和2年9月1日", "R2.9.1"])
def test_census_command_reads_japanese_dates(date):
    local_council("14", founded_on=D(2000, 1, 1))
    local_council("14", kind=PREPARATORY, founded_on=D(2020, 2, 1))

    output = run("council_census", date=date)

    assert "2020年9月1日現在" in output
    assert "都道府県社保協 1（前年 1、±0）" in output
    assert "地域社保協 1（前年 1、±0）" in output
    assert "準備会 1（前年 0、+1）" in output
    assert "友好組織 0（前年 0、±0）" in output
    assert "計 3（前年 2、+1）" in output


def test_census_command_refuses_an_unreadable_date_in_japanese():
    with pytest.raises(CommandError, match="日付として読めません"):
        run("council_census", date="2020-13-01")


def test_census_command_prints_json():
    local_council("14", founded_on=D(2000, 1, 1))

    data = json.loads(run("council_census", date="2020-09-01", format="json"))

    assert data["counts"] == {"prefectural": 1, "local": 1, "preparatory": 0, "friendly": 0}
    assert (data["total"], data["previous_total"], data["change"]) == (2, 2, 0)
    assert data["previous_date"] == "2019-09-01"


def test_census_command_defaults_to_today():
    local_council("14", founded_on=D(2000, 1, 1))
    assert "計 2" in run("council_census")


def test_coverage_command_prints_prefecture_rows_and_the_national_line():
    covering([town()])
    total_14, total = counted_municipalities("14"), counted_municipalities()

    output = run("council_coverage", date="2020-09-01")

    assert f"14 神奈川県 1 / {total_14}（{100 / total_14:.1f}%）" in output
    assert f"全国 1 / {total}（{100 / total:.1f}%）" in output
    assert len([line for line in output.splitlines() if line.endswith("%）")]) == 48


def test_coverage_command_for_one_prefecture():
    covering([town()])

    output = run("council_coverage", date="令和2年9月1日", prefecture="１４")

    assert "14 神奈川県 1 / " in output
    assert "13 東京都" not in output
    assert "全国" not in output


def test_coverage_command_refuses_an_unknown_prefecture_code():
    with pytest.raises(CommandError, match="都道府県コード"):
        run("council_coverage", prefecture="48")


def test_coverage_command_prints_json():
    covering([town()])

    data = json.loads(run("council_coverage", date="2020-09-01", format="json"))

    assert len(data["prefectures"]) == 47
    assert data["national"]["covered"] == 1
