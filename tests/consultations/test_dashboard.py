"""The consultations' dashboard panel (consultations/dashboard.py): the last call-in day against the year before."""

import pytest

from shaho.core.dashboard import add_years, context_for, panel
from tests.consultations.factories import bulk_calls, national_day, responder, station
from tests.councils.dashboard_world import add_call_days, build_world, days

pytestmark = pytest.mark.django_db


def picture(user):
    return panel("consultations.last_day").function(context_for(user))


def test_no_call_in_day_no_panel():
    w = build_world()
    assert picture(w.national_staff) is None


def test_the_last_day_beside_the_year_before_per_station():
    w = build_world()
    day = add_call_days(w)
    national_day(days(-5))  # a day still to come is not the last one
    p = picture(w.national_staff)
    assert p.link.endswith(f"/consultations/days/{day.pk}/")
    rows = {row[0]: row[1:] for row in p.table.rows}
    assert rows["川崎市社保協"] == [12, 9] and rows["合計"] == [55, 30]


def test_a_prefecture_counts_its_own_stations_only():
    w = build_world()
    add_call_days(w)
    rows = {row[0]: row[1:] for row in picture(w.kanagawa_staff).table.rows}
    assert rows == {"川崎市社保協": [12, 9], "合計": [12, 9]}


def test_a_day_without_last_year_shows_none_for_it():
    w = build_world()
    day = national_day(days(3))
    bulk_calls(responder(station(day, w.kawasaki)), 4)
    national_day(add_years(days(3), -2))  # two years before is not "the year before"
    p = picture(w.national_staff)
    assert p.table.rows[-1] == ["合計", 4, None] and "前年の相談日なし" in p.note


def test_station_counts_agree_with_the_day_totals():
    from consultations import access, selectors
    from consultations.selectors import station_counts

    w = build_world()
    day = add_call_days(w)
    for user in (w.national_staff, w.kanagawa_staff):
        stations = access.counted_stations(user=user, day=day)
        totals = selectors.day_totals(day=day, stations=stations)
        rows, _previous = station_counts(day=day, stations=stations)
        assert [(r.label, r.count, r.last_year) for r in rows] == [
            (r.label, r.count, r.last_year) for r in totals.stations
        ]
