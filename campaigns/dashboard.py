"""The campaigns' panels of the home page: study sessions this 年度 against the goal, and the actions coming up.

Imported by CampaignsConfig.ready() into the registry in shaho.core.dashboard. Each panel is a fixed
number of queries (GROUP BY in the database), whatever the number of actions.

Scope: national staff see every prefecture's study sessions; a prefecture's staff their prefecture's
councils; the actions coming up are the viewer's calendar (their council, the councils above and below
it), each linked when the viewer may open it.
"""

import datetime

from django.db.models import Count, Sum
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.safestring import mark_safe

from councils.models import Council, CouncilKind
from shaho.core.dashboard import (
    LOCAL,
    MEMBER,
    NATIONAL,
    PREFECTURE,
    Link,
    bar,
    draw,
    fiscal_year_start,
    percent_of,
    percent_scale,
    register,
)
from shaho.core.japanese import fiscal_year, format_date
from shaho.core.pictures import Picture, Table
from shaho.core.scoping import restrict

from . import selectors
from .models import Action, StudyGoal

UPCOMING_DAYS = 30
UPCOMING_LIMIT = 10


def _percent_text(value):
    return "目標なし" if value is None else f"{value:.1f}%"


def _n(value):
    return "—" if value is None else f"{value:,}"


@register("campaigns.study", title="学習会（今年度）", audiences={NATIONAL, PREFECTURE}, order=30)
def study_sessions(ctx):
    """Study sessions held this 年度 against the goal: per prefecture (national), per council (a prefecture)."""
    start, end = fiscal_year_start(ctx.date), ctx.date
    year = fiscal_year(ctx.date)
    national = ctx.audience == NATIONAL or ctx.council is None
    if national:
        rows = selectors.study_sessions_by_prefecture(start=start, end=end)
        goal = (
            StudyGoal.objects.filter(year=year, council__kind=CouncilKind.NATIONAL)
            .values_list("goal", flat=True)
            .first()
        )
        what, region = "都道府県", "全国"
        entries = [(r.label, r.sessions, r.attendance, r.goal) for r in rows]
        link = reverse("campaigns:calendar")
    else:
        prefecture = ctx.council.prefecture
        if prefecture is None:
            return None
        entries, goal = _per_council(prefecture, start, end, year)
        what, region = "社保協", prefecture.name
        link = reverse("campaigns:calendar")
    total = sum(e[1] for e in entries)
    attendance = sum(e[2] for e in entries)
    entries.sort(key=lambda e: (e[3] is None, -(percent_of(e[1], e[3]) or 0), -e[1]))
    shown = [e for e in entries if e[1] or e[3]]
    bars = [
        bar(label, percent_of(n, g) or 0, f"{_percent_text(percent_of(n, g))}（{n:,}／{_n(g)}か所）")
        for label, n, _a, g in shown
    ]
    title = f"学習会 {year}年度（{region}） {total:,}か所"
    if goal:
        title += f"／目標{goal:,}か所（{_percent_text(percent_of(total, goal))}）"
    return Picture(
        key="study",
        title=title,
        svg=draw("bar_chart", bars, maximum=percent_scale(b.value for b in bars), target=100),
        table=Table(
            [what, "開催数（か所）", "参加者（人）", "目標（か所）", "達成率（%）"],
            [[label, n, a, g, percent_of(n, g)] for label, n, a, g in entries]
            + [["合計", total, attendance, goal, percent_of(total, goal)]],
        ),
        link=link,
        note=f"{format_date(start)}から{format_date(end)}まで",
    )


def _per_council(prefecture, start, end, year):
    """[(council name, sessions, attendance, goal)] of a prefecture's councils, and the prefecture's goal. 3 queries."""
    grouped = {
        r["organiser"]: r
        for r in selectors._study_sessions(start, end)
        .filter(organiser__prefecture=prefecture)
        .values("organiser")
        .annotate(sessions=Count("pk"), attendance=Coalesce(Sum(selectors.ATTENDANCE), 0))
        .order_by()
    }
    goals = dict(StudyGoal.objects.filter(year=year, council__prefecture=prefecture).values_list("council_id", "goal"))
    councils = list(
        Council.objects.filter(prefecture=prefecture)
        .exclude(kind=CouncilKind.FRIENDLY)
        .values_list("pk", "name", "kind")
        .order_by("sort_key", "pk")
    )
    prefecture_goal = next((goals.get(pk) for pk, _name, kind in councils if kind == CouncilKind.PREFECTURAL), None)
    entries = []
    for pk, name, kind in councils:
        r = grouped.get(pk, {})
        own_goal = None if kind == CouncilKind.PREFECTURAL else goals.get(pk)
        entries.append((name, r.get("sessions", 0), r.get("attendance", 0), own_goal))
    return entries, prefecture_goal


def upcoming_actions(ctx):
    """The actions of the viewer's calendar from today for UPCOMING_DAYS days (national staff: every action)."""
    start, end = ctx.date, ctx.date + datetime.timedelta(days=UPCOMING_DAYS)
    if ctx.audience == NATIONAL or ctx.council is None:
        if ctx.audience != NATIONAL:
            return [], set()
        qs = (
            restrict(Action.objects.all(), ctx.user)
            .filter(starts_on__gte=start, starts_on__lte=end)
            .exclude(status=Action.Status.CANCELLED)
            .select_related("kind", "organiser")
            .order_by("starts_on", "start_time", "pk")
        )
    else:
        qs = selectors.calendar_actions(council=ctx.council, start=start, end=end)
    # Only what the rows print: the actions' and their councils' other fields are many (a report's text, contacts).
    actions = list(
        qs.only("title", "starts_on", "start_time", "place", "kind__name", "organiser__name")[:UPCOMING_LIMIT]
    )
    # A co-organised action of another council is on the calendar but not the viewer's to open: no link.
    openable = set(
        restrict(Action.objects.filter(pk__in=[a.pk for a in actions]), ctx.user)
        .values_list("pk", flat=True)
        .order_by()
    )
    return actions, openable


@register("campaigns.upcoming", title="当面の行動", audiences={NATIONAL, PREFECTURE, LOCAL, MEMBER}, order=60)
def upcoming(ctx):
    actions, openable = upcoming_actions(ctx)
    if not actions:
        return None
    rows = []
    for a in actions:
        time = a.start_time.strftime("%H:%M") if a.start_time else "終日"
        href = reverse("campaigns:action", args=[a.pk]) if a.pk in openable else ""
        rows.append([a.starts_on, time, Link(a.title, href), a.kind.name, a.place, a.organiser.name])
    return Picture(
        key="upcoming",
        title=f"当面の行動（{format_date(ctx.date)}から{UPCOMING_DAYS}日間）",
        svg=mark_safe(""),
        table=Table(["日付", "時刻", "行動", "種類", "場所", "主催"], rows),
        link=reverse("campaigns:calendar") if (ctx.user.is_superuser or ctx.user.council_id) else "",
    )
