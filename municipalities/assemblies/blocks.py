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
    """The council, the organisations and the introducing members who submitted it, each a name."""
    names = []
    if petition.submitted_by_id:
        names.append(petition.submitted_by.short_name or petition.submitted_by.name)
    names += [o.short_name or o.name for o in petition.organisations.all()]
    members = petition.introducing_members
    if members:
        label = "提出議員" if petition.kind == petition.Kind.MEMBERS else "紹介議員"
        names.append(members if members.startswith(label) else f"{label}：{members}")
    return names


def _tally(ayes, noes, chair_decided, chair):
    parts = []
    if ayes is not None and noes is not None:
        parts.append(f"賛成{ayes}・反対{noes}")
    if chair_decided:
        parts.append(f"{chair}決裁")
    return "、".join(parts)


def _stages(petition):
    """The stages that met: where (the committee's name, or 本会議), when, the outcome and the tally."""
    stages = []
    if petition.committee or petition.committee_on or petition.committee_outcome != Outcome.PENDING:
        stages.append(
            {
                "where": petition.committee or "委員会",
                "date": format_date(petition.committee_on),
                "outcome": petition.get_committee_outcome_display(),
                "tally": _tally(
                    petition.committee_for,
                    petition.committee_against,
                    petition.committee_chair_decided,
                    chair="委員長",
                ),
            }
        )
    if petition.plenary_on or petition.plenary_outcome != Outcome.PENDING:
        stages.append(
            {
                "where": "本会議",
                "date": format_date(petition.plenary_on),
                "outcome": petition.get_plenary_outcome_display(),
                "tally": _tally(
                    petition.plenary_for, petition.plenary_against, petition.plenary_chair_decided, chair="議長"
                ),
            }
        )
    return stages


def _votes(petition):
    """Per stage with votes: [(position label, [group names])] in the order 賛成, 反対, 棄権, 退席, 分かれた.

    The stage is named only when it is the plenary's or both stages have votes (a committee's vote is the usual
    one)."""
    by_stage = {}
    for vote in petition.votes.all():  # prefetched: committee first, in the order entered
        name = vote.group.name
        if vote.position == AssemblyVote.Position.SPLIT and (vote.members_for or vote.members_against):
            name += f"（賛成{vote.members_for or 0}・反対{vote.members_against or 0}）"
        by_stage.setdefault(vote.stage, {}).setdefault(vote.position, []).append(name)
    several = len(by_stage) > 1
    return [
        {
            "stage": STAGE_LABELS[stage] if several or stage == Stage.PLENARY else "",
            "positions": [(POSITION_LABELS[p], positions[p]) for p in POSITION_ORDER if p in positions],
        }
        for stage, positions in by_stage.items()
    ]


def petition_rows(petitions):
    """Each petition as the block prints it: plain strings (the template only lays them out)."""
    return [
        {
            "assembly": _assembly_name(p.assembly),
            "title": f"{p.get_kind_display()}「{p.title}」",
            "submitters": _submitters(p),
            "submitted_on": format_date(p.submitted_on),
            "outcome": p.get_outcome_display(),
            "stages": _stages(p),
            "votes": _votes(p),
        }
        for p in petitions
    ]


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
    # A key of its own: a document may hold the maps of two campaigns or prefectures (one anchor each).
    key = f"assemblies.adoptions.{campaign.slug}" + (f".{prefecture.code}" if prefecture else "")
    picture = dashboard.adoption_picture(campaign=campaign, rows=rows, prefecture=prefecture, key=key)
    return Block(
        template="_picture.html",
        context={"picture": picture},
        empty=not any(r.petitions or r.statements for r in rows),
    )
