"""The staff pages of materials: the publisher's material page lists orders per prefecture, the order list the
amounts and what is still due, an order is added with its lines at the material's price, states move by action."""

import datetime
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from campaigns.materials.models import Distribution, Order, OrderLine
from tests.materials.factories import handed_out, line, material, member, order

pytestmark = pytest.mark.django_db
D_SHIPPED = datetime.date(2023, 12, 5)


@pytest.fixture
def pamphlet(national, kanagawa, kanagawa_staff, tokyo, tokyo_staff, kawasaki):
    pamphlet = material(national)
    doctors = member(kanagawa, "神奈川県保険医協会", "保険医協会")
    lines = [line(doctors, 200), line(kawasaki, 200), line(kanagawa, 600)]
    order(kanagawa_staff, kanagawa, pamphlet, lines, note="神奈川の注文")
    order(tokyo_staff, tokyo, pamphlet, [line(tokyo, 300)], note="東京だけのメモ")
    handed_out(kanagawa_staff, kanagawa, pamphlet, 720)
    return pamphlet


def _text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_the_publisher_sees_the_orders_per_prefecture(client, national_staff, pamphlet):
    client.force_login(national_staff)
    page = _text(client.get(reverse("admin:campaigns_material_change", args=[pamphlet.pk])))
    assert "都道府県別の注文と普及" in page
    td = '<td class="num">'  # figures stand right-aligned
    assert re.search(rf"東京都</th> ?{td}300冊</td>", page)
    assert re.search(rf"神奈川県</th> ?{td}1,000冊</td> ?{td}0冊</td> ?{td}720冊</td> ?{td}50,000円</td>", page)
    assert re.search(rf"全国</th> ?{td}1,300冊</td>", page)


def test_a_prefecture_sees_its_own_orders_and_what_is_due(
    client, kanagawa_staff, pamphlet, django_assert_max_num_queries
):
    client.force_login(kanagawa_staff)
    page = _text(client.get(reverse("admin:campaigns_material_changelist")))
    assert "1,000冊" in page and "720冊" in page and "50,000円" in page and "1,300冊" not in page
    page = _text(client.get(reverse("admin:campaigns_order_changelist")))
    assert "神奈川の注文" not in page  # notes are not in the list; the Tokyo order is not either
    assert "東京都社会保障推進協議会" not in page and "50,000円" in page
    assert "神奈川県社会保障推進協議会の未精算の合計: <strong>50,000円</strong>" in page
    material_page = _text(client.get(reverse("admin:campaigns_material_change", args=[pamphlet.pk])))
    assert "東京都" not in material_page.split("都道府県別の注文と普及")[1]


def test_staff_add_an_order_with_lines_at_the_materials_price(client, kanagawa_staff, kanagawa, national):
    pamphlet = material(national)
    client.force_login(kanagawa_staff)
    data = {"material": pamphlet.pk, "council": kanagawa.pk, "ordered_on": "2023-12-01", "note": "",
            "lines-TOTAL_FORMS": "1", "lines-INITIAL_FORMS": "0",
            "lines-0-recipient_council": kanagawa.pk, "lines-0-quantity": "50"}  # fmt: skip
    response = client.post(reverse("admin:campaigns_order_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    placed = Order.objects.get()
    assert (placed.unit_price, placed.entered_by, placed.lines.get().quantity) == (50, kanagawa_staff, 50)
    assert placed.lines.get().ordered_on == placed.ordered_on


def test_lines_move_by_the_list_actions_of_who_may(client, national_staff, kanagawa_staff, pamphlet):
    lines = OrderLine.objects.filter(order__council__prefecture__code="14")
    client.force_login(kanagawa_staff)
    url = reverse("admin:campaigns_orderline_changelist")
    client.post(url, {"action": "mark_shipped", "_selected_action": [x.pk for x in lines]})
    assert set(lines.values_list("state", flat=True)) == {"ordered"}  # only the publisher ships
    client.force_login(national_staff)
    client.post(url, {"action": "mark_shipped", "_selected_action": [x.pk for x in lines]})
    assert set(lines.values_list("state", flat=True)) == {"shipped"}


def test_a_distribution_is_not_changed_in_place(client, kanagawa_staff, pamphlet):
    client.force_login(kanagawa_staff)
    row = Distribution.objects.get()
    response = client.post(reverse("admin:campaigns_distribution_change", args=[row.pk]), {"quantity": "1"})
    row.refresh_from_db()
    assert response.status_code in (302, 403) and row.quantity == 720


def test_the_order_list_offers_import_export_and_the_invoice(client, kanagawa_staff, pamphlet):
    client.force_login(kanagawa_staff)
    page = client.get(reverse("admin:campaigns_order_changelist")).content.decode()
    assert reverse("admin:campaigns_order_import") in page and "material_invoice" in page
    assert client.get(reverse("admin:campaigns_order_import")).status_code == 200
    exported = client.get(reverse("admin:campaigns_order_export") + "?format=csv")
    assert exported.status_code == 200


def test_a_received_lines_quantity_is_not_changed_on_the_page(client, national_staff, kanagawa_staff, pamphlet):
    from campaigns.materials import services

    line_ = OrderLine.objects.filter(order__council__prefecture__code="14").first()
    services.order_line_advance(user=national_staff, line=line_, state="shipped", on=D_SHIPPED)
    line_.refresh_from_db()
    with pytest.raises(ValidationError) as caught:
        services.row_check(user=kanagawa_staff, row=_with(line_, quantity=999))
    assert caught.value.message_dict["quantity"] == ["「数量」: 発送済の明細の数量は変えられません。"]


def _with(row, **fields):
    for name, value in fields.items():
        setattr(row, name, value)
    return row
