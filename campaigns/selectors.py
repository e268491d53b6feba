"""Read side of campaigns: counts computed by the database, the calendar, an action read back as reported.

Every count here is one aggregate query (or one per table printed), whatever the number of
actions: study sessions and their attendance per council, prefecture and nation against the
「1万か所学習運動」 goal; actions per kind; participants per organisation across a campaign;
signatures collected at actions per petition (read from the petitions ledger, where they live).
"""

import datetime
from collections import OrderedDict
from dataclasses import dataclass, field

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Prefetch, Q, Subquery, Sum
from django.db.models.functions import Coalesce

from councils.models import Council, CouncilKind
from municipalities.registry.models import Prefecture
from petitions.models import Submission, TallyEntry
from shaho.core.japanese import fiscal_year
from shaho.core.scoping import restrict, system_user

from .models import Action, ActionKind, Campaign, Participation, StickerPoll, StudyGoal

D = datetime.date


def fiscal_year_bounds(year):
    """(first day, last day) of the 年度 `year`: April to March."""
    return D(year, 4, 1), D(year + 1, 3, 31)


def _participation_totals():
    rows = Participation.objects.filter(action=OuterRef("pk")).order_by().values("action")
    people = rows.annotate(n=Sum("count")).values("n")
    organisations = rows.annotate(n=Count("pk")).values("n")
    return (
        Coalesce(Subquery(organisations, output_field=IntegerField()), 0),
        Coalesce(Subquery(people, output_field=IntegerField()), 0),
    )


def with_totals(queryset):
    """Actions annotated with the totals derived from their rows: `row_organisations`, `row_participants`."""
    organisations, people = _participation_totals()
    return queryset.annotate(row_organisations=organisations, row_participants=people)


def totals_disagree(action):
    """Whether a stated total contradicts the rows (both are kept; staff confirm the disagreement)."""
    orgs = getattr(action, "row_organisations", None)
    people = getattr(action, "row_participants", None)
    if orgs is None:
        agg = action.participations.aggregate(o=Count("pk"), p=Coalesce(Sum("count"), 0))
        orgs, people = agg["o"], agg["p"]
    if not orgs:
        return False
    return (action.stated_organisations is not None and action.stated_organisations != orgs) or (
        action.stated_participants is not None and action.stated_participants != people
    )


def disagreement_text(action):
    """「報告は12団体26人、参加団体の行は11団体26人」, or '' when they agree."""
    if not totals_disagree(action):
        return ""
    stated = f"{action.stated_organisations or '—'}団体{action.stated_participants or '—'}人"
    return f"報告は{stated}、参加団体の行は{action.row_organisations}団体{action.row_participants}人"


@dataclass
class ActionReport:
    """One action as reported: the action, its rows and the signatures of the ledger that point at it."""

    action: Action
    participations: list
    speakers: list
    outputs: list
    polls: list
    voices: list
    demands: list
    signatures: list  # [(petition, count)]
    submissions: list
    organisations: int = 0
    participants: int = 0
    disagreement: str = ""

    @property
    def headline(self):
        """「11団体26人、チラシ・ポケットティッシュ1,000枚、署名42筆、シール投票75（反対72、賛成3）」."""
        parts = [f"{self.organisations}団体{self.participants}人"] if self.participations else []
        return "、".join(parts + self._tallies(named=False))

    @property
    def tallies(self):
        """What the action handed out and collected, each signature with its drive's short name:
        「チラシ・ティッシュ500枚、署名26筆（保険証残して）」 (the prefecture report's street-action line)."""
        return "、".join(self._tallies(named=True))

    def _tallies(self, *, named):
        parts = [str(o) for o in self.outputs]
        for petition, count in self.signatures:
            name = f"（{petition.short_name}）" if named and petition.short_name else ""
            parts.append(f"署名{count:,}{petition.unit}{name}")
        for poll in self.polls:
            options = "、".join(f"{o.label}{o.count}" for o in poll.options.all())
            total = poll.stated_total if poll.stated_total is not None else sum(o.count for o in poll.options.all())
            parts.append(f"シール投票{total}（{options}）")
        return parts


def signatures_by_action(actions):
    """{action id: [(petition, corrected total)]} from the ledger (corrections included), one query."""
    rows = (
        TallyEntry.objects.filter(action__in=actions)
        .values("action", "petition")
        .annotate(n=Sum("count"))
        .order_by("action", "petition")
    )
    from petitions.models import PetitionDrive

    drives = PetitionDrive.objects.in_bulk({r["petition"] for r in rows})
    out = {}
    for r in rows:
        out.setdefault(r["action"], []).append((drives[r["petition"]], r["n"]))
    return out


def _prefetched(queryset):
    return queryset.select_related(
        "kind", "organiser", "counterpart_prefecture", "counterpart_municipality", "municipality", "liaison_group"
    ).prefetch_related(
        Prefetch("participations", queryset=Participation.objects.select_related("organisation")),
        "speakers",
        "outputs",
        Prefetch("polls", queryset=StickerPoll.objects.prefetch_related("options")),
        "voices",
        "demands",
        "campaigns",
        Prefetch("submissions", queryset=Submission.objects.select_related("petition")),
    )


def action_reports(queryset):
    """ActionReport of every action of `queryset`, in a fixed number of queries."""
    actions = list(_prefetched(with_totals(queryset)))
    signatures = signatures_by_action([a.pk for a in actions])
    return [
        ActionReport(
            action=a,
            participations=list(a.participations.all()),
            speakers=list(a.speakers.all()),
            outputs=list(a.outputs.all()),
            polls=list(a.polls.all()),
            voices=list(a.voices.all()),
            demands=list(a.demands.all()),
            signatures=signatures.get(a.pk, []),
            submissions=list(a.submissions.all()),
            organisations=a.row_organisations,
            participants=a.row_participants,
            disagreement=disagreement_text(a),
        )
        for a in actions
    ]


def action_report(action):
    return action_reports(Action.objects.filter(pk=action.pk))[0]


def visible_actions(*, user):
    return restrict(Action.objects.all(), user)


# --- counting -----------------------------------------------------------------------------


def _held_between(start, end):
    return Q(status=Action.Status.HELD, starts_on__gte=start, starts_on__lte=end)


def _study_sessions(start, end):
    return Action.objects.filter(_held_between(start, end), kind__is_study_session=True)


ATTENDANCE = Coalesce(F("onsite_count"), 0) + Coalesce(F("online_count"), 0)


@dataclass
class StudyCount:
    sessions: int
    attendance: int
    online_points: int
    goal: int | None = None

    @property
    def percent(self):
        return round(self.sessions * 100 / self.goal, 1) if self.goal else None


def _study_aggregate(queryset):
    return queryset.aggregate(
        sessions=Count("pk"),
        attendance=Coalesce(Sum(ATTENDANCE), 0),
        online_points=Coalesce(Sum("online_points"), 0),
    )


def study_session_count(*, start, end, council=None, prefecture=None):
    """Study sessions held from `start` to `end` and their attendance (on site + online people).

    Nationally by default; for a `prefecture` (every council in it); for a `council` (it and the
    councils below it). Two queries: the aggregate and the goal of the 年度 `start` falls in.
    """
    queryset = _study_sessions(start, end)
    goal_council = None
    if council is not None:
        queryset = queryset.filter(organiser__path__startswith=council.path)
        goal_council = council
    elif prefecture is not None:
        queryset = queryset.filter(organiser__prefecture=prefecture)
        goal_council = Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture=prefecture).first()
    goal = StudyGoal.objects.filter(year=fiscal_year(start))
    goal = goal.filter(council=goal_council) if goal_council else goal.filter(council__kind=CouncilKind.NATIONAL)
    return StudyCount(**_study_aggregate(queryset), goal=goal.values_list("goal", flat=True).first())


@dataclass
class PrefectureStudyRow:
    prefecture: object  # Prefecture, or None for the national council's own sessions
    sessions: int
    attendance: int
    goal: int | None

    @property
    def label(self):
        return self.prefecture.name if self.prefecture else "全国（中央）"

    @property
    def percent(self):
        return round(self.sessions * 100 / self.goal, 1) if self.goal else None


def study_sessions_by_prefecture(*, start, end):
    """One row per prefecture (JIS order) and one for the national council's own: three queries in all."""
    grouped = {
        r["organiser__prefecture"]: r
        for r in _study_sessions(start, end)
        .values("organiser__prefecture")
        .annotate(sessions=Count("pk"), attendance=Coalesce(Sum(ATTENDANCE), 0))
        .order_by()
    }
    goals = dict(
        StudyGoal.objects.filter(year=fiscal_year(start), council__kind=CouncilKind.PREFECTURAL).values_list(
            "council__prefecture", "goal"
        )
    )
    rows = []
    for prefecture in Prefecture.objects.order_by("code"):
        r = grouped.get(prefecture.pk, {})
        rows.append(
            PrefectureStudyRow(prefecture, r.get("sessions", 0), r.get("attendance", 0), goals.get(prefecture.pk))
        )
    if None in grouped:
        rows.append(PrefectureStudyRow(None, grouped[None]["sessions"], grouped[None]["attendance"], None))
    return rows


def actions_per_kind(*, start, end, prefecture=None, council=None):
    """[(kind, actions held, participants on site)] for every kind, in the kinds' order: one query."""
    held = Q(actions__status=Action.Status.HELD, actions__starts_on__gte=start, actions__starts_on__lte=end)
    if prefecture is not None:
        held &= Q(actions__organiser__prefecture=prefecture)
    if council is not None:
        held &= Q(actions__organiser__path__startswith=council.path)
    kinds = ActionKind.objects.annotate(
        n=Count("actions", filter=held), people=Coalesce(Sum("actions__onsite_count", filter=held), 0)
    ).order_by("order", "name")
    return [(k, k.n, k.people) for k in kinds]


def action_count(*, start, end, kind=None, prefecture=None):
    queryset = Action.objects.filter(_held_between(start, end))
    if kind is not None:
        queryset = queryset.filter(kind=kind)
    if prefecture is not None:
        queryset = queryset.filter(organiser__prefecture=prefecture)
    return queryset.count()


def _campaign_tree(campaign):
    """The campaign and the campaigns inside it (any depth), as a list of pks."""
    pks, frontier = [campaign.pk], [campaign.pk]
    while frontier:
        frontier = list(Campaign.objects.filter(parent__in=frontier).exclude(pk__in=pks).values_list("pk", flat=True))
        pks += frontier
    return pks


def participants_per_organisation(*, campaign, start=None, end=None, user=None):
    """[(organisation label, actions joined, people)] across a campaign and the campaigns inside it, by people.

    `user`: only the actions the user may see (None: every action, for national documents and system runs), so a
    national campaign read by a prefecture's staff counts that prefecture's actions and the shared ones only.
    """
    rows = Participation.objects.filter(action__campaigns__in=_campaign_tree(campaign))
    if not system_user(user):
        rows = rows.filter(action__in=visible_actions(user=user).values("pk"))
    if start:
        rows = rows.filter(action__starts_on__gte=start)
    if end:
        rows = rows.filter(action__starts_on__lte=end)
    grouped = (
        rows.values("organisation", "organisation__name", "organisation_name")
        .annotate(actions=Count("action", distinct=True), people=Sum("count"))
        .order_by("-people", "organisation__name", "organisation_name")
    )
    return [(r["organisation_name"] or r["organisation__name"], r["actions"], r["people"]) for r in grouped]


def campaign_participants(*, campaign, start=None, end=None, user=None):
    """People counted at the campaign's actions (participation rows, else on-site counts): one query.

    `user`: only the actions the user may see (None: every action), as `participants_per_organisation`.
    """
    actions = Action.objects.filter(campaigns__in=_campaign_tree(campaign), status=Action.Status.HELD).distinct()
    if not system_user(user):
        actions = restrict(actions, user)
    if start:
        actions = actions.filter(starts_on__gte=start)
    if end:
        actions = actions.filter(starts_on__lte=end)
    counted = actions.aggregate(
        onsite=Coalesce(Sum("onsite_count"), 0), online=Coalesce(Sum("online_count"), 0), actions=Count("pk")
    )
    # An action reported only by its rows (「11団体26人」, no on-site figure) counts its rows' people.
    rows = Participation.objects.filter(action__in=actions.filter(onsite_count__isnull=True).values("pk"))
    counted["rows"] = rows.aggregate(n=Coalesce(Sum("count"), 0))["n"]
    counted["n"] = counted["onsite"] + counted["online"] + counted["rows"]
    return counted


def signatures_at_actions(*, petition, start=None, end=None, prefecture=None):
    """Signatures of `petition` collected at actions: [(action, count)] by date, and their sum."""
    entries = TallyEntry.objects.filter(petition=petition, action__isnull=False)
    if start:
        entries = entries.filter(collected_on__gte=start)
    if end:
        entries = entries.filter(collected_on__lte=end)
    if prefecture is not None:
        entries = entries.filter(council__prefecture=prefecture)
    grouped = list(entries.values("action").annotate(n=Sum("count")).order_by("action"))
    actions = Action.objects.in_bulk([r["action"] for r in grouped])
    rows = sorted(((actions[r["action"]], r["n"]) for r in grouped), key=lambda pair: pair[0].starts_on)
    return rows, sum(n for _a, n in rows)


# --- the calendar (当面の日程) --------------------------------------------------------------


def calendar_councils(council):
    """The council, the councils above it and the councils below it: a Q on `organiser`."""
    above = [int(pk) for pk in council.path.strip("/").split("/") if pk]
    return Q(organiser__in=above) | Q(organiser__path__startswith=council.path)


def calendar_actions(*, council, start, end):
    """Actions of `council`, above and below it, from `start` to `end` (cancelled ones left out), in date order.

    An action co-organised by one of those councils is on the calendar too. One query.
    """
    councils = calendar_councils(council)
    co = Action.co_organisers.through.objects.filter(action=OuterRef("pk"), council__in=Council.objects.filter(
        Q(pk__in=[int(pk) for pk in council.path.strip("/").split("/") if pk]) | Q(path__startswith=council.path)
    ))  # fmt: skip
    return (
        Action.objects.filter(councils | Q(Exists(co)))
        .filter(starts_on__lte=end)
        .filter(Q(ends_on__gte=start) | Q(ends_on__isnull=True, starts_on__gte=start))
        .exclude(status=Action.Status.CANCELLED)
        .select_related("kind", "organiser")
        .order_by("starts_on", F("start_time").asc(nulls_first=True), "pk")
    )


@dataclass
class CalendarMonth:
    year: int
    month: int
    days: list = field(default_factory=list)  # [(date, [actions])]


def calendar_months(actions):
    """Actions grouped by month and day for the printed 当面の日程 (month and day in the left column)."""
    months = OrderedDict()
    for action in actions:
        day = action.starts_on
        month = months.setdefault((day.year, day.month), CalendarMonth(day.year, day.month))
        if month.days and month.days[-1][0] == day:
            month.days[-1][1].append(action)
        else:
            month.days.append((day, [action]))
    return list(months.values())


# --- the prefecture's report (都道府県報告) ----------------------------------------------------


@dataclass
class ThemeSection:
    title: str
    street: list = field(default_factory=list)
    study: list = field(default_factory=list)
    negotiations: list = field(default_factory=list)
    others: list = field(default_factory=list)

    @property
    def count(self):
        return len(self.street) + len(self.study) + len(self.negotiations) + len(self.others)

    @property
    def empty(self):
        return not self.count


def prefecture_report(*, prefecture, start, end, user=None):
    """A prefecture's actions from `start` to `end` grouped by theme, as in the Kanagawa report to the block.

    Each action goes under the first theme of its first campaign (「その他の取り組み」 without one);
    the theme with the most actions comes first (the seed puts 保険証 first), 「その他の取り組み」 last;
    within a theme: street actions, study sessions, negotiations and talks, the rest. Planned actions
    are in (the seed reports 「1月18日…の予定」 under its theme; a longer period holds every action of a
    shorter one), cancelled ones are not. Only actions `user` may see (None: a system run, which sees
    every council's). A fixed number of queries.
    """
    actions = Action.objects.filter(organiser__prefecture=prefecture, starts_on__gte=start, starts_on__lte=end)
    actions = actions.exclude(status=Action.Status.CANCELLED)
    if not system_user(user):
        actions = restrict(actions, user)
    reports = action_reports(actions.order_by("starts_on", "start_time", "pk"))
    themes_of = {}
    for campaign in Campaign.objects.filter(actions__in=actions).prefetch_related("themes").distinct():
        themes_of[campaign.pk] = [t.name for t in campaign.themes.all()]
    sections = OrderedDict()
    for report in reports:
        title = "その他の取り組み"
        for campaign in report.action.campaigns.all():
            names = themes_of.get(campaign.pk) or []
            title = f"{names[0]}（{campaign}）" if names else str(campaign)
            break
        section = sections.setdefault(title, ThemeSection(title))
        kind = report.action.kind
        if kind.is_street_action:
            section.street.append(report)
        elif kind.is_study_session:
            section.study.append(report)
        elif kind.is_negotiation:
            section.negotiations.append(report)
        else:
            section.others.append(report)
    # The period's main work first: the theme with the most actions, then the earlier one; the rest last.
    order = {title: i for i, title in enumerate(sections)}
    return sorted(sections.values(), key=lambda s: (s.title == "その他の取り組み", -s.count, order[s.title]))


def poll_totals(poll):
    return sum(o.count for o in poll.options.all())
