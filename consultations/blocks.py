"""Blocks of the consultations for chapters: a consultation day's totals against the year before.

    {{ consultation.day prefecture=14 start=2023-11-01 end=2023-12-31 }}   a prefecture's days of a period
    {{ consultation.day date=2019-11-11 }}                                 the national day (latest on or before)

TOTALS ONLY: every figure is a count of statistical fields (consultations.privacy) computed by the
selectors; no call record, no free text ever reaches a block. Imported by ConsultationsConfig.ready().
"""

from shaho.core.blocks import Block, register
from shaho.core.japanese import format_date

from .selectors import day_totals, national_day_for, prefecture_days

TEMPLATE = "consultations/blocks/day.html"


def _count(value, unit):
    return f"{value:,}{unit}"


def _last_year(value):
    return "—" if value is None else f"{value:,}件"


@register(
    "consultation.day",
    label="電話相談日の件数（昨年比・回線・相談員）：都道府県の期間、または全国の日",
    params={"prefecture": "prefecture", "start": "date", "end": "date", "date": "date"},
    example="{{ consultation.day prefecture=14 start=2023-11-01 end=2023-12-31 }}",
)
def day(ctx, *, date, prefecture=None, start=None, end=None):
    if prefecture is None:
        if start or end:
            raise ValueError("start・end は prefecture と一緒に指定してください（全国の日は date=実施日）。")
        return _national(ctx, date)
    if start is None or end is None:
        raise ValueError(
            "start=開始日 と end=終了日 を指定してください（例: prefecture=14 start=2023-11-01 end=2023-12-31）。"
        )
    if end < start:
        raise ValueError(f"end（{format_date(end)}）が start（{format_date(start)}）より前です。")
    days = prefecture_days(prefecture=prefecture, start=start, end=end, user=ctx.user)
    rows = [
        {
            "date": format_date(d.date),
            "title": d.title,
            "lines": _count(d.lines, "回線"),
            "responders": _count(d.responders, "人"),
            "calls": _count(d.calls, "件"),
            "last_year": _last_year(d.last_year),
        }
        for d in days
    ]
    total = None
    if len(days) > 1:
        total = {"calls": _count(sum(d.calls for d in days), "件")}
    return Block(
        template=TEMPLATE,
        context={
            "rows": rows,
            "total": total,
            "caption": f"{prefecture.name}の電話相談（{format_date(start)}〜{format_date(end)}）",
            "empty_text": f"{prefecture.name}の電話相談日は、{format_date(start)}〜{format_date(end)}にはありません。",
        },
        empty=not rows,
    )


def _national(ctx, date):
    found = ctx.cached(("consultation_day_for", date), lambda: national_day_for(date=date, user=ctx.user))
    if found is None:
        return Block(
            template=TEMPLATE,
            context={"rows": [], "empty_text": f"{format_date(date)}までに全国の電話相談日はありません。"},
            empty=True,
        )
    national_day, stations = found
    totals = day_totals(day=national_day, stations=stations)
    row = {
        "date": format_date(national_day.date),
        "title": national_day.title,
        "prefectures": _count(totals.prefectures, "都道府県"),
        "stations": _count(len(totals.stations), "会場"),
        "lines": _count(totals.lines, "回線"),
        "responders": _count(totals.responders, "人"),
        "calls": _count(totals.total.count, "件"),
        "last_year": _last_year(totals.total.last_year),
    }
    scope = "" if stations is None else "（見る権限のある会場の集計）"
    return Block(
        template=TEMPLATE,
        context={"rows": [row], "national": True, "caption": f"全国の電話相談{scope}"},
        empty=False,
    )
