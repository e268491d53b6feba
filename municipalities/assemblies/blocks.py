"""Blocks of the local assemblies for chapters: one prefecture's petitions with each party group's vote,
a campaign's outcomes per prefecture, and its adoption map.

    {{ assembly.petitions prefecture=14 start=2023-11-01 end=2023-12-31 }}
    {{ assembly.outcomes campaign=kokuho-ikensho }}
    {{ assembly.adoption_map campaign=kokuho-ikensho }}

Rows come from `selectors` within `ctx.user`'s scope (None: a system run, everything). Imported by
MunicipalitiesConfig.ready() into shaho.core.blocks.
"""

from shaho.core.blocks import Block, register, table
from shaho.core.japanese import format_date
from shaho.core.scoping import system_user

from . import dashboard
from .models import AssemblyVote, Outcome, Stage
from .selectors import adoption_map, outcomes_by_prefecture, prefecture_petitions

POSITION_ORDER = [value for value, _label in AssemblyVote.Position.choices]
POSITION_LABELS = dict(AssemblyVote.Position.choices)
STAGE_LABELS = dict(Stage.choices)


def period(start, end, *, example):
    """Check a block's period: both ends given, in order. Raises ValueError in Japanese (the block names itself)."""
    if start is None or end is None:
        raise ValueError(f"start=開始日 と end=終了日 を指定してください（例: {example}）。")
    if end < start:
        raise ValueError(f"end（{format_date(end)}）が start（{format_date(start)}）より前です。")
    return start, end


def _assembly_name(assembly):
    # A municipality's assembly by the municipality's name (the table says 議会); a prefecture's in full.
    return assembly.municipality.name if assembly.municipality_id else f"{assembly.prefecture.name}議会"


def _submitters(petition):
    names = []
    if petition.submitted_by_id:
        names.append(petition.submitted_by.short_name or petition.submitted_by.name)
    names += [o.short_name or o.name for o in petition.organisations.all()]
    members = petition.introducing_members
    if members:
        label = "提出議員" if petition.kind == petition.Kind.MEMBERS else "紹介議員"
        names.append(members if members.startswith(label) else f"{label}：{members}")
    text = "、".join(names)
    if petition.submitted_on:
        text = f"{text}（{format_date(petition.submitted_on)}）" if text else format_date(petition.submitted_on)
    return text


def _tally(ayes, noes, chair_decided, chair):
    parts = []
    if ayes is not None and noes is not None:
        parts.append(f"賛成{ayes}・反対{noes}")
    if chair_decided:
        parts.append(f"{chair}決裁")
    return f"（{'、'.join(parts)}）" if parts else ""


def _stages(petition):
    """「委員会（健康福祉委員会、2023年12月8日）：不採択」 and the plenary's line, for the stages that met."""
    lines = []
    if petition.committee or petition.committee_on or petition.committee_outcome != Outcome.PENDING:
        where = "、".join(x for x in (petition.committee, format_date(petition.committee_on)) if x)
        tally = _tally(
            petition.committee_for, petition.committee_against, petition.committee_chair_decided, chair="委員長"
        )
        lines.append(f"委員会{f'（{where}）' if where else ''}：{petition.get_committee_outcome_display()}{tally}")
    if petition.plenary_on or petition.plenary_outcome != Outcome.PENDING:
        when = f"（{format_date(petition.plenary_on)}）" if petition.plenary_on else ""
        tally = _tally(petition.plenary_for, petition.plenary_against, petition.plenary_chair_decided, chair="議長")
        lines.append(f"本会議{when}：{petition.get_plenary_outcome_display()}{tally}")
    return lines


def _votes(petition):
    """Per stage: 「委員会　賛成：みらい・共産、反対：自民・公明・維新」 from the recorded party-group votes."""
    by_stage = {}
    for vote in petition.votes.all():  # prefetched, ordered by stage and group name
        name = vote.group.name
        if vote.position == AssemblyVote.Position.SPLIT and (vote.members_for or vote.members_against):
            name += f"（賛成{vote.members_for or 0}・反対{vote.members_against or 0}）"
        by_stage.setdefault(vote.stage, {}).setdefault(vote.position, []).append(name)
    several = len(by_stage) > 1
    lines = []
    for stage, positions in by_stage.items():
        text = "、".join(f"{POSITION_LABELS[p]}：{'・'.join(positions[p])}" for p in POSITION_ORDER if p in positions)
        lines.append(f"{STAGE_LABELS[stage]}　{text}" if several or stage == Stage.PLENARY else text)
    return lines


def petition_rows(petitions):
    """Each petition as the block prints it: plain strings (the template only lays them out)."""
    rows = []
    for p in petitions:
        rows.append(
            {
                "assembly": _assembly_name(p.assembly),
                "title": f"{p.get_kind_display()}「{p.title}」",
                "submitters": _submitters(p),
                "outcome": p.get_outcome_display(),
                "stages": _stages(p),
                "votes": _votes(p),
            }
        )
    return rows


@register(
    "assembly.petitions",
    label="都道府県の議会への陳情・請願（期間・結果・会派の態度）",
    params={"prefecture": "prefecture", "start": "date", "end": "date", "campaign": "assembly_campaign"},
    example="{{ assembly.petitions prefecture=14 start=2023-11-01 end=2023-12-31 }}",
)
def petitions(ctx, *, prefecture=None, start=None, end=None, campaign=None):
    example = "prefecture=14 start=2023-11-01 end=2023-12-31"
    if prefecture is None:
        raise ValueError(f"prefecture=都道府県 を指定してください（例: {example}）。")
    start, end = period(start, end, example=example)
    rows = petition_rows(
        prefecture_petitions(prefecture=prefecture, start=start, end=end, campaign=campaign, user=ctx.user)
    )
    return Block(
        template="municipalities/blocks/assembly_petitions.html",
        context={
            "rows": rows,
            "prefecture": prefecture,
            "campaign": campaign,
            "period": f"{format_date(start)}〜{format_date(end)}",
        },
        empty=not rows,
    )


def _campaign_required(campaign):
    if campaign is None:
        raise ValueError("campaign=識別名 で運動を指定してください（例: campaign=kokuho-ikensho）。")


@register(
    "assembly.outcomes",
    label="運動の議会での結果（都道府県ごと：採択・継続・不採択など・意見書）",
    params={"campaign": "assembly_campaign"},
    example="{{ assembly.outcomes campaign=kokuho-ikensho }}",
)
def outcomes(ctx, *, campaign=None):
    _campaign_required(campaign)
    rows = outcomes_by_prefecture(campaign=campaign, user=ctx.user)
    total = None
    if len(rows) > 1:
        total = (
            f"計（{len(rows)}都道府県）",
            sum(r.assemblies for r in rows),
            sum(r.adopted for r in rows),
            sum(r.open for r in rows),
            sum(r.rejected for r in rows),
            sum(r.statements for r in rows),
        )
    return table(
        columns=["都道府県", "陳情・請願を受けた議会", "採択", "継続・審査中", "不採択など", "意見書"],
        rows=[(r.name, r.assemblies, r.adopted, r.open, r.rejected, r.statements) for r in rows],
        caption=f"{campaign} 議会での結果（都道府県ごと、議会の数。意見書は可決・送付の本数）",
        total=total,
        empty_text=f"{campaign}の議会への陳情・請願の記録はありません。",
    )


@register(
    "assembly.adoption_map",
    label="運動の議会での採択の地図（採択・趣旨採択・継続・不採択など・未提出）",
    params={"campaign": "assembly_campaign", "prefecture": "prefecture", "date": "date"},
    example="{{ assembly.adoption_map campaign=kokuho-ikensho }}",
)
def adoption_map_block(ctx, *, date, campaign=None, prefecture=None):
    """The assembly summary's and the home page's map: all Japan for a system run, else the reader's prefecture
    (or `prefecture=`); municipalities as they exist on the document's date."""
    _campaign_required(campaign)
    if prefecture is None and not system_user(ctx.user):
        prefecture = getattr(getattr(ctx.user, "council", None), "prefecture", None)
    rows = adoption_map(campaign=campaign, date=date, user=ctx.user, prefecture=prefecture)
    picture = dashboard.adoption_picture(campaign=campaign, rows=rows, prefecture=prefecture)
    return Block(
        template="_picture.html",
        context={"picture": picture},
        empty=not any(r.petitions or r.statements for r in rows),
    )
