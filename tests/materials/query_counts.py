"""materials: its part of the query-count test (tests/test_query_counts.py).

Materials of several councils with orders and distributions (their lists show totals from subqueries), orders
with lines, the lines and the distributions: the same number of queries at 3 and at 30 rows.
"""

from decimal import Decimal

from campaigns.materials.models import Distribution, Material, Order, OrderLine
from tests.walk_kit import D, serial


def _material(world, council=None):
    n = next(serial)
    return Material.objects.create(
        slug=f"m-{n}", name=f"資料{n}", publisher=council or world.kanagawa, unit_price=Decimal(50)
    )


def _order(world, material, council):
    order = Order.objects.create(material=material, council=council, ordered_on=D(2024, 1, 10), unit_price=50)
    OrderLine.objects.bulk_create(
        [
            OrderLine(order=order, recipient_council=council, quantity=10, ordered_on=D(2024, 1, 10)),
            OrderLine(order=order, recipient_organisation=world.organisation(), quantity=5, ordered_on=D(2024, 1, 10)),
        ]
    )
    return order


def _materials(world, k):
    for _ in range(k):
        local = world.local()
        material = _material(world, local)
        _order(world, material, local)
        Distribution.objects.create(material=material, council=local, quantity=3, distributed_on=D(2024, 1, 12))


def _orders(world, k):
    material = _material(world, world.national)
    for _ in range(k):
        _order(world, material, world.local())


def _order_lines(world, k):
    material = _material(world, world.national)
    order = Order.objects.create(material=material, council=world.kanagawa, ordered_on=D(2024, 1, 10), unit_price=50)
    for _ in range(k):
        OrderLine.objects.create(order=order, recipient_council=world.local(), quantity=4, ordered_on=D(2024, 1, 10))


def _distributions(world, k):
    material = _material(world, world.national)
    for _ in range(k):
        Distribution.objects.create(
            material=material, council=world.local(), organisation=world.organisation(), quantity=3,
            distributed_on=D(2024, 1, 12),
        )  # fmt: skip


BUILDERS = {
    Material: _materials,
    Order: _orders,
    OrderLine: _order_lines,
    Distribution: _distributions,
}
