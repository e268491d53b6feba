"""納品書・請求書: one PDF per order, numbered, with the publisher's name, the lines, the amount and the tax note;
requested only by the ordering council, the publisher and those above them."""

import io
import tempfile
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test.utils import override_settings
from pypdf import PdfReader

from campaigns.materials import services
from campaigns.materials.models import OrderLine, Tax
from councils.models import Role
from reports.services import run_now
from tests.councils.factories import staff_of
from tests.materials.factories import D, line, material, member, order

pytestmark = pytest.mark.django_db


def _pdf_text(order_, user):
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        job = run_now(kind="material_invoice", params={"order": order_.number}, user=user)
        assert job.status == "done", job.error
        with job.file.open("rb") as f:
            reader = PdfReader(io.BytesIO(f.read()))
            pages = [page.extract_text().replace(" ", "").replace("\n", "") for page in reader.pages]
    return job, pages


@pytest.fixture
def kanagawa_order(national, kanagawa, kanagawa_staff, kawasaki, national_staff):
    national.address, national.postal_code = "東京都豊島区南大塚2-33-10", "170-0005"
    national.save()
    pamphlet = material(national)
    doctors = member(kanagawa, "神奈川県保険医協会", "保険医協会")
    placed = order(kanagawa_staff, kanagawa, pamphlet, [line(doctors, 200), line(kawasaki, 200), line(kanagawa, 600)])
    first = placed.lines.get(recipient_organisation=doctors)
    services.order_line_advance(user=national_staff, line=first, state=OrderLine.State.SETTLED, on=D(2023, 12, 20))
    return placed


def test_the_invoice_prints_number_publisher_lines_amount_and_tax(kanagawa_order, kanagawa_staff, kanagawa):
    job, pages = _pdf_text(kanagawa_order, kanagawa_staff)
    assert job.council == kanagawa
    delivery, invoice = pages
    assert "納品書" in delivery and "請求書" in invoice
    for page in pages:
        assert f"No.{kanagawa_order.number}" in page
        assert "神奈川県社会保障推進協議会御中" in page and "中央社会保障推進協議会" in page
        assert "東京都豊島区南大塚2-33-10" in page
        assert "保険医協会200冊50円10,000円精算済" in page and "川崎社保協200冊50円10,000円注文" in page
        assert "合計（税込）1,000冊50,000円" in page
        assert "単価は税込です（うち消費税10%4,545円）" in page
    assert "ご請求額40,000円（合計50,000円のうち未精算分）" in invoice


def test_a_tax_excluded_price_adds_the_tax(national, kanagawa, kanagawa_staff):
    forms = material(national, slug="forms", name="署名用紙", unit_price=Decimal("1.6"), tax=Tax.EXCLUDED, unit="枚")
    placed = order(kanagawa_staff, kanagawa, forms, [line(kanagawa, 1000)])
    _job, (delivery, _invoice) = _pdf_text(placed, kanagawa_staff)
    assert "小計1,000枚1,600円" in delivery and "消費税（10%）160円" in delivery and "合計（税込）1,760円" in delivery


def test_the_publisher_may_print_it_and_keeps_its_own_copy(kanagawa_order, national_staff, national):
    job, _pages = _pdf_text(kanagawa_order, national_staff)
    assert job.council == kanagawa_order.council  # national staff see the orderer: the orderer's job


def test_others_cannot_print_it(kanagawa_order, tokyo, tokyo_staff, kawasaki):
    for user in (tokyo_staff, staff_of(kawasaki, role=Role.COUNCIL_STAFF)):
        with pytest.raises(ValidationError) as caught:
            run_now(kind="material_invoice", params={"order": kanagawa_order.number}, user=user)
        assert "の注文は見つかりません（または見る権限がありません）" in caught.value.messages[0]
