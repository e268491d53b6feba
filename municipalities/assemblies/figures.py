"""Figures of the local assemblies for documents: a campaign's adoptions and 意見書, per sitting and in all.

Every figure comes from `selectors.assembly_count`, the same count as the admin's 全国集計 and the
`assembly_summary` PDF. Arguments: `campaign` (the campaign's 識別名), and optionally `sitting`
(2019-12 for 2019年12月議会), `prefecture` (code or name), `start`; the period ends at the document's
figures date (or `date=`). Imported by MunicipalitiesConfig.ready().

    12月議会で {{ assembly.assemblies campaign=424-byoin sitting=2019-12 }}自治体
    {{ assembly.prefectures campaign=kokuho-ikensho }}都道府県の
    {{ assembly.municipalities campaign=kokuho-ikensho }}市区町村
"""

import re

from django.core.exceptions import ValidationError

from shaho.core.figures import number, register, register_argument_type

from .selectors import assembly_count, campaign_choices, visible_campaign

SITTING_RE = re.compile(r"^(?P<year>\d{4})-(?P<season>03|06|09|12|xx)$")


def _campaign(value, ctx):
    try:
        return visible_campaign(value, user=ctx.user)
    except ValidationError as exc:
        known = "、".join(slug for slug, _name in campaign_choices(ctx.user)[:30])
        raise ValueError(f"{' '.join(exc.messages)} 指定できる運動: {known or 'なし'}") from None


def _sitting(value, ctx):
    match = SITTING_RE.match(str(value).strip())
    if not match:
        raise ValueError(f"会期「{value}」は 2019-12 のように 年-月（03・06・09・12）で指定してください。")
    return f"{match['year']}-{match['season']}"


register_argument_type("assembly_campaign", _campaign)
register_argument_type("assembly_sitting", _sitting)

PARAMS = {
    "campaign": "assembly_campaign",
    "sitting": "assembly_sitting",
    "prefecture": "prefecture",
    "start": "date",
    "date": "date",
}


def _count(ctx, campaign, start, date):
    if campaign is None:
        raise ValueError("campaign=識別名 で運動を指定してください（例: campaign=kokuho-ikensho）。")
    key = ("assembly_count", campaign.pk, start, date)
    return ctx.cached(key, lambda: assembly_count(campaign=campaign, start=start, end=date, user=ctx.user))


def _figure(count, *, sitting, prefecture, field):
    if sitting and prefecture:
        raise ValueError("sitting と prefecture は同時には指定できません。")
    if sitting:
        return getattr(count.sitting(sitting), field)
    if prefecture:
        row = count.prefecture(prefecture.code)
        if row is None:
            return 0
        return row.municipalities + row.prefectural if field == "assemblies" else getattr(row, field)
    if field == "assemblies":
        return count.municipalities + count.prefectural_assemblies
    return getattr(count, field)


@register(
    "assembly.municipalities",
    label="採択した市区町村の数（議会への陳情・請願・議員発議）",
    params=PARAMS,
    example="{{ assembly.municipalities campaign=kokuho-ikensho }}",
)
def municipalities(ctx, *, date, campaign=None, sitting=None, prefecture=None, start=None):
    count = _count(ctx, campaign, start, date)
    return number(_figure(count, sitting=sitting, prefecture=prefecture, field="municipalities"))


@register(
    "assembly.assemblies",
    label="採択した自治体（議会）の数（都道府県議会を含む）",
    params=PARAMS,
    example="{{ assembly.assemblies campaign=424-byoin sitting=2019-12 }}",
)
def assemblies(ctx, *, date, campaign=None, sitting=None, prefecture=None, start=None):
    count = _count(ctx, campaign, start, date)
    return number(_figure(count, sitting=sitting, prefecture=prefecture, field="assemblies"))


@register("assembly.prefectures", label="採択のあった都道府県の数", params=PARAMS)
def prefectures(ctx, *, date, campaign=None, sitting=None, prefecture=None, start=None):
    if sitting or prefecture:
        raise ValueError("assembly.prefectures には sitting・prefecture は指定できません。")
    return number(_count(ctx, campaign, start, date).prefecture_count)


@register("assembly.statements", label="可決・送付された意見書の数", params=PARAMS)
def statements(ctx, *, date, campaign=None, sitting=None, prefecture=None, start=None):
    if sitting and prefecture:
        raise ValueError("sitting と prefecture は同時には指定できません。")
    count = _count(ctx, campaign, start, date)
    if sitting:
        return number(count.sitting(sitting).statements)
    if prefecture:
        row = count.prefecture(prefecture.code)
        return number(row.statements if row else 0)
    return number(count.statements)


@register("assembly.line", label="「18都道府県の112市区町村で採択、意見書111本」の一文", params=PARAMS)
def line(ctx, *, date, campaign=None, sitting=None, prefecture=None, start=None):
    if sitting or prefecture:
        raise ValueError("assembly.line には sitting・prefecture は指定できません。")
    return _count(ctx, campaign, start, date).sentence()
