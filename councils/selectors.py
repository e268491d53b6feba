"""Read side of the federation: census, coverage, the council tree. Counts come from the database."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from municipalities.models import Municipality
from shaho.core.scoping import scope_for

from .models import Council, CouncilKind, CouncilStage, Role

CENSUS_KINDS = [CouncilKind.PREFECTURAL, CouncilKind.LOCAL, CouncilKind.PREPARATORY, CouncilKind.FRIENDLY]


def councils_on(*, date, queryset=None):
    """Councils that existed on `date`, annotated with `kind_on`: their kind on that day."""
    qs = Council.objects.all() if queryset is None else queryset
    stage = CouncilStage.objects.filter(council=OuterRef("pk"), since__lte=date).order_by("-since").values("kind")[:1]
    return (
        qs.filter(Q(founded_on__isnull=True) | Q(founded_on__lte=date))
        .filter(Q(dissolved_on__isnull=True) | Q(dissolved_on__gt=date))
        .annotate(kind_on=Subquery(stage))
        .exclude(kind_on__isnull=True)
    )


@dataclass(frozen=True)
class Census:
    date: datetime.date
    counts: dict  # kind → number, for the four kinds counted in the federation's census
    total: int
    previous_date: datetime.date
    previous_total: int

    @property
    def change(self):
        return self.total - self.previous_total

    def line(self):
        """'都道府県社保協 47、地域社保協 374、準備会 27、友好組織 18、計 466（前年比 +1）'."""
        parts = "、".join(f"{CouncilKind(k).label} {self.counts[k]}" for k in CENSUS_KINDS)
        return f"{parts}、計 {self.total}（前年比 {self.change:+d}）"


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
    """Councils per kind existing on `date` (national council not counted) and the change on a year earlier."""
    counts, total = _census_counts(date)
    previous = one_year_before(date)
    _, previous_total = _census_counts(previous)
    return Census(date=date, counts=counts, total=total, previous_date=previous, previous_total=previous_total)


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
    """Municipalities (市区町村, not 行政区) covered by a local council on `date`, per prefecture.

    A designated city counts as covered when a local council covers the city or any of its wards.
    Returns (rows, national CoverageRow).
    """
    local_ids = councils_on(date=date).filter(kind_on=CouncilKind.LOCAL).values("pk")
    through = Council.municipalities.through
    covering = through.objects.filter(council__in=local_ids).filter(
        Q(municipality=OuterRef("pk")) | Q(municipality__parent=OuterRef("pk"))
    )
    qs = Municipality.objects.filter(Municipality.valid_on(date)).exclude(kind=Municipality.Kind.WARD)
    if prefecture is not None:
        qs = qs.filter(prefecture=prefecture)
    rows = (
        qs.annotate(is_covered=Exists(covering))
        .values("prefecture__code", "prefecture__name")
        .annotate(total=Count("pk"), covered=Count("pk", filter=Q(is_covered=True)))
        .order_by("prefecture__code")
    )
    result = [CoverageRow(r["prefecture__code"], r["prefecture__name"], r["covered"], r["total"]) for r in rows]
    national = CoverageRow("", "全国", sum(r.covered for r in result), sum(r.total for r in result))
    return result, national


def council_tree(*, user):
    """Councils the user may see, in tree order, with their prefecture: one query."""
    return scope_for(user).select_related("prefecture", "parent").order_by("path")


def home_summary(*, user):
    council = user.council
    children = []
    if council is not None:
        children = list(council.children.order_by("kind", "name").only("name", "kind"))
    return {
        "council": council,
        "role_label": Role(user.role).label if user.role else "",
        "children": children,
    }
