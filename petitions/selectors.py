"""Read side of petitions: running totals, rollups and the 集約一覧表.

Every number is summed by the database: one GROUP BY over TallyEntry per
table (by council), one over Submission. Mapping the ≤ 500 council rows to
prefectures and blocks then happens in Python; no loop ever visits entries.

Totals count the petition's own unit (筆 for individual and web signatures,
団体 for an organisational drive); corrections are entries carrying the signed
difference, so a plain SUM gives the corrected figures.

Who may see what: the ledger (entries, with who entered them) is scoped by
`restrict()`. The tally table is a federation-wide summary that is printed and
sent to every council, so the national table is open to every signed-in account
with a council; a prefecture's table (rows per local council) to accounts of
that prefecture and to national staff (`may_view_prefecture`).
"""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from councils.models import Council, CouncilKind
from municipalities.registry.models import Prefecture
from shaho.core.japanese import normalize
from shaho.core.scoping import restrict, scope_for, sees_everything, system_user

from .models import (
    CollectionRound,
    PetitionDrive,
    PetitionGoal,
    SignatureKind,
    Submission,
    TallyDaily,
    TallyEntry,
    TallyNationalDaily,
)
from .services import round_for_date


def open_petitions(*, user, date=None):
    """Petitions the user may record on `date` (default today): status 集約中 and the date within the period."""
    date = date or timezone.localdate()
    return (
        restrict(PetitionDrive.objects.all(), user)
        .filter(status=PetitionDrive.Status.OPEN, starts_on__lte=date, ends_on__gte=date)
        .select_related("organiser")
        .order_by("-starts_on", "title")
    )


def visible_petitions(*, user):
    return restrict(PetitionDrive.objects.all(), user).select_related("organiser").order_by("-starts_on", "title")


def drive_for(*, identifier, user, queryset=None):
    """The petition drive whose identifier (slug) a person typed, among those `user` may see; or None.

    `identifier` is normalised (全角 → 半角, spaces and case); `user=None` is a system run (a
    management command) that sees every drive. `queryset` narrows further (open drives only, say).
    A drive out of scope and a drive that does not exist read the same: None. One query.
    """
    qs = PetitionDrive.objects.all() if queryset is None else queryset
    if not system_user(user):
        qs = restrict(qs, user)
    slug = _typed_slug(identifier)
    return qs.filter(slug=slug).first() if slug else None


def _typed_slug(identifier):
    return normalize(identifier or "").replace(" ", "").lower()


def drive_among(*, drives, identifier):
    """The drive whose identifier (slug) a person typed among `drives`, rows already read (the entry form's
    petition list): normalised as `drive_for` does, no query. None when it is not there."""
    slug = _typed_slug(identifier)
    return next((d for d in drives if d.slug == slug), None) if slug else None


def may_view_prefecture(*, user, prefecture):
    if not user.is_authenticated:
        return False
    if sees_everything(user):
        return True
    council = user.council
    if council is None:
        return False
    if council.kind == CouncilKind.NATIONAL:
        return True
    return council.prefecture_id == prefecture.pk or scope_for(user).filter(prefecture=prefecture).exists()


def _sum(filter_q):
    return Coalesce(Sum("count", filter=filter_q), Value(0), output_field=IntegerField())


def current_round(*, petition, as_of):
    return round_for_date(rounds=list(CollectionRound.objects.filter(petition=petition)), date=as_of)


def council_totals(*, petition, as_of=None, round=None, councils=None):
    """Per council: `to_date` and `this_round` (petition's unit) and `other` (the other unit), as of a date.

    One GROUP BY over the ledger. `councils`, a Council queryset, narrows the rows (e.g. scope_for(user)).
    """
    counted = Q(kind__in=petition.counted_kinds)
    qs = TallyEntry.objects.filter(petition=petition)
    if as_of is not None:
        qs = qs.filter(collected_on__lte=as_of)
    if councils is not None:
        qs = qs.filter(council__in=councils)
    round_q = Q(round_id=round.pk) if round is not None else Q(pk__in=[])
    return (
        qs.values("council_id")
        .annotate(
            to_date=_sum(counted),
            this_round=_sum(counted & round_q),
            other=_sum(~counted),
        )
        .order_by()
    )


def submitted_by_council(*, petition, as_of=None):
    qs = Submission.objects.filter(petition=petition)
    if as_of is not None:
        qs = qs.filter(submitted_on__lte=as_of)
    return qs.values("council_id").annotate(submitted=Sum("count")).order_by("council_id")


def _region(council, prefix="council__"):
    """The councils a council's running total counts: a prefectural council's whole prefecture, else the council
    and every council below it (its path prefix). `prefix` is the lookup from the counted rows to Council."""
    if council.kind == CouncilKind.PREFECTURAL:
        return Q(**{f"{prefix}prefecture_id": council.prefecture_id})
    return Q(**{f"{prefix}path__startswith": council.path})


def council_running_total(*, petition, council, as_of=None):
    """The total of a council and every council below it (its path prefix), in the petition's unit."""
    qs = TallyEntry.objects.filter(petition=petition, kind__in=petition.counted_kinds).filter(_region(council))
    if as_of is not None:
        qs = qs.filter(collected_on__lte=as_of)
    return qs.aggregate(n=Coalesce(Sum("count"), 0))["n"]


def council_goal(*, petition, council):
    """The council's own 目標 for the petition, or None when none is set."""
    return PetitionGoal.objects.filter(petition=petition, council=council).values_list("goal", flat=True).first()


def _total_of(petition, council):
    entries = TallyEntry.objects.filter(petition=petition, kind__in=petition.counted_kinds).filter(_region(council))
    total = entries.order_by().values("petition").annotate(n=Sum("count")).values("n")
    return Coalesce(Subquery(total), Value(0), output_field=IntegerField())


def _goal_of(petition, council):
    return Subquery(PetitionGoal.objects.filter(petition=petition, council=council).values("goal")[:1])


def confirmation_figures(*, petition, council, parent=None):
    """What the confirmation page shows after an entry, in one query: the council's running total and goal
    (`council_running_total`, `council_goal`), whether it has councils below it, and with `parent` (the
    prefectural council above a local one) the parent's total and goal. The ledger is read, nothing cached:
    the page shows what was just written."""
    figures = {
        "council_total": _total_of(petition, council),
        "council_goal": _goal_of(petition, council),
        "council_has_children": Exists(Council.objects.filter(parent=council)),
    }
    if parent is not None:
        figures.update(parent_total=_total_of(petition, parent), parent_goal=_goal_of(petition, parent))
    return PetitionDrive.objects.filter(pk=petition.pk).values(**figures).get()


# --- a drive's progress over time (the documents' progress line) ---------------------------------------


@dataclass
class DriveProgress:
    """A drive's running total day by day for a region (all Japan or one prefecture), with its goal and rounds."""

    petition: PetitionDrive
    as_of: datetime.date
    prefecture: Prefecture | None
    goal: int | None
    points: list  # [(date, running total)] in date order, one per day with an entry
    rounds: list  # [CollectionRound] by deadline

    @property
    def total(self):
        return self.points[-1][1] if self.points else 0

    @property
    def percent(self):
        return round(100 * self.total / self.goal, 1) if self.goal else None


def drive_progress(*, petition, as_of, prefecture=None):
    """The running total of `petition` (its own unit) up to `as_of`, all Japan or `prefecture`: three queries.

    One GROUP BY day over the ledger's summary (TallyNationalDaily, or TallyDaily for a prefecture: kept by
    the ledger's triggers in the writing transaction; corrections are signed entries, so the sums are
    corrected); the running total is added up over those ≤ 366 day sums, never over entries. The goal is the organiser's
    (all Japan; else the prefectural councils' goals summed) or the prefecture's (its prefectural
    council's, else its councils' summed), as in the 集約一覧表. The tally is federation-public as sums
    (shaho.core.public): no scope argument.
    """
    goals = PetitionGoal.objects.filter(petition=petition)
    if prefecture is None:
        days = TallyNationalDaily.objects.filter(petition=petition)
    else:
        days = TallyDaily.objects.filter(petition=petition, prefecture_key=prefecture.pk)
        goals = goals.filter(council__prefecture=prefecture)
    days = days.filter(kind__in=petition.counted_kinds, collected_on__lte=as_of)
    running, points = 0, []
    for day, n in days.values_list("collected_on").annotate(n=Sum("total")).order_by("collected_on"):
        running += int(n)  # PostgreSQL's SUM of a bigint is numeric (Decimal)
        points.append((day, running))
    rows = list(goals.values_list("council_id", "council__kind", "goal"))
    if prefecture is None:
        own = [g for council, _kind, g in rows if council == petition.organiser_id]
        fallback = [g for _council, kind, g in rows if kind == CouncilKind.PREFECTURAL]
    else:
        own = [g for _council, kind, g in rows if kind == CouncilKind.PREFECTURAL]
        fallback = [g for _council, kind, g in rows if kind != CouncilKind.PREFECTURAL]
    goal = own[0] if own else (sum(fallback) if fallback else None)
    rounds = list(CollectionRound.objects.filter(petition=petition).order_by("deadline"))
    return DriveProgress(petition=petition, as_of=as_of, prefecture=prefecture, goal=goal, points=points, rounds=rounds)


def recent_entries(*, user, petition=None, council=None, limit=10):
    """The latest entries the user may see, each with `corrected`: its value after corrections."""
    qs = restrict(TallyEntry.objects.all(), user)
    if petition is not None:
        qs = qs.filter(petition=petition)
    if council is not None:
        qs = qs.filter(council=council)
    return (
        qs.select_related("petition", "council", "organisation", "entered_by", "corrects")
        .annotate(
            corrected=F("count") + Coalesce(Sum("corrections__count"), 0),
            n_corrections=Count("corrections"),
        )
        .order_by("-entered_at", "-pk")[:limit]
    )


def ledger_entries(*, user, petition=None):
    """The ledger's entries `user` may see (their council and below), oldest entered first, the id last.

    The order is total and new entries come at the end, so a client walking the pages (the API, every 10
    minutes with `modified_since`) never meets an entry twice or misses one. The council, the collecting
    organisation, the action, the corrected entry and who entered it come in the same query. No count or
    sum per row: a page of a million-row ledger is one index range.
    """
    qs = restrict(TallyEntry.objects.all(), user)
    if petition is not None:
        qs = qs.filter(petition=petition)
    return qs.select_related("council", "organisation", "action", "entered_by").order_by("entered_at", "pk")


def round_totals(*, petition, councils=None):
    """Totals per collection round (GROUP BY round), in the petition's unit: [(round or None, total)]."""
    qs = TallyEntry.objects.filter(petition=petition, kind__in=petition.counted_kinds)
    if councils is not None:
        qs = qs.filter(council__in=councils)
    sums = dict(qs.values("round_id").annotate(n=Sum("count")).order_by().values_list("round_id", "n"))
    rounds = list(CollectionRound.objects.filter(petition=petition).order_by("deadline"))
    result = [(r, sums.get(r.pk, 0)) for r in rounds]
    if sums.get(None):
        result.append((None, sums[None]))
    return result


# --- the 集約一覧表 -------------------------------------------------------


@dataclass
class TallyRow:
    """One line of the table: a council, a prefecture, a block subtotal or the total."""

    level: str  # "council", "prefecture", "block", "other", "total"
    group: str  # first column: block (national table) or prefecture (prefecture table)
    label: str  # second column: prefecture, council, 小計 or 合計
    goal: int | None = None
    this_round: int = 0
    to_date: int = 0
    other: int = 0
    submitted: int = 0
    code: str = ""
    link_code: str = ""
    short_label: str = ""  # the council's 略称 (「横浜社保協」) where a chart has no room for the name

    @property
    def percent(self):
        """% of goal to date, one decimal; None without a goal."""
        if not self.goal:
            return None
        return round(100 * self.to_date / self.goal, 1)

    @property
    def bar(self):
        """Width of the progress bar in % (capped at 100)."""
        p = self.percent
        return 0 if p is None else max(0, min(100, p))

    @property
    def is_subtotal(self):
        return self.level in ("block", "total")

    def add(self, other):
        self.this_round += other.this_round
        self.to_date += other.to_date
        self.other += other.other
        self.submitted += other.submitted


@dataclass
class TallyTable:
    petition: PetitionDrive
    as_of: datetime.date
    round: CollectionRound | None
    prefecture: Prefecture | None
    rows: list = field(default_factory=list)
    total: TallyRow | None = None
    # A prefecture's goal split among its councils: (the prefecture's goal, the part kept by the prefectural
    # council, the local councils' part). The rows are the breakdown of the total, not goals on top of it.
    goal_split: tuple | None = None

    @property
    def group_header(self):
        return "都道府県" if self.prefecture else "ブロック"

    @property
    def label_header(self):
        return "社保協" if self.prefecture else "都道府県"

    @property
    def headers(self):
        """Column headers, the same on the page, in xlsx and CSV, and from the command."""
        unit = self.petition.unit
        return [
            self.group_header,
            self.label_header,
            f"目標（{unit}）",
            f"今次集約（{unit}）",
            f"累計（{unit}）",
            "達成率（%）",
            f"提出済（{unit}）",
            self.petition.other_label,
        ]

    @property
    def title(self):
        where = f"{self.prefecture.name} " if self.prefecture else ""
        return f"{self.petition.title} 集約一覧表 {where}{self.as_of.year}年{self.as_of.month}月{self.as_of.day}日現在"

    def all_rows(self):
        return [*self.rows, self.total]

    def values(self):
        """Rows as plain values in header order (percent as a number or blank)."""
        return [
            [
                r.group,
                r.label,
                r.goal if r.goal is not None else "",
                r.this_round,
                r.to_date,
                r.percent if r.percent is not None else "",
                r.submitted,
                r.other,
            ]
            for r in self.all_rows()
        ]


def _goal_sum(goals):
    known = [g for g in goals if g is not None]
    return sum(known) if known else None


def tally_table(*, petition, as_of=None, prefecture=None):
    """The 集約一覧表 of `petition` as of `as_of` (default today).

    National: a row per prefecture, grouped by block with a subtotal per block, a
    row for the national council and councils outside the prefectures when they
    have figures, and the national total. For one `prefecture`: a row per council
    in it (the prefectural council's own row first) and the prefecture's total.
    Columns: goal, this round (the round `as_of` falls in), to date, % of goal,
    submitted, and the other unit. Six queries whatever the size of the ledger.
    """
    as_of = as_of or timezone.localdate()
    this_round = current_round(petition=petition, as_of=as_of)
    # For one prefecture only its councils' entries are read: an index range on (petition, council).
    within = Council.objects.filter(prefecture=prefecture).values("pk") if prefecture is not None else None
    entry_sums = {
        r["council_id"]: r for r in council_totals(petition=petition, as_of=as_of, round=this_round, councils=within)
    }
    submitted = {r["council_id"]: r["submitted"] for r in submitted_by_council(petition=petition, as_of=as_of)}
    goals = dict(PetitionGoal.objects.filter(petition=petition).values_list("council_id", "goal"))
    # A prefecture's table lists its council first, then its local councils by municipality code.
    councils = Council.objects.values(
        "pk", "name", "short_name", "kind", "parent_id", "prefecture_id", "path", "status"
    ).order_by("sort_key", "pk")
    if prefecture is not None:
        councils = councils.filter(prefecture=prefecture)
    table = TallyTable(petition=petition, as_of=as_of, round=this_round, prefecture=prefecture)

    def council_row(c, level="council", group="", label=None):
        sums = entry_sums.get(c["pk"], {})
        return TallyRow(
            level=level,
            group=group,
            label=label or c["name"],
            short_label=label or c["short_name"] or c["name"],
            goal=goals.get(c["pk"]),
            this_round=sums.get("this_round", 0),
            to_date=sums.get("to_date", 0),
            other=sums.get("other", 0),
            submitted=submitted.get(c["pk"], 0),
        )

    if prefecture is not None:
        return _prefecture_table(table, list(councils), goals, council_row)
    return _national_table(table, list(councils), goals, council_row)


def _prefecture_table(table, councils, goals, council_row):
    prefecture = table.prefecture
    pref_council = next((c for c in councils if c["kind"] == CouncilKind.PREFECTURAL), None)
    total = TallyRow(level="total", group=prefecture.name, label="合計", code=prefecture.code)
    local_goals = []
    for c in councils:
        row = council_row(c, group=prefecture.name)
        has_figures = row.to_date or row.other or row.submitted or row.goal is not None
        if c["kind"] != CouncilKind.PREFECTURAL:
            local_goals.append(row.goal)
            if c["status"] == Council.Status.DISSOLVED and not has_figures:
                continue
        table.rows.append(row)
        total.add(row)
    pref_goal = goals.get(pref_council["pk"]) if pref_council else None
    split = _goal_sum(local_goals)
    if pref_council is not None and table.rows and pref_goal is not None and split is not None:
        # The part of the prefecture's goal not split among local councils stays with the prefectural council.
        table.rows[0].goal = max(pref_goal - split, 0)
        table.goal_split = (pref_goal, table.rows[0].goal, split)
    total.goal = pref_goal if pref_goal is not None else split
    table.total = total
    return table


def _national_table(table, councils, goals, council_row):
    prefectures = list(
        Prefecture.objects.values("pk", "code", "name", "block__name", "block__order").order_by(
            F("block__order").asc(nulls_last=True), "code"
        )
    )
    per_pref = {
        p["pk"]: TallyRow(
            level="prefecture", group=p["block__name"] or "その他", label=p["name"], code=p["code"], link_code=p["code"]
        )
        for p in prefectures
    }
    pref_goal = {}
    split_goals = defaultdict(list)
    outside = TallyRow(level="other", group="中央", label="中央社保協・全国組織")
    national_goal = None
    for c in councils:
        row = council_row(c)
        if c["prefecture_id"] in per_pref:
            per_pref[c["prefecture_id"]].add(row)
            if c["kind"] == CouncilKind.PREFECTURAL:
                pref_goal[c["prefecture_id"]] = row.goal
            else:
                split_goals[c["prefecture_id"]].append(row.goal)
        else:
            outside.add(row)
            if c["kind"] == CouncilKind.NATIONAL:
                national_goal = row.goal
    for pk, row in per_pref.items():
        row.goal = pref_goal.get(pk) if pref_goal.get(pk) is not None else _goal_sum(split_goals[pk])
    total = TallyRow(level="total", group="全国", label="合計")
    block_rows = []
    current = None
    for p in prefectures:
        row = per_pref[p["pk"]]
        if current is None or current.group != row.group:
            current = TallyRow(level="block", group=row.group, label="小計")
            block_rows.append((current, []))
        block_rows[-1][1].append(row)
        current.add(row)
    for subtotal, rows in block_rows:
        subtotal.goal = _goal_sum(r.goal for r in rows)
        table.rows.extend(rows)
        table.rows.append(subtotal)
        total.add(subtotal)
    if outside.to_date or outside.other or outside.submitted:
        table.rows.append(outside)
        total.add(outside)
    total.goal = national_goal if national_goal is not None else _goal_sum(r.goal for r, _ in block_rows)
    table.total = total
    return table


def requestable_petitions(user):
    return PetitionDrive.objects.all() if system_user(user) else visible_petitions(user=user)


def petition_choices(user):
    return [(p.slug, p.title) for p in requestable_petitions(user).order_by("-starts_on", "title")]


def visible_petition(value, *, user):
    """The drive with identifier `value` among those `user` may see; one message for "none" and "not yours"."""
    petition = drive_for(identifier=str(value), user=None, queryset=requestable_petitions(user))
    if petition is None:
        raise ValidationError(f"署名「{value}」はありません（または見る権限がありません）。")
    return petition


# The ledger's search (the admin list): what staff look entries up by, each through an index.
LEDGER_TEXT_MIN = 3  # a trigram: shorter words are looked up in names and numbers only
LEDGER_TEXT_FIELDS = ("source", "note", "correction_reason")


def ledger_search(queryset, text):
    """`queryset` narrowed to the entries every word of `text` finds (the ledger admin's search box).

    A word finds an entry by its council (name or short name) or collecting organisation, looked up
    in their own small tables and matched by id (an index on the ledger); by its number (digits); and,
    from three characters on, by the place, note or correction reason typed on it (trigram indexes on
    PostgreSQL, migration 0008). A two-character word (「東京」) cannot use a trigram: matched against
    every entry's text it costs a scan of the whole ledger, three times a page (its count, its rows, its
    date bar), so it finds names and numbers.
    """
    from django.utils.text import smart_split, unescape_string_literal

    from councils.models import Organisation

    for bit in smart_split(text):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        word = normalize(bit)
        if not word:
            continue
        councils = list(
            Council.objects.filter(Q(name__icontains=word) | Q(short_name__icontains=word)).values_list("pk", flat=True)
        )
        organisations = list(
            Organisation.objects.filter(Q(name__icontains=word) | Q(short_name__icontains=word)).values_list(
                "pk", flat=True
            )
        )
        found = Q(council_id__in=councils) | Q(organisation_id__in=organisations)
        if word.isdigit() and len(word) < 10:
            found |= Q(pk=int(word))
        if len(word) >= LEDGER_TEXT_MIN:
            for name in LEDGER_TEXT_FIELDS:
                found |= Q(**{f"{name}__icontains": word})
        queryset = queryset.filter(found)
    return queryset


# --- every drive of a period (the policy draft's 社会保障関連の署名総数) ------------------------------------


@dataclass
class DrivePeriodRow:
    """One drive's figures over a period: collected in it, submitted in it, the drive's goal."""

    petition: PetitionDrive
    collected: int
    submitted: int
    goal: int | None

    @property
    def percent(self):
        return round(100 * self.collected / self.goal, 1) if self.goal else None


def drives_of_period(*, start, end, user):
    """The drives running at some time from `start` to `end` that `user` may see (None: every drive).

    Each drive's own unit (筆, or 団体 for an organisational drive) collected from `start` to `end`,
    submitted in the same days, and its goal (the organiser's, else its prefectural councils' summed, as
    drive_progress has it). Four queries whatever the number of drives and entries: the drives, one GROUP BY
    over the ledger's national daily summary, one over the submissions, one over the goals.
    """
    drives = list(
        requestable_petitions(user)
        .filter(starts_on__lte=end, ends_on__gte=start)
        .select_related("organiser")
        .order_by("starts_on", "title")
    )
    ids = [d.pk for d in drives]
    collected = dict(
        TallyNationalDaily.objects.filter(petition__in=ids, collected_on__gte=start, collected_on__lte=end)
        .filter(_counted_kinds_q())
        .values("petition")
        .annotate(n=Sum("total"))
        .order_by()
        .values_list("petition", "n")
    )
    submitted = dict(
        Submission.objects.filter(petition__in=ids, submitted_on__gte=start, submitted_on__lte=end)
        .values("petition")
        .annotate(n=Sum("count"))
        .order_by()
        .values_list("petition", "n")
    )
    own, prefectural = {}, defaultdict(int)
    for petition_id, council_id, kind, goal in PetitionGoal.objects.filter(petition__in=ids).values_list(
        "petition", "council", "council__kind", "goal"
    ):
        own[(petition_id, council_id)] = goal
        if kind == CouncilKind.PREFECTURAL:
            prefectural[petition_id] += goal
    return [
        DrivePeriodRow(
            petition=d,
            collected=int(collected.get(d.pk) or 0),  # PostgreSQL's SUM of a bigint is numeric
            submitted=int(submitted.get(d.pk) or 0),
            goal=own.get((d.pk, d.organiser_id), prefectural.get(d.pk)),
        )
        for d in drives
    ]


def _counted_kinds_q():
    """The summary rows a drive counts: organisations for an organisational drive, else people (paper and web)."""
    organisational = Q(petition__kind=PetitionDrive.Kind.ORGANISATIONAL)
    return (organisational & Q(kind=SignatureKind.ORGANISATIONAL)) | (
        ~organisational & Q(kind__in=[SignatureKind.INDIVIDUAL, SignatureKind.WEB])
    )


def signatures_of_period(*, start, end, user):
    """The signatures (筆: paper and web, organisational drives left out) of every drive of the period, summed.

    The same drives and days as `drives_of_period`, added up by the database in one query: the policy
    draft's 「社会保障関連の署名総数は　筆」.
    """
    drives = requestable_petitions(user).filter(starts_on__lte=end, ends_on__gte=start)
    total = (
        TallyNationalDaily.objects.filter(petition__in=drives.values("pk"))
        .filter(collected_on__gte=start, collected_on__lte=end)
        .exclude(petition__kind=PetitionDrive.Kind.ORGANISATIONAL)
        .filter(kind__in=[SignatureKind.INDIVIDUAL, SignatureKind.WEB])
        .aggregate(n=Sum("total"))["n"]
    )
    return int(total or 0)


def prefecture_submissions(*, prefecture, start, end, user=None):
    """Signatures the councils of `prefecture` handed in from `start` to `end`, each beside the drive's national total.

    `national_total` is what every council handed in for the same drive on the same day (the
    event's 全国6万5千筆 beside Kanagawa's 1,241): a sum, counted whoever asks, since it names no
    council. The rows themselves are only those `user` may see (None: a system run). One query.
    """
    national = (
        Submission.objects.filter(petition=OuterRef("petition"), submitted_on=OuterRef("submitted_on"))
        .order_by()
        .values("petition", "submitted_on")
        .annotate(total=Sum("count"))
        .values("total")
    )
    rows = Submission.objects.filter(council__prefecture=prefecture, submitted_on__gte=start, submitted_on__lte=end)
    if not system_user(user):
        rows = restrict(rows, user)
    return list(
        rows.annotate(national_total=Subquery(national, output_field=IntegerField()))
        .select_related("petition", "council", "action")
        .order_by("submitted_on", "council__sort_key", "pk")
    )
