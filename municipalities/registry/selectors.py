"""Read side of the municipalities app: the registry of Japan as it stood on a date."""

import datetime
from typing import NamedTuple

from django.db.models import Count, Q

from shaho.core.dashboard import fiscal_year_start
from shaho.core.japanese import normalize

from .models import Municipality, Prefecture


def municipalities_valid_on(*, date):
    """Municipalities and 行政区 that exist on `date` (valid_from <= date < valid_until)."""
    return Municipality.objects.filter(Municipality.valid_on(date))


class RegistryEntry(NamedTuple):
    """One row of the registry as the maps and their tables read it (a tuple: a national page reads some 1,900)."""

    pk: int
    code: str  # 6 digits, with the check digit
    name: str
    kind: str  # Municipality.Kind
    parent_id: int | None  # a ward's designated city
    parent_code: str | None  # None for all but wards
    prefecture_code: str
    prefecture_name: str
    valid_from: datetime.date | None
    valid_until: datetime.date | None

    def valid_on(self, date):
        """The same rule as `Municipality.valid_on`: valid_from <= date < valid_until."""
        return (self.valid_from is None or self.valid_from <= date) and (
            self.valid_until is None or self.valid_until > date
        )


class Registry:
    """The registry's rows valid on a few dates, read in one query and shared by the figures and maps of a page.

    A national dashboard reads the same 1,900 municipalities for its coverage, its caravans and the maps
    that draw them: read once (`registry_for_page`) instead of once for each. Nothing is kept beyond
    the page, so a municipality merged today is on the next page.
    """

    def __init__(self, entries, dates, prefecture_code=None):
        self.entries = entries  # code order
        self.dates = frozenset(dates)
        self.prefecture_code = prefecture_code
        self._on = {}

    @classmethod
    def read(cls, *, dates, prefecture_code=None):
        """The rows valid on any of `dates` (all Japan, or the prefecture with that 2-digit code): one query."""
        valid = Q()
        for date in dates:
            valid |= Municipality.valid_on(date)
        rows = Municipality.objects.filter(valid)
        if prefecture_code is not None:
            rows = rows.filter(prefecture__code=prefecture_code)
        rows = rows.values_list(
            "pk",
            "code",
            "name",
            "kind",
            "parent_id",
            "parent__code",
            "prefecture__code",
            "prefecture__name",
            "valid_from",
            "valid_until",
        ).order_by("code")
        return cls(list(map(RegistryEntry._make, rows)), dates, prefecture_code)

    def on(self, date, *, prefecture_code=None):
        """[RegistryEntry] valid on `date` (one of the dates read), in code order; `prefecture_code` narrows."""
        if date not in self.dates:
            raise ValueError(f"the registry was read for {sorted(self.dates)}, not {date}")
        if prefecture_code is not None and self.prefecture_code not in (None, prefecture_code):
            raise ValueError(f"the registry was read for prefecture {self.prefecture_code}, not {prefecture_code}")
        key = (date, prefecture_code)
        if key not in self._on:
            self._on[key] = [
                e
                for e in self.entries
                # Most rows have no validity dates: no method call for them.
                if ((e.valid_from is None and e.valid_until is None) or e.valid_on(date))
                and (prefecture_code is None or e.prefecture_code == prefecture_code)
            ]
        return self._on[key]


def registry_for_page(ctx):
    """The registry of a dashboard page (`shaho.core.dashboard.DashboardContext`), read once for all its panels:
    the rows valid today and on April 1 of this 年度 (the caravans' date)."""
    return ctx.cached("municipalities.registry", lambda: Registry.read(dates=(ctx.date, fiscal_year_start(ctx.date))))


def municipality_counts(*, date):
    """Counts of the registry's rows valid on `date`, computed in one aggregate query.

    Returns a dict with one key per `Municipality.Kind` value ("city" is 市 other than
    政令指定都市), plus "cities" (all 市, 政令指定都市 included) and "municipalities"
    (the national 市区町村 total: everything but 行政区).
    """
    Kind = Municipality.Kind
    aggregates = {kind.value: Count("pk", filter=Q(kind=kind)) for kind in Kind}
    aggregates["cities"] = Count("pk", filter=Q(kind__in=[Kind.CITY, Kind.DESIGNATED_CITY]))
    aggregates["municipalities"] = Count("pk", filter=~Q(kind=Kind.WARD))
    return municipalities_valid_on(date=date).aggregate(**aggregates)


def prefecture_count():
    """Number of prefectures in the registry (47 once loaded)."""
    return Prefecture.objects.count()


def _prefecture_code_from_digits(digits):
    """'14', '8', '14000' (5-digit local government code) or '140007' (6-digit, check digit) → '14'; else None."""
    if len(digits) <= 2:
        return f"{int(digits):02d}"
    if len(digits) in (5, 6) and digits[2:5] == "000":
        return digits[:2]
    return None


def prefecture_from_input(text):
    """The Prefecture a person typed, or None: a code or a name, 全角 or 半角.

    Accepts '14', '１４', '8' / '08', the prefecture's local government code ('14000', '140007'),
    and its name with or without 都・道・府・県 ('神奈川県', '神奈川', '東京', '北海道'). One query.
    This is the one lookup every form, command, report parameter and placeholder uses.
    """
    value = normalize(text or "").replace(" ", "")
    if not value:
        return None
    if value.isdigit():
        code = _prefecture_code_from_digits(value)
        return Prefecture.objects.filter(code=code).first() if code else None
    names = [value] + [value + suffix for suffix in ("都", "道", "府", "県")]
    return Prefecture.objects.filter(name__in=names).order_by("code").first()
