"""Blocks of materials for chapters and the 都道府県報告: a material's totals (「1,000冊注文、700冊を超えて普及」 and
what each organisation ordered) and a prefecture's materials of a period (the seed's 「新国保パンフの普及」).

Imported by CampaignsConfig.ready(). Every figure comes from campaigns.materials.selectors, over what the
document's user may see (None: a system run, which sees everything), up to the document's date.
"""

from dataclasses import dataclass

from shaho.core.blocks import Block, register, table
from shaho.core.figures import register_argument_type
from shaho.core.japanese import format_date
from shaho.core.scoping import system_user

from . import selectors
from .models import Material

MAX_DAYS = 800


def _material(value, ctx):
    """A material named by its 番号 or 識別名, among those ctx.user may see."""
    queryset = Material.objects.all() if system_user(ctx.user) else selectors.visible_materials(user=ctx.user)
    text = str(value).strip()
    found = queryset.filter(pk=int(text)).first() if text.isdigit() else queryset.filter(slug=text).first()
    if found is None:
        known = "、".join(queryset.order_by("slug").values_list("slug", flat=True)[:30])
        raise ValueError(f"資料「{text}」はありません（または見る権限がありません）。指定できる資料: {known or 'なし'}")
    return found


register_argument_type("material", _material)


def distributed_phrase(quantity, unit):
    """「700冊を超えて普及」 for 720, 「700冊普及」 for 700: as a report rounds what is still being counted."""
    if quantity >= 100 and quantity % 100:
        return f"{quantity // 100 * 100:,}{unit}を超えて普及"
    return f"{quantity:,}{unit}普及"


def headline(totals, unit):
    """「1,000冊注文、700冊を超えて普及」."""
    parts = []
    if totals.ordered:
        parts.append(f"{totals.ordered:,}{unit}注文")
    if totals.distributed:
        parts.append(distributed_phrase(totals.distributed, unit))
    return "、".join(parts)


@dataclass
class MaterialReport:
    material: Material
    heading: str  # 中央社保協「新国保パンフ」の普及
    headline: str  # 1,000冊注文、700冊を超えて普及
    lines: list  # [(label, quantity)] of the organisations and councils it was ordered for (not the orderer itself)
    totals: object


def _publisher_name(material):
    return material.publisher.short_name or material.publisher.name


def material_reports(*, materials, user, prefecture, as_of):
    """One MaterialReport per material, over `prefecture`'s councils: three queries for all of them."""
    totals = dict(selectors.material_totals(user=user, materials=materials, prefecture=prefecture, as_of=as_of))
    lines = selectors.recipient_lines(user=user, materials=materials, prefecture=prefecture, as_of=as_of)
    out = []
    for m in materials:
        t = totals[m]
        out.append(
            MaterialReport(
                material=m,
                heading=f"{_publisher_name(m)}「{m.name}」の普及",
                headline=headline(t, m.unit),
                lines=[(x.label, f"{x.quantity:,}{m.unit}") for x in lines[m.pk] if not x.is_own],
                totals=t,
            )
        )
    return [r for r in out if r.totals.ordered or r.totals.distributed]


@register(
    "materials.totals",
    label="資料の注文と普及（material=資料の識別名か番号、prefecture=都道府県。省略すると都道府県別の表）",
    params={"material": "material", "prefecture": "prefecture", "date": "date"},
    example="{{ materials.totals material=kokuho-pamphlet prefecture=14 }}",
)
def materials_totals(ctx, *, material=None, prefecture=None, date=None):
    """A prefecture's figures of one material and what each organisation ordered; without a prefecture, the
    publisher's table of orders per prefecture and the national total."""
    if material is None:
        raise ValueError("material= に資料の識別名か番号を指定してください。")
    if prefecture is not None:
        reports = material_reports(materials=[material], user=ctx.user, prefecture=prefecture, as_of=date)
        return Block(
            template="campaigns/blocks/materials.html",
            context={
                "reports": reports,
                "empty_text": f"{prefecture.name}の{material}の注文・普及の記録はありません。",
            },
            empty=not reports,
        )
    by_prefecture = selectors.totals_by_prefecture(user=ctx.user, material=material)
    unit = material.unit
    t = by_prefecture.total
    return table(
        columns=["都道府県", f"注文（{unit}）", f"発送済（{unit}）", f"普及（{unit}）", "金額（円）", "未精算（円）"],
        rows=[[r.label, r.ordered, r.shipped, r.distributed, r.amount, r.due] for r in by_prefecture.rows],
        total=["計", t.ordered, t.shipped, t.distributed, t.amount, t.due],
        caption=f"{_publisher_name(material)}「{material.name}」（{material.price_label}）の注文と普及",
        empty_text=f"{material}の注文・普及の記録はありません。",
    )


@register(
    "materials.prefecture",
    label="都道府県の資料の注文と普及（期間中に注文・普及のあった資料。prefecture=都道府県 start= end=）",
    params={"prefecture": "prefecture", "start": "date", "end": "date"},
    example="{{ materials.prefecture prefecture=14 start=2023-11-01 end=2023-12-31 }}",
)
def materials_prefecture(ctx, *, prefecture=None, start=None, end=None):
    """The materials `prefecture`'s councils ordered or handed out in the period, each with its figures to `end`."""
    if prefecture is None:
        raise ValueError("prefecture= に都道府県を指定してください。")
    if start is None or end is None:
        raise ValueError("start=開始日 と end=終了日 で期間を指定してください（例: start=2023-11-01 end=2023-12-31）。")
    if end < start:
        raise ValueError(f"終了日 {format_date(end)} は開始日 {format_date(start)} より前です。")
    if (end - start).days > MAX_DAYS:
        raise ValueError(f"期間は{MAX_DAYS}日までにしてください。")
    materials = selectors.active_materials(user=ctx.user, prefecture=prefecture, start=start, end=end)
    reports = (
        material_reports(materials=materials, user=ctx.user, prefecture=prefecture, as_of=end) if materials else []
    )
    return Block(
        template="campaigns/blocks/materials.html",
        context={"reports": reports, "empty_text": "この期間の資料の注文・普及の記録はありません。"},
        empty=not reports,
    )
