"""Write side of materials: placing orders in lines, moving a line along (発送済・受領・精算済), recording and
correcting what was handed out (普及), and the rows the staff pages write.

Every function takes keyword-only arguments, checks first and writes inside a transaction; bad input
raises ValidationError keyed by the field (`quantity`, `council`, …) or by the lines (`lines`), with
Japanese messages naming the field or the line. Nothing is saved then. Who may: the ordering council's
staff (and those above) place orders, change their lines and mark them 受領; the publisher's staff (and
those above) mark lines 発送済 and 精算済; a council's staff record what it handed out.
"""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from councils.models import Council, Organisation
from shaho.core.rows import row_delete_check, row_full_clean, row_scope_check
from shaho.core.scoping import in_scope, restrict

from .models import MAX_QUANTITY, Distribution, Material, Order, OrderLine

NOT_IN_SCOPE = "この社保協のデータを扱う権限がありません（または見つかりません）。"
State = OrderLine.State
# The states in their order: a line moves forward only, and each state has its date.
STATE_ORDER = [State.ORDERED, State.SHIPPED, State.RECEIVED, State.SETTLED]
STATE_DATES = {State.SHIPPED: "shipped_on", State.RECEIVED: "received_on", State.SETTLED: "settled_on"}
STATE_LABELS = {State.SHIPPED: "発送日", State.RECEIVED: "受領日", State.SETTLED: "精算日"}


def quantity_error(label, value, *, allow_zero=False):
    if value is None:
        return f"「{label}」を入力してください。"
    if not isinstance(value, int) or isinstance(value, bool):
        return f"「{label}」: 整数を入力してください。"
    if value < (0 if allow_zero else 1):
        return f"「{label}」: {0 if allow_zero else 1}以上の数を入力してください。"
    if value > MAX_QUANTITY:
        return f"「{label}」: {MAX_QUANTITY:,}までです。"
    return None


def orderable_materials(*, user):
    """The materials `user` may order: those of the publishers the user may see (national ones are everyone's)."""
    return restrict(Material.objects.select_related("publisher"), user)


def recipients_of(council):
    """(councils, organisations) an order of `council` may be for: itself and the councils below it; the
    organisations it manages or that are its members (and those of the councils below it)."""
    councils = Council.objects.filter(path__startswith=council.path)
    organisations = Organisation.objects.filter(
        Q(home_council__path__startswith=council.path) | Q(memberships__council__path__startswith=council.path)
    ).distinct()
    return councils, organisations


def line_errors(*, council, lines, where="明細"):
    """Messages for each bad line of an order of `council`, naming the line (「明細 2行目」)."""
    errors = []
    if not lines:
        return [f"「{where}」: 宛先と数量を1行以上入力してください。"]
    councils, organisations = recipients_of(council) if council is not None else (None, None)
    council_ids = set(councils.values_list("pk", flat=True)) if councils is not None else set()
    organisation_ids = set(organisations.values_list("pk", flat=True)) if organisations is not None else set()
    seen = {}
    for i, line in enumerate(lines, start=1):
        at = f"「{where} {i}行目」"
        rc, ro = line.get("recipient_council"), line.get("recipient_organisation")
        if (rc is None) == (ro is None):
            errors.append(f"{at}: 宛先は社保協か団体のどちらか一つを選んでください。")
        elif council is not None and rc is not None and rc.pk not in council_ids:
            errors.append(f"{at}: 「{rc}」は{council}かその下の社保協ではありません。")
        elif council is not None and ro is not None and ro.pk not in organisation_ids:
            errors.append(f"{at}: 「{ro}」は{council}の加盟団体ではありません。")
        else:
            key = ("c", rc.pk) if rc is not None else ("o", ro.pk)
            if key in seen:
                errors.append(f"{at}: 宛先「{rc or ro}」が{seen[key]}行目にもあります。")
            seen[key] = i
        message = quantity_error("数量", line.get("quantity"))
        if message:
            errors.append(f"{at}: {message}")
    return errors


def order_check(*, user, material, council, ordered_on, lines):
    """Raise ValidationError naming every bad field and line of an order; see `order_place`."""
    errors = {}
    if material is None:
        errors["material"] = "「資料」を選んでください。"
    elif not orderable_materials(user=user).filter(pk=material.pk).exists():
        errors["material"] = "「資料」: この資料は注文できません（または見つかりません）。"
    if council is None:
        errors["council"] = "「注文した社保協」を選んでください。"
    elif not in_scope(user, council):
        errors["council"] = "「注文した社保協」: この社保協の注文を入力する権限がありません。"
    if ordered_on is None:
        errors["ordered_on"] = "「注文日」を入力してください。"
    elif ordered_on > timezone.localdate() + datetime.timedelta(days=1):
        errors["ordered_on"] = "「注文日」: 先の日付は入力できません。"
    by_line = line_errors(council=council if "council" not in errors else None, lines=lines)
    if by_line:
        errors["lines"] = by_line
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def order_place(*, user, material, council, ordered_on, lines, note=""):
    """Place `council`'s order of `material` in `lines` ({recipient_council | recipient_organisation, quantity,
    note}) at the material's current price and tax rule. Returns the Order."""
    lines = list(lines)
    order_check(user=user, material=material, council=council, ordered_on=ordered_on, lines=lines)
    now = timezone.now()
    order = Order(
        material=material,
        council=council,
        ordered_on=ordered_on,
        unit_price=material.unit_price,
        tax=material.tax,
        note=(note or "").strip(),
        entered_by=user,
        entered_at=now,
    )
    order.full_clean()
    order._history_user = user
    order.save()
    for line in lines:
        _save_line(
            OrderLine(
                order=order,
                recipient_council=line.get("recipient_council"),
                recipient_organisation=line.get("recipient_organisation"),
                quantity=line["quantity"],
                ordered_on=line.get("ordered_on") or ordered_on,
                note=(line.get("note") or "").strip(),
                entered_by=user,
                entered_at=now,
            ),
            user,
        )
    return order


def _save_line(line, user, reason=None):
    line.full_clean()
    line._history_user = user
    if reason:
        line._change_reason = reason
    line.save()
    return line


@transaction.atomic
def order_line_add(*, user, order, quantity, recipient_council=None, recipient_organisation=None, note="",
                   ordered_on=None):  # fmt: skip
    """Add a recipient's line to `order` (a member organisation's order coming in later)."""
    if not in_scope(user, order.council_id):
        raise ValidationError({"order": "「注文」: この注文に明細を加える権限がありません。"})
    existing = [
        {"recipient_council": line.recipient_council, "recipient_organisation": line.recipient_organisation,
         "quantity": line.quantity}
        for line in order.lines.select_related("recipient_council", "recipient_organisation")
    ]  # fmt: skip
    new = {"recipient_council": recipient_council, "recipient_organisation": recipient_organisation,
           "quantity": quantity}  # fmt: skip
    errors = line_errors(council=order.council, lines=[*existing, new])
    if errors:
        raise ValidationError({"lines": errors})
    return _save_line(
        OrderLine(
            order=order,
            recipient_council=recipient_council,
            recipient_organisation=recipient_organisation,
            quantity=quantity,
            ordered_on=ordered_on or order.ordered_on,
            note=(note or "").strip(),
            entered_by=user,
            entered_at=timezone.now(),
        ),
        user,
    )


@transaction.atomic
def order_line_change(*, user, line, quantity, reason, note=None):
    """Correct a line's quantity (and note); the history keeps the earlier quantity, who changed it and `reason`.

    A line already shipped keeps its quantity: a different count is a new line or a note.
    """
    errors = {}
    if not in_scope(user, line.order.council_id):
        errors["order"] = "「注文」: この注文を直す権限がありません。"
    message = quantity_error("数量", quantity)
    if message:
        errors["quantity"] = message
    reason = (reason or "").strip()
    if not reason:
        errors["reason"] = "「訂正の理由」を入力してください。"
    if line.state != State.ORDERED and quantity != line.quantity:
        errors["quantity"] = f"「数量」: {line.get_state_display()}の明細の数量は変えられません。"
    if errors:
        raise ValidationError(errors)
    line = OrderLine.objects.select_for_update().get(pk=line.pk)
    line.quantity = quantity
    if note is not None:
        line.note = note.strip()
    return _save_line(line, user, reason=reason)


def _may_move(user, line, state):
    """The publisher ships and settles; the ordering council receives (each with those above it)."""
    if state == State.RECEIVED:
        return in_scope(user, line.order.council_id)
    return in_scope(user, line.order.material.publisher_id)


@transaction.atomic
def order_line_advance(*, user, line, state, on):
    """Move `line` forward to `state` on the date `on` (発送日・受領日・精算日); states passed over get that date."""
    line = OrderLine.objects.select_for_update().select_related("order__material").get(pk=line.pk)
    errors = {}
    if state not in STATE_DATES:
        errors["state"] = "「状態」: 発送済・受領・精算済のどれかを選んでください。"
    elif STATE_ORDER.index(state) <= STATE_ORDER.index(line.state):
        errors["state"] = f"「状態」: この明細はすでに{line.get_state_display()}です（状態は戻せません）。"
    elif not _may_move(user, line, state):
        who = "注文した社保協" if state == State.RECEIVED else "発行の社保協"
        errors["state"] = f"「状態」: {State(state).label}にできるのは{who}です。"
    if on is None:
        errors[STATE_DATES.get(state, "state")] = f"「{STATE_LABELS.get(state, '日付')}」を入力してください。"
    elif on < line.ordered_on:
        errors[STATE_DATES.get(state, "state")] = f"「{STATE_LABELS.get(state, '日付')}」: 注文日より前にできません。"
    if errors:
        raise ValidationError(errors)
    for passed in STATE_ORDER[STATE_ORDER.index(line.state) + 1 : STATE_ORDER.index(state) + 1]:
        name = STATE_DATES[passed]
        if getattr(line, name) is None:
            setattr(line, name, on)
    line.state = state
    return _save_line(line, user, reason=f"{State(state).label}に更新")


# --- 普及 ----------------------------------------------------------------------------------------


def distribution_check(*, user, material, council, quantity, distributed_on, organisation=None):
    errors = {}
    if material is None:
        errors["material"] = "「資料」を選んでください。"
    elif not orderable_materials(user=user).filter(pk=material.pk).exists():
        errors["material"] = "「資料」: この資料の普及は入力できません（または見つかりません）。"
    if council is None:
        errors["council"] = "「普及した社保協」を選んでください。"
    elif not in_scope(user, council):
        errors["council"] = "「普及した社保協」: この社保協の普及を入力する権限がありません。"
    elif organisation is not None and not recipients_of(council)[1].filter(pk=organisation.pk).exists():
        errors["organisation"] = f"「普及した団体」: 「{organisation}」は{council}の加盟団体ではありません。"
    message = quantity_error("普及数", quantity)
    if message:
        errors["quantity"] = message
    if distributed_on is None:
        errors["distributed_on"] = "「普及日」を入力してください。"
    elif distributed_on > timezone.localdate() + datetime.timedelta(days=1):
        errors["distributed_on"] = "「普及日」: 先の日付は入力できません。"
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def distribution_record(*, user, material, council, quantity, distributed_on, organisation=None, note=""):
    """Record copies handed out; who entered it and when are kept on the row. Returns the Distribution."""
    distribution_check(
        user=user,
        material=material,
        council=council,
        quantity=quantity,
        distributed_on=distributed_on,
        organisation=organisation,
    )
    row = Distribution(
        material=material,
        council=council,
        organisation=organisation,
        quantity=quantity,
        distributed_on=distributed_on,
        note=(note or "").strip(),
        entered_by=user,
        entered_at=timezone.now(),
    )
    row.full_clean()
    row._history_user = user
    row.save()
    return row


def corrected_quantity(*, distribution):
    """The current figure of an original record: its quantity plus its corrections'."""
    original_id = distribution.corrects_id or distribution.pk
    return Distribution.objects.filter(Q(pk=original_id) | Q(corrects_id=original_id)).aggregate(
        n=Coalesce(Sum("quantity"), 0)
    )["n"]


@transaction.atomic
def distribution_correct(*, user, distribution, corrected, reason):
    """Correct a record to `corrected` by appending the difference with `reason` (pointing at the original)."""
    errors = {}
    reason = (reason or "").strip()
    if not reason:
        errors["correction_reason"] = "「訂正の理由」を入力してください。"
    message = quantity_error("正しい普及数", corrected, allow_zero=True)
    if message:
        errors["corrected"] = message
    if not in_scope(user, distribution.council_id):
        errors["corrects"] = "「訂正する記録」: この記録を訂正する権限がありません。"
    if errors:
        raise ValidationError(errors)
    original = Distribution.objects.select_for_update().get(pk=distribution.corrects_id or distribution.pk)
    current = corrected_quantity(distribution=original)
    if corrected == current:
        raise ValidationError({"corrected": f"「正しい普及数」: 現在の数（{current:,}）と同じです。"})
    row = Distribution(
        material=original.material,
        council=original.council,
        organisation=original.organisation,
        quantity=corrected - current,
        distributed_on=original.distributed_on,
        corrects=original,
        correction_reason=reason,
        entered_by=user,
        entered_at=timezone.now(),
    )
    row.full_clean()
    row._history_user = user
    row.save()
    return row


# --- the rows the staff pages write (shaho.core.admin.ServiceAdmin) -------------------------------------

COUNCIL_PATHS = {
    Material: ("publisher", "publisher"),
    Order: ("council", "council"),
    OrderLine: ("order", "order__council"),
    Distribution: ("council", "council"),
}


def _row_rules(user, row):
    if isinstance(row, Order) and row.pk is None and row.material_id:
        # A new order takes the material's price and tax rule of the day (the page does not ask for them).
        row.unit_price, row.tax = row.material.unit_price, row.material.tax
    if isinstance(row, Material):
        errors = {}
        if row.unit_price is not None and row.unit_price < 0:
            errors["unit_price"] = "「単価（円）」: 0以上の金額を入力してください。"
        if row.stock is not None and row.stock > MAX_QUANTITY:
            errors["stock"] = f"「在庫」: {MAX_QUANTITY:,}までです。"
        if errors:
            raise ValidationError(errors)
    elif isinstance(row, OrderLine):
        order = row.order if row.order_id or OrderLine.order.is_cached(row) else None
        if row.ordered_on is None and order is not None:
            row.ordered_on = order.ordered_on  # a line of the order's page is ordered with it
        message = quantity_error("数量", row.quantity)
        if message:
            raise ValidationError({"quantity": message})
        stored = OrderLine.objects.filter(pk=row.pk).values("quantity", "state").first() if row.pk else None
        if stored and stored["quantity"] != row.quantity and stored["state"] != State.ORDERED:
            label = State(stored["state"]).label
            raise ValidationError({"quantity": f"「数量」: {label}の明細の数量は変えられません。"})
        if order is not None and order.council_id:
            line = {"recipient_council": row.recipient_council, "recipient_organisation": row.recipient_organisation,
                    "quantity": row.quantity}  # fmt: skip
            errors = line_errors(council=order.council, lines=[line])
            if errors:
                raise ValidationError({"recipient_council": [e.split(": ", 1)[-1] for e in errors]})
    elif isinstance(row, Distribution):
        if row.pk is not None:
            counted = ("material_id", "council_id", "organisation_id", "quantity", "distributed_on", "corrects_id")
            stored = Distribution.objects.filter(pk=row.pk).values(*counted).first() or {}
            if any(stored.get(name) != getattr(row, name) for name in counted):
                raise ValidationError({"quantity": "「普及数」: 記録は直せません。訂正の記録を加えてください。"})
            return
        distribution_check(
            user=user,
            material=row.material if row.material_id else None,
            council=row.council if row.council_id else None,
            quantity=row.quantity,
            distributed_on=row.distributed_on,
            organisation=row.organisation if row.organisation_id else None,
        )


def row_check(*, user, row, exclude=None):
    """Refuse `row` unless its council, as stored and as chosen, is in the user's scope and it keeps the rules."""
    row_scope_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    _row_rules(user, row)
    row_full_clean(row, COUNCIL_PATHS, exclude)


@transaction.atomic
def row_save(*, user, row):
    row_check(user=user, row=row)
    if hasattr(row, "entered_by") and row.pk is None:
        row.entered_by, row.entered_at = user, timezone.now()
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def row_delete(*, user, row):
    """Delete `row` when its council is in the user's scope; a shipped line and a distribution stay (history)."""
    row_delete_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    if isinstance(row, Distribution):
        raise PermissionDenied("普及の記録は消せません。訂正の記録を加えてください。")
    if isinstance(row, OrderLine) and row.state != State.ORDERED:
        raise PermissionDenied(f"{row.get_state_display()}の明細は消せません。")
    row._history_user = user
    row.delete()
