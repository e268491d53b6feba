"""The map shapes: `manage.py build_map_shapes` decodes the TopoJSON of ../shared/geo into compact SVG paths.

The command is run into a temporary folder (twice: the bytes must not change), and its output is compared
with the files committed under municipalities/registry/geo/, which the maps read.
"""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command

from municipalities.management.commands.build_map_shapes import decode_arcs, encode_path, polygons_of
from municipalities.registry.maps import GEO_DIR
from tests.required_services import service_missing

SOURCE = Path(settings.BASE_DIR).parent / "shared" / "geo"


def path_points(d):
    """The absolute points of every ring of an m/l/z path (what the browser draws), as lists of (x, y)."""
    rings = []
    x = y = 0
    start = (0, 0)
    for command, numbers in re.findall(r"([mlz])([^mlz]*)", d):
        values = [int(v) for v in re.findall(r"-?\d+", numbers)]
        if command == "m":
            x, y = start[0] + values[0], start[1] + values[1]
            start = (x, y)
            rings.append([(x, y)])
        elif command == "l":
            for dx, dy in zip(values[::2], values[1::2], strict=True):
                x, y = x + dx, y + dy
                rings[-1].append((x, y))
        else:
            x, y = start
    return rings


# --- the decoder and the encoder, on data small enough to check by hand ------------------------------


def test_arcs_are_delta_decoded_and_transformed():
    topology = {
        "transform": {"scale": [0.5, 2.0], "translate": [100.0, 10.0]},
        "arcs": [[[2, 4], [1, 0], [0, 1]], [[3, 5], [-1, -1]]],
    }
    arcs = decode_arcs(topology)
    assert arcs[0] == [(101.0, 18.0), (101.5, 18.0), (101.5, 20.0)]
    assert arcs[1] == [(101.5, 20.0), (101.0, 18.0)]


def test_rings_join_arcs_and_follow_a_negative_index_backwards():
    arcs = [[(0, 0), (1, 0), (1, 1)], [(0, 0), (0, 1), (1, 1)]]
    # ~1 is arc 1 reversed: the ring goes out along arc 0 and back along arc 1, its shared point kept once.
    (polygon,) = polygons_of({"type": "Polygon", "arcs": [[0, ~1]]}, arcs)
    assert polygon == [[(0, 0), (1, 0), (1, 1), (0, 1), (0, 0)]]
    assert len(polygons_of({"type": "MultiPolygon", "arcs": [[[0, ~1]], [[1, ~0]]]}, arcs)) == 2
    assert polygons_of({"type": None}, arcs) == []


def test_paths_are_relative_without_repeated_or_collinear_points():
    square = [(10, 10), (10, 10), (15, 10), (20, 10), (20, 20), (10, 20), (10, 10)]
    island = [(30, 30), (32, 30), (32, 33)]
    d = encode_path([square, island])
    # (15, 10) lies on the line from (10, 10) to (20, 10); the repeated and the closing points are gone.
    assert d == "m10 10l10 0 0 10-10 0zm20 20l2 0 0 3z"
    assert path_points(d) == [[(10, 10), (20, 10), (20, 20), (10, 20)], [(30, 30), (32, 30), (32, 33)]]
    assert encode_path([[(1, 1), (1, 1), (2, 2)]]) == ""  # a ring that collapsed to a line is dropped


# --- the command on the real data ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    if not SOURCE.exists():  # skipped on a machine without ../shared; under CI (SHAHO_REQUIRE_SERVICES=1) a failure
        service_missing(f"{SOURCE} (the boundary TopoJSON) is not here")
    first = tmp_path_factory.mktemp("geo1")
    second = tmp_path_factory.mktemp("geo2")
    call_command("build_map_shapes", source=str(SOURCE), output=str(first), verbosity=0)
    call_command("build_map_shapes", source=str(SOURCE), output=str(second), verbosity=0)
    return first, second


def _load(folder, name):
    return json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))


def test_running_the_command_twice_writes_the_same_bytes_as_the_committed_files(built):
    first, second = built
    names = sorted(p.name for p in first.iterdir())
    assert len(names) == 2 + 47 + 1  # two all-Japan maps, 47 prefectures, SOURCES.md
    assert names == sorted(p.name for p in second.iterdir())
    for name in names:
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
        assert (first / name).read_bytes() == (GEO_DIR / name).read_bytes(), f"{name}: re-run build_map_shapes"


def test_the_prefecture_map_has_all_47_and_okinawa_lies_in_its_inset(built):
    data = _load(built[0], "japan_prefectures")
    assert sorted(data["shapes"]) == [f"{n:02d}" for n in range(1, 48)]
    assert data["shapes"]["13"]["name"] == "東京都"
    inset = next(i for i in data["insets"] if i["name"] == "沖縄県")
    x, y, w, h = inset["box"]
    okinawa = [p for ring in path_points(data["shapes"]["47"]["d"]) for p in ring]
    assert len(okinawa) > 50
    assert all(x <= px <= x + w and y <= py <= y + h for px, py in okinawa)
    # and nothing else is drawn in that box (it lies in the empty Sea of Japan)
    for code, shape in data["shapes"].items():
        if code != "47":
            points = [p for ring in path_points(shape["d"]) for p in ring]
            assert not any(x < px < x + w and y < py < y + h for px, py in points), code
    _, _, width, height = (int(v) for v in data["viewBox"].split())
    for shape in data["shapes"].values():
        assert all(0 <= px <= width and 0 <= py <= height for ring in path_points(shape["d"]) for px, py in ring)


def test_every_prefecture_file_decodes_with_its_municipalities_and_wards(built):
    codes = set()
    for number in range(1, 48):
        data = _load(built[0], f"prefecture_{number:02d}")
        assert data["shapes"], number
        for code, shape in data["shapes"].items():
            assert code[:2] == f"{number:02d}" and len(code) == 5
            assert path_points(shape["d"]), code
            codes.add(code)
    kanagawa = _load(built[0], "prefecture_14")["shapes"]
    for ward in range(14131, 14138):
        assert kanagawa[str(ward)]["d"] and kanagawa[str(ward)]["city"] == "14130"
    assert kanagawa["14131"]["name"] == "川崎市川崎区"
    tokyo = _load(built[0], "prefecture_13")
    assert tokyo["shapes"]["13101"]["name"] == "千代田区" and tokyo["shapes"]["13101"]["d"]
    assert {"13361", "13402", "13421"} <= set(tokyo["shapes"])  # 大島町, 青ヶ島村, 小笠原村 in the insets
    assert len(codes) > 1_900  # 1,741 municipalities less 20 designated cities, plus 175 wards (as of 2021)


def test_the_national_municipality_map_has_every_municipality_and_is_small(built):
    path = built[0] / "japan_municipalities.json"
    data = _load(built[0], "japan_municipalities")
    shapes = data["shapes"]
    # 1,741 municipalities and the six villages of the Northern Territories the data also holds.
    assert len(shapes) == 1_747
    assert {"14130", "13101", "13362", "47356"} <= set(shapes)  # 利島村 and 渡名喜村 taken from their prefecture
    assert "14131" not in shapes  # designated cities as one shape
    print(f"\njapan_municipalities.json: {path.stat().st_size / 1024:.1f} KB for {len(shapes):,} shapes")
    assert path.stat().st_size < 300 * 1024
