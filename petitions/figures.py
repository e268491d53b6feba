"""Figures of petitions for documents: signatures to date, in a round, submitted, the goal and % of goal.

Every figure comes from the same selector as the 集約一覧表 (`tally_table`), so the text of a
policy draft and the table printed beside it always agree. Imported by PetitionsConfig.ready():
the figures go into the registry in shaho.core.figures.
"""

from django.core.exceptions import ValidationError

from shaho.core.figures import number, percent, register, register_argument_type

from .models import CollectionRound
from .selectors import petition_choices, round_totals, signatures_of_period, tally_table, visible_petition


def _petition(value, ctx):
    # Among the drives the requester may see: "there is none" and "not yours" read the same, and the
    # identifiers offered instead are the requester's own.
    try:
        return visible_petition(value, user=ctx.user)
    except ValidationError as exc:
        known = "、".join(slug for slug, _title in petition_choices(ctx.user)[:30])
        raise ValueError(f"{' '.join(exc.messages)} 指定できる署名: {known or 'なし'}") from None


register_argument_type("petition", _petition)

PARAMS = {"petition": "petition", "date": "date"}


def _table(ctx, petition, date):
    if petition is None:
        raise ValueError("petition=識別名 で署名を指定してください（例: petition=25jo）。")
    return ctx.cached(("tally_table", petition.pk, date), lambda: tally_table(petition=petition, as_of=date))


@register(
    "petition.to_date", label="署名の累計（筆・団体）", params=PARAMS, example="{{ petition.to_date petition=25jo }}"
)
def to_date(ctx, *, date, petition=None):
    return number(_table(ctx, petition, date).total.to_date)


@register(
    "petition.round",
    label="集約回の署名数（round=回次、省略すると基準日の集約回）",
    params={**PARAMS, "round": "int"},
)
def in_round(ctx, *, date, petition=None, round=None):
    if round is None:
        return number(_table(ctx, petition, date).total.this_round)
    if petition is None:
        raise ValueError("petition=識別名 で署名を指定してください。")
    if not CollectionRound.objects.filter(petition=petition, number=round).exists():
        raise ValueError(f"{petition}に第{round}回の集約回はありません。")
    totals = ctx.cached(("round_totals", petition.pk), lambda: round_totals(petition=petition))
    return number(next(total for r, total in totals if r is not None and r.number == round))


@register("petition.submitted", label="提出済みの署名数", params=PARAMS)
def submitted(ctx, *, date, petition=None):
    return number(_table(ctx, petition, date).total.submitted)


@register("petition.goal", label="署名の目標（全国）", params=PARAMS)
def goal(ctx, *, date, petition=None):
    value = _table(ctx, petition, date).total.goal
    if value is None:
        raise ValueError(f"{petition}には目標が登録されていません。")
    return number(value)


@register("petition.percent", label="目標に対する達成率（%）", params=PARAMS)
def goal_percent(ctx, *, date, petition=None):
    value = _table(ctx, petition, date).total.percent
    if value is None:
        raise ValueError(f"{petition}には目標が登録されていません。")
    return percent(value)


@register("petition.other", label="もう一方の単位の数（個人署名なら団体署名の数）", params=PARAMS)
def other(ctx, *, date, petition=None):
    return number(_table(ctx, petition, date).total.other)


def all_drives_total(ctx, start, end):
    """Signatures (筆) of every drive of the period the requester may see: shared with the petition.drives block."""
    end = end or ctx.date
    if start is None:
        raise ValueError("start=開始日 で期間を指定してください（end= を省略すると基準日まで）。")
    if end < start:
        raise ValueError("end= は start= より後の日付にしてください。")
    return ctx.cached(("all_drives", start, end), lambda: signatures_of_period(start=start, end=end, user=ctx.user))


@register(
    "petition.all_drives",
    label="期間中のすべての署名の集約数の合計（筆、団体署名を除く。start=開始日 end=終了日）",
    params={"start": "date", "end": "date"},
    example="{{ petition.all_drives start=2019-09-01 end=2020-08-31 }}",
)
def all_drives(ctx, *, start=None, end=None):
    return number(all_drives_total(ctx, start, end))
