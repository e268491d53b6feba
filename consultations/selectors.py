"""Reads of the consultations: which days, stations and calls a user may see, and the day's totals.

Totals are counts computed by the database (a constant number of queries whatever the number of
calls), always of statistical fields (consultations.privacy): no total ever reads free text.
"""

from dataclasses import dataclass, field

from django.db.models import Count, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from councils.models import CouncilKind
from shaho.core.scoping import restrict, sees_everything

from .models import (
    CallerType,
    CallRecord,
    CareLevel,
    Category,
    ConsultationDay,
    ConsultationKind,
    FreeTextRead,
    Responder,
    Station,
)
from .privacy import is_coordinator, responder_station_ids

LONG_CALL_MINUTES = 30
DURATION_BANDS = (
    (_("15分未満"), 0, 14),
    (_("15〜29分"), 15, 29),
    (_("30〜59分"), 30, 59),
    (_("60分以上"), 60, 10_000),
)


# --- what a user may see -------------------------------------------------------------------------


def sees_all_calls(user):
    """National staff and the coordinators see every station's counts (and, for coordinators, calls)."""
    return sees_everything(user) or is_coordinator(user)


def stations_for(*, user):
    """Stations whose calls (statistical fields) `user` may see: their scope's, the ones they answer at."""
    qs = Station.objects.all()
    if sees_all_calls(user):
        return qs
    if not user or not user.is_authenticated:
        return qs.none()
    mine = responder_station_ids(user)
    return qs.filter(Q(pk__in=restrict(Station.objects.all(), user).values("pk")) | Q(pk__in=mine))


def days_for(*, user):
    qs = ConsultationDay.objects.select_related("council")
    if sees_all_calls(user):
        return qs
    if not user or not user.is_authenticated:
        return qs.none()
    return qs.filter(
        Q(pk__in=restrict(ConsultationDay.objects.all(), user).values("pk"))
        | Q(pk__in=Station.objects.filter(pk__in=responder_station_ids(user)).values("day"))
    )


def calls_for(*, user):
    return CallRecord.objects.filter(station__in=stations_for(user=user))


def published_days():
    return ConsultationDay.objects.filter(published=True).select_related("council")


def previous_day(day):
    """Last year's day of the same kind and organiser (the national day against the national day)."""
    return (
        ConsultationDay.objects.filter(kind=day.kind, council_id=day.council_id, date__year=day.date.year - 1)
        .order_by("-date")
        .first()
    )


def national_day_on(date, *, queryset=None):
    """The national call-in day held on `date` (the national council's), or None."""
    qs = queryset if queryset is not None else ConsultationDay.objects.all()
    qs = qs.filter(date=date, kind=ConsultationKind.CALL_IN_DAY).select_related("council")
    return qs.filter(council__kind=CouncilKind.NATIONAL).order_by("pk").first() or qs.order_by("pk").first()


def latest_national_day(*, on_or_before):
    return (
        ConsultationDay.objects.filter(
            kind=ConsultationKind.CALL_IN_DAY, council__kind=CouncilKind.NATIONAL, date__lte=on_or_before
        )
        .order_by("-date")
        .first()
    )


# --- totals --------------------------------------------------------------------------------------


@dataclass
class Figure:
    """A count this year beside last year's: prints 「33件（昨年15件）」."""

    label: str
    count: int = 0
    last_year: int | None = None

    @property
    def change(self):
        return None if self.last_year is None else self.count - self.last_year

    def text(self):
        if self.last_year is None:
            return f"{self.count:,}件"
        return f"{self.count:,}件（昨年{self.last_year:,}件）"


@dataclass
class StationRow(Figure):
    station_id: int = 0
    council_id: int = 0
    prefecture_code: str = ""
    line_count: int = 0
    responders: int = 0


@dataclass
class Totals:
    day: ConsultationDay
    previous: ConsultationDay | None
    total: Figure
    stations: list = field(default_factory=list)
    categories: list = field(default_factory=list)
    caller_types: list = field(default_factory=list)
    care_levels: list = field(default_factory=list)
    durations: list = field(default_factory=list)
    long_calls: Figure = None
    follow_up: Figure = None
    prefectures: int = 0
    prefectures_last_year: int | None = None

    @property
    def long_share(self):
        return round(self.long_calls.count * 100 / self.total.count, 1) if self.total.count else 0.0

    @property
    def long_share_last_year(self):
        if self.previous is None or not self.total.last_year:
            return None
        return round(self.long_calls.last_year * 100 / self.total.last_year, 1)

    @property
    def responders(self):
        return sum(row.responders for row in self.stations)

    @property
    def lines(self):
        return sum(row.line_count for row in self.stations)


def _count_of(model, field):
    """A correlated COUNT(*) of `model` rows pointing at the outer station (no join fan-out)."""
    rows = model.objects.filter(**{field: OuterRef("pk")}).order_by().values(field).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


def _measures():
    """Every per-day figure but the stations and categories, as conditional counts of one scan of the calls."""
    measures = {
        "long": Count("pk", filter=Q(duration_minutes__gte=LONG_CALL_MINUTES)),
        "follow": Count("pk", filter=Q(follow_up=True)),
    }
    for i, (_label, lo, hi) in enumerate(DURATION_BANDS):
        measures[f"band{i}"] = Count("pk", filter=Q(duration_minutes__gte=lo, duration_minutes__lte=hi))
    for value, _label in CallerType.choices:
        measures[f"caller_{value}"] = Count("pk", filter=Q(caller_type=value))
    for value, _label in CareLevel.choices:
        measures[f"level_{value}"] = Count("pk", filter=Q(care_level=value))
    return measures


def day_totals(*, day, stations=None):
    """Every figure of a day and of last year's day beside it, in a fixed number of queries (five).

    `stations`: a queryset of the stations to show (the user's scope); None for all of the day's.
    Last year's figures are of the same councils' stations, matched by council. Counts only, of
    statistical fields (consultations.privacy).
    """
    previous = previous_day(day)
    days = [day.pk] + ([previous.pk] if previous else [])
    station_qs = Station.objects.filter(day__in=days)
    if stations is not None:
        station_qs = station_qs.filter(council__in=stations.filter(day=day).values("council"))
    station_rows = list(
        station_qs.annotate(n=_count_of(CallRecord, "station"), r=_count_of(Responder, "station"))
        .values_list("pk", "day_id", "council_id", "council__name", "council__prefecture__code", "line_count", "n", "r")
        .order_by("council__sort_key", "pk")
    )
    station_ids = [row[0] for row in station_rows]
    this = {row[2]: row for row in station_rows if row[1] == day.pk}
    previous_counts = {row[2]: row[6] for row in station_rows if previous and row[1] == previous.pk}
    prev_pk = previous.pk if previous else 0
    last = (lambda value: value) if previous else (lambda value: None)
    rows = [
        StationRow(
            label=name,
            count=n,
            last_year=last(previous_counts.get(council_id, 0)),
            station_id=pk,
            council_id=council_id,
            prefecture_code=code or "",
            line_count=lines,
            responders=responders,
        )
        for pk, _day, council_id, name, code, lines, n, responders in this.values()
    ]
    total = Figure(_("合計"), sum(r.count for r in rows), last(sum(previous_counts.values())))

    through = CallRecord.categories.through
    by_category = {
        (day_id, category_id): n
        for day_id, category_id, n in through.objects.filter(callrecord__station__in=station_ids)
        .values_list("callrecord__station__day", "category")
        .annotate(n=Count("pk"))
        .order_by()
    }
    category_rows = [
        Figure(c.name, by_category.get((day.pk, c.pk), 0), last(by_category.get((prev_pk, c.pk), 0)))
        for c in Category.objects.all()
        if c.active or by_category.get((day.pk, c.pk))
    ]

    measures = _measures()
    per_day = {
        row["station__day"]: row
        for row in CallRecord.objects.filter(station__in=station_ids)
        .values("station__day")
        .annotate(**measures)
        .order_by()
    }
    empty = dict.fromkeys(measures, 0)
    now, before = per_day.get(day.pk, empty), per_day.get(prev_pk, empty)

    def figure(label, key):
        return Figure(label, now[key], last(before[key]))

    prefectures_prev = len({row[4] for row in station_rows if row[1] == prev_pk and row[4]}) if previous else None
    return Totals(
        day=day,
        previous=previous,
        total=total,
        stations=rows,
        categories=category_rows,
        caller_types=[figure(label, f"caller_{value}") for value, label in CallerType.choices],
        care_levels=[figure(label, f"level_{value}") for value, label in CareLevel.choices],
        durations=[figure(label, f"band{i}") for i, (label, _lo, _hi) in enumerate(DURATION_BANDS)],
        long_calls=figure(_("30分以上"), "long"),
        follow_up=figure(_("要フォロー"), "follow"),
        prefectures=len({r.prefecture_code for r in rows if r.prefecture_code}),
        prefectures_last_year=prefectures_prev,
    )


def national_day_figures(*, date):
    """Totals of the latest national call-in day on or before `date` (for the policy draft), or None."""
    day = latest_national_day(on_or_before=date)
    return day_totals(day=day) if day else None


# --- the read log --------------------------------------------------------------------------------


def read_log(*, limit=200):
    """The latest reads of free text (who, when, which call), for the coordinators' page."""
    return FreeTextRead.objects.select_related("user", "call__station__council").order_by("-read_at", "-pk")[:limit]


@dataclass
class StationCount:
    label: str
    count: int
    last_year: int | None


def station_counts(*, day, stations=None):
    """Calls per station of `day` beside the same council's station on last year's day (`previous_day`),
    as `day_totals` counts them, in two queries: the dashboard needs no other figure of the day.

    `stations`: the stations the viewer may count (None: all of the day's). Returns (rows, previous day).
    """
    previous = previous_day(day)
    qs = Station.objects.filter(day__in=[day.pk] + ([previous.pk] if previous else []))
    if stations is not None:
        qs = qs.filter(council__in=stations.filter(day=day).values("council"))
    # Counted per station through its index (a subquery a station, ≤ 2 × stations), not a join of every call.
    rows = (
        qs.annotate(n=_count_of(CallRecord, "station"))
        .values_list("day_id", "council_id", "council__name", "n")
        .order_by("council__sort_key", "council_id")
    )
    this, last = {}, {}
    for day_id, council_id, name, n in rows:
        if day_id == day.pk:
            this[council_id] = (name, n)
        else:
            last[council_id] = n
    counts = [
        StationCount(name, n, last.get(council_id, 0) if previous else None) for council_id, (name, n) in this.items()
    ]
    return counts, previous


# --- a prefecture's days of a period (the prefecture report's block) -------------------------------------


@dataclass
class PrefectureDay:
    """One day's totals at a prefecture's stations: calls beside last year's, lines and responders. Counts only."""

    day_id: int
    date: object
    title: str
    calls: int
    lines: int
    responders: int
    last_year: int | None  # None: no day of the same kind and organiser the year before
    last_year_date: object = None


def _stations_of(prefecture, user):
    stations = Station.objects.filter(council__prefecture=prefecture)
    if user is None or sees_all_calls(user):
        return stations
    return stations.filter(pk__in=stations_for(user=user).values("pk"))


def _day_sums(days, stations):
    """`days` annotated with the calls, lines and responders of `stations` on each (correlated counts)."""
    calls = (
        CallRecord.objects.filter(station__in=stations, station__day=OuterRef("pk"))
        .order_by()
        .values("station__day")
        .annotate(n=Count("pk"))
        .values("n")
    )
    lines = stations.filter(day=OuterRef("pk")).order_by().values("day").annotate(n=Sum("line_count")).values("n")
    responders = (
        Responder.objects.filter(station__in=stations, station__day=OuterRef("pk"))
        .order_by()
        .values("station__day")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return days.annotate(
        calls=Coalesce(Subquery(calls, output_field=IntegerField()), 0),
        lines=Coalesce(Subquery(lines, output_field=IntegerField()), 0),
        responders=Coalesce(Subquery(responders, output_field=IntegerField()), 0),
    )


def prefecture_days(*, prefecture, start, end, user=None):
    """The days from `start` to `end` with a station of `prefecture` that `user` may count, in date order.

    For each: calls, lines and responders of the prefecture's stations (those of its councils `user` may
    see; None: all), beside the calls at the same prefecture's stations on last year's day of the same kind
    and organiser (`previous_day`'s rule: the latest such day of the year before). Counts of statistical
    fields only (consultations.privacy): no call, no free text. Two queries, whatever the number of days,
    stations and calls.
    """
    stations = _stations_of(prefecture, user)
    days = list(
        _day_sums(
            ConsultationDay.objects.filter(date__gte=start, date__lte=end, pk__in=stations.values("day")), stations
        )
        .values("pk", "date", "title", "kind", "council_id", "calls", "lines", "responders")
        .order_by("date", "pk")
    )
    if not days:
        return []
    earlier = Q()
    for day in days:
        earlier |= Q(kind=day["kind"], council_id=day["council_id"], date__year=day["date"].year - 1)
    previous = {}
    for row in (
        _day_sums(ConsultationDay.objects.filter(earlier), stations)
        .values("kind", "council_id", "date", "calls")
        .order_by("date", "pk")
    ):
        # Ordered by date: the latest day of a kind, organiser and year is the one kept.
        previous[(row["kind"], row["council_id"], row["date"].year)] = row
    out = []
    for day in days:
        before = previous.get((day["kind"], day["council_id"], day["date"].year - 1))
        out.append(
            PrefectureDay(
                day_id=day["pk"],
                date=day["date"],
                title=day["title"],
                calls=day["calls"],
                lines=day["lines"],
                responders=day["responders"],
                last_year=before["calls"] if before else None,
                last_year_date=before["date"] if before else None,
            )
        )
    return out


def national_day_for(*, date, user=None):
    """(the latest national call-in day on or before `date`, the stations `user` counts: None for all), or None.

    Everyone counts every station of a published day (its totals are on the public press page); on a day
    not published, staff count only the stations they may see. None when there is no such day or `user`
    may not see it.
    """
    day = latest_national_day(on_or_before=date)
    if day is None:
        return None
    if user is None or sees_all_calls(user) or day.published:
        return day, None
    if not days_for(user=user).filter(pk=day.pk).exists():
        return None
    return day, stations_for(user=user)
