"""Materials' totals over 100,000 order lines (issue 19), each beside hand-written SQL.

Targets, in PostgreSQL with 20,000 orders, 100,000 lines and 50,000 distributions:
- the totals of every material (`campaigns.materials.selectors.material_totals`: ordered, shipped,
  distributed, amount, due) in a constant number of queries and under 500 ms (on 2 shared cores the
  ratio to the hand-written SQL is the figure to watch);
- one material's totals per prefecture (`totals_by_prefecture`, the publisher's view) likewise;
- a prefecture's block of the 都道府県報告 (`materials.prefecture` rendered) under 500 ms.
Each is measured beside a hand-written SQL query of the same figures in the same run; the ratio is printed
and the figures are checked to agree.

Builds (once; reused while complete, `--rebuild` starts over) in its own database: the registry, 1 national
+ 47 prefectural + 300 local councils, 21 materials (the national pamphlet and one of each of 20 prefectures),
the orders (a third of them for the national pamphlet) with 5 lines each, some of them shipped or settled,
and the distributions, loaded with bulk_create, then ANALYZE.

    .venv/bin/python bench/bench_materials.py [--rebuild] [--runs 21]
"""

import datetime
import sys
from decimal import Decimal

from _common import (
    bench_arguments,
    build_federation,
    choose_database,
    machine,
    report_against_sql,
    setup_django,
    sql_rows,
    timed,
)

ORDERS = 20_000
LINES_PER_ORDER = 5
DISTRIBUTIONS = 50_000
LOCAL_COUNCILS = 300
START = datetime.date(2023, 4, 1)


def build():
    from django.db import connection, transaction

    from campaigns.materials.models import Distribution, Material, Order, OrderLine, Tax

    if OrderLine.objects.count() >= ORDERS * LINES_PER_ORDER and Distribution.objects.count() >= DISTRIBUTIONS:
        return
    national, prefectural, local = build_federation(local_councils=LOCAL_COUNCILS)
    locals_of = {}
    for c in local:
        locals_of.setdefault(c.prefecture_id, []).append(c)
    with transaction.atomic():
        Distribution.objects.all().delete()
        OrderLine.objects.all().delete()
        Order.objects.all().delete()
        Material.objects.all().delete()
        materials = [Material(slug="kokuho-pamphlet", name="新国保パンフ", publisher=national, unit_price=Decimal(50))]
        for i, council in enumerate(list(prefectural.values())[:20]):
            materials.append(
                Material(slug=f"m-{i}", name=f"資料集{i}", publisher=council, unit_price=Decimal("1.6"),
                         tax=Tax.EXCLUDED if i % 2 else Tax.INCLUDED, unit="枚")
            )  # fmt: skip
        Material.objects.bulk_create(materials)
        everyone = [*prefectural.values(), *local]
        orders = []
        for i in range(ORDERS):
            if i % 3 == 0:  # the national pamphlet: any prefectural or local council orders it
                material, council = materials[0], everyone[i % len(everyone)]
            else:  # a prefecture's material: its own council or a local council below it
                material = materials[1 + i % 20]
                under = locals_of.get(material.publisher.prefecture_id, [])
                council = under[i % len(under)] if under and i % 2 else material.publisher
            orders.append(
                Order(material=material, council=council, ordered_on=START + datetime.timedelta(days=i % 365),
                      unit_price=material.unit_price, tax=material.tax)
            )  # fmt: skip
        Order.objects.bulk_create(orders, batch_size=2000)
        states = ["ordered", "shipped", "received", "settled"]
        lines = [
            OrderLine(order=o, recipient_council=o.council, quantity=10 + (o.pk + j) % 90, ordered_on=o.ordered_on,
                      state=states[(o.pk + j) % 4])
            for o in orders
            for j in range(LINES_PER_ORDER)
        ]  # fmt: skip
        OrderLine.objects.bulk_create(lines, batch_size=5000)
        handed = [
            Distribution(material=orders[i % ORDERS].material, council=orders[i % ORDERS].council,
                         quantity=1 + i % 40, distributed_on=START + datetime.timedelta(days=i % 365))
            for i in range(DISTRIBUTIONS)
        ]  # fmt: skip
        Distribution.objects.bulk_create(handed, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"built {Order.objects.count():,} orders, {OrderLine.objects.count():,} lines,"
          f" {Distribution.objects.count():,} distributions")  # fmt: skip


TOTALS_SQL = """
SELECT o.material_id, SUM(l.quantity),
       SUM(l.quantity) FILTER (WHERE l.state <> 'ordered'),
       SUM(l.quantity * o.unit_price * CASE WHEN o.tax = 'excluded' THEN 1.1 ELSE 1 END),
       SUM(l.quantity * o.unit_price * CASE WHEN o.tax = 'excluded' THEN 1.1 ELSE 1 END)
           FILTER (WHERE l.state <> 'settled')
FROM campaigns_orderline l JOIN campaigns_order o ON o.id = l.order_id
GROUP BY o.material_id
"""
DISTRIBUTED_SQL = "SELECT material_id, SUM(quantity) FROM campaigns_distribution GROUP BY material_id"
BY_PREFECTURE_SQL = """
SELECT c.prefecture_id, SUM(l.quantity),
       SUM(l.quantity * o.unit_price * CASE WHEN o.tax = 'excluded' THEN 1.1 ELSE 1 END)
FROM campaigns_orderline l JOIN campaigns_order o ON o.id = l.order_id JOIN councils_council c ON c.id = o.council_id
WHERE o.material_id = %s
GROUP BY c.prefecture_id
"""


def main():
    args = bench_arguments(__doc__).parse_args()
    db = choose_database("bench_materials")
    setup_django(db, drop=args.rebuild)
    build()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns.materials import selectors
    from campaigns.materials.models import Material
    from municipalities.models import Prefecture
    from shaho.core import blocks
    from shaho.core.figures import PlaceholderContext

    print(f"machine: {machine()}; database {db.shown}")

    results = []
    # 1. every material's totals (a system run: the whole federation)
    with CaptureQueriesContext(connection) as q:
        selectors.material_totals(user=None)
    ours_ms, ours = timed(lambda: selectors.material_totals(user=None), args.runs)
    base_ms, (base, handed) = timed(lambda: sql_rows((TOTALS_SQL, []), (DISTRIBUTED_SQL, [])), args.runs)
    by_material = {m.pk: t for m, t in ours}
    assert sum(t.ordered for t in by_material.values()) == sum(r[1] for r in base)
    assert sum(t.distributed for t in by_material.values()) == sum(r[1] for r in handed)
    assert all(by_material[r[0]].amount == int(r[3]) for r in base), "amounts disagree"
    results.append((f"totals of {len(ours)} materials", ours_ms, base_ms, len(q), 500))
    # 2. the national pamphlet per prefecture (the publisher's view)
    pamphlet = Material.objects.get(slug="kokuho-pamphlet")
    with CaptureQueriesContext(connection) as q:
        selectors.totals_by_prefecture(user=None, material=pamphlet)
    ours_ms, ours = timed(lambda: selectors.totals_by_prefecture(user=None, material=pamphlet), args.runs)
    base_ms, (base,) = timed(lambda: sql_rows((BY_PREFECTURE_SQL, [pamphlet.pk])), args.runs)
    assert ours.total.ordered == sum(r[1] for r in base)
    results.append((f"the pamphlet per prefecture ({len(ours.rows)} rows)", ours_ms, base_ms, len(q), 500))
    # 3. a prefecture's block of the 都道府県報告
    tokyo = Prefecture.objects.get(code="13")
    source = "{{ materials.prefecture prefecture=13 start=2023-04-01 end=2024-03-31 }}"
    ctx = PlaceholderContext(date=datetime.date(2024, 3, 31), user=None)
    with CaptureQueriesContext(connection) as q:
        html = blocks.resolve_one(source, ctx).render()
    ours_ms, html = timed(lambda: blocks.resolve_one(source, ctx).render(), args.runs)
    base_ms, _ = timed(
        lambda: sql_rows(
            (BY_PREFECTURE_SQL.replace("WHERE o.material_id = %s", "WHERE c.prefecture_id = %s"), [tokyo.pk])
        ),
        args.runs,
    )
    results.append((f"materials.prefecture block of 東京都 ({len(html):,} characters)", ours_ms, base_ms, len(q), 500))

    return report_against_sql("materials", results)


if __name__ == "__main__":
    sys.exit(main())
