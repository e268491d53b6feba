"""Turn the boundary TopoJSON of ../shared/geo into the compact SVG path data the maps draw.

python manage.py build_map_shapes [--source ../shared/geo] [--output municipalities/registry/geo]

Writes, into the output folder (committed; `municipalities.registry.maps` reads it):

- `japan_prefectures.json`: the 47 prefectures of all Japan, Okinawa moved into an inset box at the
  top left (the empty Sea of Japan) and 小笠原村's 父島・母島 groups into a second inset box in the Pacific;
  the rest of the far islands (硫黄島 group, 沖ノ鳥島, 南鳥島) are left out of the all-Japan maps.
- `japan_municipalities.json`: every municipality of Japan on the same projection and insets,
  designated cities as one shape each.
- `prefecture_PP.json` (01–47): every municipality and every ward of a designated city of one
  prefecture; Tokyo's islands (伊豆諸島, 小笠原) in two inset boxes below the mainland at smaller scales.

Each file: {"viewBox": "0 0 W H", "insets": [{"name", "box": [x, y, w, h]}], "shapes": {code: {"name",
"d", "label": [x, y]}}}; prefecture files also give a ward its designated city ("city": "14130").
Codes are the 5-digit `N03_007` (the 6-digit registry code without its check digit); islands and
exclaves of one code are one path.

Projection: equirectangular, x scaled by cos(latitude of the map's centre), y down; coordinates are
rounded to integers in the map's viewBox and written as relative path commands (m, l, z) with
repeated and collinear points dropped. No randomness and sorted keys: two runs write identical bytes.
"""

import json
import math
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

PREFECTURES_CSV = Path(__file__).resolve().parents[2] / "registry" / "data" / "prefectures.csv"
DEFAULT_OUTPUT = Path(__file__).resolve().parents[2] / "registry" / "geo"

# Size of the longer side of the all-Japan maps and of a prefecture's map, in viewBox units.
JAPAN_SIZE = 1000
PREFECTURE_SIZE = 1000
MARGIN = 8
# Douglas–Peucker tolerance on the projected arcs, in viewBox units (the source is simplified already).
JAPAN_TOLERANCE = 0.75
PREFECTURE_TOLERANCE = 0.6

OKINAWA = "47"
TOKYO = "13"
OGASAWARA = "13421"
IZU = ("13361", "13362", "13363", "13364", "13381", "13382", "13401", "13402")


def _ogasawara_kept(polygon):
    """父島列島・母島列島・聟島列島 (north of 26°N around 142°E): what an inset of 小笠原村 shows."""
    lon, lat = _centre(polygon)
    return 141.5 < lon < 143.0 and lat > 26.0


# --- TopoJSON ------------------------------------------------------------------------------------------


def decode_arcs(topology):
    """The arcs of a topology as lists of (lon, lat): delta-decoded and transformed when quantised."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform:
            (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
            x = y = 0
            points = []
            for dx, dy in arc:
                x += dx
                y += dy
                points.append((x * sx + tx, y * sy + ty))
        else:
            points = [(p[0], p[1]) for p in arc]
        arcs.append(points)
    return arcs


def _ring(arcs, indexes):
    points = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


class Polygon(list):
    """A polygon's rings of (lon, lat), first the outer ring, remembering the arcs it was made of."""

    def __init__(self, rings, arc_rings=(), topology=None):
        super().__init__(rings)
        self.arc_rings = arc_rings
        self.topology = topology


class Topology:
    """Decoded arcs of one file; each arc projected and simplified once per frame, so that two shapes
    sharing a border keep exactly the same points on it (no slivers or gaps after simplification)."""

    def __init__(self, arcs):
        self.arcs = arcs
        self._projected = {}

    def _arc(self, frame, index):
        key = (frame, index if index >= 0 else ~index)
        if key not in self._projected:
            points = []
            for lon, lat in self.arcs[key[1]]:
                point = frame.project(lon, lat)
                if not points or point != points[-1]:
                    points.append(point)
            self._projected[key] = simplify(points, frame.tolerance)
        points = self._projected[key]
        return points if index >= 0 else points[::-1]

    def ring(self, frame, indexes):
        points = []
        for index in indexes:
            arc = self._arc(frame, index)
            points.extend(arc if not points else arc[1:])
        return points


def simplify(points, tolerance):
    """Douglas–Peucker: keep the ends and every point farther than `tolerance` from the simplified line."""
    if tolerance <= 0 or len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        farthest, at = -1.0, -1
        for i in range(a + 1, b):
            px, py = points[i]
            distance = abs(dx * (py - ay) - dy * (px - ax)) / length if length else math.hypot(px - ax, py - ay)
            if distance > farthest:
                farthest, at = distance, i
        if farthest > tolerance:
            keep[at] = True
            stack.extend(((a, at), (at, b)))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def polygons_of(geometry, arcs, topology=None):
    """A geometry's polygons, each a list of rings (first the outer ring), rings lists of (lon, lat)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        polygons = [geometry["arcs"]]
    elif kind == "MultiPolygon":
        polygons = geometry["arcs"]
    else:
        return []  # a null geometry (所属未定地 have none of their own)
    return [Polygon([_ring(arcs, ring) for ring in polygon], polygon, topology) for polygon in polygons]


def features(path):
    """(properties, polygons) of every geometry of the single object of a TopoJSON file."""
    topology = json.loads(Path(path).read_text(encoding="utf-8"))
    arcs = decode_arcs(topology)
    shared = Topology(arcs)
    (collection,) = topology["objects"].values()
    return [(g.get("properties") or {}, polygons_of(g, arcs, shared)) for g in collection["geometries"]]


def _centre(polygon):
    ring = polygon[0]
    lons = [p[0] for p in ring]
    lats = [p[1] for p in ring]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def _bounds(polygons):
    lons = [p[0] for polygon in polygons for p in polygon[0]]
    lats = [p[1] for polygon in polygons for p in polygon[0]]
    return min(lons), min(lats), max(lons), max(lats)


# --- projection and frames --------------------------------------------------------------------------


class Frame:
    """An equirectangular projection of some polygons into viewBox units, then moved by (dx, dy)."""

    def __init__(self, polygons, *, size=None, scale=None, k=None, tolerance=0.0):
        self.tolerance = tolerance
        self.west, self.south, self.east, self.north = _bounds(polygons)
        self.k = k if k is not None else math.cos(math.radians((self.south + self.north) / 2))
        width_deg = (self.east - self.west) * self.k
        height_deg = self.north - self.south
        self.scale = scale if scale is not None else size / max(width_deg, height_deg)
        self.dx = self.dy = 0.0

    @property
    def width(self):
        return (self.east - self.west) * self.k * self.scale

    @property
    def height(self):
        return (self.north - self.south) * self.scale

    def project(self, lon, lat):
        return (
            round((lon - self.west) * self.k * self.scale + self.dx),
            round((self.north - lat) * self.scale + self.dy),
        )

    def box(self):
        return [round(self.dx) - 4, round(self.dy) - 4, round(self.width) + 8, round(self.height) + 8]


def _clean(points):
    """Drop repeated points, the closing point and points on a straight line between their neighbours."""
    out = []
    for p in points:
        if not out or p != out[-1]:
            out.append(p)
    if len(out) > 1 and out[0] == out[-1]:
        out.pop()
    changed = True
    while changed and len(out) >= 3:
        changed = False
        kept = []
        n = len(out)
        for i, (x, y) in enumerate(out):
            ax, ay = kept[-1] if kept else out[i - 1]
            bx, by = out[(i + 1) % n]
            if (x - ax) * (by - ay) - (y - ay) * (bx - ax) == 0:
                changed = True
                continue
            kept.append((x, y))
        out = kept
    return out if len(out) >= 3 else []


def _numbers(values):
    text = ""
    for value in values:
        if text and value >= 0:
            text += " "
        text += str(value)
    return text


def encode_path(rings):
    """Rings of integer points as relative SVG path data (m, l, z); "" when every ring collapsed."""
    parts = []
    cx = cy = 0
    for ring in rings:
        points = _clean(ring)
        if not points:
            continue
        x0, y0 = points[0]
        deltas = []
        px, py = x0, y0
        for x, y in points[1:]:
            deltas.extend((x - px, y - py))
            px, py = x, y
        parts.append(f"m{_numbers((x0 - cx, y0 - cy))}l{_numbers(deltas)}z")
        cx, cy = x0, y0  # after z the current point is the start of the closed ring
    return "".join(parts)


def _area_centroid(points):
    area = cx = cy = 0.0
    n = len(points)
    for i in range(n):
        x0, y0 = points[i]
        x1, y1 = points[(i + 1) % n]
        cross = x0 * y1 - x1 * y0
        area += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    if area == 0:
        xs = [p[0] for p in points]
        ys = [p[1] for p in points]
        return 0.0, ((min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2)
    return abs(area / 2), (cx / (3 * area), cy / (3 * area))


def shape_entry(name, projected_polygons):
    """{"name", "d", "label"} for one code: all its polygons in one path; a speck when all collapsed."""
    rings = [ring for polygon in projected_polygons for ring in polygon]
    d = encode_path(rings)
    outers = [polygon[0] for polygon in projected_polygons if polygon and polygon[0]]
    best = max((_area_centroid(ring) for ring in outers), key=lambda ac: ac[0], default=(0, (0, 0)))
    lx, ly = round(best[1][0]), round(best[1][1])
    if not d:
        # An island smaller than one unit: still drawn, as a 2×2 square where it lies.
        d = f"m{_numbers((lx - 1, ly - 1))}l2 0 0 2-2 0z"
    return {"name": name, "d": d, "label": [lx, ly]}


def _project_polygons(frame, polygons):
    return [[polygon.topology.ring(frame, ring) for ring in polygon.arc_rings] for polygon in polygons]


# --- the maps ------------------------------------------------------------------------------------------


def _prefecture_codes():
    rows = PREFECTURES_CSV.read_text(encoding="utf-8").splitlines()[1:]
    return {name: code for code, name, *_ in (row.split(",") for row in rows if row)}


def _japan_layout(groups):
    """Frames for the all-Japan maps from {key: (prefecture_code, municipality_code, polygons)}.

    Returns (place, viewbox, insets) where place(prefecture, municipality, polygon) gives the frame a
    polygon is drawn in, or None when it is left out.
    """
    mainland = [
        p
        for pref, muni, polys in groups.values()
        for p in polys
        if pref != OKINAWA and not (pref == TOKYO and _centre(p)[1] < 30)
    ]
    okinawa = [p for pref, _, polys in groups.values() if pref == OKINAWA for p in polys]
    ogasawara = [
        p
        for pref, _, polys in groups.values()
        if pref == TOKYO
        for p in polys
        if _centre(p)[1] < 30 and _ogasawara_kept(p)
    ]
    main = Frame(mainland, size=JAPAN_SIZE, tolerance=JAPAN_TOLERANCE)
    main.dx = main.dy = MARGIN
    inset_okinawa = Frame(okinawa, scale=main.scale, k=main.k, tolerance=JAPAN_TOLERANCE)
    inset_okinawa.dx, inset_okinawa.dy = MARGIN + 4, MARGIN + 4  # top left: the Sea of Japan is empty there
    inset_ogasawara = Frame(ogasawara, scale=main.scale, k=main.k, tolerance=JAPAN_TOLERANCE)
    # In the Pacific south-east of Honshu, below the latitude of the Boso peninsula's tip.
    bx, by = main.project(146.0, 33.0)
    inset_ogasawara.dx, inset_ogasawara.dy = bx, by

    def place(pref, muni, polygon):
        if pref == OKINAWA:
            return inset_okinawa
        if pref == TOKYO and _centre(polygon)[1] < 30:
            return inset_ogasawara if _ogasawara_kept(polygon) else None
        return main

    width = round(main.width) + 2 * MARGIN
    height = round(main.height) + 2 * MARGIN
    insets = [
        {"name": "沖縄県", "box": inset_okinawa.box()},
        {"name": "小笠原村（父島・母島）", "box": inset_ogasawara.box()},
    ]
    return place, f"0 0 {width} {height}", insets


def _grouped(feats, key):
    groups = {}
    for props, polys in feats:
        code = key(props)
        if code and polys:
            groups.setdefault(code, (props, []))[1].extend(polys)
    return groups


def build_japan(source):
    """The two all-Japan maps: (prefectures, municipalities) as dicts ready to be written."""
    pref_codes = _prefecture_codes()
    prefs = _grouped(features(source / "prefectures.topojson.json"), lambda p: pref_codes.get(p.get("N03_001")))
    national = features(source / "japan-municipalities-designated-city.s0001.topojson.json")
    munis = _grouped(national, lambda p: p.get("N03_007"))
    # A few small islands (利島村, 青ヶ島村, 上島町, 姫島村, 座間味村, 粟国村, 渡名喜村) have no geometry left in
    # the national file after its simplification: take theirs from the prefecture's file (simplified less).
    for props, _ in national:
        code = props.get("N03_007")
        if code and code not in munis:
            pref_file = source / "municipalities" / f"N03-21_{code[:2]}_210101.json"
            own = [p for pr, ps in features(pref_file) if pr.get("N03_007") == code for p in ps]
            if own:
                munis[code] = (props, own)
    place, viewbox, insets = _japan_layout({code: (code, "", polys) for code, (_, polys) in prefs.items()})
    out = {}
    for name, groups, pref_of, name_of in (
        ("prefectures", prefs, lambda code: code, lambda props: props["N03_001"]),
        ("municipalities", munis, lambda code: code[:2], _municipality_name),
    ):
        shapes = {}
        for code, (props, polys) in sorted(groups.items()):
            projected = []
            for polygon in polys:
                frame = place(pref_of(code), code, polygon)
                if frame is not None:
                    projected.extend(_project_polygons(frame, [polygon]))
            if projected:
                shapes[code] = shape_entry(name_of(props), projected)
        out[name] = {"viewBox": viewbox, "insets": insets, "shapes": shapes}
    return out["prefectures"], out["municipalities"]


def _municipality_name(props):
    # 「横浜市」「札幌市中央区」「千代田区」: a ward is named with its city, as in the registry.
    city, name = props.get("N03_003") or "", props.get("N03_004") or ""
    if city.endswith("市") and name:
        return city + name
    return name or city


def build_prefecture(path, city_codes):
    """One prefecture's map: every municipality and ward; Tokyo's islands in two insets."""
    feats = features(path)
    groups = _grouped(feats, lambda p: p.get("N03_007"))
    if not groups:
        raise CommandError(f"{path}: no shapes with a code")
    pref = next(iter(groups))[:2]
    insets = []
    if pref == TOKYO:
        main_polys = [p for code, (_, polys) in groups.items() if code not in IZU and code != OGASAWARA for p in polys]
        izu_polys = [p for code, (_, polys) in groups.items() if code in IZU for p in polys]
        oga_polys = [p for p in groups.get(OGASAWARA, ({}, []))[1] if _ogasawara_kept(p)]
        main = Frame(main_polys, size=PREFECTURE_SIZE, tolerance=PREFECTURE_TOLERANCE)
        main.dx = main.dy = MARGIN
        izu = Frame(izu_polys, scale=main.scale * 0.22, k=main.k, tolerance=PREFECTURE_TOLERANCE)
        izu.dx, izu.dy = MARGIN + 4, round(main.height) + MARGIN + 24
        oga = Frame(oga_polys, scale=main.scale * 0.22, k=main.k, tolerance=PREFECTURE_TOLERANCE)
        oga.dx, oga.dy = round(izu.dx + izu.width) + 40, izu.dy

        def place(code, polygon):
            if code in IZU:
                return izu
            if code == OGASAWARA:
                return oga if _ogasawara_kept(polygon) else None
            return main

        insets = [{"name": "伊豆諸島", "box": izu.box()}, {"name": "小笠原諸島（父島・母島）", "box": oga.box()}]
        width = round(max(main.width, oga.dx + oga.width)) + 2 * MARGIN
        height = round(max(main.height, izu.dy + izu.height, oga.dy + oga.height)) + 2 * MARGIN
    else:
        main = Frame(
            [p for _, polys in groups.values() for p in polys], size=PREFECTURE_SIZE, tolerance=PREFECTURE_TOLERANCE
        )
        main.dx = main.dy = MARGIN

        def place(code, polygon):
            return main

        width = round(main.width) + 2 * MARGIN
        height = round(main.height) + 2 * MARGIN
    shapes = {}
    for code, (props, polys) in sorted(groups.items()):
        projected = []
        for polygon in polys:
            frame = place(code, polygon)
            if frame is not None:
                projected.extend(_project_polygons(frame, [polygon]))
        if not projected:
            continue
        entry = shape_entry(_municipality_name(props), projected)
        city = city_codes.get((pref, props.get("N03_003")))
        if city and props.get("N03_004"):
            entry["city"] = city
        shapes[code] = entry
    return {"viewBox": f"0 0 {width} {height}", "insets": insets, "shapes": shapes}


def dump(data):
    return (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


SOURCES_MD = """\
# Map shapes: sources, processing, credit

Generated by `python manage.py build_map_shapes` (municipalities/management/commands/build_map_shapes.py)
from `../shared/geo/`; re-run it when the boundaries change. Read by `municipalities.registry.maps`.

- `japan_prefectures.json`: the 47 prefectures of all Japan; 沖縄県 in an inset box at the top left,
  小笠原村's 父島・母島・聟島 groups in a second inset box in the Pacific.
- `japan_municipalities.json`: every municipality of Japan on the same projection and insets,
  designated cities as one shape each.
- `prefecture_01.json` … `prefecture_47.json`: one prefecture, every municipality and every ward of a
  designated city (a ward carries its city's code as `city`); Tokyo's 伊豆諸島 and 小笠原 in two insets
  below the mainland at 0.22 of its scale.

Each file: `{"viewBox", "insets": [{"name", "box": [x, y, w, h]}], "shapes": {code: {"name", "d", "label": [x, y]}}}`,
the code being the 5-digit 全国地方公共団体コード without its check digit (`N03_007`).

## Source and credit

- Original data: 国土交通省 国土数値情報（行政区域データ）, boundaries as of **2021-01-01**,
  retrieved by the processor on 2021-09-28. MLIT's terms require the credit, printed under every map
  (`municipalities.registry.maps.CREDIT`):
  「出典：国土交通省国土数値情報（行政区域データ）を加工して作成」
- Processed (simplified, converted to TopoJSON) by SmartNews Media Research Institute,
  `smartnews-smri/japan-topography` (data/municipality/topojson/), fetched 2026-12-01 into
  `../shared/geo/` (see its SOURCES.md). Free for commercial and non-commercial use.
- Converted here on {date}.

## What was changed here

The shapes were edited further; they are **not** the government's data as published:

- projected (equirectangular, x scaled by the cosine of the map's central latitude), quantised to
  integer coordinates in each file's viewBox (the all-Japan maps {japan_size} units on the longer
  side, a prefecture {prefecture_size}), repeated and collinear points dropped, and simplified
  further (Douglas–Peucker, {japan_tolerance} unit on the all-Japan maps, {prefecture_tolerance} on a
  prefecture's; each shared border once, so neighbours keep the same line); an island smaller than one
  unit is drawn as a 2×2 square;
- islands and exclaves of one code merged into one path; 所属未定地 (no code) left out;
- on the all-Japan maps, 沖縄県 and 小笠原村 (父島・母島・聟島 groups) moved into inset boxes,
  and 硫黄島 group, 沖ノ鳥島 and 南鳥島 left out; on Tokyo's map, 伊豆諸島 and 小笠原村 drawn in insets
  at a smaller scale (硫黄島 group, 沖ノ鳥島 and 南鳥島 left out).

Boundaries later than 2021-01-01 (for example Hamamatsu's wards of 2024-01-01) are not in the shapes;
the maps join on the code and list registry entries without a shape, and shapes without an entry.
"""


class Command(BaseCommand):
    help = "国土数値情報（行政区域）のTopoJSONから、地図用のSVGパスデータ（JSON）を作ります（再実行しても同じ結果）。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", default=None, help="TopoJSONのフォルダ（既定: プロジェクトの隣の ../shared/geo）"
        )
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="書き出すフォルダ")
        parser.add_argument("--date", default="2026-12-06", help="SOURCES.md に書く変換日")

    def handle(self, *args, source=None, output, date, verbosity=1, **options):
        source = Path(source) if source else Path(settings.BASE_DIR).parent / "shared" / "geo"
        if not (source / "prefectures.topojson.json").exists():
            raise CommandError(f"{source}: prefectures.topojson.json がありません。--source で指定してください。")
        output = Path(output)
        output.mkdir(parents=True, exist_ok=True)
        written = []
        prefectures, municipalities = build_japan(source)
        if len(prefectures["shapes"]) != 47:
            raise CommandError(f"prefectures: {len(prefectures['shapes'])} shapes, not 47")
        written.append(("japan_prefectures.json", dump(prefectures), len(prefectures["shapes"])))
        written.append(("japan_municipalities.json", dump(municipalities), len(municipalities["shapes"])))
        city_codes = {
            (code[:2], props.get("N03_003")): code
            for code, (props, _) in _grouped(
                features(source / "japan-municipalities-designated-city.s0001.topojson.json"),
                lambda p: p.get("N03_007"),
            ).items()
            if not props.get("N03_004")
        }
        for number in range(1, 48):
            pref = f"{number:02d}"
            path = source / "municipalities" / f"N03-21_{pref}_210101.json"
            data = build_prefecture(path, city_codes)
            written.append((f"prefecture_{pref}.json", dump(data), len(data["shapes"])))
        sources = (
            SOURCES_MD.replace("{date}", date)
            .replace("{japan_size}", str(JAPAN_SIZE))
            .replace("{prefecture_size}", str(PREFECTURE_SIZE))
            .replace("{japan_tolerance}", str(JAPAN_TOLERANCE))
            .replace("{prefecture_tolerance}", str(PREFECTURE_TOLERANCE))
        )
        written.append(("SOURCES.md", sources.encode("utf-8"), 0))
        for name, content, _ in written:
            (output / name).write_bytes(content)
        if verbosity:
            for name, content, count in written:
                shapes = f"{count:>5,} shapes" if count else ""
                self.stdout.write(f"{name:<28} {len(content) / 1024:8.1f} KB {shapes}")
            total = sum(len(c) for _, c, _ in written)
            self.stdout.write(f"{'total':<28} {total / 1024:8.1f} KB")
