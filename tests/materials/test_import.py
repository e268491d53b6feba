"""Orders import and export through the one flow: bad rows named in Japanese by row and column, the same file
twice changes nothing, an unedited export imports as no change, an edited quantity is a correction the history
keeps, names outside the scope read like names that do not exist, exported formulas are neutralised."""

import io

import openpyxl
import pytest

from campaigns.materials import importing
from campaigns.materials.models import Order, OrderLine
from shaho.core.imports import ImportRefused
from tests.councils.factories import local_council
from tests.materials.factories import line, material, member, order

pytestmark = pytest.mark.django_db
ORDERS = importing.ORDERS
HEADER = "資料,注文した社保協,注文日,宛先,数量,備考"


@pytest.fixture
def setting(national, kanagawa, kawasaki, tokyo):
    member(kanagawa, "神奈川県保険医協会", "保険医協会")
    member(kanagawa, "神奈川県建設労働組合連合会", "建設労連")
    member(tokyo, "東京土建一般労働組合", "東京土建")
    local_council("14", name="茅ヶ崎社会保障推進協議会", short_name="茅ヶ崎社保協")
    return material(national)


def _csv(*lines, header=HEADER):
    return "\n".join([header, *lines]).encode("utf-8")


SEED = _csv(
    "新国保パンフ,,2023-10-20,保険医協会,200,",
    "新国保パンフ,,2023/10/20,川崎社保協,２００,",
    "新国保パンフ,,令和5年10月20日,茅ヶ崎社保協,160,",
    "kokuho-pamphlet,神奈川県社保協,2023-10-20,建設労連,100,",
)


def test_the_seeds_orders_import_as_one_order_and_twice_change_nothing(setting, kanagawa_staff, kanagawa):
    _preview, message = ORDERS.commit(data=SEED, filename="orders.csv", user=kanagawa_staff, target=None)
    assert message == "資料の注文を取り込みました: 新規 4行・変更 0行（変更なし 0行）。"
    placed = Order.objects.get()
    assert (placed.council, placed.unit_price, placed.entered_by) == (kanagawa, 50, kanagawa_staff)
    assert [(x.recipient_label, x.quantity) for x in placed.lines.all()] == [
        ("保険医協会", 200), ("川崎社保協", 200), ("茅ヶ崎社保協", 160), ("建設労連", 100),
    ]  # fmt: skip
    again = ORDERS.preview(data=SEED, filename="orders.csv", user=kanagawa_staff, target=None)
    assert again.ok and again.counts() == {"new": 0, "changed": 0, "unchanged": 4}
    ORDERS.commit(data=SEED, filename="orders.csv", user=kanagawa_staff, target=None)
    assert Order.objects.count() == 1 and OrderLine.objects.count() == 4


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(setting, kanagawa_staff, tokyo):
    data = _csv(
        "新国保パンフ,,2023-10-20,保険医協会,200,",
        "ないパンフ,,2023-10-20,保険医協会,10,",
        "新国保パンフ,,2023-10-20,東京土建,10,",
        f"新国保パンフ,{tokyo.name},2023-10-20,保険医協会,10,",
        "新国保パンフ,,2023-13-45,建設労連,0,",
        "新国保パンフ,,2023-10-20,保険医協会,5,",
    )
    preview = ORDERS.preview(data=data, filename="orders.csv", user=kanagawa_staff, target=None)
    errors = {(e.row, e.column): e.message for e in preview.errors}
    assert errors[(3, "資料")] == "「ないパンフ」という資料は見つかりません（名称・略称・番号で指定してください）。"
    assert errors[(4, "宛先")] == (
        "「東京土建」は神奈川県社会保障推進協議会かその下の社保協・加盟団体に見つかりません（名称・略称で指定してください）。"
    )
    assert errors[(5, "注文した社保協")].startswith(f"「{tokyo.name}」という社保協は見つかりません")
    assert (6, "注文日") in errors and errors[(6, "数量")] == "1以上の数を入力してください。"
    assert errors[(7, "宛先")] == "同じ資料・注文日・宛先の行が2行目にもあります。"
    with pytest.raises(ImportRefused):
        ORDERS.commit(data=data, filename="orders.csv", user=kanagawa_staff, target=None)
    assert not Order.objects.exists()


def _xlsx_rows(content):
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def test_an_unedited_export_imports_as_no_change_and_an_edit_is_a_correction(setting, kanagawa_staff, kanagawa):
    ORDERS.commit(data=SEED, filename="orders.csv", user=kanagawa_staff, target=None)
    content, _type, ext = ORDERS.export(user=kanagawa_staff, target=None, file_format="xlsx")
    preview = ORDERS.preview(data=content, filename=f"export.{ext}", user=kanagawa_staff, target=None)
    assert preview.ok and preview.counts() == {"new": 0, "changed": 0, "unchanged": 4}
    rows = _xlsx_rows(content)
    rows[1][6] = 250  # 保険医協会 200 → 250
    book = openpyxl.Workbook()
    for r in rows:
        book.active.append(r)
    edited = io.BytesIO()
    book.save(edited)
    ORDERS.commit(data=edited.getvalue(), filename="edited.xlsx", user=kanagawa_staff, target=None)
    doctors = OrderLine.objects.get(recipient_organisation__short_name="保険医協会")
    assert doctors.quantity == 250
    assert list(doctors.history.order_by("history_date").values_list("quantity", "history_change_reason")) == [
        (200, None), (250, "取り込みで訂正"),
    ]  # fmt: skip


def test_the_export_neutralises_formulas_and_shows_only_the_users_orders(
    setting, kanagawa_staff, kanagawa, tokyo, tokyo_staff
):
    order(kanagawa_staff, kanagawa, setting, [line(kanagawa, 10, note='=HYPERLINK("x")')])
    order(tokyo_staff, tokyo, setting, [line(tokyo, 99, note="東京の注文のメモ")])
    content, _type, _ext = ORDERS.export(user=kanagawa_staff, target=None, file_format="csv")
    text = content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "東京" not in text
