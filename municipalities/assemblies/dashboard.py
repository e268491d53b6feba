"""The assembly panel of the home page (issue 17): the current campaign's adoptions and 意見書, per municipality.

National staff: the municipality map of Japan; prefectural staff: their prefecture's municipality map.
Classes 採択 / 趣旨採択 / 継続・審議中 / 不採択など / 未提出 (`selectors.AdoptionStatus`); the table lists the
municipalities with a petition or an 意見書. Only what the user may see (`user=ctx.user`).
Imported by MunicipalitiesConfig.ready().
"""

from django.urls import reverse
from django.utils.http import urlencode

from municipalities.registry import maps
from shaho.core.dashboard import NATIONAL, PREFECTURE, register
from shaho.core.pictures import Table

from .selectors import AdoptionStatus, adoption_map, current_campaign

# Light to dark: adopted is the darkest; a municipality without a petition (未提出) is left white.
CLASSES = (AdoptionStatus.REJECTED, AdoptionStatus.OPEN, AdoptionStatus.SPIRIT, AdoptionStatus.ADOPTED)
STATUS_LEGEND = maps.Legend(
    categories=[maps.Category(AdoptionStatus.LABELS[s]) for s in CLASSES],
    none_label=AdoptionStatus.LABELS[AdoptionStatus.NONE],
)
STATUS_INDEX = {status: i for i, status in enumerate(CLASSES)}


def cells(rows, *, wards=True):
    """Cells keyed by code; the map of all Japan draws a designated city as one shape (`wards=False`)."""
    out = {}
    for r in rows:
        if r.is_ward and not wards:
            continue
        text = f"{r.name}：{r.status_label}" + (f"・意見書 {r.statements}" if r.statements else "")
        out[r.code] = maps.Cell(STATUS_INDEX.get(r.status), text)
    return out


def table(rows):
    """The municipalities with a petition or an 意見書 (a ward's row is its city's: not repeated)."""
    return Table(
        columns=["都道府県", "市区町村コード", "市区町村", "結果", "陳情・請願", "採択", "意見書"],
        rows=[
            [r.prefecture_name, r.code, r.name, r.status_label, r.petitions, r.adopted, r.statements]
            for r in rows
            if not r.is_ward and (r.petitions or r.statements)
        ],
    )


def summary(rows, *, prefectures=True):
    """「採択 112市区町村（18都道府県）・意見書 111本」 from the rows of a map (wards not counted)."""
    plain = [r for r in rows if not r.is_ward]
    adopted = [r for r in plain if r.status == AdoptionStatus.ADOPTED]
    statements = sum(r.statements for r in plain)
    where = f"（{len({r.prefecture_code for r in adopted})}都道府県）" if prefectures else ""
    return f"採択 {len(adopted):,}市区町村{where}・意見書 {statements:,}本"


def adoption_picture(*, campaign, rows, prefecture=None, link="", key="assemblies.adoptions", download=""):
    """The adoption map of `campaign` (all Japan, or `prefecture`'s) with its table: for pages and documents."""
    if prefecture is None:
        drawing = maps.japan_municipality_map(
            cells(rows, wards=False), legend=STATUS_LEGEND, title=f"{campaign} 議会での採択"
        )
        title = f"{campaign} {summary(rows)}"
    else:
        drawing = maps.prefecture_map(
            prefecture.code, cells(rows), legend=STATUS_LEGEND, title=f"{prefecture.name} {campaign} 議会での採択"
        )
        title = f"{prefecture.name} {campaign} {summary(rows, prefectures=False)}"
    return drawing.picture(
        key=key,
        title=title,
        table=table(rows),
        link=link,
        download=download,
    )


@register("assemblies.adoptions", title="議会での採択と意見書", audiences={NATIONAL, PREFECTURE}, order=50)
def adoptions(ctx):
    prefecture = None
    if ctx.audience == PREFECTURE:
        prefecture = getattr(ctx.council, "prefecture", None)
        if prefecture is None:
            return None
    campaign = current_campaign(user=ctx.user, date=ctx.date)
    if campaign is None:
        return None
    rows = adoption_map(campaign=campaign, date=ctx.date, user=ctx.user, prefecture=prefecture)
    link = f"{reverse('admin:municipalities_assemblypetition_count')}?{urlencode({'campaign': campaign.slug})}"
    return adoption_picture(campaign=campaign, rows=rows, prefecture=prefecture, link=link)
