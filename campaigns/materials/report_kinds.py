"""The materials' report kind: 納品書・請求書 (material_invoice), the delivery note and the invoice of one order.

Registered by CampaignsConfig.ready(). The order is looked up among what the requesting user may see: the
ordering council's staff and those above it, the publisher's staff and those above it; the job belongs to
the ordering council when it is in the user's scope, else to the publisher (so each side keeps its own copy).
The document is numbered by the order (「No. 2023-00012」) and prints the publisher's name and address, the
lines, the amount, the tax rule (税込: the tax it includes; 税別: 10% added) and what is still to be paid.
"""

from decimal import ROUND_DOWN, Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shaho.core.japanese import format_date
from shaho.core.report_kinds import Built, Param, ParamType, ReportKind, Request, check_param_names, register_kind
from shaho.core.scoping import in_scope

from . import selectors
from .models import TAX_RATE, Tax, amount_of, price_text


def _order_number(value):
    """The order's key from 「2023-00012」, 「00012」 or 「12」."""
    text = str(value or "").strip().replace("No.", "").strip()
    tail = text.rsplit("-", 1)[-1]
    if not tail.isdigit():
        raise ValidationError(f"注文番号「{text}」は読めません（例: 2023-00012）。")
    return int(tail)


def _invoice_clean(*, params, user):
    check_param_names(MATERIAL_INVOICE, params)
    order = selectors.order_with_lines(user=user, pk=_order_number(params["order"]))
    if order is None:
        raise ValidationError(f"注文番号「{params['order']}」の注文は見つかりません（または見る権限がありません）。")
    council = order.council if in_scope(user, order.council_id) else order.material.publisher
    return Request(
        params={"order": str(order.pk)},
        council=council,
        title=f"納品書・請求書 No.{order.number} {order.material}（{order.council}）",
    )


def invoice_context(order):
    """The lines, the amount and the tax of `order` as the delivery note and the invoice print them."""
    lines = list(order.lines.all())
    quantity = sum(line.quantity for line in lines)
    unsettled = sum(line.quantity for line in lines if line.state != line.State.SETTLED)
    total = amount_of(quantity, order.unit_price, order.tax)
    subtotal = amount_of(quantity, order.unit_price, Tax.INCLUDED)
    if order.tax == Tax.EXCLUDED:
        tax, tax_note = total - subtotal, f"消費税（{int(TAX_RATE * 100)}%）を加えています"
    else:
        # The tax a tax-included total holds: total × 10/110, fractions of a yen dropped.
        tax = int((Decimal(total) * TAX_RATE / (1 + TAX_RATE)).quantize(Decimal(1), rounding=ROUND_DOWN))
        tax_note = f"単価は税込です（うち消費税{int(TAX_RATE * 100)}% {tax:,}円）"
    return {
        "order": order,
        "material": order.material,
        "publisher": order.material.publisher,
        "lines": [(line, amount_of(line.quantity, order.unit_price, Tax.INCLUDED)) for line in lines],
        "quantity": quantity,
        "subtotal": subtotal,
        "tax": tax,
        "tax_excluded": order.tax == Tax.EXCLUDED,
        "tax_note": tax_note,
        "total": total,
        "due": amount_of(unsettled, order.unit_price, order.tax),
        "unit_price": price_text(order.unit_price),
        "ordered_on": format_date(order.ordered_on),
    }


def _invoice_build(*, params, user, progress):
    order = selectors.order_with_lines(user=user, pk=int(params["order"]))
    if order is None:
        raise ValidationError("この注文は見つかりません（または見る権限がありません）。")
    progress(50, "明細を集計中")
    return Built(
        template="reports/material_invoice.html",
        context={
            "document_title": f"納品書・請求書 No.{order.number}",
            "titles": ["納品書", "請求書"],
            **invoice_context(order),
        },
    )


MATERIAL_INVOICE = register_kind(
    ReportKind(
        name="material_invoice",
        label=_("納品書・請求書"),
        params=(Param("order", "注文番号", ParamType.TEXT, required=True, help="例: 2023-00012（注文の一覧の番号）"),),
        clean=_invoice_clean,
        build=_invoice_build,
        summary=_("資料の注文1件の納品書と請求書（番号・発行の社保協・明細・金額・消費税）"),
    )
)
