"""Blocks of campaigns for documents: a prefecture's actions of a period, by theme (the 都道府県報告's sections).

Imported by CampaignsConfig.ready(): the blocks go into the registry in shaho.core.blocks. Every row
comes from campaigns.selectors, only what the document's requester may see.
"""

from shaho.core.blocks import Block, register

from . import selectors

PERIOD = {"prefecture": "prefecture", "start": "date", "end": "date"}


def _period(start, end, date):
    start, end = start or date, end or date
    if end < start:
        raise ValueError("end= は start= より後の日付にしてください。")
    return start, end


@register(
    "actions.report",
    label="都道府県の期間中の行動（テーマ別: 宣伝・学習会・要請と懇談・その他）",
    params=PERIOD,
    example="{{ actions.report prefecture=14 start=2023-11-01 end=2023-12-31 }}",
)
def actions_report(ctx, *, prefecture=None, start=None, end=None):
    if prefecture is None:
        raise ValueError("prefecture= に都道府県を指定してください。")
    start, end = _period(start, end, ctx.date)
    sections = selectors.prefecture_report(prefecture=prefecture, start=start, end=end, user=ctx.user)
    study = selectors.study_session_count(start=start, end=end, prefecture=prefecture) if sections else None
    return Block(
        template="campaigns/blocks/actions_report.html",
        context={"sections": sections, "study": study},
        empty=not sections,
    )
