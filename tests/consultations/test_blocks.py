"""Block consultation.day: a prefecture's consultation days of a period and the national day, totals against the
year before (33件、昨年15件、3回線、相談員9人: seed 001 §3), counts only, never a call's free text."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError

from consultations.models import CallRecord
from councils.models import Role
from shaho.core import blocks
from shaho.core.figures import PlaceholderContext
from tests.councils.factories import local_council, staff_of

from . import factories

pytestmark = pytest.mark.django_db
D = datetime.date
AUTUMN = "{{ consultation.day prefecture=14 start=2023-11-01 end=2023-12-31 }}"
SECRET = "秘密の話"


@pytest.fixture
def days(kanagawa, tokyo):
    """Kanagawa's station on the 2023 national day (3 lines, 9 responders, 33 calls with free text) and on the 2022
    day (15 calls); Tokyo's station on the 2023 day (4 calls)."""
    this = factories.national_day(D(2023, 11, 11))
    last = factories.national_day(D(2022, 11, 11))
    k_now = factories.station(this, kanagawa, lines=3)
    responders = [factories.responder(k_now) for _ in range(9)]
    factories.bulk_calls(responders[0], 30, summary=SECRET)
    for responder in responders[1:4]:
        factories.call(responder, summary=SECRET, advice="秘密の助言", referral="秘密の紹介先")
    factories.bulk_calls(factories.responder(factories.station(last, kanagawa, lines=2)), 15)
    factories.bulk_calls(factories.responder(factories.station(this, tokyo, lines=2)), 4, summary=SECRET)
    return this


def ctx(user=None):
    return PlaceholderContext(date=D(2024, 3, 31), user=user)


def html(source, user=None):
    return str(blocks.resolve_one(source, ctx(user)).render())


def text(source, user=None):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html(source, user)))


def test_kanagawas_day_prints_33_against_15_with_its_lines_and_responders(days):
    out = text(AUTUMN)
    assert "2023年11月11日 介護・認知症なんでも無料電話相談 3回線 9人 33件 15件" in out
    assert "37件" not in out and "4件" not in out  # Tokyo's station is not Kanagawa's


def test_no_free_text_of_any_call_reaches_the_block(days):
    for source in (AUTUMN, "{{ consultation.day date=2023-11-11 }}"):
        out = html(source)
        assert "秘密" not in out


def test_the_national_day_prints_every_station_against_last_year(days):
    out = text("{{ consultation.day date=2023-11-11 }}")
    assert "2023年11月11日" in out and "2都道府県 2会場 5回線 10人 37件 15件" in out
    # Without date=, the latest national day on or before the document's date.
    assert "37件" in text("{{ consultation.day }}")


def test_several_days_end_with_one_total_row(days, kanagawa):
    factories.bulk_calls(factories.responder(factories.station(factories.national_day(D(2023, 12, 1)), kanagawa)), 2)
    out = html(AUTUMN)
    assert out.count('class="total"') == 1 and out.rindex('class="total"') > out.rindex("2023年12月1日")
    assert "35件" in out


def test_a_period_without_a_day_is_empty_and_says_so(days):
    block = blocks.resolve_one("{{ consultation.day prefecture=14 start=2024-01-01 end=2024-03-31 }}", ctx())
    assert block.empty
    assert "神奈川県の電話相談日は、2024年1月1日〜2024年3月31日にはありません。" in block.render()


def test_arguments_that_do_not_fit_are_refused_in_japanese(days):
    with pytest.raises(ValidationError) as caught:
        blocks.extract("{{ consultation.day prefecture=14 start=2023-11-01 }}", ctx())
    assert "{{ consultation.day prefecture=14 start=2023-11-01 }}" in caught.value.messages[0]
    assert "start=開始日 と end=終了日" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one("{{ consultation.day start=2023-11-01 end=2023-12-31 }}", ctx())
    assert "prefecture と一緒に" in caught.value.messages[0]
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one("{{ consultation.day prefecture=14 start=2023-12-31 end=2023-11-01 }}", ctx())
    assert "より前です" in caught.value.messages[0]


def test_a_kanagawa_reader_never_counts_tokyo(days, kanagawa_staff):
    assert "33件" in text(AUTUMN, kanagawa_staff)
    with pytest.raises(ValidationError) as caught:
        blocks.resolve_one(AUTUMN.replace("prefecture=14", "prefecture=13"), ctx(kanagawa_staff))
    assert "都道府県「13」は指定できません" in caught.value.messages[0]
    # The national day, not published: only the stations the reader may see, and the block says so.
    out = text("{{ consultation.day date=2023-11-11 }}", kanagawa_staff)
    assert "1都道府県 1会場 3回線 9人 33件 15件" in out and "見る権限のある会場の集計" in out
    # Published (its counts are on the public press page): every station.
    days.published = True
    days.save()
    assert "37件" in text("{{ consultation.day date=2023-11-11 }}", kanagawa_staff)


def test_a_local_councils_reader_counts_its_own_station_only(days, kanagawa):
    kawasaki = local_council("14", name="川崎社保協")
    factories.bulk_calls(factories.responder(factories.station(days, kawasaki, lines=1)), 2)
    assert "4回線 10人 35件" in text(AUTUMN)  # a system run: both of Kanagawa's stations
    out = text(AUTUMN, staff_of(kawasaki, role=Role.COUNCIL_STAFF))
    assert "1回線 1人 2件" in out and "33件" not in out


def test_a_deleted_call_changes_the_count(days):
    CallRecord.objects.filter(station__council__prefecture__code="14", station__day=days).first().delete()
    assert "3回線 9人 32件 15件" in text(AUTUMN)


def test_the_query_count_does_not_grow_with_days_and_calls(days, kanagawa, django_assert_max_num_queries):
    with django_assert_max_num_queries(4) as few:  # the prefecture (two), the days, last year's days
        html(AUTUMN)
    for date in (D(2023, 11, 20), D(2023, 12, 1), D(2023, 12, 10)):
        factories.bulk_calls(factories.responder(factories.station(factories.national_day(date), kanagawa)), 7)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert html(AUTUMN).count("<tr>") == 1 + 4


def test_in_a_pdf_the_figures_print_and_no_free_text(days):
    import io

    from pypdf import PdfReader

    from reports.documents import render_pdf

    body = html(AUTUMN) + html("{{ consultation.day date=2023-11-11 }}")
    page = f'<!DOCTYPE html><html lang="ja"><head><meta charset="utf-8"><title>t</title></head><body>{body}</body>'
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(render_pdf(page).content)).pages).replace(" ", "")
    assert "3回線9人33件15件" in text.replace("\n", "") and "37件" in text
    assert "秘密" not in text
