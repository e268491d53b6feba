"""Orders and distributions of materials: written through the services, refused whole with Japanese messages
naming the field or the line, every count traceable (who, when, what it corrected)."""

import pytest
from django.core.exceptions import ValidationError

from campaigns.materials import services
from campaigns.materials.models import Distribution, Order, OrderLine
from tests.councils.factories import local_council
from tests.materials.factories import D, handed_out, line, material, member, order

pytestmark = pytest.mark.django_db
State = OrderLine.State


@pytest.fixture
def pamphlet(national):
    return material(national)


def test_an_order_is_placed_in_lines_at_the_price_of_the_day(kanagawa_staff, kanagawa, kawasaki, pamphlet):
    doctors = member(kanagawa, "神奈川県保険医協会", "保険医協会")
    placed = order(kanagawa_staff, kanagawa, pamphlet, [line(doctors, 200), line(kawasaki, 200), line(kanagawa, 600)])
    pamphlet.unit_price = 60
    pamphlet.save()
    placed.refresh_from_db()
    assert placed.unit_price == 50 and placed.entered_by == kanagawa_staff
    assert [(x.recipient_label, x.quantity, x.state) for x in placed.lines.all()] == [
        ("保険医協会", 200, State.ORDERED),
        ("川崎社保協", 200, State.ORDERED),
        ("神奈川県社会保障推進協議会", 600, State.ORDERED),
    ]
    assert placed.number == f"2023-{placed.pk:05d}"
    assert placed.lines.first().amount == 10_000


def test_bad_order_is_refused_whole_naming_each_line(kanagawa_staff, kanagawa, tokyo, pamphlet):
    stranger = member(tokyo, "東京保険医協会", "保険医協会")
    tokyo_local = local_council("13", name="渋谷社保協")
    with pytest.raises(ValidationError) as caught:
        order(kanagawa_staff, kanagawa, pamphlet, [line(stranger, 10), line(tokyo_local, 0), {"quantity": 5}])
    lines = caught.value.message_dict["lines"]
    assert lines[0] == "「明細 1行目」: 「東京保険医協会」は神奈川県社会保障推進協議会の加盟団体ではありません。"
    assert lines[1] == "「明細 2行目」: 「渋谷社保協」は神奈川県社会保障推進協議会かその下の社保協ではありません。"
    assert lines[2] == "「明細 2行目」: 「数量」: 1以上の数を入力してください。"
    assert lines[3] == "「明細 3行目」: 宛先は社保協か団体のどちらか一つを選んでください。"
    assert not Order.objects.exists() and not OrderLine.objects.exists()


def test_a_council_orders_only_for_itself_and_what_it_may_see(kanagawa_staff, tokyo, tokyo_staff, kanagawa):
    with pytest.raises(ValidationError) as caught:
        order(kanagawa_staff, tokyo, material(kanagawa, slug="k"), [line(tokyo, 10)])
    assert caught.value.message_dict["council"] == ["「注文した社保協」: この社保協の注文を入力する権限がありません。"]
    # Kanagawa's own material is not Tokyo's to order (a prefecture's materials are its prefecture's).
    with pytest.raises(ValidationError) as caught:
        order(tokyo_staff, tokyo, material(kanagawa, slug="k2"), [line(tokyo, 10)])
    assert caught.value.message_dict["material"] == ["「資料」: この資料は注文できません（または見つかりません）。"]


def test_the_publisher_ships_and_settles_the_orderer_receives(kanagawa_staff, national_staff, kanagawa, pamphlet):
    placed = order(kanagawa_staff, kanagawa, pamphlet, [line(kanagawa, 1000)])
    first = placed.lines.get()
    with pytest.raises(ValidationError) as caught:
        services.order_line_advance(user=kanagawa_staff, line=first, state=State.SHIPPED, on=D(2023, 12, 5))
    assert caught.value.message_dict["state"] == ["「状態」: 発送済にできるのは発行の社保協です。"]
    services.order_line_advance(user=national_staff, line=first, state=State.SHIPPED, on=D(2023, 12, 5))
    services.order_line_advance(user=kanagawa_staff, line=first, state=State.RECEIVED, on=D(2023, 12, 7))
    with pytest.raises(ValidationError) as caught:
        services.order_line_advance(user=national_staff, line=first, state=State.SHIPPED, on=D(2023, 12, 8))
    assert caught.value.message_dict["state"] == ["「状態」: この明細はすでに受領です（状態は戻せません）。"]
    settled = services.order_line_advance(user=national_staff, line=first, state=State.SETTLED, on=D(2024, 1, 10))
    dates = (settled.shipped_on, settled.received_on, settled.settled_on)
    assert dates == (D(2023, 12, 5), D(2023, 12, 7), D(2024, 1, 10))
    # Each step is in the history with who made it.
    steps = list(settled.history.order_by("history_date").values_list("state", "history_user_id"))
    assert steps == [
        ("ordered", kanagawa_staff.pk),
        ("shipped", national_staff.pk),
        ("received", kanagawa_staff.pk),
        ("settled", national_staff.pk),
    ]


def test_a_line_correction_keeps_the_earlier_quantity_who_and_why(kanagawa_staff, kanagawa, pamphlet):
    first = order(kanagawa_staff, kanagawa, pamphlet, [line(kanagawa, 100)]).lines.get()
    with pytest.raises(ValidationError) as caught:
        services.order_line_change(user=kanagawa_staff, line=first, quantity=120, reason=" ")
    assert caught.value.message_dict["reason"] == ["「訂正の理由」を入力してください。"]
    services.order_line_change(user=kanagawa_staff, line=first, quantity=120, reason="追加の申込み")
    history = list(first.history.order_by("history_date").values_list("quantity", "history_change_reason"))
    assert history == [(100, None), (120, "追加の申込み")]


def test_distributions_are_corrected_by_a_new_row_pointing_at_the_first(kanagawa_staff, kanagawa, pamphlet):
    first = handed_out(kanagawa_staff, kanagawa, pamphlet, 700, note="国保学習会で")
    with pytest.raises(ValidationError) as caught:
        services.distribution_correct(user=kanagawa_staff, distribution=first, corrected=720, reason="")
    assert caught.value.message_dict["correction_reason"] == ["「訂正の理由」を入力してください。"]
    fix = services.distribution_correct(user=kanagawa_staff, distribution=first, corrected=720, reason="数え漏れ")
    assert (fix.quantity, fix.corrects, fix.entered_by) == (20, first, kanagawa_staff)
    assert services.corrected_quantity(distribution=fix) == 720
    first.refresh_from_db()
    assert first.quantity == 700  # the first count is never overwritten


def test_distribution_refuses_bad_fields_naming_them(kanagawa_staff, tokyo, kanagawa, pamphlet):
    with pytest.raises(ValidationError) as caught:
        services.distribution_record(
            user=kanagawa_staff, material=pamphlet, council=tokyo, quantity=-3, distributed_on=None
        )
    assert caught.value.message_dict == {
        "council": ["「普及した社保協」: この社保協の普及を入力する権限がありません。"],
        "quantity": ["「普及数」: 1以上の数を入力してください。"],
        "distributed_on": ["「普及日」を入力してください。"],
    }
    assert not Distribution.objects.exists()
