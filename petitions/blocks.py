"""Blocks of petitions for chapters: a drive's items, every drive of a period, the 集約一覧表, the progress line.

Imported by PetitionsConfig.ready(): the blocks go into the registry in shaho.core.blocks. The figures
come from petitions.selectors, the same as the tally table page, its kind and the policy draft's
appendix; the 集約一覧表 and the progress line are drawn by petitions.report_kinds, not a second time.
A `petition=` argument looks only among the drives the author may see (petitions.figures).
"""

from shaho.core.blocks import Block, register, table
from shaho.core.japanese import format_date
from shaho.core.scoping import in_scope, system_user

from . import figures
from .report_kinds import progress_picture, tally_context
from .selectors import drives_of_period, prefecture_submissions, tally_table


def _required(petition):
    if petition is None:
        raise ValueError("petition=識別名 で署名を指定してください（例: petition=article25-2019）。")
    return petition


def _period(ctx, start, end):
    end = end or ctx.date
    if start is None:
        raise ValueError("start=開始日 で期間を指定してください（end= を省略すると基準日まで）。")
    if end < start:
        raise ValueError(f"終了日 {format_date(end)} は開始日 {format_date(start)} より前です。")
    return start, end


@register(
    "petition.items",
    label="署名の請願項目・宛先・連名（petition=識別名）",
    params={"petition": "petition"},
    example="{{ petition.items petition=article25-2019 }}",
)
def items(ctx, *, petition=None):
    """The drive's 請願項目 numbered 【1】【2】… as printed on its form, with its addressee and co-sponsors."""
    petition = _required(petition)
    rows = list(petition.items.order_by("number").values_list("number", "text"))
    cosponsors = petition.cosponsor_names or "・".join(
        petition.cosponsors.order_by("short_name").values_list("short_name", flat=True)
    )
    return Block(
        template="petitions/blocks/items.html",
        context={"petition": petition, "items": rows, "cosponsors": cosponsors},
        empty=not rows,
    )


@register(
    "petition.drives",
    label="期間中の署名ごとの集約数・提出数・目標（start=開始日 end=終了日）",
    params={"start": "date", "end": "date"},
    example="{{ petition.drives start=2019-09-01 end=2020-08-31 }}",
)
def drives(ctx, *, start=None, end=None):
    """Every drive running in the period: collected and submitted in it, goal and % of goal; 筆 added up at the end."""
    start, end = _period(ctx, start, end)
    rows = drives_of_period(start=start, end=end, user=ctx.user)
    total = figures.all_drives_total(ctx, start, end)  # the figure petition.all_drives: the same number
    return table(
        columns=["署名", "単位", "集約数", "提出数", "目標", "達成率（%）"],
        rows=[[r.petition.title, r.petition.unit, r.collected, r.submitted, r.goal, r.percent] for r in rows],
        total=["署名総数（団体署名を除く）", "筆", total, "", "", ""],
        caption=f"署名の集約（{format_date(start)}〜{format_date(end)}）",
        empty_text="この期間に取り組んだ署名はありません。",
    )


@register(
    "petition.tally",
    label="集約一覧表（petition=識別名、date=基準日、prefecture=都道府県）",
    params={"petition": "petition", "date": "date", "prefecture": "prefecture"},
    example="{{ petition.tally petition=article25-2019 }}",
)
def tally(ctx, *, date, petition=None, prefecture=None):
    """The drive's 集約一覧表 at `date`, as its report kind and the policy draft's appendix print it."""
    petition = _required(petition)
    if prefecture is None and not (system_user(ctx.user) or in_scope(ctx.user, petition.organiser)):
        raise ValueError(
            f"{petition}の全国の集約一覧表は中央事務局が差し込みます。prefecture=都道府県 を指定してください。"
        )
    key = ("tally_table", petition.pk, date, prefecture.pk if prefecture else None)
    t = ctx.cached(key, lambda: tally_table(petition=petition, as_of=date, prefecture=prefecture))
    context = tally_context(t)
    return Block(template="reports/_tally.html", context={"t": context}, empty=context["empty"])


@register(
    "petition.progress",
    label="署名の集約の推移のグラフ（petition=識別名、prefecture=都道府県、date=基準日）",
    params={"petition": "petition", "date": "date", "prefecture": "prefecture"},
    example="{{ petition.progress petition=article25-2019 }}",
)
def progress(ctx, *, date, petition=None, prefecture=None):
    """The drive's running total against its goal, all Japan or one prefecture, as the activity report draws it."""
    picture = progress_picture(petition=_required(petition), as_of=date, prefecture=prefecture)
    return Block(template="_picture.html", context={"picture": picture})


@register(
    "petition.submissions",
    label="都道府県の期間中の署名の提出（同じ日の全国の提出数と並べて。prefecture=都道府県 start= end=）",
    params={"prefecture": "prefecture", "start": "date", "end": "date"},
    example="{{ petition.submissions prefecture=14 start=2023-11-01 end=2023-12-31 }}",
)
def submissions(ctx, *, prefecture=None, start=None, end=None):
    """What the prefecture's councils handed in during the period, each beside the drive's national total that day."""
    if prefecture is None:
        raise ValueError("prefecture= に都道府県を指定してください。")
    start, end = _period(ctx, start, end)
    rows = prefecture_submissions(prefecture=prefecture, start=start, end=end, user=ctx.user)
    return Block(template="petitions/blocks/submissions.html", context={"rows": rows}, empty=not rows)
