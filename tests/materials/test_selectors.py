"""Totals of materials: ordered, shipped, distributed, amount and due, per prefecture and nationally, from the
database in a constant number of queries, and only over the rows the user may see."""

from decimal import Decimal

import pytest

from campaigns.materials import selectors, services
from campaigns.materials.models import OrderLine, Tax
from tests.councils.factories import prefecture
from tests.materials.factories import D, handed_out, line, material, member, order

pytestmark = pytest.mark.django_db
State = OrderLine.State


@pytest.fixture
def kanagawa_orders(national, kanagawa, kawasaki, kanagawa_staff, national_staff):
    pamphlet = material(national)
    doctors = member(kanagawa, "神奈川県保険医協会", "保険医協会")
    builders = member(kanagawa, "神奈川県建設労働組合連合会", "建設労連")
    placed = order(
        kanagawa_staff,
        kanagawa,
        pamphlet,
        [line(doctors, 200), line(kawasaki, 200), line(builders, 100), line(kanagawa, 500)],
    )
    shipped = placed.lines.get(recipient_organisation=doctors)
    services.order_line_advance(user=national_staff, line=shipped, state=State.SETTLED, on=D(2023, 12, 20))
    handed_out(kanagawa_staff, kanagawa, pamphlet, 700)
    handed_out(kanagawa_staff, kawasaki, pamphlet, 30)
    return pamphlet


def test_totals_per_material_in_yen_and_copies(kanagawa_orders, kanagawa_staff, django_assert_num_queries):
    with django_assert_num_queries(3):
        [(pamphlet, totals)] = selectors.material_totals(user=kanagawa_staff)
    assert pamphlet == kanagawa_orders
    assert (totals.ordered, totals.shipped, totals.distributed) == (1000, 200, 730)
    assert (totals.amount, totals.due) == (50_000, 40_000)


def test_the_publisher_sees_every_prefecture_and_a_prefecture_only_its_own(
    kanagawa_orders, tokyo, tokyo_staff, national_staff, kanagawa_staff, django_assert_num_queries
):
    order(tokyo_staff, tokyo, kanagawa_orders, [line(tokyo, 300)])
    with django_assert_num_queries(2):
        national_view = selectors.totals_by_prefecture(user=national_staff, material=kanagawa_orders)
    assert [(t.label, t.ordered, t.distributed) for t in national_view.rows] == [
        ("東京都", 300, 0),
        ("神奈川県", 1000, 730),
    ]
    assert (national_view.total.ordered, national_view.total.amount) == (1300, 65_000)
    kanagawa_view = selectors.totals_by_prefecture(user=kanagawa_staff, material=kanagawa_orders)
    assert [t.label for t in kanagawa_view.rows] == ["神奈川県"]


def test_queries_do_not_grow_with_orders(kanagawa_orders, kanagawa, kanagawa_staff, django_assert_num_queries):
    for _ in range(10):
        order(kanagawa_staff, kanagawa, kanagawa_orders, [line(kanagawa, 5)])
        handed_out(kanagawa_staff, kanagawa, kanagawa_orders, 5)
    with django_assert_num_queries(2):
        big = selectors.totals_by_prefecture(user=kanagawa_staff, material=kanagawa_orders)
    with django_assert_num_queries(3):
        selectors.material_totals(user=kanagawa_staff)
    assert big.total.ordered == 1050 and big.total.distributed == 780


def test_recipient_lines_print_the_organisations_then_the_council_itself(kanagawa_orders, kanagawa_staff):
    lines = selectors.recipient_lines(user=kanagawa_staff, materials=[kanagawa_orders], prefecture=prefecture("14"))
    assert [(x.label, x.quantity) for x in lines[kanagawa_orders.pk]] == [
        ("保険医協会", 200),
        ("川崎社保協", 200),
        ("建設労連", 100),
        ("神奈川県社会保障推進協議会", 500),
    ]


def test_tax_excluded_prices_add_ten_percent_and_fractions_of_a_yen_drop(national, kanagawa, kanagawa_staff):
    forms = material(national, slug="forms", name="署名用紙", unit_price=Decimal("1.6"), tax=Tax.EXCLUDED, unit="枚")
    order(kanagawa_staff, kanagawa, forms, [line(kanagawa, 1001)])
    [(_m, totals)] = selectors.material_totals(user=kanagawa_staff, materials=[forms])
    assert totals.amount == 1761  # 1,001 × 1.6 × 1.1 = 1,761.76
    assert selectors.amount_due(user=kanagawa_staff, council=kanagawa) == 1761


def test_a_local_council_sees_only_its_own_orders(kanagawa_orders, kawasaki, organizer, kanagawa_staff):
    order(kanagawa_staff, kawasaki, kanagawa_orders, [line(kawasaki, 40)], note="川崎の分")
    [(_m, totals)] = selectors.material_totals(user=organizer)
    assert (totals.ordered, totals.distributed) == (40, 30)
