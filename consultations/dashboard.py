"""The consultations' panel of the home page: the last national call-in day against the year before.

Imported by ConsultationsConfig.ready() into the registry in shaho.core.dashboard. The figures are
`selectors.day_totals` (five queries whatever the number of calls) over the stations the viewer may
count (consultations.access.counted_stations): national staff every station, a prefecture's staff
their prefecture's.
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
    totals = selectors.day_totals(day=day, stations=access.counted_stations(user=ctx.user, day=day))
    rows = totals.stations
    if not rows:
        return None
    table_rows = [[r.label, r.count, r.last_year] for r in rows]
    table_rows.append(["合計", totals.total.count, totals.total.last_year])
    link = reverse("consultations:day", args=[day.pk])
    previous = f"（前年 {format_date(totals.previous.date)}）" if totals.previous else "（前年の相談日なし）"
    return Picture(
        key="last-day",
        title=f"{day.title} {format_date(day.date)} {totals.total.text()}",
        svg=_paired_svg(rows, link),
        table=Table(["会場", "件数", "前年の件数"], table_rows),
        link=link,
        note=f"{len(rows)}会場{previous}",
    )
