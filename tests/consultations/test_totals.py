"""Totals: per station, category, caller type, care level, duration, last year beside; xlsx of counts only."""

import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from consultations.selectors import day_totals

from . import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def kanagawa_days(kanagawa, tokyo):
    cost = factories.category("利用料・費用")
    this = factories.national_day(D(2023, 11, 11), published=True)
    last = factories.national_day(D(2022, 11, 11))
    k_now, k_last = factories.station(this, kanagawa), factories.station(last, kanagawa)
    t_now = factories.station(this, tokyo)
    r_now, r_last, r_tokyo = factories.responder(k_now), factories.responder(k_last), factories.responder(t_now)
    factories.bulk_calls(r_now, 11, minutes=45, categories=[cost], summary="秘密の話")
    factories.bulk_calls(r_now, 5, minutes=20, categories=[cost], summary="秘密の話")
    factories.bulk_calls(r_now, 17, minutes=20, summary="秘密の話")
    factories.bulk_calls(r_last, 15, minutes=10)
    factories.bulk_calls(r_tokyo, 4, minutes=31)
    return this


def test_the_year_over_year_table_shows_33_against_15(kanagawa_days, django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        totals = day_totals(day=kanagawa_days)
    kanagawa = next(r for r in totals.stations if r.prefecture_code == "14")
    assert kanagawa.text() == "33件（昨年15件）"
    assert totals.total.count == 37 and totals.total.last_year == 15
    assert totals.long_calls.count == 11 + 4
    assert next(f for f in totals.categories if f.label == "利用料・費用").count == 16
    assert totals.prefectures == 2 and totals.prefectures_last_year == 1


def test_kanagawa_staff_see_their_station_only_and_the_page_has_no_free_text(client, kanagawa_days, kanagawa_staff):
    client.force_login(kanagawa_staff)
    body = client.get(reverse("consultations:day", args=[kanagawa_days.pk])).content.decode()
    assert "33件（昨年15件）" in body and "東京都" not in body and "秘密の話" not in body


def test_the_xlsx_holds_counts_and_no_free_text(client, kanagawa_days, national_staff):
    client.force_login(national_staff)
    response = client.get(reverse("consultations:day_xlsx", args=[kanagawa_days.pk]))
    book = load_workbook(io.BytesIO(response.content), read_only=True)
    cells = [str(c) for s in book.worksheets for row in s.iter_rows(values_only=True) for c in row if c is not None]
    assert "37" in cells and "15" in cells
    assert not [c for c in cells if "秘密" in c]


def test_the_public_page_shows_counts_of_a_published_day_only(client, kanagawa_days):
    page = client.get(reverse("public_consultations:day", args=[kanagawa_days.pk]))
    assert (
        page.status_code == 200 and "秘密" not in page.content.decode() and "37件（昨年15件）" in page.content.decode()
    )
    assert client.get(reverse("public_consultations:day", args=[kanagawa_days.pk]) + "?fragment=1").status_code == 200
    kanagawa_days.published = False
    kanagawa_days.save()
    assert client.get(reverse("public_consultations:day", args=[kanagawa_days.pk])).status_code == 404


def test_the_live_page_refreshes_itself_on_the_day_from_a_static_script(client, kanagawa_days, national_staff):
    from django.utils import timezone

    client.force_login(national_staff)
    past = client.get(reverse("consultations:day", args=[kanagawa_days.pk])).content.decode()
    assert "data-refresh-url" not in past  # a day that is over does not poll
    today = factories.national_day(timezone.localdate())
    body = client.get(reverse("consultations:day", args=[today.pk])).content.decode()
    assert "js/consultations_live.js" in body and "data-refresh-url" in body and "<script>" not in body
