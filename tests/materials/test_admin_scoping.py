"""A Kanagawa staffer's materials pages name nothing of Tokyo's: not its material, its orders, its lines or what it
handed out — in the rows, the totals, the list filters' choices, the forms' choices and the autocompletes."""

import re

import pytest
from django.urls import reverse

from tests.materials.factories import handed_out, line, material, order

pytestmark = pytest.mark.django_db


@pytest.fixture
def materials(national, kanagawa, kanagawa_staff, tokyo, tokyo_staff):
    pamphlet = material(national)
    tokyo_own = material(tokyo, slug="tokyo-shiryo", name="東京の資料集", kind="compilation")
    order(kanagawa_staff, kanagawa, pamphlet, [line(kanagawa, 100)], note="神奈川の注文")
    order(tokyo_staff, tokyo, pamphlet, [line(tokyo, 4321)], note="東京だけのメモ")
    order(tokyo_staff, tokyo, tokyo_own, [line(tokyo, 77)])
    handed_out(kanagawa_staff, kanagawa, pamphlet, 50)
    handed_out(tokyo_staff, tokyo, pamphlet, 333)
    return {"pamphlet": pamphlet, "tokyo": tokyo_own}


def _page(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, (name, response.status_code)
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.mark.parametrize(
    "name",
    [
        "admin:campaigns_material_changelist",
        "admin:campaigns_order_changelist",
        "admin:campaigns_orderline_changelist",
        "admin:campaigns_distribution_changelist",
        "admin:campaigns_order_add",
        "admin:campaigns_distribution_add",
        "admin:campaigns_orderline_add",
    ],
)
def test_no_tokyo_row_or_choice_on_a_kanagawa_materials_page(client, kanagawa_staff, materials, name):
    client.force_login(kanagawa_staff)
    page = _page(client, name)
    # Tokyo's material, council, note and figures (4,321 ordered, 333 handed out, 77 of its own material).
    for secret in ("東京", "tokyo-shiryo", "4,321", "4321", "333"):
        assert secret not in page, (name, secret)


def test_the_national_pamphlets_page_counts_only_kanagawas_orders(client, kanagawa_staff, materials):
    client.force_login(kanagawa_staff)
    page = _page(client, "admin:campaigns_material_change", materials["pamphlet"].pk)
    assert "100冊" in page and "50冊" in page and "計" in page and "全国" not in page
    assert "東京" not in page and "4,321" not in page and "333" not in page


def test_the_autocompletes_of_an_order_offer_no_tokyo_material_or_council(client, kanagawa_staff, materials):
    client.force_login(kanagawa_staff)
    for model, field in (("order", "material"), ("order", "council"), ("distribution", "material"),
                         ("distribution", "council"), ("orderline", "recipient_council")):  # fmt: skip
        for term in ("", "東京"):
            response = client.get(
                reverse("admin:autocomplete"),
                {"app_label": "campaigns", "model_name": model, "field_name": field, "term": term},
            )
            if response.status_code == 403:  # not an autocomplete: its select is on the add page, checked above
                continue
            texts = [r["text"] for r in response.json()["results"]]
            assert not any("東京" in t for t in texts), (model, field, texts)


def test_a_filter_naming_tokyos_material_shows_nothing_of_it(client, kanagawa_staff, materials):
    client.force_login(kanagawa_staff)
    tokyo_pk = materials["tokyo"].pk
    for name, lookup in (
        ("admin:campaigns_order_changelist", "material__id__exact"),
        ("admin:campaigns_orderline_changelist", "order__material__id__exact"),
        ("admin:campaigns_distribution_changelist", "material__id__exact"),
    ):
        response = client.get(reverse(name), {lookup: tokyo_pk})
        page = response.content.decode()
        assert "東京" not in page and "77" not in re.sub(r"<[^>]+>", " ", page).split(), name
    assert client.get(reverse("admin:campaigns_material_change", args=[tokyo_pk])).status_code in (302, 404)


def test_the_material_list_totals_only_kanagawas_orders_and_distributions(client, kanagawa_staff, materials):
    client.force_login(kanagawa_staff)
    page = _page(client, "admin:campaigns_material_changelist")
    row = re.search(r"<tr[^>]*>(?:(?!</tr>).)*新国保パンフ.*?</tr>", page)[0]
    cells = re.findall(r'<td class="field-(\w+)[^"]*">([^<]*)</td>', row)
    figures = dict(cells)
    assert (figures["ordered"], figures["distributed"]) == ("100冊", "50冊"), figures
