"""Rollups: council, prefecture, block and national totals agree; rounds; goals; constant query counts."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from councils.models import Role
from petitions.models import PetitionDrive, SignatureKind, Submission, TallyEntry
from petitions.selectors import council_running_total, council_totals, round_totals, tally_table
from petitions.services import tally_correct
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of

from .factories import PetitionDriveFactory, goal, record, with_rounds

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    """Kanagawa with two local councils, Tokyo, Osaka; a petition with two rounds and goals."""
    national = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    kanagawa, tokyo, osaka = prefectural_council("14"), prefectural_council("13"), prefectural_council("27")
    kawasaki = local_council("14", name="川崎社保協")
    yokohama = local_council("14", name="横浜社保協")
    petition = PetitionDriveFactory()
    first, second = with_rounds(petition, D(2023, 12, 31), D(2024, 2, 29))
    goal(petition, national_council(), 10_000)
    goal(petition, kanagawa, 1_000)
    goal(petition, kawasaki, 300)
    goal(petition, tokyo, 2_000)
    record(national, petition, kanagawa, 42, collected_on=D(2023, 11, 25), source="桜木町")
    record(national, petition, kanagawa, 26, collected_on=D(2023, 12, 14), source="伊勢佐木町")
    record(national, petition, kawasaki, 100, collected_on=D(2024, 1, 15))
    record(national, petition, yokohama, 50, collected_on=D(2024, 2, 1))
    record(national, petition, tokyo, 500, collected_on=D(2023, 12, 1))
    record(national, petition, tokyo, 300, collected_on=D(2024, 2, 10))
    record(national, petition, osaka, 7, collected_on=D(2024, 1, 5), kind=SignatureKind.ORGANISATIONAL)
    Submission.objects.create(
        petition=petition, council=kanagawa, submitted_on=D(2023, 12, 4), submitted_to="衆議院議長",
        count=68, entered_by=national,
    )  # fmt: skip
    return {
        "user": national, "petition": petition, "kanagawa": kanagawa, "kawasaki": kawasaki, "yokohama": yokohama,
        "tokyo": tokyo, "osaka": osaka, "rounds": (first, second),
    }  # fmt: skip


def _row(table, label):
    return next(r for r in table.all_rows() if r.label == label)


def test_council_totals_per_council_and_round(world):
    rows = {
        r["council_id"]: r
        for r in council_totals(petition=world["petition"], as_of=D(2024, 3, 1), round=world["rounds"][1])
    }
    assert rows[world["kanagawa"].pk]["to_date"] == 68
    assert rows[world["kanagawa"].pk]["this_round"] == 0
    assert rows[world["kawasaki"].pk]["this_round"] == 100
    assert rows[world["tokyo"].pk]["to_date"] == 800 and rows[world["tokyo"].pk]["this_round"] == 300
    assert rows[world["osaka"].pk]["to_date"] == 0 and rows[world["osaka"].pk]["other"] == 7


def test_prefecture_rollup_includes_local_councils(world):
    table = tally_table(petition=world["petition"], as_of=D(2024, 3, 1))
    kanagawa = _row(table, "神奈川県")
    assert (kanagawa.to_date, kanagawa.this_round, kanagawa.submitted, kanagawa.goal) == (218, 150, 68, 1000)
    assert kanagawa.percent == 21.8
    assert council_running_total(petition=world["petition"], council=world["kanagawa"]) == 218
    assert council_running_total(petition=world["petition"], council=world["kawasaki"]) == 100


def test_block_subtotals_and_national_total_add_up(world):
    table = tally_table(petition=world["petition"], as_of=D(2024, 3, 1))
    prefectures = [r for r in table.rows if r.level == "prefecture"]
    blocks = [r for r in table.rows if r.level == "block"]
    assert len(prefectures) == 47
    assert sum(r.to_date for r in blocks) == sum(r.to_date for r in prefectures) == table.total.to_date == 1018
    assert sum(r.this_round for r in blocks) == table.total.this_round == 450
    assert table.total.submitted == 68 and table.total.other == 7
    assert table.total.goal == 10_000 and table.total.percent == 10.2
    kanto = next(r for r in blocks if r.group == "関東甲")
    assert kanto.to_date == 218 + 800 and kanto.goal == 3000
    # The table agrees with a plain SUM over the ledger.
    assert table.total.to_date == sum(TallyEntry.objects.exclude(kind="organisational").values_list("count", flat=True))


def test_as_of_date_cuts_the_ledger_and_picks_the_round(world):
    table = tally_table(petition=world["petition"], as_of=D(2023, 12, 31))
    assert table.round == world["rounds"][0]
    assert _row(table, "神奈川県").to_date == 68 and _row(table, "神奈川県").this_round == 68
    assert table.total.to_date == 568


def test_corrections_show_the_corrected_value(world):
    entry = TallyEntry.objects.get(source="桜木町")
    tally_correct(user=world["user"], entry=entry, corrected=24, reason="24筆の誤り")
    table = tally_table(petition=world["petition"], as_of=D(2024, 3, 1))
    assert _row(table, "神奈川県").to_date == 200


def test_prefecture_table_has_a_row_per_council_and_the_split_goal(world):
    from municipalities.models import Prefecture

    table = tally_table(petition=world["petition"], as_of=D(2024, 3, 1), prefecture=Prefecture.objects.get(code="14"))
    rows = {r.label: r for r in table.rows}
    assert rows["川崎社保協"].to_date == 100 and rows["川崎社保協"].goal == 300
    assert rows["横浜社保協"].goal is None
    own = table.rows[0]
    assert own.label == world["kanagawa"].name and own.to_date == 68 and own.goal == 700  # 1,000 less the split 300
    assert table.total.to_date == 218 and table.total.goal == 1000


def test_round_totals(world):
    totals = round_totals(petition=world["petition"])
    assert [n for _, n in totals] == [568, 450]


def test_organisational_drive_counts_organisations(world):
    drive = PetitionDriveFactory(kind=PetitionDrive.Kind.ORGANISATIONAL)
    record(world["user"], drive, world["osaka"], 3, kind=SignatureKind.ORGANISATIONAL)
    record(world["user"], drive, world["osaka"], 40)
    table = tally_table(petition=drive, as_of=D(2024, 3, 1))
    assert _row(table, "大阪府").to_date == 3 and _row(table, "大阪府").other == 40
    assert table.headers[4] == "累計（団体）"


def _queries(fn):
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_tally_table_query_count_does_not_grow_with_the_ledger(world):
    petition = world["petition"]
    small = _queries(lambda: tally_table(petition=petition, as_of=D(2024, 3, 1)))
    # Ten times the councils and far more entries.
    user = world["user"]
    for code in ["01", "04", "23", "26", "40"]:
        for i in range(4):
            council = local_council(code, name=f"地域{code}-{i}")
            for day in range(1, 6):
                record(user, petition, council, day, collected_on=D(2024, 1, day))
    big = _queries(lambda: tally_table(petition=petition, as_of=D(2024, 3, 1)))
    assert small == big <= 6
    from municipalities.models import Prefecture

    pref = Prefecture.objects.get(code="14")
    assert _queries(lambda: tally_table(petition=petition, as_of=D(2024, 3, 1), prefecture=pref)) <= 5
