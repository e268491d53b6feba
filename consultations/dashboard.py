"""The consultations' panel of the home page: the last national call-in day against the year before.

Imported by ConsultationsConfig.ready() into the registry in shaho.core.dashboard. The figures are
calls per station of the last day and of the year before (`selectors.station_counts`, counted as
`selectors.day_totals` counts them, in two queries) over the stations the viewer may count
(consultations.access.counted_stations): national staff every station, a prefecture's staff their
prefecture's.
"""

from django.urls import reverse

from shaho.core import charts
from shaho.core.dashboard import NATIONAL, PREFECTURE, draw, register
from shaho.core.japanese import format_date
from shaho.core.pictures import Picture, Table

from . import access, selectors
from .models import ConsultationKind


def _last_day(ctx):
    """The latest national call-in day on or before today that the viewer may open."""
    return (
        selectors.days_for(user=ctx.user)
        .filter(kind=ConsultationKind.CALL_IN_DAY, council__kind="national", date__lte=ctx.date)
        .order_by("-date", "pk")
        .first()
    )


def _paired_svg(rows, link):
    pairs = [charts.Pair(r.label, r.count, r.last_year, link) for r in rows]
    return draw("paired_bar_chart", pairs, unit="件")


@register("consultations.last_day", title="電話相談（前年比）", audiences={NATIONAL, PREFECTURE}, order=50)
def last_day(ctx):
    day = _last_day(ctx)
    if day is None:
        return None
    rows, previous = selectors.station_counts(day=day, stations=access.counted_stations(user=ctx.user, day=day))
    if not rows:
        return None
    total = sum(r.count for r in rows)
    total_last = sum(r.last_year for r in rows) if previous else None
    table_rows = [[r.label, r.count, r.last_year] for r in rows]
    table_rows.append(["合計", total, total_last])
    link = reverse("consultations:day", args=[day.pk])
    before = f"（前年 {format_date(previous.date)}）" if previous else "（前年の相談日なし）"
    total_text = f"{total:,}件" + (f"（昨年{total_last:,}件）" if previous else "")
    return Picture(
        key="last-day",
        title=f"{day.title} {format_date(day.date)} {total_text}",
        svg=_paired_svg(rows, link),
        table=Table(["会場", "件数", "前年の件数"], table_rows),
        link=link,
        note=f"{len(rows)}会場{before}",
    )
