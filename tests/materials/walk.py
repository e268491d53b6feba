"""materials: its part of the isolation walk (tests/test_isolation_walk.py).

Tokyo's material, an order of Tokyo's (of a national material Kanagawa may see and order too: its note is a
canary that must not reach Kanagawa's pages of that material), its line and a distribution; the orders' import
(names of Tokyo's councils and organisations read like names that do not exist), export and template, and a
request for Tokyo's order's 納品書・請求書.
"""

import io
from decimal import Decimal

from campaigns.materials.models import Distribution, Material, Order, OrderLine
from tests.councils.factories import national_council
from tests.walk_kit import Case, D, r


def _tokyo_order(t):
    national = Material.objects.create(
        slug="walk-national-material", name="walk national", publisher=national_council(), unit_price=Decimal(50)
    )
    return Order.objects.create(
        material=national, council=t.tokyo_local, ordered_on=D(2024, 1, 10), unit_price=Decimal(50), note="walk"
    )


def _import_flow(client, t):
    """Orders naming Tokyo's council and Tokyo's line by its 番号: refused, nothing said; Tokyo's invoice not found."""
    text = "\n".join(
        [
            "番号,資料,注文した社保協,注文日,宛先,数量,備考",
            f"{t[OrderLine].pk},walk national,,2024-01-10,{t.kanagawa.name},9,walk",
            f",walk national,{t.tokyo_local.name},2024-01-10,{t.tokyo_local.name},9,walk",
            f",{t[Material].slug},,2024-01-10,{t.kanagawa.name},9,walk",
        ]
    )
    upload = io.BytesIO(text.encode())
    upload.name = "walk-orders.csv"
    url = r("admin:campaigns_order_import")
    preview = client.post(url, {"file": upload})
    token = (preview.context or {}).get("token", "") if preview.status_code == 200 else ""
    outcome = client.get(r("admin:campaigns_order_import_outcome", token=token))
    invoice = r("reports:new_kind", "material_invoice")
    return [
        ("POST import preview", preview, text),
        ("GET import outcome", outcome, text),
        ("POST import commit", client.post(url, {"_commit": "1", "token": token}), text),
        ("POST invoice of Tokyo's order", client.post(invoice, {"order": t[Order].number}), t[Order].number),
    ]


CANARY_RECIPES = {
    Material: lambda t: Material.objects.create(
        slug="walk-tokyo-material", name="walk", publisher=t.tokyo_local, unit_price=Decimal(10)
    ),
    Order: _tokyo_order,
    OrderLine: lambda t: OrderLine.objects.create(
        order=t[Order], recipient_council=t.tokyo_local, quantity=5, ordered_on=D(2024, 1, 10), note="walk"
    ),
    Distribution: lambda t: Distribution.objects.create(
        material=t[Order].material, council=t.tokyo_local, quantity=3, distributed_on=D(2024, 1, 12), note="walk"
    ),
}


URL_CASES = {
    "admin:campaigns_order_import": Case(urls=lambda t: [r("admin:campaigns_order_import")], flow=_import_flow),
    "admin:campaigns_order_import_outcome": Case(
        urls=lambda t: [r("admin:campaigns_order_import_outcome", token="0" * 32)]
    ),
    "admin:campaigns_order_import_template": Case(urls=lambda t: [r("admin:campaigns_order_import_template")]),
    "admin:campaigns_order_export": Case(
        urls=lambda t: [r("admin:campaigns_order_export", format=f) for f in ("xlsx", "csv")]
    ),
}
