"""The picture kit's charts (shaho/core/charts.py): well-formed SVG with colours only from classes, every
text escaped, items counted, the goal line where its value is, clipping, empty states and drill-down links."""

import datetime
import xml.etree.ElementTree as ET

import pytest
from django.utils.safestring import SafeString

from shaho.core import charts
from shaho.core.charts import Bar, Mark, Pair, Segment, Series, Small

D = datetime.date
NS = "{http://www.w3.org/2000/svg}"
START, END = D(2026, 4, 1), D(2027, 3, 31)


def parse(svg):
    return ET.fromstring(str(svg))


def classed(root, name, tag=None):
    """Elements whose class list holds `name` (and of `tag` when given)."""
    return [e for e in root.iter() if name in (e.get("class") or "").split() and (tag is None or e.tag == f"{NS}{tag}")]


def with_hover(elements):
    return [e for e in elements if e.find(f"{NS}title") is not None]


def line_series():
    return [
        Series("2026年度", [(D(2026, 4, 1), 0), (D(2026, 6, 1), 12_000), (D(2026, 9, 15), 31_000)]),
        Series("2025年度", [(D(2026, 4, 1), 0), (D(2026, 7, 1), 20_000), (D(2027, 3, 31), 52_000)], kind="last"),
    ]


def every_chart(label="北海道"):
    """Each chart of the kit, drawn with `label` in its data."""
    return {
        "bar": charts.bar_chart([Bar(label, 60, "60%"), Bar("青森県", 30, "30%")], target=50, title="達成率"),
        "line": charts.line_chart(
            [Series(label, [(D(2026, 5, 1), 10), (D(2026, 6, 1), 20)])], start=START, end=END, goal=30, title="累計"
        ),
        "paired": charts.paired_bar_chart([Pair(label, 10, 8), Pair("青森県", 3, None)], title="学習会", unit="回"),
        "stacked": charts.stacked_bar([Segment(label, 3), Segment("なし", 1)], title="カバー率"),
        "small": charts.small_multiples([Small(label, [1, 2, 3], goal=6), Small("青森県", [2, 2])], title="都道府県"),
    }


# --- every chart ----------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["bar", "line", "paired", "stacked", "small"])
def test_every_chart_is_an_accessible_svg_without_inline_style(kind):
    svg = every_chart()[kind]
    assert isinstance(svg, SafeString)
    root = parse(svg)
    assert root.tag == f"{NS}svg"
    assert root.get("role") == "img" and root.get("aria-label")
    assert root.find(f"{NS}title").text == root.get("aria-label")
    assert root.get("viewBox", "").startswith("0 0 ")
    assert f"chart-{kind}" in root.get("class").split()
    for element in root.iter():
        assert "style" not in element.attrib, element.tag
        assert element.tag != f"{NS}style"
        # colours come from classes only
        for attribute in ("fill", "stroke"):
            assert element.get(attribute) in (None, "none"), (element.tag, attribute, element.get(attribute))


@pytest.mark.parametrize("kind", ["bar", "line", "paired", "stacked", "small"])
def test_every_chart_escapes_a_script_in_a_label(kind):
    svg = str(every_chart(label='<script>alert("x")</script>')[kind])
    assert "<script" not in svg
    assert "&lt;script&gt;" in svg
    root = parse(svg)
    assert not [e for e in root.iter() if e.tag.endswith("script")]
    assert any('<script>alert("x")</script>' in (e.text or "") for e in root.iter())


def test_every_chart_without_data_says_so_instead_of_failing():
    empties = [
        charts.bar_chart([], title="達成率"),
        charts.line_chart([], start=START, end=END, goal=100, title="累計"),
        charts.line_chart([Series("2026年度", [])], start=START, end=END),
        charts.line_chart([Series("前", [(D(2020, 1, 1), 5)])], start=START, end=END),  # all outside the axis
        charts.paired_bar_chart([]),
        charts.stacked_bar([]),
        charts.stacked_bar([Segment("なし", 0)]),
        charts.small_multiples([]),
    ]
    for svg in empties:
        root = parse(svg)
        assert [e.text for e in classed(root, "chart-empty")] == [charts.EMPTY], svg


def test_a_title_is_escaped_in_the_label_and_in_the_text():
    svg = str(charts.stacked_bar([Segment("a", 1)], title='"><script>'))
    assert 'aria-label="&quot;&gt;&lt;script&gt;"' in svg
    assert parse(svg).get("aria-label") == '"><script>'


# --- bar chart ----------------------------------------------------------------------------


def bar_width(rect):
    return float(rect.get("width"))


def test_bar_chart_draws_one_bar_per_row_and_marks_those_below_the_target():
    bars = [Bar("北海道", 80, "80%"), Bar("青森県", 20, "20%"), Bar("岩手県", 50, "50%")]
    root = parse(charts.bar_chart(bars, target=50))
    drawn = classed(root, "chart-bar", "rect")
    assert len(drawn) == 3
    below = classed(root, "chart-bar-below", "rect")
    assert [r.find(f"{NS}title").text for r in below] == ["青森県: 20%"]


def test_bar_chart_goal_line_stands_where_a_bar_of_the_target_ends():
    width, label_width = 520, 70
    root = parse(
        charts.bar_chart([Bar("a", 50), Bar("b", 10)], maximum=100, target=50, width=width, label_width=label_width)
    )
    (goal,) = classed(root, "chart-goal", "line")
    half = classed(root, "chart-bar", "rect")[0]
    assert float(goal.get("x1")) == float(goal.get("x2")) == label_width + bar_width(half)
    # plot = width - label - notes (130): 50 of 100 is half of 320
    assert float(goal.get("x1")) == pytest.approx(label_width + 160)


def test_bar_chart_clips_a_value_above_the_maximum():
    bars = [Bar("上", 250, "250%"), Bar("満", 100), Bar("無", -5)]
    root = parse(charts.bar_chart(bars, maximum=100, label_width=70))
    over, full, negative = classed(root, "chart-bar", "rect")
    assert bar_width(over) == bar_width(full) == pytest.approx(320)
    assert bar_width(negative) == 0
    assert "250%" in str(charts.bar_chart([Bar("上", 250, "250%")], maximum=100))  # the real figure is still said


def test_bar_chart_keeps_what_the_reports_call():
    # reports/kinds.py and petitions/report_kinds.py pass Bar(label, value, note) positionally
    svg = charts.bar_chart([Bar("東京都", 16.7, "16.7%（5,000／30,000）")], maximum=100, target=100, title="達成率")
    assert "16.7%（5,000／30,000）" in svg and "達成率" in svg


def test_an_href_wraps_the_item_in_a_link_and_only_a_safe_one():
    root = parse(
        charts.bar_chart([Bar("a", 10, href="/petitions/1/?p=13&x=1"), Bar("b", 20, href="javascript:alert(1)")])
    )
    links = root.findall(f".//{NS}a")
    assert [a.get("href") for a in links] == ["/petitions/1/?p=13&x=1"]
    assert classed(links[0], "chart-bar", "rect")
    assert "javascript" not in str(charts.bar_chart([Bar("b", 20, href="javascript:alert(1)")]))
    assert "//evil" not in str(charts.bar_chart([Bar("b", 20, href="//evil.example/")]))


# --- line chart ---------------------------------------------------------------------------


def test_line_chart_draws_every_point_and_this_year_solid_last_year_dashed():
    root = parse(charts.line_chart(line_series(), start=START, end=END, goal=50_000, title="累計"))
    assert len(classed(root, "chart-point-this", "circle")) == 3
    assert len(classed(root, "chart-point-last", "circle")) == 3
    assert len(classed(root, "chart-line-this", "polyline")) == 1
    assert len(classed(root, "chart-line-last", "polyline")) == 1
    hover = [c.find(f"{NS}title").text for c in classed(root, "chart-point-this", "circle")]
    assert hover[-1] == "2026年度 9月15日: 31,000筆"


def test_line_chart_goal_line_is_at_the_height_of_a_point_of_the_goals_value():
    series = [Series("2026年度", [(D(2026, 4, 1), 0), (D(2026, 10, 1), 50_000), (D(2026, 12, 1), 70_000)])]
    root = parse(charts.line_chart(series, start=START, end=END, goal=50_000))
    (goal,) = classed(root, "chart-goal", "line")
    zero, at_goal, _ = classed(root, "chart-point-this", "circle")
    assert goal.get("y1") == goal.get("y2") == at_goal.get("cy")
    assert float(zero.get("cy")) > float(goal.get("y1"))  # higher values are drawn higher
    assert [t.text for t in classed(root, "chart-goal-label")] == ["目標 50,000筆"]


def test_line_chart_labels_months_thousands_and_the_last_value():
    root = parse(charts.line_chart(line_series(), start=START, end=END, goal=50_000))
    ticks = [t.text for t in classed(root, "chart-tick")]
    months = [t for t in ticks if t.endswith("月")]
    assert months == [f"{m}月" for m in (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)]
    assert "20,000" in ticks and "60,000" in ticks  # y ticks up to a round number above 52,000
    values = [t.text for t in classed(root, "chart-value")]
    assert sorted(values) == ["31,000筆", "52,000筆"]


def test_line_chart_marks_deadlines_inside_the_axis_only():
    marks = [Mark(D(2026, 8, 31), "第1次締切"), Mark(D(2027, 6, 30), "来年度")]
    root = parse(charts.line_chart(line_series(), start=START, end=END, marks=marks))
    drawn = classed(root, "chart-mark", "line")
    assert [m.find(f"{NS}title").text for m in drawn] == ["第1次締切"]
    assert drawn[0].get("x1") == drawn[0].get("x2")


def test_line_chart_leaves_out_points_outside_the_axis():
    series = [Series("a", [(D(2026, 3, 1), 5), (D(2026, 5, 1), 10), (D(2027, 5, 1), 99)])]
    root = parse(charts.line_chart(series, start=START, end=END))
    assert len(classed(root, "chart-point", "circle")) == 1


# --- paired bars, stacked bar, small multiples ---------------------------------------------


def test_paired_bar_chart_draws_this_and_last_year_and_a_dash_for_a_missing_figure():
    pairs = [Pair("北海道", 1_200, 1_000, href="/x/"), Pair("東京都", 3_400, None), Pair("大阪府", None, 5)]
    root = parse(charts.paired_bar_chart(pairs, unit="回"))
    this = [r for r in classed(root, "chart-bar-this", "rect") if r.find(f"{NS}title") is not None]
    last = [r for r in classed(root, "chart-bar-last", "rect") if r.find(f"{NS}title") is not None]
    assert len(this) == 2 and len(last) == 2
    values = [t.text for t in classed(root, "chart-value")]
    assert values == ["1,200回", "1,000回", "3,400回", "—", "—", "5回"]
    assert bar_width(this[1]) > bar_width(this[0])  # 3,400 is longer than 1,200
    assert [a.get("href") for a in root.findall(f".//{NS}a")] == ["/x/"]


def test_stacked_bar_prints_each_segment_with_its_share():
    segments = [Segment("地域社保協あり", 820), Segment("準備中", 120), Segment("なし", 801, href="/m/")]
    root = parse(charts.stacked_bar(segments, title="カバー率"))
    drawn = with_hover(classed(root, "chart-seg", "rect"))
    assert [r.get("class") for r in drawn] == [f"chart-seg chart-seg-{i}" for i in range(3)]
    assert sum(bar_width(r) for r in drawn) == pytest.approx(400, abs=0.5)
    legend = [t.text for t in classed(root, "chart-legend")]
    assert legend == ["地域社保協あり　820（47.1%）", "準備中　120（6.9%）", "なし　801（46.0%）"]


def test_stacked_bar_against_a_larger_total_leaves_the_rest_empty():
    root = parse(charts.stacked_bar([Segment("あり", 25)], total=100))
    (drawn,) = with_hover(classed(root, "chart-seg", "rect"))
    assert bar_width(drawn) == pytest.approx(100)
    assert classed(root, "chart-seg-rest")
    assert [t.text for t in classed(root, "chart-legend")] == ["あり　25（25.0%）"]


def test_stacked_bar_uses_six_classes_at_most():
    root = parse(charts.stacked_bar([Segment(f"s{i}", 1) for i in range(8)]))
    classes = {r.get("class") for r in with_hover(classed(root, "chart-seg", "rect"))}
    assert classes == {f"chart-seg chart-seg-{i}" for i in range(6)}


def test_small_multiples_share_one_y_scale_and_print_last_value_and_share_of_goal():
    items = [Small("北海道", [0, 5, 10], goal=20, href="/h/"), Small("青森県", [0, 10], goal=40), Small("岩手県", [])]
    root = parse(charts.small_multiples(items, columns=3))
    assert len(classed(root, "chart-line-this", "polyline")) == 2
    hokkaido, aomori = classed(root, "chart-point-this", "circle")
    # both end at 10 and are drawn at the same height: one scale for all
    assert hokkaido.get("cy") == aomori.get("cy")
    assert [t.text for t in classed(root, "chart-value")] == ["10（50%）", "10（25%）"]
    assert [t.text for t in classed(root, "chart-empty")] == [charts.EMPTY]
    assert [a.get("href") for a in root.findall(f".//{NS}a")] == ["/h/"]


def test_small_multiples_place_dated_points_on_a_common_axis():
    items = [
        Small("a", [(D(2026, 4, 1), 1), (D(2026, 10, 1), 2)]),
        Small("b", [(D(2026, 4, 1), 1), (D(2027, 4, 1), 2)]),
    ]
    root = parse(charts.small_multiples(items, columns=2, cell_width=150))
    a_last, b_last = classed(root, "chart-point-this", "circle")
    # a's last point is half-way along its cell, b's at the end
    assert float(a_last.get("cx")) == pytest.approx(8 + 134 * 183 / 365, abs=0.1)
    assert float(b_last.get("cx")) == pytest.approx(150 + 8 + 134)


# --- helpers and print --------------------------------------------------------------------


def test_numbers_have_thousands_separators():
    assert charts.number(1234567) == "1,234,567"
    assert charts.number(12.0) == "12"
    assert charts.number(1234.56) == "1,234.6"
    assert charts.number(None) == "—"


@pytest.mark.parametrize(
    ("highest", "expected"), [(52_000, (60_000, 20_000)), (7, (8, 2)), (100, (100, 25)), (0, (1.0, 0.25))]
)
def test_nice_scale_rounds_the_axis_up(highest, expected):
    assert charts.nice_scale(highest) == expected


def test_for_print_puts_the_document_stylesheet_into_each_svg_and_only_there():
    svg = str(charts.stacked_bar([Segment("a", 1)]))
    html = f"<p>前</p>{svg}<div>{svg}</div>"
    printed = charts.for_print(html)
    assert printed.count("<style>") == 2
    assert printed.count(".chart-seg-0 { fill: #08519c; }") == 2
    root = ET.fromstring(f"<r>{printed}</r>")
    styles = root.findall(f".//{NS}style")
    assert len(styles) == 2 and ".chart-goal" in styles[0].text
    assert charts.for_print("<p>no pictures</p>") == "<p>no pictures</p>"
    assert "<style>" not in svg  # a page never gets it


def test_line_chart_thins_month_ticks_on_a_span_longer_than_fits():
    root = parse(charts.line_chart(line_series(), start=D(2025, 4, 1), end=END))
    months = [t.text for t in classed(root, "chart-tick") if t.text.endswith("月")]
    assert len(months) < 24 and months[:3] == ["4月", "6月", "8月"]


def test_bar_chart_can_be_drawn_for_a_phone():
    svg = charts.bar_chart(
        [Bar("北海道", 40, "40%")], width=360, row_height=22, label_width=64, note_width=96, font_size=12
    )
    root = parse(svg)
    assert root.get("viewBox").startswith("0 0 360 ") and root.get("font-size") == "12"
    (bar,) = classed(root, "chart-bar", "rect")
    assert bar_width(bar) == pytest.approx((360 - 64 - 96) * 0.4)


def test_line_chart_deadline_labels_close_together_do_not_overlap_each_other_or_the_legend():
    """Three rounds' deadlines a few weeks apart (as the demo drive has): each label's box is clear of the
    others on its row, and the second row stays below the legend."""
    d = datetime.date
    marks = [
        Mark(d(2025, 11, 30), "第1次集約締切"),
        Mark(d(2025, 12, 20), "第2次集約締切"),
        Mark(d(2026, 1, 10), "最終集約締切"),
    ]
    svg = charts.line_chart(
        [Series("今回（全国）", [(d(2025, 10, 1), 0), (d(2026, 1, 5), 65_000)])],
        start=d(2025, 10, 1),
        end=d(2026, 6, 30),
        goal=100_000,
        marks=marks,
    )
    root = ET.fromstring(str(svg))
    ns = "{http://www.w3.org/2000/svg}"
    labels = [t for t in root.iter(f"{ns}text") if t.get("class") == "chart-mark-label"]
    assert len(labels) == 3
    boxes = []
    for t in labels:
        x, y, size = float(t.get("x")), float(t.get("y")), float(t.get("font-size"))
        half = len(t.text) * size / 2
        boxes.append((x - half, x + half, y))
    for i, a in enumerate(boxes):
        for b in boxes[i + 1 :]:
            if a[2] == b[2]:
                assert a[1] <= b[0] or b[1] <= a[0], (a, b)
    legend_y = min(float(t.get("y")) for t in root.iter(f"{ns}text") if t.get("class") == "chart-legend")
    assert legend_y < min(b[2] for b in boxes) - 8


def test_bar_chart_cuts_a_label_too_long_for_its_column_and_keeps_it_whole_in_the_hover_title():
    name = "川崎社会保障推進協議会"
    svg = str(charts.bar_chart([Bar(name, 40, "40%")], label_width=80, font_size=12))
    root = ET.fromstring(svg)
    ns = "{http://www.w3.org/2000/svg}"
    label = next(t for t in root.iter(f"{ns}text") if t.get("class") == "chart-label")
    assert label.text.endswith("…") and name.startswith(label.text[:-1])
    assert charts._text_width(label.text, 12) <= 80 - 6
    assert any(name in (t.text or "") for t in root.iter(f"{ns}title"))
    short = str(charts.bar_chart([Bar("神奈川県", 40, "40%")], label_width=80, font_size=12))
    assert ">神奈川県<" in short


def test_a_chart_with_linked_bars_is_a_group_of_links_and_one_without_links_an_image():
    linked = ET.fromstring(str(charts.bar_chart([Bar("東京都", 40, "40%", href="/petitions/")])))
    plain = ET.fromstring(str(charts.bar_chart([Bar("東京都", 40, "40%")])))
    assert linked.get("role") == "group" and plain.get("role") == "img"


def test_bar_chart_gives_its_labels_the_room_the_longest_needs():
    # Kanagawa's councils by their short names: each label whole, none cut to 「…」.
    names = ["神奈川県社保協", "横浜社保協", "藤沢市社保協準備会"]
    root = parse(charts.bar_chart([Bar(n, 10 * i, f"{10 * i}%") for i, n in enumerate(names)], target=50))
    assert [t.text for t in classed(root, "chart-label", "text")] == names
    # A label longer than a third of the chart is cut at its end, and says so with 「…」.
    long = "とても長い名前の社会保障推進協議会連絡会議の準備会の事務局の分会"
    (label,) = classed(parse(charts.bar_chart([Bar(long, 10)])), "chart-label", "text")
    assert label.text.endswith("…") and long.startswith(label.text[:-1])
