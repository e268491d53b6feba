"""The 都道府県報告 (prefecture_report): a prefecture's period gathered from every app, as Kanagawa reports
to its block meeting (seeds 001 and 003).

The report is a list of blocks (shaho.core.blocks), each registered by the app that owns its rows, in
the order of the seed's report: the actions by theme, the consultation day, the local-assembly
petitions with each group's vote, the caravans and talks, the materials ordered and handed out (普及),
the signatures handed in beside the national total, the coming dates. A block with no rows is left
out; the prefecture's municipality map closes the report. This module names the blocks and imports
none of the apps' internals: a new section is one more line in SECTIONS.

Registered by ReportsConfig.ready() (the reports app reads every app).
"""

import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from councils import dashboard as coverage
from councils.selectors import (
    council_of_prefecture,
    municipality_coverage_map,
    prefecture_choices,
    visible_prefecture,
)
from municipalities.registry.models import Prefecture
from shaho.core import blocks, figures
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

MAX_DAYS = 800
COMING_MONTHS = 3  # the coming dates: from the day after the period to the end of the third month after it


@dataclass(frozen=True)
class Section:
    title: str  # "" for a block that prints its own headings (the actions, one heading per theme)
    block: str  # the block's name; it is written `{{ name prefecture=14 start=… end=… }}`
    coming: bool = False  # over the weeks after the period (当面の日程), not the period itself

    def source(self, *, prefecture, start, end):
        if self.coming:
            start, end = coming_period(end)
        return f"{{{{ {self.block} prefecture={prefecture.code} start={start} end={end} }}}}"


SECTIONS = (
    Section("", "actions.report"),
    Section("介護・認知症なんでも無料電話相談", "consultation.day"),
    Section("地方議会への請願・陳情", "assembly.petitions"),
    Section("自治体キャラバン・懇談", "caravan.talks"),
    # The seed's 「新国保パンフの普及」, under 国保 after the talks; each material under its own heading.
    Section("パンフ・資料の普及", "materials.prefecture"),
    Section("署名の提出", "petition.submissions"),
    Section("当面の日程", "calendar.period", coming=True),
)


def coming_period(end):
    """(the day after `end`, the last day of the COMING_MONTHS-th month after `end`'s): 12月31日 → 1月1日〜3月31日."""
    month = end.month + COMING_MONTHS
    year, month = end.year + (month - 1) // 12, (month - 1) % 12 + 1
    first_after = datetime.date(year + (month == 12), month % 12 + 1, 1)
    return end + datetime.timedelta(days=1), first_after - datetime.timedelta(days=1)


def _period(params):
    start = clean_date(params["start"], label="開始日")
    end = clean_date(params["end"], label="終了日")
    if end < start:
        raise ValidationError(f"終了日 {format_date(end)} は開始日 {format_date(start)} より前です。")
    if (end - start).days > MAX_DAYS:
        raise ValidationError(f"期間は{MAX_DAYS}日までにしてください。")
    return start, end


def _clean(*, params, user):
    check_param_names(PREFECTURE_REPORT, params)
    prefecture = visible_prefecture(params["prefecture"], user=user)
    start, end = _period(params)
    title = f"{prefecture.name}報告 {format_date(start)}〜{format_date(end)}"
    return Request(
        params={"prefecture": prefecture.code, "start": start.isoformat(), "end": end.isoformat()},
        council=council_of_prefecture(prefecture),
        title=title,
    )


def municipality_picture(*, prefecture, date):
    """The report's municipality map: which municipalities of `prefecture` have a local council on `date`.

    The home page's prefecture coverage map (councils.dashboard.prefecture_pictures): 地域社保協あり /
    準備会あり / なし per municipality and 行政区, the MLIT credit, the table of municipalities with the
    councils that cover them — only the prefecture's own (two queries).
    """
    rows = municipality_coverage_map(date=date, prefecture=prefecture)
    return coverage.prefecture_pictures(date=date, prefecture=prefecture, municipalities=rows, groups=[])[0]


def sections(*, prefecture, start, end, user):
    """[(title, Block)] of the sections that have rows, in SECTIONS' order, and warnings for blocks not registered.

    Each block sees what `user` may see (None: a system run); the document's date is the period's end.
    """
    ctx = figures.PlaceholderContext(date=end, user=user)
    out, warnings = [], []
    for section in SECTIONS:
        if not blocks.is_block(section.block):
            warnings.append(f"差し込み表「{section.block}」が登録されていないため、「{section.title}」を省きました。")
            continue
        block = blocks.resolve_one(section.source(prefecture=prefecture, start=start, end=end), ctx)
        if not block.empty:
            out.append((section.title, block))
    return out, warnings


def _build(*, params, user, progress):
    prefecture = Prefecture.objects.get(code=params["prefecture"])
    start, end = parse_date(params["start"]), parse_date(params["end"])
    found, warnings = sections(prefecture=prefecture, start=start, end=end, user=user)
    progress(60, "各分野の記録を集計中")
    return Built(
        template="reports/prefecture_report.html",
        context={
            "document_title": f"{prefecture.name}報告",
            "council": council_of_prefecture(prefecture),
            "prefecture": prefecture,
            "period": f"{format_date(start)}〜{format_date(end)}",
            "sections": [{"title": title, "html": block.render()} for title, block in found],
            "picture": municipality_picture(prefecture=prefecture, date=end),
        },
        warnings=warnings,
    )


PREFECTURE_REPORT = register_kind(
    ReportKind(
        name="prefecture_report",
        label=_("都道府県報告"),
        params=(
            Param("prefecture", "都道府県", ParamType.CHOICE, required=True, choices=prefecture_choices),
            Param("start", "開始日", ParamType.DATE, required=True),
            Param("end", "終了日", ParamType.DATE, required=True),
        ),
        clean=_clean,
        build=_build,
        summary=_(
            "一つの都道府県の期間中の報告: テーマ別の行動（宣伝・学習会・要請と懇談）、電話相談、"
            "議会への請願と各会派の態度、キャラバンと懇談、署名の提出（全国の提出数と並べて）、当面の日程"
        ),
    )
)
