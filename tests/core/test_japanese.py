import datetime

import pytest

from shaho.core.japanese import (
    code_check_digit,
    decode_csv_bytes,
    fiscal_year,
    format_date,
    normalize_municipality_code,
    parse_count,
    parse_date,
    to_katakana,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("４２", 42),
        ("1,241", 1241),
        ("１，２４１", 1241),
        ("6万5千", 65000),
        ("６万５千筆", 65000),
        ("65,000筆", 65000),
        ("1万", 10000),
        ("2億3千万", 230_000_000),
        ("-3", -3),
        ("−５", -5),
        ("千", 1000),
        ("十二", 12),
    ],
)
def test_parse_count_reads_what_organizers_type(text, expected):
    assert parse_count(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "4.5", "42人と3団体"])
def test_parse_count_refuses_non_integers_in_japanese(text):
    with pytest.raises(ValueError, match=r"数値|整数"):
        parse_count(text)


@pytest.mark.parametrize(
    "text",
    ["2025-12-07", "2025/12/7", "2025年12月7日", "令和7年12月7日", "２０２５年１２月７日", "R7.12.7", "20251207"],
)
def test_parse_date_accepts_japanese_forms(text):
    assert parse_date(text) == datetime.date(2025, 12, 7)


def test_parse_date_reiwa_gannen_and_heisei():
    assert parse_date("令和元年5月1日") == datetime.date(2019, 5, 1)
    assert parse_date("平成31年4月30日") == datetime.date(2019, 4, 30)


@pytest.mark.parametrize("text", ["2025-02-30", "令和元年4月1日", "昨日", "12/7"])
def test_parse_date_refuses_impossible_dates(text):
    with pytest.raises(ValueError, match="日付"):
        parse_date(text)


def test_format_and_fiscal_year():
    assert format_date(datetime.date(2025, 12, 7)) == "2025年12月7日"
    assert fiscal_year(datetime.date(2026, 3, 31)) == 2025
    assert fiscal_year(datetime.date(2026, 4, 1)) == 2026


def test_municipality_codes():
    assert code_check_digit("14100") == 3
    assert normalize_municipality_code("１４１００") == "141003"
    assert normalize_municipality_code("131016") == "131016"
    with pytest.raises(ValueError, match="検査数字"):
        normalize_municipality_code("141004")
    with pytest.raises(ValueError, match="6桁"):
        normalize_municipality_code("1410")


def test_katakana_from_half_width_and_hiragana():
    assert to_katakana("ﾖｺﾊﾏｼ") == "ヨコハマシ"
    assert to_katakana("よこはまし") == "ヨコハマシ"
    assert to_katakana("ｼﾌﾞﾔｸ") == "シブヤク"


def test_decode_csv_bytes_utf8_bom_and_cp932():
    text = "社保協,筆数\n神奈川,42\n"
    assert decode_csv_bytes(text.encode("utf-8-sig")) == text
    assert decode_csv_bytes(text.encode("utf-8")) == text
    assert decode_csv_bytes(text.encode("cp932")) == text
    assert decode_csv_bytes(text.encode("cp932"), encoding="shift_jis") == text
    # CP932-only characters (NEC specials) survive
    assert decode_csv_bytes("①㈱".encode("cp932")) == "①㈱"


def test_datetimes_are_shown_in_tokyo_time_in_one_format():
    from shaho.core.japanese import format_date, format_datetime, format_time

    late_utc = datetime.datetime(2025, 12, 6, 20, 5, tzinfo=datetime.UTC)  # 2025-12-07 05:05 in Tokyo
    assert format_date(late_utc) == "2025年12月7日"
    assert format_time(late_utc) == "5:05"
    assert format_datetime(late_utc) == "2025年12月7日 5:05"
    assert format_date(datetime.date(2025, 12, 7)) == "2025年12月7日"
    assert format_datetime(None) == ""


# --- punctuation of printed Japanese ----------------------------------------------------------------


def test_japanese_punctuation_uses_the_full_width_colon_and_no_western_spaces_around_brackets():
    from shaho.core.japanese import japanese_punctuation

    assert japanese_punctuation("医療: 公立・公的病院") == "医療：公立・公的病院"
    assert japanese_punctuation("「全県国保改善交流集会」 会場42人") == "「全県国保改善交流集会」会場42人"
    assert japanese_punctuation("大磯町 （二宮町）") == "大磯町（二宮町）"
    assert japanese_punctuation("署名9筆、。") == "署名9筆。"
    # Times, Western text and a name's own space stay as they are.
    assert japanese_punctuation("9:45 開始 note: ok 神田 浩") == "9:45 開始 note: ok 神田 浩"


def test_japanese_punctuation_over_a_document_ends_a_dangling_comma_and_leaves_styles_alone():
    from shaho.core.japanese import japanese_punctuation_html

    html = (
        "<style>p:after { content: 'a: b' } 医療: x</style>"
        "<ul><li><strong>医療</strong>: 公立</li><li>12月12日、大磯町。署名9筆、\n</li></ul>"
        "<p>チラシ、<br>「声」</p><table><tr><td>札幌市、</td></tr></table>"
    )
    assert japanese_punctuation_html(html) == (
        "<style>p:after { content: 'a: b' } 医療: x</style>"
        "<ul><li><strong>医療</strong>：公立</li><li>12月12日、大磯町。署名9筆。</li></ul>"
        "<p>チラシ。<br>「声」</p><table><tr><td>札幌市</td></tr></table>"
    )
