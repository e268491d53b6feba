"""The local assemblies' report kind, `assembly_summary`: a campaign's adoptions per prefecture and per sitting.

Registered by MunicipalitiesConfig.ready() into shaho.core.report_kinds. The figures come from
`selectors.assembly_count` (the same count as the admin and the policy draft's figures); the lists
from `selectors.adoption_list`, with each municipality named and the party groups' positions where
recorded. A system user (national staff) gets the national summary; other staff that of their scope.
"""

from itertools import groupby

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.selectors import national_council
from shaho.core.japanese import format_date, parse_date
from shaho.core.report_kinds import (
    Built,
    Param,
    ParamType,
    ReportKind,
    Request,
    check_param_names,
    clean_date,
    register_kind,
)
from shaho.core.scoping import system_user

from . import dashboard
from .selectors import (
    adoption_list,
    adoption_map,
    assembly_count,
    campaign_choices,
    campaign_model,
    visible_campaign,
)


def _clean(*, params, user):
    check_param_names(ASSEMBLY_SUMMARY, params)
    campaign = visible_campaign(params["campaign"], user=user)
    cleaned = {"campaign": campaign.slug}
    start = end = None
    if str(params.get("start") or "").strip():
        start = clean_date(params["start"], label="開始日")
        cleaned["start"] = start.isoformat()
    if str(params.get("end") or "").strip():
        end = clean_date(params["end"], label="終了日")
        cleaned["end"] = end.isoformat()
    if start and end and end < start:
        raise ValidationError(f"終了日 {format_date(end)} が開始日 {format_date(start)} より前です。")
    if system_user(user):
        council = national_council()
    elif getattr(user, "council_id", None):
        council = user.council
    else:
        raise ValidationError("この報告書を作成する権限がありません。")
    period = _period_text(start, end)
    return Request(params=cleaned, council=council, title=f"{campaign} 議会採択の状況{period}")


def _period_text(start, end):
    if start and end:
        return f"（{format_date(start)}〜{format_date(end)}）"
    if start:
        return f"（{format_date(start)}から）"
    if end:
        return f"（{format_date(end)}まで）"
    return ""


def summary_context(*, campaign, start, end, user):
    """The figures and lists of the summary: count (one selector), adoptions by prefecture and by sitting."""
    count = assembly_count(campaign=campaign, start=start, end=end, user=user)
    petitions = list(adoption_list(campaign=campaign, start=start, end=end, user=user))
    by_prefecture = []
    for code, rows in groupby(petitions, key=lambda p: p.assembly.prefecture.code):
        rows = list(rows)
        by_prefecture.append({"row": count.prefecture(code), "petitions": rows})
    by_sitting = []
    for sitting in count.sittings:
        names = [
            str(p.assembly).removesuffix("議会")
            for p in petitions
            if p.sitting.year == sitting.year and p.sitting.season == sitting.season
        ]
        by_sitting.append({"sitting": sitting, "names": names})
    return {"count": count, "by_prefecture": by_prefecture, "by_sitting": by_sitting, "national": system_user(user)}


def summary_picture(*, campaign, start, end, user):
    """The summary's adoption map, the home page's (municipalities.assemblies.dashboard.adoption_picture).

    National staff (a system user): every municipality of Japan. Anyone else: their prefecture's
    municipality map, or the map of Japan with only what they may see when their council has no
    prefecture; the rows come from `adoption_map` with `user`, so nothing out of scope is drawn or listed.
    The period is the summary's; municipalities as they exist on its end (today without one).
    """
    prefecture = None if system_user(user) else getattr(getattr(user, "council", None), "prefecture", None)
    on = end or timezone.localdate()
    rows = adoption_map(campaign=campaign, date=on, user=user, prefecture=prefecture, start=start, end=end)
    return dashboard.adoption_picture(campaign=campaign, rows=rows, prefecture=prefecture)


def _build(*, params, user, progress):
    campaign = campaign_model().objects.get(slug=params["campaign"])
    start = parse_date(params["start"]) if params.get("start") else None
    end = parse_date(params["end"]) if params.get("end") else None
    progress(30, "議会の採択を集計中")
    context = summary_context(campaign=campaign, start=start, end=end, user=user)
    progress(60, "地図を作成中")
    context["picture"] = summary_picture(campaign=campaign, start=start, end=end, user=user)
    council = national_council() if context["national"] else user.council
    return Built(
        template="municipalities/assembly_summary.html",
        context={
            "document_title": f"{campaign} 議会採択の状況{_period_text(start, end)}",
            "council": council,
            "campaign": campaign,
            "s": context,
        },
    )


ASSEMBLY_SUMMARY = register_kind(
    ReportKind(
        name="assembly_summary",
        label=_("議会採択の状況"),
        params=(
            Param("campaign", "運動", ParamType.CHOICE, required=True, choices=campaign_choices),
            Param("start", "開始日", ParamType.DATE, help="この日以後の議決を数える（省略可）"),
            Param("end", "終了日", ParamType.DATE, help="この日までの議決を数える（省略可）"),
        ),
        clean=_clean,
        build=_build,
        summary=_("運動ごとの地方議会の陳情・請願と意見書の採択の数（都道府県別・議会の会期別）と、その一覧"),
        archival=True,  # kept for decades: PDF/A
    )
)
