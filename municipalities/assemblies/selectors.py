"""Reading the local-assembly work: a campaign's national count, the pending ones, a party group's record.

`assembly_count` is THE count: the admin's 全国集計 page, the `assembly_summary` PDF and the policy
draft's figures all read it, so they always agree. It is computed by the database in a constant
number of queries (four), whatever the number of petitions: adopting municipalities per prefecture,
意見書 sent per prefecture, adopting assemblies per sitting, 意見書 per sitting.

What it counts, for a campaign and a period (by the date of the decision that counts — the plenary's,
else the committee's — and by the 意見書's adopted date):
- municipalities (市区町村) whose assembly adopted (採択・一部採択・趣旨採択) at least one petition,
  per prefecture and nationally; prefectural assemblies separately;
- prefectures with at least one adopting assembly;
- 意見書 adopted and sent: a different figure (112 municipalities, 111 statements), never derived
  from the adoptions;
- per sitting (2019年12月議会 …): assemblies adopting in that sitting.
"""

import datetime
from dataclasses import dataclass, field

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Case, Count, Exists, F, IntegerField, Max, OuterRef, Prefetch, Q, Subquery, Value, When
from django.db.models.functions import Coalesce, NullIf

from municipalities.assemblies.models import (
    ADOPTED_OUTCOMES,
    OPEN_OUTCOMES,
    Assembly,
    AssemblyPetition,
    AssemblyVote,
    OpinionStatement,
    Outcome,
    Season,
)
from municipalities.registry.models import Municipality
from shaho.core.scoping import restrict, system_user

SEASON_LABELS = dict(Season.choices)


@dataclass
class PrefectureCount:
    code: str
    name: str
    municipalities: int = 0
    prefectural: int = 0  # 1 when the prefectural assembly adopted
    statements: int = 0


@dataclass
class SittingCount:
    year: int
    season: str
    municipalities: int = 0
    assemblies: int = 0
    statements: int = 0

    @property
    def key(self):
        """The sitting as written in a figure's argument: 2019-12."""
        return f"{self.year}-{self.season}"

    @property
    def label(self):
        return f"{self.year}年{SEASON_LABELS.get(self.season, self.season)}"


@dataclass
class AssemblyCount:
    campaign: object
    start: datetime.date | None
    end: datetime.date | None
    prefectures: list = field(default_factory=list)  # PrefectureCount, by prefecture code
    sittings: list = field(default_factory=list)  # SittingCount, in time order

    @property
    def municipalities(self):
        # A municipality lies in one prefecture, so the per-prefecture distinct counts add up exactly.
        return sum(p.municipalities for p in self.prefectures)

    @property
    def prefectural_assemblies(self):
        return sum(p.prefectural for p in self.prefectures)

    @property
    def prefecture_count(self):
        """Prefectures with at least one adopting assembly."""
        return sum(1 for p in self.prefectures if p.municipalities or p.prefectural)

    @property
    def statements(self):
        return sum(p.statements for p in self.prefectures)

    def sitting(self, key):
        """The SittingCount of `key` ('2019-12'); a sitting with no adoption counts 0."""
        for sitting in self.sittings:
            if sitting.key == key:
                return sitting
        year, season = key.split("-")
        return SittingCount(int(year), season)

    def prefecture(self, code):
        for prefecture in self.prefectures:
            if prefecture.code == code:
                return prefecture
        return None

    def sentence(self):
        """「18都道府県の112市区町村で採択、意見書111本」"""
        return f"{self.prefecture_count}都道府県の{self.municipalities}市区町村で採択、意見書{self.statements}本" + (
            f"（都道府県議会 {self.prefectural_assemblies}）" if self.prefectural_assemblies else ""
        )


def _period(queryset, name, start, end):
    if start:
        queryset = queryset.filter(**{f"{name}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{name}__lte": end})
    return queryset


def adopted_petitions(*, campaign, start=None, end=None, user=None):
    """The campaign's petitions adopted in the period (by their deciding date), within `user`'s scope."""
    queryset = AssemblyPetition.objects.filter(campaign=campaign, outcome__in=ADOPTED_OUTCOMES)
    if not system_user(user):
        queryset = restrict(queryset, user)
    return _period(queryset, "decided_on", start, end)


def sent_statements(*, campaign, start=None, end=None, user=None):
    queryset = OpinionStatement.objects.filter(campaign=campaign, status=OpinionStatement.Status.ADOPTED)
    if not system_user(user):
        queryset = restrict(queryset, user)
    return _period(queryset, "adopted_on", start, end)


def assembly_count(*, campaign, start=None, end=None, user=None):
    """A campaign's count for a period, per prefecture, per sitting and in all (see the module). Four queries.

    `user`: only what the user may see (None: everything, for national documents and system runs).
    """
    adopted = adopted_petitions(campaign=campaign, start=start, end=end, user=user)
    municipal = Q(assembly__municipality__isnull=False)
    per_prefecture = (
        adopted.order_by()
        .values(code=F("assembly__prefecture__code"), name=F("assembly__prefecture__name"))
        .annotate(
            municipalities=Count("assembly", distinct=True, filter=municipal),
            prefectural=Count("assembly", distinct=True, filter=~municipal),
        )
    )
    counts = {row["code"]: PrefectureCount(**row) for row in per_prefecture}
    statements = (
        sent_statements(campaign=campaign, start=start, end=end, user=user)
        .order_by()
        .values(code=F("assembly__prefecture__code"), name=F("assembly__prefecture__name"))
        .annotate(n=Count("pk"))
    )
    for row in statements:
        counts.setdefault(row["code"], PrefectureCount(row["code"], row["name"])).statements = row["n"]
    per_sitting = (
        adopted.order_by()
        .values(year=F("sitting__year"), season=F("sitting__season"))
        .annotate(
            municipalities=Count("assembly", distinct=True, filter=municipal),
            assemblies=Count("assembly", distinct=True),
        )
    )
    sittings = {(row["year"], row["season"]): SittingCount(**row) for row in per_sitting}
    # 意見書 per sitting: that of the petition they came from (a members' statement without one counts in all only).
    statements_per_sitting = (
        sent_statements(campaign=campaign, start=start, end=end, user=user)
        .filter(petition__isnull=False)
        .order_by()
        .values(year=F("petition__sitting__year"), season=F("petition__sitting__season"))
        .annotate(n=Count("pk"))
    )
    for row in statements_per_sitting:
        key = (row["year"], row["season"])
        sittings.setdefault(key, SittingCount(*key)).statements = row["n"]
    sittings = sorted(sittings.values(), key=lambda s: (s.year, s.season))
    return AssemblyCount(
        campaign=campaign,
        start=start,
        end=end,
        prefectures=[counts[code] for code in sorted(counts)],
        sittings=sittings,
    )


def pending_petitions(*, campaign=None, user=None, limit=200):
    """Petitions still to be decided (審査中・継続審議), the next committee date first, undated last."""
    queryset = AssemblyPetition.objects.filter(outcome__in=OPEN_OUTCOMES)
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    if not system_user(user):
        queryset = restrict(queryset, user)
    return queryset.select_related(
        "assembly__municipality", "assembly__prefecture", "sitting", "submitted_by"
    ).order_by(F("committee_on").asc(nulls_last=True), "assembly__prefecture__code", "pk")[:limit]


def adoption_list(*, campaign, start=None, end=None, user=None):
    """The adopted petitions with their assembly, sitting and recorded votes (two queries), by prefecture and code."""
    votes = Prefetch("votes", queryset=AssemblyVote.objects.select_related("group").order_by("stage", "group__name"))
    return (
        adopted_petitions(campaign=campaign, start=start, end=end, user=user)
        .select_related("assembly__municipality", "assembly__prefecture", "sitting")
        .prefetch_related(votes)
        .order_by("assembly__prefecture__code", "assembly__municipality__code", "decided_on", "pk")
    )


def party_record(*, start=None, end=None, campaign=None, user=None, stage=None):
    """How each party group voted on our petitions in the period, across assemblies: one query.

    Rows of {party, position, position_label, n}, a group counted under its 政党 when recorded, else its 会派名; ordered
    by party then position. The period is the petitions' deciding date.
    """
    votes = AssemblyVote.objects.all()
    if not system_user(user):
        votes = restrict(votes, user)
    if campaign is not None:
        votes = votes.filter(petition__campaign=campaign)
    if stage is not None:
        votes = votes.filter(stage=stage)
    votes = _period(votes, "petition__decided_on", start, end)
    rows = (
        votes.order_by()
        .annotate(party=Coalesce(NullIf(F("group__party"), Value("")), F("group__name")))
        .values("party", "position")
        .annotate(n=Count("pk"))
        .order_by("party", "position")
    )
    labels = dict(AssemblyVote.Position.choices)
    return [{**row, "position_label": labels.get(row["position"], row["position"])} for row in rows]


def party_group_votes(*, group, user=None):
    """One group's votes on petitions, newest first, with the petition and its assembly (one query)."""
    votes = AssemblyVote.objects.filter(group=group)
    if not system_user(user):
        votes = restrict(votes, user)
    return votes.select_related("petition__assembly__municipality", "petition__assembly__prefecture").order_by(
        "-petition__decided_on", "pk"
    )


def campaign_model():
    # By the app registry, not an import: the campaigns app sits below this layer but is another app's module.
    return apps.get_model("campaigns", "Campaign")


def visible_campaigns(user):
    queryset = campaign_model().objects.all()
    return queryset if system_user(user) else restrict(queryset, user)


def campaign_choices(user):
    return [(c.slug, str(c)) for c in visible_campaigns(user).order_by("-starts_on", "name")]


def visible_campaign(value, *, user):
    """The campaign with 識別名 `value` among those `user` may see; one message for "none" and "not yours"."""
    campaign = visible_campaigns(user).filter(slug=str(value).strip()).first()
    if campaign is None:
        raise ValidationError(f"運動「{value}」はありません（または見る権限がありません）。")
    return campaign


# --- the adoption map: each municipality's assembly and a campaign --------------------------------------


class AdoptionStatus:
    """A municipality's cell on the adoption map (the legend's order) and the outcomes each stands for.

    A municipality with several petitions takes the best one: adopted over adopted in spirit over
    still open over not adopted. 一部採択 counts as 採択 (as in `assembly_count`); 趣旨了承, 審議未了 and
    取り下げ are not adopted and no longer open, so they go with 不採択 (the table says which).
    """

    ADOPTED = "adopted"
    SPIRIT = "spirit"
    REJECTED = "rejected"
    OPEN = "open"
    NONE = "none"
    LABELS = {ADOPTED: "採択", SPIRIT: "趣旨採択", REJECTED: "不採択など", OPEN: "継続・審議中", NONE: "未提出"}
    ORDER = (ADOPTED, SPIRIT, OPEN, REJECTED, NONE)
    RANKS = {ADOPTED: 4, SPIRIT: 3, OPEN: 2, REJECTED: 1}
    BY_RANK = {rank: status for status, rank in RANKS.items()}


_RANK = Case(
    When(outcome__in=(Outcome.ADOPTED, Outcome.PARTLY_ADOPTED), then=Value(AdoptionStatus.RANKS["adopted"])),
    When(outcome=Outcome.ADOPTED_IN_SPIRIT, then=Value(AdoptionStatus.RANKS["spirit"])),
    When(outcome__in=OPEN_OUTCOMES, then=Value(AdoptionStatus.RANKS["open"])),
    default=Value(AdoptionStatus.RANKS["rejected"]),
    output_field=IntegerField(),
)


@dataclass(frozen=True)
class MunicipalityAdoption:
    code: str
    name: str
    kind: str
    parent_code: str
    prefecture_code: str
    prefecture_name: str
    status: str  # AdoptionStatus
    petitions: int = 0
    adopted: int = 0
    statements: int = 0  # 意見書 adopted and sent

    @property
    def status_label(self):
        return AdoptionStatus.LABELS[self.status]

    @property
    def is_ward(self):
        return self.kind == Municipality.Kind.WARD


def public_campaigns():
    """The campaigns whose adoptions are public per municipality: the national ones (shaho.core.public)."""
    return (
        campaign_model()
        .objects.filter(lead_council__kind="national")
        .filter(Exists(AssemblyPetition.objects.filter(campaign=OuterRef("pk"))))
        .order_by("-starts_on", "name")
    )


def current_campaign(*, user, date):
    """The assembly campaign a dashboard shows: the newest running on `date` with petitions `user` may see.

    When none is running, the newest with such petitions; None when there is none. One query.
    """
    petitions = AssemblyPetition.objects.filter(campaign=OuterRef("pk"))
    if not system_user(user):
        petitions = restrict(petitions, user)
    running = Q(starts_on__lte=date) & (Q(ends_on__isnull=True) | Q(ends_on__gte=date))
    return (
        visible_campaigns(user)
        .filter(Exists(petitions))
        .annotate(running=Case(When(running, then=Value(1)), default=Value(0), output_field=IntegerField()))
        .order_by("-running", "-starts_on", "pk")
        .first()
    )


def adoption_map(*, campaign, date, user=None, prefecture=None, public=False, start=None, end=None):
    """Every municipality existing on `date` (行政区 too: a ward shows its city's assembly) and its outcome.

    For `campaign`: the best outcome of its petitions to the municipality's assembly (AdoptionStatus), how
    many petitions, how many adopted and how many 意見書 were sent; municipalities without a petition are
    未提出. Only what `user` may see (None: everything); `public=True` reads a public campaign for anyone
    (the outcome and the counts only, never a petition's text, submitter or votes). `start`/`end` narrow
    to the petitions decided and the 意見書 adopted in the period, as `assembly_count` (the assembly
    summary's period); a petition not yet decided counts only without a period. Three queries.
    """
    petitions = AssemblyPetition.objects.filter(campaign=campaign, assembly__municipality__isnull=False)
    statements = OpinionStatement.objects.filter(
        campaign=campaign, status=OpinionStatement.Status.ADOPTED, assembly__municipality__isnull=False
    )
    if not public and not system_user(user):
        petitions, statements = restrict(petitions, user), restrict(statements, user)
    if start or end:
        petitions = _period(petitions, "decided_on", start, end)
        statements = _period(statements, "adopted_on", start, end)
    municipalities = Municipality.objects.filter(Municipality.valid_on(date))
    if prefecture is not None:
        petitions = petitions.filter(assembly__prefecture=prefecture)
        statements = statements.filter(assembly__prefecture=prefecture)
        municipalities = municipalities.filter(prefecture=prefecture)
    outcome = {
        row["code"]: row
        for row in petitions.order_by()
        .values(code=F("assembly__municipality__code"))
        .annotate(
            rank=Max(_RANK),
            n=Count("pk"),
            adopted=Count("pk", filter=Q(outcome__in=ADOPTED_OUTCOMES)),
        )
    }
    sent = dict(
        statements.order_by()
        .values(code=F("assembly__municipality__code"))
        .annotate(n=Count("pk"))
        .values_list("code", "n")
    )
    out = []
    rows = municipalities.values(
        "code", "name", "kind", "parent__code", "prefecture__code", "prefecture__name"
    ).order_by("code")
    for m in rows:
        # A ward has no assembly: it shows its designated city's.
        key = m["parent__code"] if m["kind"] == Municipality.Kind.WARD and m["parent__code"] else m["code"]
        row = outcome.get(key)
        out.append(
            MunicipalityAdoption(
                code=m["code"],
                name=m["name"],
                kind=m["kind"],
                parent_code=m["parent__code"] or "",
                prefecture_code=m["prefecture__code"],
                prefecture_name=m["prefecture__name"],
                status=AdoptionStatus.BY_RANK[row["rank"]] if row else AdoptionStatus.NONE,
                petitions=row["n"] if row else 0,
                adopted=row["adopted"] if row else 0,
                statements=sent.get(key, 0),
            )
        )
    return out


# --- one prefecture's petitions of a period (the prefecture report's block) -------------------------------


def prefecture_petitions(*, prefecture, start, end, campaign=None, user=None):
    """The petitions to the assemblies of `prefecture` submitted, heard in committee or decided in the period.

    Each with its assembly, sitting, submitting council, organisations and every recorded party-group vote
    (committee first, then plenary; in the order entered), in municipality code order (the prefectural assembly
    first), then by submission. Only what `user` may see (None: everything). Three queries, whatever the
    number of petitions and votes.
    """
    queryset = AssemblyPetition.objects.filter(assembly__prefecture=prefecture)
    if campaign is not None:
        queryset = queryset.filter(campaign=campaign)
    if not system_user(user):
        queryset = restrict(queryset, user)
    in_period = Q()
    for name in ("submitted_on", "committee_on", "decided_on"):
        in_period |= Q(**{f"{name}__gte": start, f"{name}__lte": end})
    # Votes in the order they were entered (as the report writes them: 自民・公明・維新), committee first.
    votes = Prefetch("votes", queryset=AssemblyVote.objects.select_related("group").order_by("stage", "pk"))
    return (
        queryset.filter(in_period)
        .select_related("assembly__municipality", "assembly__prefecture", "sitting", "submitted_by", "campaign")
        .prefetch_related(votes, "organisations")
        .order_by(F("assembly__municipality__code").asc(nulls_first=True), F("submitted_on").asc(nulls_last=True), "pk")
    )


# --- a campaign's outcomes per prefecture (the chapters' block) --------------------------------------------


@dataclass(frozen=True)
class PrefectureOutcomes:
    """A prefecture's assemblies (議会) by the best outcome of the campaign's petitions to each, and 意見書 sent."""

    code: str
    name: str
    adopted: int  # 採択・一部採択・趣旨採択 (as `assembly_count` counts)
    open: int  # 継続審議・審査中, nothing adopted
    rejected: int  # 不採択・趣旨了承・審議未了・取り下げ, nothing adopted or open
    statements: int

    @property
    def assemblies(self):
        return self.adopted + self.open + self.rejected


def outcomes_by_prefecture(*, campaign, user=None):
    """Per prefecture: the assemblies that received the campaign's petitions, by their best outcome, and the
    意見書 adopted and sent. A prefecture's own assembly counts among its assemblies. Only what `user` may see
    (None: everything). Two queries, counted by the database; prefecture code order.
    """
    petitions = AssemblyPetition.objects.filter(campaign=campaign)
    if not system_user(user):
        petitions = restrict(petitions, user)
    # Each assembly's best outcome (adopted over open over the rest, as on the adoption map), counted per prefecture.
    best = petitions.filter(assembly=OuterRef("pk")).order_by().values("assembly").annotate(r=Max(_RANK)).values("r")
    ranks = AdoptionStatus.RANKS
    rows = (
        Assembly.objects.annotate(rank=Subquery(best, output_field=IntegerField()))
        .filter(rank__isnull=False)
        .values(code=F("prefecture__code"), name=F("prefecture__name"))
        .annotate(
            adopted=Count("pk", filter=Q(rank__gte=ranks[AdoptionStatus.SPIRIT])),
            open=Count("pk", filter=Q(rank=ranks[AdoptionStatus.OPEN])),
            rejected=Count("pk", filter=Q(rank=ranks[AdoptionStatus.REJECTED])),
        )
        .order_by()
    )
    out = {row["code"]: {**row, "statements": 0} for row in rows}
    statements = (
        sent_statements(campaign=campaign, user=user)
        .order_by()
        .values(code=F("assembly__prefecture__code"), name=F("assembly__prefecture__name"))
        .annotate(n=Count("pk"))
    )
    for row in statements:
        entry = out.setdefault(
            row["code"], {"code": row["code"], "name": row["name"], "adopted": 0, "open": 0, "rejected": 0}
        )
        entry["statements"] = row["n"]
    return [PrefectureOutcomes(**out[code]) for code in sorted(out)]
