"""The caravan panels of the home page (issue 17): this fiscal year's caravans on the map, and what is due.

National staff: municipalities answered and visited per prefecture (the map of Japan, the tile map) and every
targeted municipality on the municipality map; prefectural staff: their prefecture's municipality map
(回答・懇談済 / 回答のみ / 懇談のみ / 未回答). Both: the questionnaires not answered yet, each caravan's bar
linking to its questionnaire page (the list of municipalities to chase, with their entry links).
Everything through the caravans' selectors with `user=ctx.user`: only the caravans the user may see.
Imported by MunicipalitiesConfig.ready().
"""

from django.urls import reverse

from municipalities.registry import maps
from municipalities.registry.models import Municipality
from municipalities.registry.selectors import registry_for_page
from shaho.core import charts
from shaho.core.dashboard import NATIONAL, PREFECTURE, draw, register
from shaho.core.japanese import fiscal_year, format_date
from shaho.core.pictures import LazyRows, Picture, Table

from . import selectors
from .selectors import CaravanStatus

# Light to dark: answered and visited is the darkest; a municipality no caravan targets is left white.
CLASSES = tuple(reversed(CaravanStatus.ORDER))
STATUS_LEGEND = maps.Legend(categories=[maps.Category(CaravanStatus.LABELS[s]) for s in CLASSES], none_label="対象外")
STATUS_INDEX = {status: i for i, status in enumerate(CLASSES)}
PERCENT_LEGEND = maps.Legend.percent(thresholds=(25, 50, 75))


# Each status's legend category and the end of its hover text (「川崎市：回答・懇談済」).
STATUS_CELLS = {s: (STATUS_INDEX[s], f"：{CaravanStatus.LABELS[s]}") for s in CaravanStatus.ORDER}


def municipality_cells(rows, *, wards=True):
    """Cells keyed by code; the map of all Japan draws a designated city as one shape (`wards=False`)."""
    ward = "" if wards else Municipality.Kind.WARD
    cells = {}
    for r in rows:  # 1,900 on a national page: no property or format call a row
        if r.kind != ward:
            category, label = STATUS_CELLS[r.status]
            cells[r.code] = maps.Cell(category, r.name + label)
    return cells


def municipality_table(rows):
    return Table(
        columns=["都道府県", "市区町村コード", "市区町村", "状況"],
        rows=LazyRows(len(rows), lambda: [[r.prefecture_name, r.code, r.name, r.status_label] for r in rows]),
    )


def prefecture_table(rows):
    return Table(
        columns=["都道府県", "対象の市区町村", "回答", "懇談", "回答・懇談済", "回答率（%）", "懇談率（%）"],
        rows=[[p.name, p.targets, p.answered, p.visited, p.both, p.answered_percent, p.visited_percent] for p in rows],
    )


def national_pictures(*, year, progress, municipalities, link="", registry=None, on=None):
    """The national caravan pictures; `registry` is the page's (read for `on`), for the municipality map."""
    cells = {
        p.code: maps.Cell(
            PERCENT_LEGEND.category_for(p.answered_percent),
            f"{p.name} 回答 {p.answered:,} / {p.targets:,}・懇談 {p.visited:,}",
            short=f"{p.answered_percent:.0f}%",
        )
        for p in progress
    }
    table = prefecture_table(progress)
    geographic = maps.japan_map(cells, legend=PERCENT_LEGEND, title=f"{year}年度 アンケートの回答率")
    tiles = maps.tile_map(cells, legend=PERCENT_LEGEND, title=f"{year}年度 アンケートの回答率（タイル）")
    drawing = maps.japan_municipality_map(
        municipality_cells(municipalities, wards=False),
        legend=STATUS_LEGEND,
        title=f"{year}年度 自治体キャラバン",
        on=on,
        registry=registry,
    )
    targets = sum(p.targets for p in progress)
    answered = sum(p.answered for p in progress)
    visited = sum(p.visited for p in progress)
    headline = f"{year}年度 自治体キャラバン 対象 {targets:,}市区町村・回答 {answered:,}・懇談 {visited:,}"
    return [
        geographic.picture(
            key="caravans.prefectures",
            title=headline,
            table=table,
            link=link,
        ),
        tiles.picture(
            key="caravans.tiles",
            title=f"{year}年度 都道府県別の回答率（タイル地図）",
            table=table,
            link=link,
        ),
        drawing.picture(
            key="caravans.municipalities",
            title=f"{year}年度 市区町村別 回答・懇談",
            table=municipality_table(municipalities),
            link=link,
        ),
    ]


def prefecture_pictures(*, year, prefecture, progress, municipalities, link=""):
    drawing = maps.prefecture_map(
        prefecture.code,
        municipality_cells(municipalities),
        legend=STATUS_LEGEND,
        title=f"{prefecture.name} {year}年度 自治体キャラバン",
    )
    p = progress[0] if progress else None
    title = f"{prefecture.name} {year}年度 自治体キャラバン" + (
        f" 対象 {p.targets:,}市区町村・回答 {p.answered:,}・懇談 {p.visited:,}" if p else ""
    )
    return drawing.picture(
        key="caravans.prefecture",
        title=title,
        table=municipality_table(municipalities),
        link=link,
    )


def _prefecture(ctx):
    return getattr(ctx.council, "prefecture", None) if ctx.audience == PREFECTURE else None


@register("caravans.progress", title="自治体キャラバン", audiences={NATIONAL, PREFECTURE}, order=40)
def progress(ctx):
    year = fiscal_year(ctx.date)
    link = reverse("caravans:list")
    if ctx.audience == NATIONAL:
        # The per-prefecture figures counted from the map's rows (the same rule): one pass in the database.
        # The registry is the page's, read once for this panel, the coverage and the maps.
        registry = registry_for_page(ctx)
        municipalities = selectors.caravan_map(user=ctx.user, fiscal_year=year, registry=registry)
        rows = selectors.progress_by_prefecture(municipalities)
        if not rows:
            return None
        return national_pictures(
            year=year, progress=rows, municipalities=municipalities, link=link, registry=registry, on=ctx.date
        )
    prefecture = _prefecture(ctx)
    if prefecture is None:
        return None
    rows = selectors.caravan_progress(user=ctx.user, fiscal_year=year, prefecture=prefecture)
    if not rows:
        return None
    municipalities = selectors.caravan_map(user=ctx.user, fiscal_year=year, prefecture=prefecture)
    return prefecture_pictures(
        year=year, prefecture=prefecture, progress=rows, municipalities=municipalities, link=link
    )


@register("caravans.unanswered", title="回答を待っているアンケート", audiences={NATIONAL, PREFECTURE}, order=41)
def unanswered(ctx):
    """Each caravan of the year with a questionnaire: answered / targets, its bar linking to the questionnaire page."""
    year = fiscal_year(ctx.date)
    prefecture = _prefecture(ctx)
    if ctx.audience == PREFECTURE and prefecture is None:
        return None
    # Only what the bars print: a caravan's, its council's and its questionnaire's other fields are many.
    caravans = (
        selectors.caravan_list(user=ctx.user, year=year)
        .filter(questionnaire__isnull=False)
        .only(
            "prefecture__name",
            "council__name",
            "council__short_name",
            "questionnaire__fiscal_year",
            "questionnaire__title",
        )
    )
    if prefecture is not None:
        caravans = caravans.filter(prefecture=prefecture)
    caravans = list(caravans)
    if not caravans:
        return None
    targets = list(selectors.unanswered_targets(user=ctx.user, fiscal_year=year, prefecture=prefecture))
    several = {c.prefecture_id for c in caravans if sum(1 for d in caravans if d.prefecture_id == c.prefecture_id) > 1}

    def label(c):
        # A prefecture with several caravans (its council's and a local council's) names each council.
        if ctx.audience != NATIONAL:
            return str(c.questionnaire)
        return (
            f"{c.prefecture.name}（{c.council.short_name or c.council.name}）"
            if c.prefecture_id in several
            else c.prefecture.name
        )

    bars = [
        charts.Bar(
            label(c),
            round(100 * c.n_answered / c.n_targets, 1) if c.n_targets else 0.0,
            f"回答 {c.n_answered:,} / {c.n_targets:,}",
            reverse("caravans:questionnaire", args=[c.questionnaire_id]),
        )
        for c in caravans
    ]
    waiting = len(targets)
    return Picture(
        key="caravans.unanswered",
        title=f"{year}年度 アンケートの回答を待っている市区町村 {waiting:,}",
        svg=draw("bar_chart", bars, maximum=100, title="回答率（%）"),
        table=Table(
            columns=["都道府県", "市区町村", "アンケート", "送付日"],
            rows=[
                [
                    t.caravan.prefecture.name,
                    t.name,
                    str(t.caravan.questionnaire),
                    format_date(t.questionnaire_sent_on) if t.questionnaire_sent_on else "",
                ]
                for t in targets
            ],
        ),
        link=reverse("caravans:list"),
    )
