"""The petitions' dashboard panels (petitions/dashboard.py): lines, goals, last year's drive, ranking, due dates."""

import pytest

from petitions.models import PetitionDrive, SignatureKind
from petitions.services import tally_correct
from shaho.core.dashboard import add_years, context_for, panel
from tests.councils.dashboard_world import build_world, days
from tests.petitions.factories import PetitionDriveFactory, goal, record

pytestmark = pytest.mark.django_db


def pictures(key, user):
    result = panel(key).function(context_for(user)) or []
    return {p.key: p for p in (result if isinstance(result, list) else [result])}


def last_point(picture):
    return [row for row in picture.table.rows if row[1] is not None][-1]


def test_a_correction_moves_the_line_down():
    w = build_world()
    entry = record(w.kawasaki_organizer, w.drive, w.kawasaki, 30, collected_on=days(1))
    assert last_point(pictures("petitions.progress", w.kawasaki_organizer)["progress-drive-now"])[1] == 130
    tally_correct(user=w.kawasaki_organizer, entry=entry, corrected=10, reason="数え間違い")
    line = pictures("petitions.progress", w.kawasaki_organizer)["progress-drive-now"]
    assert last_point(line)[1] == 110
    # A row a week from the drive's first day, and today's: running totals in date order, none after today.
    dates = [row[0] for row in line.table.rows]
    assert dates == sorted(dates) and dates[0] == w.drive.starts_on and dates[-1] == w.drive.ends_on
    assert w.today in dates and all(row[1] is None for row in line.table.rows if row[0] > w.today)
    drawn = [row[1] for row in line.table.rows if row[1] is not None]
    assert drawn == sorted(drawn) and drawn[-1] == 110 and drawn[0] == 0


def test_last_year_is_the_previous_drive_of_the_same_kind_and_organiser_shifted_a_year():
    w = build_world()
    other_kind = PetitionDriveFactory(
        kind=PetitionDrive.Kind.MINISTRY, starts_on=add_years(days(30), -1), ends_on=add_years(days(-30), -1)
    )
    record(w.kanagawa_staff, other_kind, w.kawasaki, 999, collected_on=add_years(days(1), -1))
    line = pictures("petitions.progress", w.kanagawa_staff)["progress-drive-now"]
    last_year = {row[0]: row[2] for row in line.table.rows}
    assert last_year[w.today] == 40  # last year's entry of 4 days before today's date, moved onto this year
    assert last_year[w.drive.ends_on] == 40
    assert 999 not in last_year.values() and "前回の同日 40筆" in line.note


def test_the_national_goal_falls_back_to_the_prefectures_goals():
    w = build_world()
    drive = PetitionDriveFactory(slug="no-national-goal", starts_on=days(10), ends_on=days(-10))
    goal(drive, w.kanagawa, 600)
    goal(drive, w.tokyo, 400)
    record(w.kanagawa_staff, drive, w.kawasaki, 250, collected_on=days(1))
    line = pictures("petitions.progress", w.national_staff)["progress-no-national-goal"]
    assert line.table.rows[-1][3] == 1_000 and "（25.0%）" in line.note


def test_an_organisational_drive_counts_organisations_only():
    w = build_world()
    drive = PetitionDriveFactory(
        slug="dantai", kind=PetitionDrive.Kind.ORGANISATIONAL, starts_on=days(10), ends_on=days(-10)
    )
    goal(drive, w.kawasaki, 20)
    record(w.kawasaki_organizer, drive, w.kawasaki, 5, collected_on=days(1), kind=SignatureKind.ORGANISATIONAL)
    record(w.kawasaki_organizer, drive, w.kawasaki, 700, collected_on=days(1), kind=SignatureKind.INDIVIDUAL)
    rows = pictures("petitions.council", w.kawasaki_organizer)["council"].table.rows
    organisational = next(r for r in rows if r[1] == "団体")
    assert organisational[2:] == [20, 5, 25.0]


def test_closed_drives_and_drives_out_of_scope_are_not_drawn():
    w = build_world()
    tokyo_drive = PetitionDriveFactory(slug="tokyo-only", organiser=w.tokyo, starts_on=days(10), ends_on=days(-10))
    record(w.tokyo_staff, tokyo_drive, w.tokyo_local, 5, collected_on=days(1))
    kanagawa = pictures("petitions.progress", w.kanagawa_staff)
    assert set(kanagawa) == {"progress-drive-now"}  # not last year's (closed), not Tokyo's own drive
    assert "progress-tokyo-only" in pictures("petitions.progress", w.national_staff)


def test_prefecture_ranking_counts_each_council_against_its_own_goal():
    w = build_world()
    from tests.councils.factories import local_council

    yokohama = local_council("14", name="横浜市社保協")
    goal(w.drive, yokohama, 200)
    record(w.kanagawa_staff, w.drive, yokohama, 150, collected_on=days(1))
    nogoal = local_council("14", name="目標なし社保協")
    record(w.kanagawa_staff, w.drive, nogoal, 7, collected_on=days(1))
    rows = pictures("petitions.ranking", w.kanagawa_staff)["ranking-drive-now"].table.rows
    assert rows == [
        ["横浜市社保協", 200, 150, 75.0],
        ["川崎市社保協", 300, 100, 33.3],
        ["目標なし社保協", None, 7, None],
    ]


def test_due_shows_the_next_deadline_and_days_left():
    w = build_world()
    rows = pictures("petitions.due", w.kawasaki_organizer)["due"].table.rows
    assert rows[0][1:] == ["第1次集約", days(-10), 10]


def _old_running(daily, dates):
    """The dashboard's former running total: every day's sum in a dict, added up to each date."""
    return [sum(n for day, n in daily.items() if day <= date) for date in dates]


@pytest.mark.parametrize(
    ("this_year", "last_year"),
    [(2025, 2024), (2024, 2023), (2028, 2026), (2026, 2025)],  # from and onto leap years, a drive 2 years back
)
def test_running_totals_equal_the_per_day_sums_moved_onto_this_year(this_year, last_year):
    """The lines' running totals (bisected, last year's read on its own dates) give what summing every day's
    entries did, last year's moved with add_years (29 February onto the 28th) and cut at this drive's end."""
    import datetime
    import random

    from petitions.dashboard import DriveFigures, RunningTotal

    D = datetime.date
    rng = random.Random(this_year)
    drive = PetitionDrive(kind=PetitionDrive.Kind.MINISTRY, starts_on=D(this_year, 1, 10), ends_on=D(this_year, 9, 30))
    before = PetitionDrive(kind=drive.kind, starts_on=D(last_year, 1, 5), ends_on=D(last_year, 12, 31))
    today = D(this_year, 6, 1)
    every_day = [before.starts_on + datetime.timedelta(days=i) for i in range((before.ends_on - before.starts_on).days)]
    leap_days = {(2, 28), (2, 29)}
    last = {day: rng.randint(1, 9) for day in every_day if rng.random() < 0.6 or (day.month, day.day) in leap_days}
    this = {drive.starts_on + datetime.timedelta(days=i): rng.randint(1, 9) for i in range(0, 200, 3)}
    shift = this_year - last_year
    f = DriveFigures(
        drive=drive,
        goal=None,
        line=RunningTotal.of(*zip(*sorted((d, n) for d, n in this.items() if d <= today), strict=True)),
        previous=before,
        previous_shift=shift,
        previous_line=RunningTotal.of(*zip(*sorted(last.items()), strict=True)),
    )
    moved = {}
    for day, n in last.items():
        if add_years(day, shift) <= drive.ends_on:
            moved[add_years(day, shift)] = moved.get(add_years(day, shift), 0) + n
    dates = [drive.starts_on + datetime.timedelta(days=i) for i in range((drive.ends_on - drive.starts_on).days + 1)]
    assert f.previous_at_each(dates) == _old_running(moved, dates)
    assert [n for _d, n in f.points(today)] == _old_running(
        {d: n for d, n in this.items() if d <= today}, f.grid(today)
    )
    assert f.total == sum(n for d, n in this.items() if d <= today)
    assert f.previous_on(today) == _old_running(moved, [today])[0]
    feb28 = D(this_year, 2, 28)
    assert f.previous_at_each([feb28]) == _old_running(moved, [feb28])  # a leap day of last year counted once
