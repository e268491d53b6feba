"""Read side of the federation: census, coverage, the council tree. Counts come from the database."""

import datetime
from collections import Counter
from dataclasses import dataclass, field
from itertools import groupby
from operator import attrgetter
from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db.models import Count, OuterRef, Prefetch, Q, Subquery
from django.db.models.functions import Coalesce

from municipalities.registry.models import Municipality, Prefecture
from municipalities.registry.selectors import Registry, prefecture_from_input
from shaho.core import dashboard
from shaho.core.japanese import format_date
from shaho.core.pictures import download_url
from shaho.core.roles import is_staff_user, may_record
from shaho.core.scoping import restrict, scope_for, system_user

from .models import Council, CouncilKind, CouncilStage, Officer, Role

CENSUS_KINDS = [CouncilKind.PREFECTURAL, CouncilKind.LOCAL, CouncilKind.PREPARATORY, CouncilKind.FRIENDLY]


def councils_on(*, date, queryset=None, kinds=None):
    """Councils that existed on `date`, annotated with `kind_on`: their kind on that day.

    A council exists from its founding day (inclusive) to its dissolution day (exclusive);
    an unknown founding date means "since always". Its kind is that of the latest stage
    starting on or before `date`; when the founding date was moved earlier than the first
    stage (a corrected 結成日), the first stage's kind stands for the days before it.
    `kinds` keeps the councils of those kinds on that day (one test of the stages, not two).
    """
    qs = Council.objects.all() if queryset is None else queryset
    stages = CouncilStage.objects.filter(council=OuterRef("pk"))
    latest = stages.filter(since__lte=date).order_by("-since").values("kind")[:1]
    first = stages.order_by("since").values("kind")[:1]
    qs = (
        qs.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=date))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=date))
        .annotate(kind_on=Coalesce(Subquery(latest), Subquery(first)))
    )
    return qs.exclude(kind_on__isnull=True) if kinds is None else qs.filter(kind_on__in=kinds)


@dataclass(frozen=True)
class Census:
    date: datetime.date
    counts: dict  # kind → number, for the four kinds counted in the federation's census
    total: int
    previous_date: datetime.date
    previous_counts: dict
    previous_total: int

    @property
    def change(self):
        return self.total - self.previous_total

    def change_of(self, kind):
        return self.counts[kind] - self.previous_counts[kind]

    def line(self):
        """'都道府県社保協 47、地域社保協 374、準備会 27、友好組織 18、計 466（前年 465、+1）'."""
        parts = "、".join(f"{CouncilKind(k).label} {self.counts[k]}" for k in CENSUS_KINDS)
        return f"{parts}、計 {self.total}（前年 {self.previous_total}、{signed(self.change)}）"


def signed(number):
    """A change with its sign, as printed in the federation's reports: +1, -3, ±0."""
    return f"{number:+d}" if number else "±0"


def _census_counts(date):
    rows = councils_on(date=date).values("kind_on").annotate(n=Count("pk")).order_by()
    by_kind = {r["kind_on"]: r["n"] for r in rows}
    counts = {k: by_kind.get(k, 0) for k in CENSUS_KINDS}
    return counts, sum(counts.values())


def one_year_before(date):
    try:
        return date.replace(year=date.year - 1)
    except ValueError:  # 29 February
        return date.replace(year=date.year - 1, day=28)


def council_census(*, date):
    """The federation's census on `date`: councils per kind and in all, and the same one year earlier.

    Counts the four kinds of CENSUS_KINDS (the national council is not counted), each council by
    its kind on that day (see `councils_on`). Two queries, whatever the number of councils.
    """
    counts, total = _census_counts(date)
    previous = one_year_before(date)
    previous_counts, previous_total = _census_counts(previous)
    return Census(
        date=date,
        counts=counts,
        total=total,
        previous_date=previous,
        previous_counts=previous_counts,
        previous_total=previous_total,
    )


@dataclass(frozen=True)
class CoverageRow:
    prefecture_code: str
    prefecture_name: str
    covered: int
    total: int

    @property
    def percent(self):
        return round(100 * self.covered / self.total, 1) if self.total else 0.0


def municipality_coverage(*, date, prefecture=None):
    """Municipalities (市区町村, not 行政区) covered by a local council (地域社保協) on `date`, per prefecture.

    A designated city counts as covered when a local council covers the city or any of its wards;
    a municipality covered by several councils counts once; 準備会 do not cover. Only municipalities
    that exist on `date` are counted. `prefecture` (a Prefecture, or its two-digit code) narrows the
    rows to one prefecture. Returns (rows ordered by prefecture code, national CoverageRow), in one query.
    """
    local_ids = councils_on(date=date).filter(kind_on=CouncilKind.LOCAL).values("pk")
    through = Council.municipalities.through
    # Uncorrelated: the database computes the covered set once (a hashed subplan on PostgreSQL), not per row.
    links = through.objects.filter(council__in=local_ids)
    is_covered = Q(pk__in=links.values("municipality")) | Q(pk__in=links.values("municipality__parent"))
    qs = Municipality.objects.filter(Municipality.valid_on(date)).exclude(kind=Municipality.Kind.WARD)
    if isinstance(prefecture, str):
        qs = qs.filter(prefecture__code=prefecture)
    elif prefecture is not None:
        qs = qs.filter(prefecture=prefecture)
    rows = (
        qs.values("prefecture__code", "prefecture__name")
        .annotate(total=Count("pk"), covered=Count("pk", filter=is_covered))
        .order_by("prefecture__code")
    )
    result = [CoverageRow(r["prefecture__code"], r["prefecture__name"], r["covered"], r["total"]) for r in rows]
    national = CoverageRow("", "全国", sum(r.covered for r in result), sum(r.total for r in result))
    return result, national


def coverage_by_prefecture(municipalities):
    """`municipality_coverage`'s figures (rows per prefecture, national row) counted from the rows of
    `municipality_coverage_map`, without a query: the same rule (a designated city covered through its wards;
    wards not counted; 準備会 do not cover), for a page that has the map's rows already."""
    # One counting pass in C over the 1,900 rows, then the ≤ 47 × 3 × 6 counts in Python.
    counted = Counter(map(attrgetter("prefecture_code", "prefecture_name", "kind", "status"), municipalities))
    counts = {}
    for (code, name, kind, status), n in counted.items():
        if kind == Municipality.Kind.WARD:
            continue
        row = counts.setdefault(code, [name, 0, 0])
        row[2] += n
        if status == CoverageStatus.LOCAL:
            row[1] += n
    rows = [CoverageRow(code, name, covered, total) for code, (name, covered, total) in sorted(counts.items())]
    national = CoverageRow("", "全国", sum(r.covered for r in rows), sum(r.total for r in rows))
    return rows, national


def council_tree(*, user):
    """Councils the user may see, with their prefecture: one query.

    In the order staff expect: the national council, then each prefecture in JIS code order, its
    council first and its local councils by municipality code, then the friendly organisations.
    """
    return scope_for(user).select_related("prefecture", "parent").order_by("sort_key", "pk")


def home_summary(*, user):
    """The home page: the user's dashboard (shaho.core.dashboard: the panels of their audience, each computed
    in a fixed number of queries) and their council's cards."""
    council = user.council
    children = []
    if council is not None:
        # "parent" too: the related manager reads each row's parent_id, a query per row when deferred.
        children = list(council.children.order_by("sort_key", "pk").only("name", "kind", "parent"))
    ctx = dashboard.context_for(user)
    panels = dashboard.panels_for(ctx) if ctx is not None else []
    return {
        "council": council,
        "role_label": Role(user.role).label if user.role else "",
        "children": children,
        # Staff and organizers record tallies (shaho.core.roles.may_record).
        "may_record": may_record(user),
        # The reports' request and jobs pages answer staff only (reports.views._staff_only: the same function).
        "may_request_reports": is_staff_user(user),
        "audience": ctx.audience if ctx else None,
        "today": ctx.date if ctx else None,
        "panels": [
            {"key": spec.key, "title": spec.title, "pictures": [_shown(spec.key, p) for p in pictures]}
            for spec, pictures in panels
        ],
    }


@dataclass(slots=True)
class ShownCell:
    text: str
    href: str = ""
    numeric: bool = False


def _cell(value):
    """A table cell as the page prints it: 1,234 / 12.3 / 2025年12月7日 / a link."""
    if type(value) is str:  # most cells (names, codes, labels: a national page prints some 12,000): no checks
        return ShownCell(value)
    if isinstance(value, dashboard.Link):
        return ShownCell(value.text, value.href)
    if value is None:
        return ShownCell("—")
    if isinstance(value, bool):
        return ShownCell("はい" if value else "いいえ")
    if isinstance(value, int):
        return ShownCell(f"{value:,}", numeric=True)
    if isinstance(value, float):
        return ShownCell(f"{value:,.1f}", numeric=True)
    if isinstance(value, datetime.date):
        return ShownCell(format_date(value))
    return ShownCell(str(value))


def _shown(panel_key, picture):
    download = picture.download or dashboard.download_url(panel_key, picture.key)
    return {
        "picture": picture,
        "anchor": f"{panel_key}-{picture.key}".replace(".", "-"),
        "columns": picture.table.columns,
        # Only a list (a picture without a drawing) prints its rows from here; a drawn picture's table is printed
        # by _picture.html, or opens on its own page when long: formatting a national page's 20,000 map cells
        # here cost a third of the dashboard's time for nothing.
        "rows": [] if picture.svg else [[_cell(v) for v in row] for row in picture.table.rows],
        "xlsx": download_url(download, "xlsx"),
        "csv": download_url(download, "csv"),
    }


# --- what the federation's documents list (moved here from reports.selectors: the data is the federation's) ---


@dataclass
class PrefectureGroup:
    prefecture: Prefecture
    councils: list = field(default_factory=list)


def local_council_list(*, date, prefecture=None):
    """地域社保協一覧: local councils and preparatory committees existing on `date`, per prefecture.

    Each council carries `kind_on` and its prefetched `municipalities` (code order). Returns a list of
    PrefectureGroup in JIS prefecture code order, each prefecture's councils by the lowest municipality
    code they cover. Two queries, whatever the number of councils.
    """
    qs = councils_on(date=date).filter(kind_on__in=[CouncilKind.LOCAL, CouncilKind.PREPARATORY])
    if prefecture is not None:
        qs = qs.filter(prefecture=prefecture)
    qs = (
        qs.select_related("prefecture")
        .prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.only("pk", "name", "code").order_by("code"))
        )
        .order_by("sort_key", "pk")  # JIS prefecture code, then municipality code
    )
    groups = [PrefectureGroup(pref, list(rows)) for pref, rows in groupby(qs, key=lambda c: c.prefecture)]
    for group in groups:
        for council in group.councils:
            council.is_preparatory = council.kind_on == CouncilKind.PREPARATORY
    return groups


DIRECTORY_OFFICER_ROLES = [Officer.Role.PRESIDENT, Officer.Role.REPRESENTATIVE, Officer.Role.SECRETARY_GENERAL]


def council_directory(*, date, prefecture=None):
    """社保協名簿: the councils existing on `date` (all of them, or those of one prefecture), with contacts.

    The national council comes first in a national directory; then each prefecture's council followed
    by its local councils and preparatory committees; the friendly organisations last. Officers are prefetched
    (current ones: term not ended on `date`). Three queries.
    """
    qs = councils_on(date=date)
    if prefecture is not None:
        qs = qs.filter(prefecture=prefecture)
    current = Officer.objects.filter(role__in=DIRECTORY_OFFICER_ROLES).filter(
        Q(term_end__isnull=True) | Q(term_end__gte=date)
    )
    qs = qs.select_related("prefecture", "prefecture__block").prefetch_related(
        Prefetch("officers", queryset=current.order_by("role", "person_name"), to_attr="directory_officers")
    )
    # The sort key puts the national council first, then each prefecture in JIS code order, its council
    # before its local councils (by municipality code), and the friendly organisations last.
    return list(qs.order_by("sort_key", "pk"))


def visible_prefectures(*, user):
    """The prefectures `user` may name in a request: all of them for the national staff, else their own."""
    qs = Prefecture.objects.order_by("code")
    return qs if system_user(user) else restrict(qs, user)


def prefecture_choices(user):
    return [(p.code, p.name) for p in visible_prefectures(user=user)]


def visible_prefecture(value, *, user):
    """A Prefecture from a code ('14', '１４') or name, looked up among those `user` may name.

    "There is none" and "not yours" give the same ValidationError: a request names nothing outside the scope.
    """
    prefecture = prefecture_from_input(str(value))
    if prefecture is None or not visible_prefectures(user=user).filter(pk=prefecture.pk).exists():
        raise ValidationError(f"都道府県「{value}」は指定できません（ないか、指定する権限がありません）。")
    return prefecture


def national_council():
    council = Council.objects.filter(kind=CouncilKind.NATIONAL).first()
    if council is None:
        raise ValidationError("中央社保協が登録されていません。")
    return council


def council_of_prefecture(prefecture):
    """The prefectural council of `prefecture` (the national council when it has none yet)."""
    return Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture=prefecture).first() or national_council()


# --- the coverage map: each municipality, with or without a local council ---------------------------


class CoverageStatus:
    """What a municipality's cell on the coverage map says (the legend's order)."""

    LOCAL = "local"
    PREPARATORY = "preparatory"
    NONE = "none"
    LABELS = {LOCAL: "地域社保協あり", PREPARATORY: "準備会あり", NONE: "なし"}
    ORDER = (LOCAL, PREPARATORY, NONE)


class MunicipalityCoverage(NamedTuple):
    """One municipality's row of the coverage map (a tuple: a national map has some 1,900, and building as many
    frozen dataclasses, field by field, cost four times as much)."""

    code: str
    name: str
    kind: str
    parent_code: str  # a ward's designated city ("" for others)
    prefecture_code: str
    prefecture_name: str
    status: str  # CoverageStatus
    councils: tuple = ()  # names of the local councils and 準備会 that cover it (or, for a city, its wards)

    @property
    def status_label(self):
        return CoverageStatus.LABELS[self.status]

    @property
    def is_ward(self):
        return self.kind == Municipality.Kind.WARD


def municipality_coverage_map(*, date, prefecture=None, registry=None):
    """Every municipality existing on `date` (行政区 too, for the maps that draw them) and who covers it.

    The rule of `municipality_coverage`: a designated city is covered when a local council covers it or
    any of its wards; a ward is covered when a local council covers it or its city. A 準備会 marks a
    municipality that no local council covers. Council names and coverage are federation-public
    (shaho.core.public). `prefecture` (a Prefecture or its code) narrows to one prefecture. `registry` is
    the page's `municipalities.registry.selectors.Registry` when it has one (read for `date`), else the
    registry is read here. Returns [MunicipalityCoverage] in code order, in two queries whatever the number
    of councils (one with the page's registry).
    """
    # Who covers what: every (municipality, its parent, council name, kind) of the local councils and 準備会
    # existing on `date`, in one query; the rule is then applied in Python (no subquery per municipality).
    links = councils_on(date=date, kinds=[CouncilKind.LOCAL, CouncilKind.PREPARATORY]).filter(
        municipalities__isnull=False
    )
    if isinstance(prefecture, str):
        named = prefecture
        links = links.filter(municipalities__prefecture__code=prefecture)
    elif prefecture is not None:
        named = prefecture.code
        links = links.filter(municipalities__prefecture=prefecture)
    else:
        named = None
    links = links.values_list(
        "municipalities__code", "municipalities__parent__code", "name", "kind_on", "prefecture__code"
    ).order_by("sort_key", "pk")
    if registry is None:
        registry = Registry.read(dates=(date,), prefecture_code=named)
    rows = registry.on(date, prefecture_code=named)
    parent_of = {r.code: r.parent_code for r in rows}
    direct = {CouncilKind.LOCAL: set(), CouncilKind.PREPARATORY: set()}  # codes a council covers itself
    via_ward = {CouncilKind.LOCAL: set(), CouncilKind.PREPARATORY: set()}  # cities a council covers a ward of
    councils = {}
    for code, parent_code, name, kind, council_prefecture in links:
        if code is None:
            continue
        direct[kind].add(code)
        if parent_code:
            via_ward[kind].add(parent_code)
        if named is not None and council_prefecture != named:
            continue  # a prefecture's map names only its own councils
        for key in (code, parent_of.get(code)):  # a ward's council is named on its city's row too
            if key and name not in councils.setdefault(key, []):
                councils[key].append(name)

    # A municipality is covered by a council of its own, of one of its wards (a city), or of its city (a ward).
    local_self = direct[CouncilKind.LOCAL] | via_ward[CouncilKind.LOCAL]
    local_city = direct[CouncilKind.LOCAL]
    preparatory_self = direct[CouncilKind.PREPARATORY] | via_ward[CouncilKind.PREPARATORY]
    preparatory_city = direct[CouncilKind.PREPARATORY]
    local, preparatory, none = CoverageStatus.LOCAL, CoverageStatus.PREPARATORY, CoverageStatus.NONE
    out = []
    for r in rows:
        code, parent_code = r.code, r.parent_code or ""
        if code in local_self or parent_code in local_city:
            status = local
        elif code in preparatory_self or parent_code in preparatory_city:
            status = preparatory
        else:
            status = none
        named_by = councils.get(code)
        out.append(
            MunicipalityCoverage(
                code,
                r.name,
                r.kind,
                parent_code,
                r.prefecture_code,
                r.prefecture_name,
                status,
                tuple(named_by) if named_by else (),
            )
        )
    return out
