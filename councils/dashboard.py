"""The coverage panels of the home page (issue 17): the movement's headline goal 「地域社保協を全市区町村の過半数に」.

National staff: the national %, the prefecture map and the tile map (binned %), the prefectures above and
below half, and every municipality on the map of Japan. Prefectural staff: their prefecture's municipality
map and its local councils. Coverage and council names are federation-public (shaho.core.public), but a
prefecture's dashboard names only its own councils. Imported by CouncilsConfig.ready().

Queries: the national panel three (coverage per municipality with the council names, the registry for the map;
the per-prefecture figures are counted from the same rows), the
prefectural one four, whatever the number of councils and municipalities.
"""

from django.urls import reverse
from django.utils.safestring import mark_safe

from municipalities.registry import maps
from municipalities.registry.models import Municipality
from municipalities.registry.selectors import registry_for_page
from shaho.core import charts
from shaho.core.dashboard import NATIONAL, PREFECTURE, draw, register
from shaho.core.pictures import LazyRows, Picture, Table

from .models import CouncilKind
from .selectors import (
    CoverageStatus,
    coverage_by_prefecture,
    local_council_list,
    municipality_coverage_map,
)

GOAL = 50  # 過半数: the share of municipalities the movement wants a local council in

# Light to dark: a local council is the darkest; a municipality without one is left white (the legend's "none").
CLASSES = (CoverageStatus.PREPARATORY, CoverageStatus.LOCAL)
STATUS_LEGEND = maps.Legend(
    categories=[maps.Category(CoverageStatus.LABELS[s]) for s in CLASSES],
    none_label=CoverageStatus.LABELS[CoverageStatus.NONE],
)
STATUS_INDEX = {status: i for i, status in enumerate(CLASSES)}
PERCENT_LEGEND = maps.Legend.percent(thresholds=(25, 50, 75))


def jdate(day):
    return f"{day.year}年{day.month}月{day.day}日"


def _link():
    return reverse("admin:councils_council_changelist")


def prefecture_table(rows):
    return Table(
        columns=["都道府県", "地域社保協のある市区町村", "市区町村数", "割合（%）", "過半数"],
        rows=[[r.prefecture_name, r.covered, r.total, r.percent, "達成" if r.percent > GOAL else ""] for r in rows],
    )


def municipality_table(rows):
    return Table(
        columns=["都道府県", "市区町村コード", "市区町村", "状況", "地域社保協・準備会"],
        rows=LazyRows(
            len(rows),
            lambda: [[r.prefecture_name, r.code, r.name, r.status_label, "、".join(r.councils)] for r in rows],
        ),
    )


# Each status's legend category and the end of its hover text (「川崎市：地域社保協あり」).
STATUS_CELLS = {s: (STATUS_INDEX.get(s), f"：{CoverageStatus.LABELS[s]}") for s in CoverageStatus.ORDER}


def municipality_cells(rows, *, wards=True):
    """Cells keyed by code; the map of all Japan draws a designated city as one shape (`wards=False`)."""
    ward = "" if wards else Municipality.Kind.WARD
    cells = {}
    for r in rows:  # 1,900 on a national page: no property or format call a row
        if r.kind != ward:
            category, label = STATUS_CELLS[r.status]
            cells[r.code] = maps.Cell(category, r.name + label)
    return cells


def prefecture_cells(rows):
    return {
        r.prefecture_code: maps.Cell(
            PERCENT_LEGEND.category_for(r.percent),
            f"{r.prefecture_name} {r.percent}%（{r.covered:,} / {r.total:,}）",
            short=f"{r.percent:.0f}%",
        )
        for r in rows
    }


def national_pictures(*, date, rows, national, municipalities, link="", registry=None):
    """The national coverage pictures (for the dashboard and the documents): headline, maps, ranking.
    `registry`: the page's `municipalities.registry.selectors.Registry` (read for `date`), for the map."""
    day = jdate(date)
    headline = Picture(
        key="coverage.national",
        title=f"地域社保協のある市区町村 全国 {national.percent}%"
        f"（{national.covered:,} / {national.total:,}、{day}現在）",
        svg=mark_safe(
            charts.stacked_bar(
                [
                    charts.Segment("地域社保協あり", national.covered),
                    charts.Segment("なし・準備会のみ", national.total - national.covered),
                ]
            )
        ),
        table=Table(
            columns=["区分", "市区町村数", "割合（%）"],
            rows=[
                ["地域社保協あり", national.covered, national.percent],
                ["なし・準備会のみ", national.total - national.covered, round(100 - national.percent, 1)],
                ["計", national.total, 100.0],
            ],
        ),
        link=link,
    )
    cells = prefecture_cells(rows)
    table = prefecture_table(rows)
    geographic = maps.japan_map(cells, legend=PERCENT_LEGEND, title="都道府県別 地域社保協のある市区町村の割合")
    tiles = maps.tile_map(cells, legend=PERCENT_LEGEND, title="都道府県別（タイル）")
    above = sum(1 for r in rows if r.percent > GOAL)
    order = sorted(range(len(rows)), key=lambda i: (-rows[i].percent, rows[i].prefecture_code))
    ranked = [rows[i] for i in order]
    ranking = draw(
        "bar_chart",
        [charts.Bar(r.prefecture_name, r.percent, f"{r.percent}%（{r.covered:,} / {r.total:,}）") for r in ranked],
        maximum=100,
        target=GOAL,
        title="過半数（50%）を超えた都道府県",
    )
    drawing = maps.japan_municipality_map(
        municipality_cells(municipalities, wards=False),
        legend=STATUS_LEGEND,
        title="市区町村別 地域社保協の有無",
        on=date,
        registry=registry,
    )
    return [
        headline,
        geographic.picture(
            key="coverage.prefectures",
            title=f"都道府県別の割合（{day}現在）",
            table=table,
            link=link,
        ),
        tiles.picture(
            key="coverage.tiles",
            title=f"都道府県別の割合・タイル地図（{day}現在）",
            table=table,
            link=link,
        ),
        Picture(
            key="coverage.ranking",
            title=f"過半数を超えた都道府県 {above}、超えていない都道府県 {len(rows) - above}",
            svg=mark_safe(ranking),
            table=Table(columns=table.columns, rows=[table.rows[i] for i in order]),
            link=link,
        ),
        drawing.picture(
            key="coverage.municipalities",
            title=f"市区町村別 地域社保協の有無（{day}現在）",
            table=municipality_table(municipalities),
            link=link,
        ),
    ]


def coverage_picture(*, rows, national, date):
    """All Japan's coverage map (地域社保協のある市区町村の割合, binned per prefecture) with its 47-row table.

    The policy draft's activity report and the `overview.coverage_map` block print it; `rows` and
    `national` are `selectors.municipality_coverage(date=date)`.
    """
    drawing = maps.japan_map(
        prefecture_cells(rows), legend=PERCENT_LEGEND, title="都道府県別 地域社保協のある市区町村の割合"
    )
    above = sum(1 for r in rows if r.percent > GOAL)
    return drawing.picture(
        key="coverage.prefectures",
        title=f"地域社保協のある市区町村 全国{national.percent}%（{national.covered:,}／{national.total:,}、"
        f"{jdate(date)}現在）・過半数を超えた都道府県 {above}",
        table=prefecture_table(rows),
    )


def prefecture_pictures(*, date, prefecture, municipalities, groups, link=""):
    """One prefecture's coverage pictures: its municipality map and its local councils."""
    day = jdate(date)
    plain = [m for m in municipalities if not m.is_ward]
    covered = sum(1 for m in plain if m.status == CoverageStatus.LOCAL)
    preparatory = sum(1 for m in plain if m.status == CoverageStatus.PREPARATORY)
    percent = round(100 * covered / len(plain), 1) if plain else 0.0
    drawing = maps.prefecture_map(
        prefecture.code, municipality_cells(municipalities), legend=STATUS_LEGEND, title=f"{prefecture.name}の市区町村"
    )
    councils = [c for group in groups for c in group.councils]
    return [
        drawing.picture(
            key="coverage.prefecture",
            title=f"{prefecture.name} 地域社保協のある市区町村 {percent}%（{covered:,} / {len(plain):,}、{day}現在）",
            table=municipality_table(municipalities),
            link=link,
        ),
        Picture(
            key="coverage.councils",
            title=f"{prefecture.name}の地域社保協 {sum(1 for c in councils if not c.is_preparatory)}・準備会 "
            f"{sum(1 for c in councils if c.is_preparatory)}",
            svg=mark_safe(
                charts.stacked_bar(
                    [
                        charts.Segment("地域社保協あり", covered),
                        charts.Segment("準備会あり", preparatory),
                        charts.Segment("なし", len(plain) - covered - preparatory),
                    ]
                )
            ),
            table=Table(
                columns=["地域社保協・準備会", "種別", "対象の市区町村"],
                rows=[
                    [
                        c.name,
                        CouncilKind(c.kind_on).label,
                        "、".join(m.name for m in c.municipalities.all()),
                    ]
                    for c in councils
                ],
            ),
            link=link,
        ),
    ]


@register("councils.coverage", title="地域社保協を全市区町村の過半数に", audiences={NATIONAL, PREFECTURE}, order=30)
def coverage(ctx):
    if ctx.audience == NATIONAL:
        # The per-prefecture figures counted from the map's rows (the same rule): no second pass in the database.
        # The registry is the page's, read once for this panel, the caravans' and the maps.
        registry = registry_for_page(ctx)
        municipalities = municipality_coverage_map(date=ctx.date, registry=registry)
        rows, national = coverage_by_prefecture(municipalities)
        return national_pictures(
            date=ctx.date,
            rows=rows,
            national=national,
            municipalities=municipalities,
            link=_link(),
            registry=registry,
        )
    prefecture = getattr(ctx.council, "prefecture", None)
    if prefecture is None:
        return None
    return prefecture_pictures(
        date=ctx.date,
        prefecture=prefecture,
        municipalities=municipality_coverage_map(date=ctx.date, prefecture=prefecture),
        groups=local_council_list(date=ctx.date, prefecture=prefecture),
        link=_link(),
    )
