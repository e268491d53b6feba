"""Read side of materials: totals per material (ordered, shipped, distributed, amount and what is still due),
per prefecture and nationally, the lines per recipient, and an ordering council's lines.

Every total is one aggregate in the database over the rows `user` may see (`restrict`): a material's
totals are two queries (order lines, distributions) whatever the number of orders, and so are the
totals per prefecture. The amount of a line is its quantity × the order's unit price (× 1.1 when the
price is 税別); fractions of a yen are dropped once, on the total.
"""

from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal

from django.db.models import Case, Count, DecimalField, F, Max, Min, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from shaho.core.scoping import restrict, sees_everything, system_user

from .models import TAX_RATE, Distribution, Material, Order, OrderLine, Tax

State = OrderLine.State
SHIPPED_STATES = (State.SHIPPED, State.RECEIVED, State.SETTLED)
UNSETTLED = (State.ORDERED, State.SHIPPED, State.RECEIVED)
NATIONAL_LABEL = "中央"
MONEY = DecimalField(max_digits=16, decimal_places=4)


def whole_yen(value):
    return int(Decimal(value or 0).quantize(Decimal(1), rounding=ROUND_DOWN))


def line_amount(prefix=""):
    """The amount of an order line as a database expression (tax included): quantity × unit price (× 1.1 税別)."""
    factor = Case(
        When(**{f"{prefix}order__tax": Tax.EXCLUDED}, then=Value(1 + TAX_RATE)),
        default=Value(Decimal(1)),
        output_field=MONEY,
    )
    return F(f"{prefix}quantity") * F(f"{prefix}order__unit_price") * factor


def _line_sums():
    amount = line_amount()
    return {
        "ordered": Coalesce(Sum("quantity"), 0),
        "shipped": Coalesce(Sum("quantity", filter=Q(state__in=SHIPPED_STATES)), 0),
        "amount": Coalesce(Sum(amount, output_field=MONEY), Value(Decimal(0)), output_field=MONEY),
        "due": Coalesce(
            Sum(amount, filter=~Q(state=State.SETTLED), output_field=MONEY), Value(Decimal(0)), output_field=MONEY
        ),
        "lines": Count("pk"),
    }


@dataclass
class Totals:
    """A material's figures over some orders: copies ordered, shipped, distributed; yen ordered and still due."""

    label: str = ""
    ordered: int = 0
    shipped: int = 0
    distributed: int = 0
    amount: int = 0
    due: int = 0
    lines: int = 0
    key: object = None

    def add(self, other):
        for name in ("ordered", "shipped", "distributed", "amount", "due", "lines"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def _totals(label, row, key=None):
    return Totals(
        label=label,
        ordered=row.get("ordered", 0),
        shipped=row.get("shipped", 0),
        amount=whole_yen(row.get("amount")),
        due=whole_yen(row.get("due")),
        lines=row.get("lines", 0),
        key=key,
    )


def _scoped(queryset, user):
    """`queryset` as `user` may see it; a system run (None) sees every row."""
    return queryset if system_user(user) else restrict(queryset, user)


def _scoped_lines(user):
    return _scoped(OrderLine.objects.all(), user)


def _scoped_distributions(user):
    return _scoped(Distribution.objects.all(), user)


def visible_materials(*, user):
    return _scoped(Material.objects.select_related("publisher", "campaign", "petition_drive"), user)


def material_totals(*, user, materials=None, prefecture=None, as_of=None):
    """[(Material, Totals)] for each material `user` may see (or of `materials`), over the orders and distributions
    `user` may see, of `prefecture`'s councils when given, up to `as_of`: three queries (two with `materials`)."""
    materials = list(materials if materials is not None else visible_materials(user=user))
    ids = [m.pk for m in materials]
    lines = _scoped_lines(user).filter(order__material__in=ids)
    handed = _scoped_distributions(user).filter(material__in=ids)
    if as_of is not None:
        lines = lines.filter(ordered_on__lte=as_of)
        handed = handed.filter(distributed_on__lte=as_of)
    if prefecture is not None:
        lines = lines.filter(order__council__prefecture=prefecture)
        handed = handed.filter(council__prefecture=prefecture)
    by_material = {r["order__material"]: r for r in lines.values("order__material").annotate(**_line_sums())}
    distributed = dict(handed.values("material").annotate(n=Coalesce(Sum("quantity"), 0)).values_list("material", "n"))
    out = []
    for m in materials:
        totals = _totals(m.name, by_material.get(m.pk, {}), key=m.pk)
        totals.distributed = distributed.get(m.pk, 0)
        out.append((m, totals))
    return out


@dataclass
class PrefectureTotals:
    rows: list = field(default_factory=list)  # Totals per prefecture (the national council's own as 中央)
    total: Totals = field(default_factory=lambda: Totals(label="全国"))


def totals_by_prefecture(*, user, material):
    """A material's Totals per prefecture of the ordering (and distributing) councils and nationally: two queries.

    The publisher sees the orders coming in from every prefecture it may see; a prefecture's staff their own,
    and their total is 「計」 (全国 only for those who see every prefecture).
    """
    lines = (
        _scoped_lines(user)
        .filter(order__material=material)
        .values("order__council__prefecture__code", "order__council__prefecture__name")
        .annotate(**_line_sums())
    )
    handed = (
        _scoped_distributions(user)
        .filter(material=material)
        .values("council__prefecture__code", "council__prefecture__name")
        .annotate(n=Coalesce(Sum("quantity"), 0))
    )
    rows = {}
    for r in lines:
        code = r["order__council__prefecture__code"]
        rows[code] = _totals(r["order__council__prefecture__name"] or NATIONAL_LABEL, r, key=code)
    for r in handed:
        code = r["council__prefecture__code"]
        totals = rows.setdefault(code, Totals(label=r["council__prefecture__name"] or NATIONAL_LABEL, key=code))
        totals.distributed = r["n"]
    result = PrefectureTotals(rows=sorted(rows.values(), key=lambda t: (t.key is not None, t.key or "")))
    if not (system_user(user) or sees_everything(user)):
        # The sum of the prefectures the user sees, not all of Japan's: never labelled 全国.
        result.total.label = "計"
    for totals in result.rows:
        result.total.add(totals)
    return result


@dataclass(frozen=True)
class RecipientLine:
    label: str
    quantity: int
    is_own: bool  # the ordering council's lines for itself


def recipient_lines(*, user, materials, prefecture=None, council=None, as_of=None):
    """{material id: [RecipientLine]}: what each recipient ordered (「保険医協会 200」), in the order of their first
    line, the ordering councils' own lines last; one query for all `materials`."""
    lines = _scoped_lines(user).filter(order__material__in=[m.pk for m in materials])
    if prefecture is not None:
        lines = lines.filter(order__council__prefecture=prefecture)
    if council is not None:
        lines = lines.filter(order__council=council)
    if as_of is not None:
        lines = lines.filter(ordered_on__lte=as_of)
    rows = (
        lines.values(
            "order__material",
            "recipient_organisation",
            "recipient_organisation__name",
            "recipient_organisation__short_name",
            "recipient_council",
            "recipient_council__name",
            "recipient_council__short_name",
        )
        .annotate(quantity=Sum("quantity"), first=Min("pk"), own=_own_line())
        .order_by("order__material", "own", "first")
    )
    out = {m.pk: [] for m in materials}
    for r in rows:
        if r["recipient_organisation"] is not None:
            label = r["recipient_organisation__short_name"] or r["recipient_organisation__name"]
        else:
            label = r["recipient_council__short_name"] or r["recipient_council__name"]
        out[r["order__material"]].append(RecipientLine(label, r["quantity"], bool(r["own"])))
    return out


def _own_line():
    """1 for a line for the ordering council itself, else 0 (as an aggregate, so it groups with the recipient)."""
    return Max(Case(When(recipient_council=F("order__council"), then=Value(1)), default=Value(0)))


def active_materials(*, user, prefecture, start, end):
    """The materials `user` may see that `prefecture`'s councils ordered or handed out in [start, end]: one query."""
    ordered = (
        _scoped_lines(user)
        .filter(order__council__prefecture=prefecture, ordered_on__range=(start, end))
        .values("order__material")
    )
    handed = (
        _scoped_distributions(user)
        .filter(council__prefecture=prefecture, distributed_on__range=(start, end))
        .values("material")
    )
    return list(
        visible_materials(user=user).filter(Q(pk__in=ordered) | Q(pk__in=handed)).order_by("publisher__sort_key", "pk")
    )


def council_orders(*, user, council):
    """The orders `council` placed, newest first, each with its lines and its amounts (two queries)."""
    return (
        _scoped(Order.objects.filter(council=council), user)
        .select_related("material", "material__publisher", "council")
        .prefetch_related("lines__recipient_council", "lines__recipient_organisation")
        .annotate(
            ordered=Coalesce(Sum("lines__quantity"), 0),
            amount=Coalesce(Sum(line_amount("lines__"), output_field=MONEY), Value(Decimal(0)), output_field=MONEY),
            due=Coalesce(
                Sum(line_amount("lines__"), filter=~Q(lines__state=State.SETTLED), output_field=MONEY),
                Value(Decimal(0)),
                output_field=MONEY,
            ),
        )
    )


def amount_due(*, user, council):
    """Yen `council` still has to pay for its orders (lines not 精算済): one query."""
    row = (
        _scoped_lines(user)
        .filter(order__council=council)
        .aggregate(
            due=Coalesce(
                Sum(line_amount(), filter=~Q(state=State.SETTLED), output_field=MONEY),
                Value(Decimal(0)),
                output_field=MONEY,
            )
        )
    )
    return whole_yen(row["due"])


def order_with_lines(*, user, pk):
    """One order `user` may see, with its material, publisher and lines (for its delivery note and invoice)."""
    return (
        _scoped(Order.objects.filter(pk=pk), user)
        .select_related("material__publisher", "council")
        .prefetch_related("lines__recipient_council", "lines__recipient_organisation")
        .first()
    )
