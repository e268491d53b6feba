"""Blocks of campaigns for chapters: the 当面の日程 of a period, the study sessions per prefecture, and a
prefecture's actions of a period by theme (the 都道府県報告's sections).

Imported by CampaignsConfig.ready(): the blocks go into the registry in shaho.core.blocks. Every row
comes from campaigns.selectors, the same functions as the calendar kind, its page and the figures, so
a chapter's table and the document printed beside it agree.
"""

import datetime

from councils.selectors import council_of_prefecture, national_council
from shaho.core.blocks import Block, register, table
from shaho.core.japanese import format_date
from shaho.core.scoping import system_user

from . import selectors
from .report_kinds import MAX_DAYS

PERIOD_NEEDED = "start=開始日 と end=終了日 で期間を指定してください（例: start=2020-09-01 end=2020-11-30）。"


def _period(ctx, start, end, *, default_days=None):
    """(start, end) of a block's period; `end` defaults to the document's date, `start` to a year before it."""
    if end is None:
        end = ctx.date
    if start is None:
        if default_days is None:
            raise ValueError(PERIOD_NEEDED)
        start = end - datetime.timedelta(days=default_days)
    if end < start:
        raise ValueError(f"終了日 {format_date(end)} は開始日 {format_date(start)} より前です。")
    if (end - start).days > MAX_DAYS:
        raise ValueError(f"期間は{MAX_DAYS}日までにしてください。")
    return start, end


@register(
    "calendar.period",
    label="当面の日程（start=開始日 end=終了日、prefecture=都道府県。省略すると全国）",
    params={"start": "date", "end": "date", "prefecture": "prefecture"},
    example="{{ calendar.period start=2020-09-01 end=2020-11-30 }}",
)
def calendar_period(ctx, *, start=None, end=None, prefecture=None):
    """The actions of the period, month and day in the left column, as the calendar kind prints them."""
    if start is None or end is None:
        raise ValueError(PERIOD_NEEDED)
    start, end = _period(ctx, start, end)
    if prefecture is None:
        # The national calendar holds every council's actions: the national office's, as the kind's is.
        if not system_user(ctx.user):
            raise ValueError("全国の当面の日程は中央事務局だけが差し込めます。prefecture=都道府県 を指定してください。")
        council = national_council()
    else:
        council = council_of_prefecture(prefecture)
    actions = list(selectors.calendar_actions(council=council, start=start, end=end))
    return Block(
        template="campaigns/blocks/calendar.html",
        context={"months": selectors.calendar_months(actions)},
        empty=not actions,
    )


@register(
    "campaigns.study_by_prefecture",
    label="学習会の都道府県別一覧（start=開始日 end=終了日。省略すると基準日までの1年）",
    params={"start": "date", "end": "date"},
    example="{{ campaigns.study_by_prefecture start=2019-09-01 end=2020-08-31 }}",
)
def study_by_prefecture(ctx, *, start=None, end=None):
    """Study sessions held, their attendance and the 年度's goal per prefecture; the national total at the end."""
    start, end = _period(ctx, start, end, default_days=364)
    rows = selectors.study_sessions_by_prefecture(start=start, end=end)
    total = selectors.study_session_count(start=start, end=end)
    return table(
        columns=["都道府県", "学習会（か所）", "参加者（人）", "目標（か所）", "達成率（%）"],
        rows=[[r.label, r.sessions, r.attendance, r.goal, r.percent] for r in rows],
        total=["全国", total.sessions, total.attendance, total.goal, total.percent],
        caption=f"学習会一覧表（{format_date(start)}〜{format_date(end)}）",
        empty_text="この期間の学習会の記録はありません。",
    )


@register(
    "actions.report",
    label="都道府県の期間中の行動（テーマ別: 宣伝・学習会・要請と懇談・その他。prefecture=都道府県 start= end=）",
    params={"prefecture": "prefecture", "start": "date", "end": "date"},
    example="{{ actions.report prefecture=14 start=2023-11-01 end=2023-12-31 }}",
)
def actions_report(ctx, *, prefecture=None, start=None, end=None):
    """A prefecture's actions of the period, one section per theme (the 都道府県報告's), as ctx.user may see."""
    if prefecture is None:
        raise ValueError("prefecture= に都道府県を指定してください。")
    if start is None or end is None:
        raise ValueError(PERIOD_NEEDED)
    start, end = _period(ctx, start, end)
    sections = selectors.prefecture_report(prefecture=prefecture, start=start, end=end, user=ctx.user)
    study = selectors.study_session_count(start=start, end=end, prefecture=prefecture) if sections else None
    return Block(
        template="campaigns/blocks/actions_report.html",
        context={"sections": sections, "study": study},
        empty=not sections,
    )
