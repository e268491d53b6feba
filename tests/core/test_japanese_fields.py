"""The Japanese form fields of `shaho.core.forms` and the parsers beneath them (`shaho.core.japanese`)."""

import datetime

import pytest
from django import forms

from shaho.core.forms import CountField, DateField, TimeField, YesNoField
from shaho.core.japanese import parse_time, parse_yes_no

T = datetime.time


class Sample(forms.Form):
    count = CountField(label="数（筆）")
    held_on = DateField(label="日付", required=False)
    starts_at = TimeField(label="開始時刻", required=False)
    statement = YesNoField(label="陳述", required=False)


def _clean(**data):
    form = Sample(data={"count": "1", **data})
    return form, form.is_valid()


@pytest.mark.parametrize(
    ("typed", "count"), [("４２", 42), ("1,241", 1241), ("6万5千", 65000), ("65,000筆", 65000), ("１２３", 123)]
)
def test_count_reads_what_people_type(typed, count):
    form, valid = _clean(count=typed)
    assert valid and form.cleaned_data["count"] == count


@pytest.mark.parametrize(
    "typed", ["令和7年12月7日", "2025年12月7日", "2025/12/7", "2025-12-07", "R7.12.7", "２０２５年１２月７日"]
)
def test_date_reads_era_and_western_dates(typed):
    form, valid = _clean(held_on=typed)
    assert valid and form.cleaned_data["held_on"] == datetime.date(2025, 12, 7)


@pytest.mark.parametrize("typed", ["18時3分", "18:03", "１８：０３", "1803", "18:03:00", "午後6時3分"])
def test_time_reads_every_way_of_writing_it(typed):
    form, valid = _clean(starts_at=typed)
    assert valid and form.cleaned_data["starts_at"] == T(18, 3)


def test_time_reads_hours_and_halves():
    assert parse_time("13時") == T(13, 0) and parse_time("13時半") == T(13, 30) and parse_time("930") == T(9, 30)


@pytest.mark.parametrize("typed", ["はい", "○", "〇", "有", "あり", "した", "1", "Yes", "ＹＥＳ"])
def test_yes_words(typed):
    form, valid = _clean(statement=typed)
    assert valid and form.cleaned_data["statement"] is True


@pytest.mark.parametrize("typed", ["いいえ", "×", "無", "なし", "0", "no"])
def test_no_words(typed):
    form, valid = _clean(statement=typed)
    assert valid and form.cleaned_data["statement"] is False


def test_an_empty_yes_no_is_none_or_the_callers_blank():
    assert parse_yes_no("") is None and parse_yes_no(" ", blank=False) is False
    form, valid = _clean(statement="")
    assert valid and form.cleaned_data["statement"] is None


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("count", "たくさん", "「数（筆）」: 「たくさん」は整数として読めません。"),
        ("held_on", "12月7日", "「日付」: 「12月7日」は日付として読めません"),
        ("starts_at", "25:00", "「開始時刻」: 「25:00」は時刻として読めません"),
        ("starts_at", "18時60分", "「開始時刻」: 「18時60分」は時刻として読めません"),
        ("statement", "たぶん", "「陳述」: 「たぶん」は「はい」か「いいえ」で答えてください"),
    ],
)
def test_errors_are_japanese_and_name_the_field(field, typed, message):
    form, valid = _clean(**{field: typed})
    assert not valid and form.errors[field][0].startswith(message)


def test_a_missing_required_value_names_the_field():
    form = Sample(data={"count": ""})
    assert not form.is_valid() and form.errors["count"] == ["「数（筆）」を入力してください。"]


def test_pickers_get_iso_values_back():
    form = Sample(initial={"held_on": datetime.date(2025, 12, 7), "starts_at": T(9, 5)})
    html = str(form["held_on"]) + str(form["starts_at"])
    assert 'value="2025-12-07"' in html and 'value="09:05"' in html and 'type="date"' in html
