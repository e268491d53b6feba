"""The petitions' panels of the home page: each open drive's progress line, the ranking by % of goal,
what is due, a local council's own figures and its last entries.

Imported by PetitionsConfig.ready() into the registry in shaho.core.dashboard. Every panel reads
`drive_figures(ctx)`, computed once per page (ctx.cached) in a fixed number of queries whatever the
number of drives, entries or councils: the open drives, their rounds, last year's drives, one
GROUP BY (drive, day) for the lines, one GROUP BY (drive, council) for the ranking, the goals, and
the names of the rows ranked. The sums are read from the ledger's summary (TallyNationalDaily per
drive, kind and day; TallyDaily the same per prefecture; TallyCouncilTotal per drive, council and
kind), which the database's triggers keep in the transaction that writes the entries: a figure is
never behind the ledger (issue 17, "Fast at national scale"). A local council's lines (a subtree of
councils, not a prefecture) still sum its entries in the ledger.

Scope: the tally's numbers are federation-public as sums per council and prefecture
(shaho.core.public); a prefecture's staff still see only their prefecture's lines and councils, a
local council's staff and organizers their council and the councils below it.
"""

import bisect
import calendar
import datetime
import itertools
import operator
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import BigIntegerField, Prefetch, Q, Sum
from django.db.models.functions import Cast
from django.urls import reverse
from django.utils.safestring import mark_safe

from councils.models import Council, CouncilKind
from municipalities.registry.models import Prefecture
from shaho.core import charts
from shaho.core.dashboard import (
    LOCAL,
    NATIONAL,
    PREFECTURE,
    Link,
    add_years,
    bar,
    draw,
    percent_of,
    percent_scale,
    register,
)
from shaho.core.japanese import format_date, format_datetime
from shaho.core.pictures import Picture, Table
from shaho.core.roles import may_record
from shaho.core.scoping import scope_for

from . import selectors
from .models import (
    CollectionRound,
    PetitionDrive,
    PetitionGoal,
    TallyCouncilTotal,
    TallyDaily,
    TallyEntry,
    TallyNationalDaily,
)


def _number(value):
    return "" if value is None else f"{value:,}"


def _percent_text(value):
    return "目標なし" if value is None else f"{value:.1f}%"


def back_to(date, years):
    """The last day of the year `years` before whose running total `date` shows when moved onto this year by
    `add_years`: the same day, or 29 February for a 28 February whose year `years` before was a leap year."""
    earlier = add_years(date, -years)
    if date.month == 2 and date.day == 28 and not calendar.isleap(date.year) and calendar.isleap(earlier.year):
        return earlier.replace(day=29)
    return earlier


@dataclass
class RunningTotal:
    """A running total by day: the days that have entries, in order, and the total up to and including each.

    Built in one pass (itertools.accumulate) from the per-day sums; the total on any date is a binary search.
    """

    days: list = field(default_factory=list)
    totals: list = field(default_factory=list)

    @classmethod
    def of(cls, days, counts):
        return cls(days, list(itertools.accumulate(counts)))

    def at(self, date):
        i = bisect.bisect_right(self.days, date)
        return self.totals[i - 1] if i else 0

    def at_each(self, dates):
        return [self.at(d) for d in dates]

    @property
    def total(self):
        return self.totals[-1] if self.totals else 0


@dataclass
class DriveFigures:
    """One open drive seen from the viewer's region: its cumulative line, goal, last year's line and rounds."""

    drive: PetitionDrive
    goal: int | None
    line: RunningTotal = field(default_factory=RunningTotal)  # this drive's, up to the page's date
    previous: PetitionDrive | None = None
    previous_shift: int = 1  # years between last year's drive and this one
    previous_line: RunningTotal = field(default_factory=RunningTotal)  # last year's drive's, on its own dates
    ranking: list = field(default_factory=list)  # [(label, to_date, goal, href)]

    @property
    def rounds(self):
        return list(self.drive.rounds.all())

    @property
    def step(self):
        """Days between two points: every day of a short drive, every week of a year's, ≤ 60 points beyond."""
        span = (self.drive.ends_on - self.drive.starts_on).days
        return 1 if span <= 62 else 7 if span <= 420 else -(-span // 60)

    def grid(self, end):
        """The dates drawn and tabulated: from the drive's first day every `step` days, and `end` itself."""
        days, day = [], self.drive.starts_on
        while day < end:
            days.append(day)
            day += datetime.timedelta(days=self.step)
        return [*days, end] if end >= self.drive.starts_on else []

    def points(self, date):
        dates = self.grid(min(date, self.drive.ends_on))
        return list(zip(dates, self.line.at_each(dates), strict=True))

    def previous_at_each(self, dates):
        """Last year's running total on each of `dates` of this drive's period: its entries moved a year on
        (`add_years`; those moved past this drive's end left out)."""
        end = self.drive.ends_on
        return [self.previous_line.at(back_to(min(d, end), self.previous_shift)) for d in dates]

    @property
    def previous_points(self):
        dates = self.grid(self.drive.ends_on)
        return list(zip(dates, self.previous_at_each(dates), strict=True))

    @property
    def total(self):
        return self.line.total

    @property
    def percent(self):
        return percent_of(self.total, self.goal)

    def previous_on(self, date):
        """Last year's drive's total at the same date of its year (None without a previous drive)."""
        if self.previous is None:
            return None
        return self.previous_at_each([date])[0]

    def next_round(self, date):
        return next((r for r in sorted(self.rounds, key=lambda r: r.deadline) if r.deadline >= date), None)


def _region(ctx):
    """(a Q-like filter on TallyEntry, the region's name) for the viewer: all Japan, a prefecture or a council."""
    council = ctx.council
    if ctx.audience == NATIONAL or council is None:
        return {}, "全国"
    # The viewer's councils through the one scoping function (a prefecture's staff: their prefecture's councils).
    region = {"council__in": scope_for(ctx.user)}
    if ctx.audience == PREFECTURE:
        return region, council.prefecture.name if council.prefecture_id else ""
    return region, council.name


def _previous_drives(drives):
    """Each drive's previous drive of the same kind and organiser (last year's), one query for all."""
    if not drives:
        return {}
    earliest = min(d.starts_on for d in drives)
    candidates = list(
        PetitionDrive.objects.filter(
            kind__in={d.kind for d in drives},
            organiser__in={d.organiser_id for d in drives},
            starts_on__lt=max(d.starts_on for d in drives),
            starts_on__gte=add_years(earliest, -2),
        )
        .exclude(pk__in=[d.pk for d in drives])
        .only("pk", "kind", "organiser", "starts_on", "ends_on", "title", "short_name", "slug")
        .order_by("-starts_on", "-pk")
    )
    found = {}
    for drive in drives:
        found[drive.pk] = next(
            (
                c
                for c in candidates
                if c.kind == drive.kind and c.organiser_id == drive.organiser_id and c.starts_on < drive.starts_on
            ),
            None,
        )
    return found


def _goal_for(ctx, drive, goals):
    """The goal of the viewer's region: the organiser's (national), the prefecture's, the council's."""
    rows = goals.get(drive.pk, [])
    council = ctx.council
    if ctx.audience == NATIONAL or council is None:
        own = next((g for c, kind, pref, g in rows if c == drive.organiser_id), None)
        if own is not None:
            return own
        return _sum_known(g for c, kind, pref, g in rows if kind == CouncilKind.PREFECTURAL)
    if ctx.audience == PREFECTURE:
        return _prefecture_goal(rows, council.prefecture_id)
    return next((g for c, kind, pref, g in rows if c == council.pk), None)


def _sum_known(values):
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _prefecture_goal(rows, prefecture_id):
    """A prefecture's goal: its prefectural council's, else the sum of its local councils' (as the 集約一覧表)."""
    own = next((g for c, kind, pref, g in rows if pref == prefecture_id and kind == CouncilKind.PREFECTURAL), None)
    if own is not None:
        return own
    return _sum_known(g for c, kind, pref, g in rows if pref == prefecture_id and kind != CouncilKind.PREFECTURAL)


def _counted_q(drives):
    """Entries of `drives` in each drive's own unit (筆: individual and web; 団体: organisational): one condition a
    unit, not one a drive (the database tested eight ORed conditions on every summary row)."""
    by_kinds = defaultdict(list)
    for drive in drives:
        by_kinds[tuple(drive.counted_kinds)].append(drive.pk)
    q = Q(pk__in=[])
    for kinds, ids in sorted(by_kinds.items()):
        q |= Q(petition_id__in=ids, kind__in=kinds)
    return q


def _fetch(queryset):
    """The rows of a values_list() GROUP BY, read straight from the cursor: thousands of (id, date, sum)
    tuples need none of the ORM's per-row converters (the dashboard's largest Python cost otherwise)."""
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _daily_sums(ctx, drives, region):
    """(drive, day, sum) of `drives` in the viewer's region, for the lines, in drive and day order.

    All Japan reads TallyNationalDaily (one row a drive, kind and day), a prefecture TallyDaily (the same
    per prefecture): summaries that the ledger's triggers keep in the writing transaction, whatever the
    number of entries. A local council's subtree is not a prefecture: its entries are summed from the ledger.
    The sums are read as integers (PostgreSQL's SUM of a bigint is numeric: a Decimal a row otherwise).
    """
    council = ctx.council
    if ctx.audience == NATIONAL or council is None:
        rows, summed = TallyNationalDaily.objects.filter(_counted_q(drives)), "total"
    elif ctx.audience == PREFECTURE:
        rows = TallyDaily.objects.filter(_counted_q(drives), prefecture_key=council.prefecture_id or 0)
        summed = "total"
    else:
        rows, summed = TallyEntry.objects.filter(_counted_q(drives), **region), "count"
    return (
        rows.values_list("petition_id", "collected_on")
        .annotate(n=Cast(Sum(summed), BigIntegerField()))
        .order_by("petition_id", "collected_on")
    )


def _date(value):
    # SQLite hands dates back as text without the ORM's converter.
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def drive_figures(ctx):
    """[DriveFigures] of the drives open on ctx.date that the viewer may see; cached on the page."""
    return ctx.cached("petitions.drive_figures", lambda: _drive_figures(ctx))


def _drive_figures(ctx):
    user = ctx.user
    drives = list(
        selectors.open_petitions(user=user, date=ctx.date).prefetch_related(
            Prefetch("rounds", queryset=CollectionRound.objects.order_by("deadline"))
        )
    )
    if not drives:
        return []
    previous = _previous_drives(drives)
    region, _name = _region(ctx)
    ids = [d.pk for d in drives]
    # Per-day sums of this year's drives and last year's, one GROUP BY in drive and day order (≤ 366 rows a
    # drive), each drive's running total accumulated from them in one pass.
    every = drives + [p for p in previous.values() if p is not None]
    lines = {}
    for petition_id, rows in itertools.groupby(_fetch(_daily_sums(ctx, every, region)), key=operator.itemgetter(0)):
        rows = list(rows)
        days = [row[1] for row in rows]
        if days and not isinstance(days[0], datetime.date):
            days = [_date(day) for day in days]
        lines[petition_id] = (days, [row[2] for row in rows])
    goals = defaultdict(list)
    # No order (the model's orders by the drive's title and the council: a join and a sort for nothing).
    for petition_id, council_id, kind, prefecture_id, goal in (
        PetitionGoal.objects.filter(petition__in=ids)
        .values_list("petition_id", "council_id", "council__kind", "council__prefecture_id", "goal")
        .order_by()
    ):
        goals[petition_id].append((council_id, kind, prefecture_id, goal))
    figures = []
    for drive in drives:
        prev = previous.get(drive.pk)
        days, counts = lines.get(drive.pk, ([], []))
        upto = bisect.bisect_right(days, ctx.date)  # the page's date: nothing entered for a later day is counted
        figures.append(
            DriveFigures(
                drive=drive,
                goal=_goal_for(ctx, drive, goals),
                line=RunningTotal.of(days[:upto], counts[:upto]),
                previous=prev,
                previous_shift=max(1, drive.starts_on.year - prev.starts_on.year) if prev else 1,
                previous_line=RunningTotal.of(*lines.get(prev.pk, ([], []))) if prev else RunningTotal(),
            )
        )
    if ctx.audience in (NATIONAL, PREFECTURE):
        _rank(ctx, figures, goals, region)
    return figures


def _rank(ctx, figures, goals, region):
    """Fill each drive's `ranking`: prefectures (national) or the prefecture's councils by % of goal."""
    national = ctx.audience == NATIONAL or ctx.council is None
    # The summary kept by the ledger's triggers (≤ drives × councils × kinds rows, not the ledger), summed per
    # prefecture (national) or per council in the database.
    where = "council__prefecture_id" if national else "council_id"
    rows = (
        TallyCouncilTotal.objects.filter(_counted_q([f.drive for f in figures]), **region)
        .values_list("petition_id", where)
        .annotate(n=Cast(Sum("total"), BigIntegerField()))
        .order_by()
    )
    sums = {(petition_id, place): n for petition_id, place, n in _fetch(rows)}
    if national:
        places = list(Prefecture.objects.values_list("pk", "name", "code").order_by("code"))
        for f in figures:
            per_prefecture = defaultdict(list)
            for row in goals.get(f.drive.pk, []):
                per_prefecture[row[2]].append(row)
            href = _prefecture_href(f.drive)
            f.ranking = [
                (name, sums.get((f.drive.pk, pk), 0), _prefecture_goal(per_prefecture.get(pk, []), pk), href(code))
                for pk, name, code in places
            ]
            _sort(f)
        return
    councils = list(
        Council.objects.filter(
            prefecture_id=ctx.council.prefecture_id, kind__in=[CouncilKind.LOCAL, CouncilKind.PREPARATORY]
        )
        .exclude(status=Council.Status.DISSOLVED)
        .values_list("pk", "name", "short_name")
        .order_by("sort_key", "pk")
    )
    for f in figures:
        own = {c: g for c, kind, pref, g in goals.get(f.drive.pk, [])}
        f.ranking = [
            (short_council_name(name, short), sums.get((f.drive.pk, pk), 0), own.get(pk), "")
            for pk, name, short in councils
        ]
        _sort(f)


def _sort(figure):
    # Highest % first; councils without a goal last, by their total.
    figure.ranking.sort(key=lambda r: (r[2] is None, -(percent_of(r[1], r[2]) or 0), -r[1]))


def _prefecture_href(drive):
    """code → the drive's 集約一覧表 of that prefecture: one reverse() a drive, not 47 (the prefecture's code is
    the last part of the path)."""
    prefix = reverse("petitions:prefecture", args=[drive.slug, "00"]).removesuffix("00/")
    return lambda code: f"{prefix}{code}/"


def _table_link(ctx, drive):
    """The 集約一覧表 that explains a drive's figures for the viewer (every account with a council may read it)."""
    council = ctx.council
    if ctx.audience != NATIONAL and council is not None and council.prefecture_id:
        return reverse("petitions:prefecture", args=[drive.slug, council.prefecture.code])
    if ctx.user.is_superuser or ctx.user.council_id:
        return reverse("petitions:national", args=[drive.slug])
    return ""


def _line_svg(f, region_name, date):
    series = [charts.Series(f"今回（{region_name}）", f.points(date), kind="this")]
    if f.previous is not None:
        series.append(charts.Series(f"前回（{f.previous.starts_on.year}年）", f.previous_points, kind="last"))
    marks = [charts.Mark(r.deadline, f"{r.name}締切") for r in f.rounds]
    return draw(
        "line_chart",
        series,
        start=f.drive.starts_on,
        end=f.drive.ends_on,
        goal=f.goal,
        marks=marks,
        title="",
        unit=f.drive.unit,
    )


def _line_table(f, date):
    """The dates drawn (every `step` days and today): this drive's running total, last year's, the goal."""
    unit = f.drive.unit
    this = dict(f.points(date))
    dates = sorted(set(f.grid(f.drive.ends_on)) | set(this))
    last = f.previous_at_each(dates) if f.previous else [None] * len(dates)
    rows = [[day, this.get(day), prev, f.goal] for day, prev in zip(dates, last, strict=True)]
    columns = ["日付", f"累計（{unit}）", f"前回の同日の累計（{unit}）", f"目標（{unit}）"]
    return Table(columns, rows)


@register("petitions.progress", title="署名の集約の推移", audiences={NATIONAL, PREFECTURE, LOCAL}, order=10)
def progress(ctx):
    """Each open drive's cumulative line against its goal, rounds' deadlines and last year's drive."""
    _region_q, region_name = _region(ctx)
    pictures = []
    for f in drive_figures(ctx):
        last = f.previous_on(ctx.date)
        note = f"{format_date(ctx.date)}現在 {_number(f.total)}{f.drive.unit}"
        if f.goal:
            note += f"／目標{_number(f.goal)}{f.drive.unit}（{_percent_text(f.percent)}）"
        if last is not None:
            note += f"、前回の同日 {_number(last)}{f.drive.unit}"
        pictures.append(
            Picture(
                key=f"progress-{f.drive.slug}",
                title=f"{f.drive.short_name or f.drive.title} 累計の推移（{region_name}）",
                svg=_line_svg(f, region_name, ctx.date),
                table=_line_table(f, ctx.date),
                link=_table_link(ctx, f.drive),
                note=note,
            )
        )
    return pictures


@register("petitions.ranking", title="目標に対する達成率", audiences={NATIONAL, PREFECTURE}, order=20)
def ranking(ctx):
    """Prefectures (national staff) or the prefecture's local councils ranked by % of goal."""
    national = ctx.audience == NATIONAL or ctx.council is None
    what = "都道府県" if national else "地域社保協"
    pictures = []
    for f in drive_figures(ctx):
        if not f.ranking:
            continue
        unit = f.drive.unit
        bars = [
            bar(
                label,
                percent_of(total, goal) or 0,
                f"{_percent_text(percent_of(total, goal))}（{_number(total)}／{_number(goal) or '—'}）",
                href,
            )
            for label, total, goal, href in f.ranking
        ]
        top = percent_scale(b.value for b in bars)
        rows = [[label, goal, total, percent_of(total, goal)] for label, total, goal, _href in f.ranking]
        pictures.append(
            Picture(
                key=f"ranking-{f.drive.slug}",
                title=f"{f.drive.short_name or f.drive.title} {what}別の達成率",
                svg=draw("bar_chart", bars, maximum=top, target=100),
                table=Table([what, f"目標（{unit}）", f"累計（{unit}）", "達成率（%）"], rows),
                link=_table_link(ctx, f.drive),
            )
        )
    return pictures


@register("petitions.due", title="次の締切", audiences={PREFECTURE, LOCAL}, order=15)
def due(ctx):
    """The next collection deadline of each open drive, with the days left."""
    rows = []
    for f in drive_figures(ctx):
        nxt = f.next_round(ctx.date)
        if nxt is None:
            continue
        href = _table_link(ctx, f.drive)
        rows.append(
            [Link(f.drive.short_name or f.drive.title, href), nxt.name, nxt.deadline, (nxt.deadline - ctx.date).days]
        )
    if not rows:
        return None
    return Picture(
        key="due",
        title="次の集約締切",
        svg=mark_safe(""),
        table=Table(["署名", "集約回", "締切日", "残り日数"], rows),
        link=reverse("petitions:list"),
    )


@register("petitions.council", title="わたしたちの目標と集約", audiences={LOCAL}, order=5)
def council_figures(ctx):
    """The council's goal, tally and % for each open drive (its own and the councils below it)."""
    figures = drive_figures(ctx)
    if not figures or ctx.council is None:
        return None
    bars = [
        bar(
            f.drive.short_name or f.drive.title,
            f.percent or 0,
            f"{_percent_text(f.percent)}（{_number(f.total)}／{_number(f.goal) or '—'}）",
            _table_link(ctx, f.drive),
        )
        for f in figures
    ]
    rows = [[f.drive.short_name or f.drive.title, f.drive.unit, f.goal, f.total, f.percent] for f in figures]
    return Picture(
        key="council",
        title=f"{ctx.council.name} 目標と集約（{format_date(ctx.date)}現在）",
        svg=draw("bar_chart", bars, maximum=percent_scale(b.value for b in bars), target=100),
        table=Table(["署名", "単位", "目標", "累計", "達成率（%）"], rows),
        link=reverse("petitions:list"),
    )


@register("petitions.entries", title="最近の入力", audiences={LOCAL}, order=40)
def last_entries(ctx):
    """The council's last entries (those the viewer may see), each with the link to correct it."""
    entries = list(selectors.recent_entries(user=ctx.user, limit=8))
    if not entries:
        return None
    correct = may_record(ctx.user)
    rows = []
    for e in entries:
        label = "訂正する" if correct and e.petition.status == PetitionDrive.Status.OPEN else ""
        href = reverse("petitions:correct", args=[e.corrects_id or e.pk]) if label else ""
        rows.append(
            [
                format_datetime(e.entered_at),
                str(e.petition),
                e.council.name,
                e.collected_on,
                e.count,
                e.corrected if not e.is_correction else None,
                Link(label, href) if label else "",
            ]
        )
    return Picture(
        key="entries",
        title="最近の入力",
        svg=mark_safe(""),
        table=Table(["入力日時", "署名", "社保協", "集めた日", "数", "訂正後の数", "訂正"], rows),
        link=reverse("petitions:list"),
    )


def short_council_name(name, short_name=""):
    """A council as a chart's row label: its 略称, or its name with 社会保障推進協議会 said as 社保協."""
    return short_name or name.replace("社会保障推進協議会", "社保協")
