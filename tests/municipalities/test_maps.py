"""The maps of Japan (municipalities.registry.maps): shapes joined to the registry, legend bins, safe SVG."""

import datetime
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.conf import settings

from municipalities.models import Municipality, Prefecture
from municipalities.registry import maps
from municipalities.registry.maps import (
    CREDIT,
    Category,
    Cell,
    Legend,
    japan_map,
    japan_municipality_map,
    load_shapes,
    prefecture_map,
    tile_map,
)

pytestmark = pytest.mark.django_db
SVG = "{http://www.w3.org/2000/svg}"
TODAY = datetime.date(2026, 12, 7)


def parse(svg):
    """The SVG as XML: it must parse."""
    root = ET.fromstring(str(svg))
    assert root.tag == f"{SVG}svg"
    return root


def shapes_by_title(root):
    """{title text: class} of every path (or tile) drawn in the map's shapes group."""
    group = root.find(f"{SVG}g[@class='map-shapes']")
    found = {}
    for element in group.iter():
        if element.tag in (f"{SVG}path", f"{SVG}rect"):
            found[element.find(f"{SVG}title").text] = element.get("class")
    return found


def assert_safe(svg):
    text = str(svg)
    assert "style=" not in text and "<style" not in text
    assert "<script" not in text
    assert ('role="img"' in text or 'role="group"' in text) and "aria-label=" in text
    # a map with links is a group: role="img" would hide its links from assistive technology
    assert ('role="group"' in text) == ("<a href=" in text)
    parse(text)


# --- the legend -------------------------------------------------------------------------------------------


def test_percent_legend_bins_values_into_its_categories_and_classes():
    legend = Legend.percent(thresholds=(25, 50, 75))
    assert [c.label for c in legend.categories] == ["25%未満", "25〜50%", "50〜75%", "75%以上"]
    assert [legend.category_for(v) for v in (0, 24.9, 25, 49.99, 50, 74, 75, 100)] == [0, 0, 1, 1, 2, 2, 3, 3]
    assert legend.category_for(None) is None
    assert [legend.css_class(i) for i in range(4)] == ["map-c0", "map-c1", "map-c2", "map-c3"]
    assert legend.css_class(None) == "map-none"
    with pytest.raises(ValueError):
        legend.css_class(4)
    with pytest.raises(ValueError):
        Legend(categories=[Category(str(i)) for i in range(7)])
    labelled = Legend.percent(thresholds=(50,), labels=["半数未満", "半数以上"])
    assert [c.label for c in labelled.categories] == ["半数未満", "半数以上"]
    assert labelled.category_for(50) == 1


def test_the_stylesheets_colour_every_category_of_every_legend_size():
    # A category without a rule would be drawn black: each legend size n has its n classes, in both sheets,
    # and the steps the Python side calls dark (white text) are the darker ones of the scale.
    for sheet in ("site.css", "document.css"):
        css = (Path(settings.BASE_DIR) / "static" / "css" / sheet).read_text(encoding="utf-8")
        section = css[css.index("/* maps */") :]
        fills = {}
        for n, steps in maps.PALETTE_STEPS.items():
            for i, step in enumerate(steps):
                match = re.search(rf"\.map-n{n} \.map-c{i} \{{ fill: (#[0-9a-f]{{6}}); \}}", section)
                assert match, f"{sheet}: .map-n{n} .map-c{i}"
                fills.setdefault(step, set()).add(match.group(1))
        assert all(len(colours) == 1 for colours in fills.values()), fills  # one colour per step
        lightness = [_luminance(next(iter(fills[step]))) for step in sorted(fills)]
        assert lightness == sorted(lightness, reverse=True)  # sequential: each step darker (grayscale)
        assert ".map-none" in section and ".map-unknown" in section and ".map-on-dark" in section


def _luminance(hex_colour):
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


# --- all Japan, by prefecture ---------------------------------------------------------------------------


def test_japan_map_draws_47_prefectures_in_their_legend_class():
    legend = Legend.percent()
    values = {f"{n:02d}": n * 2.0 for n in range(1, 48)}
    cells = {code: Cell(category=legend.category_for(v), text=f"{code} {v:.1f}%") for code, v in values.items()}
    drawing = japan_map(cells, legend=legend, title="地域社保協の組織率")
    assert_safe(drawing.svg)
    root = parse(drawing.svg)
    drawn = shapes_by_title(root)
    assert len(drawn) == 47
    for code, value in values.items():
        assert drawn[f"{code} {value:.1f}%"] == f"map-c{legend.category_for(value)}"
    assert drawn["13 26.0%"] == "map-c1" and drawn["47 94.0%"] == "map-c3" and drawn["01 2.0%"] == "map-c0"
    assert root.get("aria-label") == "地域社保協の組織率"
    assert "map-n4" in root.get("class")
    legend_texts = [t.text for t in root.find(f"{SVG}g[@class='map-legend']").iter(f"{SVG}text")]
    assert legend_texts == ["25%未満", "25〜50%", "50〜75%", "75%以上"]
    assert drawing.without_shape == [] and drawing.without_entry == []
    assert CREDIT == "出典：国土交通省国土数値情報（行政区域データ）を加工して作成"


def test_cell_text_and_link_are_escaped_and_a_missing_prefecture_shows_no_data():
    legend = Legend.percent()
    cells = {
        "13": Cell(category=2, text='<script>alert("x")</script>', href='/p/?a=1&b="2"'),
        "99": Cell(category=1, text="どこにもない県"),
    }
    drawing = japan_map(cells, legend=legend)
    assert_safe(drawing.svg)
    assert "&lt;script&gt;" in drawing.svg
    assert 'href="/p/?a=1&amp;b=&quot;2&quot;"' in drawing.svg
    drawn = shapes_by_title(parse(drawing.svg))
    assert drawn['<script>alert("x")</script>'] == "map-c2"
    assert drawn["神奈川県：データなし"] == "map-none"
    assert drawing.without_shape == [("99", "どこにもない県")]
    # the legend then explains the white shapes too
    assert "データなし" in [t.text for t in parse(drawing.svg).iter(f"{SVG}text")]


def test_tile_map_has_the_47_tiles_on_the_7_by_7_board_with_short_names():
    legend = Legend.percent(thresholds=(50,), labels=["半数未満", "半数以上"])
    cells = {"13": Cell(category=1, text="東京都 80.0%", short="80%"), "27": Cell(category=0, short="10%")}
    drawing = tile_map(cells, legend=legend)
    assert_safe(drawing.svg)
    root = parse(drawing.svg)
    tiles = shapes_by_title(root)
    assert len(tiles) == 47
    assert tiles["東京都 80.0%"] == "map-c1"
    texts = [(t.text, t.get("class")) for t in root.find(f"{SVG}g[@class='map-shapes']").iter(f"{SVG}text")]
    assert ("東京", "map-tile-label map-on-dark") in texts  # white text on the dark step
    assert ("80%", "map-tile-label map-on-dark map-tile-value") in texts
    assert ("大阪", "map-tile-label") in texts and ("神奈川", "map-tile-label") in texts
    board = [code for row in maps.TILE_BOARD for code in row if code]
    assert sorted(board) == [f"{n:02d}" for n in range(1, 48)]
    assert maps.TILE_BOARD[0][6] == "01" and maps.TILE_BOARD[6][0] == "47"  # Hokkaido top right, Okinawa bottom left


# --- a prefecture's municipalities, joined to the registry ----------------------------------------------


def test_prefecture_map_lists_registry_entries_without_shapes_and_shapes_without_entries():
    kanagawa = Prefecture.objects.get(code="14")
    # An entry the shapes cannot know (a new town), and a shape the registry no longer lists (川崎区 abolished).
    Municipality.objects.create(code="149993", prefecture=kanagawa, name="新しい町", kind=Municipality.Kind.TOWN)
    Municipality.objects.filter(code__startswith="14131").update(valid_until=datetime.date(2025, 4, 1))
    legend = Legend.percent()
    cells = {
        "14130": Cell(category=3, text="川崎市 80%"),  # a designated city's cell colours its wards
        "14132": Cell(category=0, text="川崎市幸区 10%"),  # unless the ward has its own
        "141003": Cell(category=1, text="横浜市 30%"),  # a 6-digit code is read without its check digit
        "14999": Cell(category=2, text="ない"),
    }
    drawing = prefecture_map("14", cells, legend=legend, on=TODAY)
    assert_safe(drawing.svg)
    assert ("14999", "新しい町") in drawing.without_shape
    assert ("14131", "川崎市川崎区") in drawing.without_entry
    assert drawing.without_entry == [("14131", "川崎市川崎区")]
    assert drawing.without_shape == [("14999", "新しい町")]
    drawn = shapes_by_title(parse(drawing.svg))
    assert drawn["川崎市幸区 10%"] == "map-c0"
    assert str(drawing.svg).count('<path class="map-c3"') == 6  # 中原・高津・多摩・宮前・麻生, and 川崎区 via its city
    assert str(drawing.svg).count('<path class="map-c1"') == 18  # Yokohama's 18 wards
    assert drawn["相模原市緑区：データなし"] == "map-none"
    # a cell without text is titled with the shape's name and its category's label
    plain = prefecture_map("14", {"14382": Cell(category=2)}, legend=legend, on=TODAY)
    assert shapes_by_title(parse(plain.svg))["箱根町：50〜75%"] == "map-c2"


def test_a_shape_the_registry_lacks_is_hatched_with_its_title():
    Municipality.objects.filter(code__startswith="13101").update(valid_until=datetime.date(2025, 4, 1))
    drawing = prefecture_map("13", {}, legend=Legend.percent(), on=TODAY)
    assert drawing.without_entry == [("13101", "千代田区")]
    drawn = shapes_by_title(parse(drawing.svg))
    assert drawn["千代田区：名簿にない区域"] == "map-unknown"
    assert 'id="map-hatch"' in drawing.svg  # the pattern the stylesheet fills .map-unknown with
    assert "名簿にない区域" in [t.text for t in parse(drawing.svg).iter(f"{SVG}text")]  # and in the legend


def test_hamamatsu_wards_of_2024_have_no_shape_and_the_old_wards_no_entry():
    drawing = prefecture_map("22", {"22130": Cell(category=1, text="浜松市")}, legend=Legend.percent(), on=TODAY)
    assert [code for code, _ in drawing.without_shape] == ["22138", "22139", "22140"]
    assert [code for code, _ in drawing.without_entry] == [f"2213{n}" for n in range(1, 8)]
    assert drawing.notes == [
        "地図に形のない区域（境界は2021年1月1日現在）：浜松市中央区、浜松市浜名区、浜松市天竜区",
        "名簿にない地図上の区域：浜松市中区、浜松市東区、浜松市西区、浜松市南区、浜松市北区、浜松市浜北区、浜松市天竜区",
    ]
    # the city's cell still colours its area, drawn from the old wards' shapes
    assert str(drawing.svg).count('<path class="map-c1"') == 7
    before = prefecture_map("22", {}, legend=Legend.percent(), on=datetime.date(2023, 12, 1))
    assert before.without_shape == [] and before.without_entry == []


def test_prefecture_map_reads_the_registry_in_one_query(django_assert_num_queries):
    with django_assert_num_queries(1):
        prefecture_map("01", {}, legend=Legend.percent(), on=TODAY)


# --- all Japan, by municipality ------------------------------------------------------------------------


def test_national_municipality_map_is_under_300_kb_with_a_title_and_link_on_every_shape(django_assert_num_queries):
    legend = Legend(categories=[Category("地域社保協なし"), Category("地域社保協あり")])
    shapes = load_shapes("japan_municipalities")["shapes"]
    cells = {
        code: Cell(category=n % 2, text=f"{shape['name']}：地域社保協{'あり' if n % 2 else 'なし'}", href=f"/m/{code}/")
        for n, (code, shape) in enumerate(shapes.items())
    }
    with django_assert_num_queries(1):
        drawing = japan_municipality_map(cells, legend=legend, title="地域社保協のある市区町村")
    assert_safe(drawing.svg)
    size = len(str(drawing.svg).encode("utf-8"))
    print(f"\nnational municipality map: {size / 1024:.1f} KB of SVG for {len(shapes):,} shapes")
    assert size < 300 * 1024
    # Every shape and every registry entry agree (the Northern Territories are not a mismatch).
    assert drawing.without_entry == [] and drawing.without_shape == []
    assert drawing.notes == []
    assert str(drawing.svg).count("<path ") == 1_747


def test_national_municipality_map_lists_a_municipality_without_a_shape():
    Municipality.objects.create(
        code="019992", prefecture=Prefecture.objects.get(code="01"), name="新設村", kind=Municipality.Kind.VILLAGE
    )
    drawing = japan_municipality_map({"13101": Cell(category=0, text="千代田区")}, legend=Legend.percent(), on=TODAY)
    assert drawing.without_shape == [("01999", "新設村")]
    drawn = shapes_by_title(parse(drawing.svg))
    assert drawn["千代田区"] == "map-c0"
    assert drawn["横浜市：データなし"] == "map-none"  # designated cities are one shape
    assert drawn["色丹村（北方領土）"] == "map-outside"  # in the shapes, not among the registry's 1,741
    assert drawing.without_entry == []
    assert drawing.notes == ["地図に形のない区域（境界は2021年1月1日現在）：新設村"]


def test_the_only_mismatch_between_the_2021_shapes_and_todays_registry_is_hamamatsu():
    mismatched = {}
    for number in range(1, 48):
        drawing = prefecture_map(f"{number:02d}", {}, legend=Legend.percent(), on=TODAY)
        parse(drawing.svg)
        if drawing.without_shape or drawing.without_entry:
            mismatched[number] = (len(drawing.without_shape), len(drawing.without_entry))
    assert mismatched == {22: (3, 7)}


def test_each_inset_is_named_so_a_small_frame_never_reads_as_a_stray_mark():
    drawing = maps.japan_map({}, legend=maps.Legend([maps.Category("あり")]))
    assert 'class="map-inset-label"' in drawing.svg
    assert ">沖縄県</text>" in drawing.svg and ">小笠原村</text>" in drawing.svg
