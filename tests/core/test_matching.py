"""The one council and organisation matcher every importer uses (shaho.core.matching)."""

from types import SimpleNamespace

from shaho.core.matching import Matcher, name_key


def _council(pk, name, short_name=""):
    return SimpleNamespace(pk=pk, name=name, short_name=short_name)


def test_name_key_treats_both_spellings_widths_spaces_and_the_prefecture_suffix_alike():
    keys = {
        name_key(text) for text in ("神奈川県社会保障推進協議会", "神奈川社保協", "神奈川県 社保協", "神奈川県社保協")
    }
    assert keys == {"神奈川社保協"}
    assert name_key("ｶﾜｻｷ社保協") == name_key("カワサキ社会保障推進協議会")
    assert name_key("京都府社保協") == name_key("京都社保協") != name_key("京社保協")
    assert name_key("東京都社保協") == name_key("東京社保協")


def test_a_name_a_number_an_unknown_name_and_an_ambiguous_name():
    kanagawa = _council(1, "神奈川県社会保障推進協議会", "神奈川県社保協")
    a, b = _council(2, "みなと社保協"), _council(3, "みなと社会保障推進協議会")
    matcher = Matcher([kanagawa, a, b], what="社保協")
    assert matcher.match("神奈川社保協") == (kanagawa, None)
    assert matcher.match("３") == (b, None)
    assert matcher.match(3.0) == (b, None)
    assert matcher.match("千代田社保協") == (
        None,
        "「千代田社保協」という社保協は見つかりません（名称・略称・番号で指定してください）。",
    )
    # A number outside the queryset (the user's scope) reads exactly like a name that does not exist.
    assert matcher.match("99")[1] == "「99」という社保協は見つかりません（名称・略称・番号で指定してください）。"
    assert matcher.match("みなと社保協") == (
        None,
        "「みなと社保協」に当てはまる社保協が複数あります: みなと社保協（番号 2）、"
        "みなと社会保障推進協議会（番号 3）。番号で指定してください。",
    )
    # The record's own value is no silent pick: it is the one the row already had.
    assert matcher.match("みなと社保協", prefer=[lambda c: c.pk == 3]) == (b, None)
