"""Importing and exporting order lines (xlsx or CSV) through the one flow (shaho.core.imports).

A row is one line of an order: 資料, 注文した社保協, 注文日, 宛先, 数量, 備考. Councils, organisations and
materials are matched by the one matcher (shaho.core.matching) among what the user may name, so a name
outside the scope reads like one that does not exist. Each row is checked with the services' rules
(the recipient is the council itself, a council below it or its member organisation; a quantity of 1 or
more), with Japanese messages naming the row and the column.

Identity: the export carries each line's 番号; a row with a 番号 changes that line's quantity and note (a
correction the history keeps, reason 「取り込みで訂正」). A row without one is the line of the same material,
ordering council, order date and recipient when there is one — so importing the same file twice changes
nothing, and an unedited export imports as no change. New lines join the order of the same material,
council and date, or make one. 注文番号 and 状態 are printed for the reader and not read.
"""

from councils.models import Organisation
from shaho.core import exports, intake
from shaho.core.downloads import XLSX
from shaho.core.imports import CHANGED, NEW, UNCHANGED, Importer, ImportPreview, ImportRow, read_number, unknown_number
from shaho.core.intake import Column
from shaho.core.matching import Matcher
from shaho.core.roles import may_record
from shaho.core.scoping import in_scope, restrict, scope_for

from . import services
from .models import OrderLine

IMPORT_REASON = "取り込みで訂正"
LAYOUT = intake.Layout(
    columns=(
        Column("id", "番号", aliases=("明細番号",)),
        Column("order", "注文番号"),
        Column("material", "資料", aliases=("品名", "資料名"), required=True),
        Column("council", "注文した社保協", aliases=("社保協", "注文者")),
        Column("date", "注文日", aliases=("日付",), required=True),
        Column("recipient", "宛先", aliases=("団体", "団体・社保協", "注文先"), required=True),
        Column("quantity", "数量", aliases=("部数", "冊数", "枚数"), required=True),
        Column("state", "状態"),
        Column("note", "備考", aliases=("メモ",)),
    )
)
COLUMNS = LAYOUT.labels
HEADERS = list(COLUMNS.values())


class LineRow(ImportRow):
    __slots__ = ("council", "date", "line", "material", "note", "order", "quantity", "recipient")

    def __init__(self, number, cells):
        super().__init__(number=number, cells=cells)
        self.line = self.material = self.council = self.date = self.recipient = self.quantity = self.order = None
        self.note = ""

    @property
    def recipient_key(self):
        if isinstance(self.recipient, Organisation):
            return ("o", self.recipient.pk)
        return ("c", self.recipient.pk)

    def as_line(self):
        key = "recipient_council" if self.recipient_key[0] == "c" else "recipient_organisation"
        return {key: self.recipient, "quantity": self.quantity, "note": self.note}


class _Recipients:
    """The councils and organisations an order of each council may be for, matched by name (two queries a council)."""

    def __init__(self):
        self._by_council = {}

    def match(self, council, value):
        if council.pk not in self._by_council:
            councils, organisations = services.recipients_of(council)
            self._by_council[council.pk] = (Matcher(councils, what="社保協"), Matcher(organisations, what="団体"))
        councils, organisations = self._by_council[council.pk]
        found = councils.candidates(value) + organisations.candidates(value)
        if len(found) == 1:
            return found[0], None
        text = intake.read_text(value)
        if not found:
            where = f"{council}かその下の社保協・加盟団体"
            return (
                None,
                f"「{text}」は{where}に見つかりません（名称・略称で指定してください）。",
            )
        names = "、".join(str(f) for f in found[:5])
        return None, f"「{text}」に当てはまる宛先が複数あります: {names}。正式な名称で指定してください。"


def _key(row):
    return (row.material.pk, row.council.pk, row.date, row.recipient_key)


class OrderLineImporter(Importer):
    key = "campaigns.material_orders"
    title = "資料の注文を Excel・CSV から取り込む"
    what = "資料の注文"
    has_export = True
    layout_keys = tuple(COLUMNS)
    intro = "資料の注文の明細（1行が1宛先）を、まとめて取り込みます。書き出したファイルを直して取り込むこともできます。"
    help = (
        ("番号", "書き出したファイルの明細の番号（その明細の数量・備考を直します。空欄は新しい明細）"),
        ("資料（必須）", "資料の名称か識別名（例: 新国保パンフ）"),
        ("注文した社保協", "名称・略称（空欄は自分の社保協）"),
        ("注文日（必須）", "2023-12-01、2023/12/1、令和5年12月1日"),
        ("宛先（必須）", "注文した社保協自身、その下の地域社保協、加盟団体の名称・略称"),
        ("数量（必須）", "1以上の整数。全角数字も読めます"),
        ("注文番号・状態", "書き出したときの値（取り込みでは読みません）"),
        ("備考", ""),
    )

    def may_import(self, user):
        return may_record(user)

    def layout(self, target):
        return LAYOUT

    def check(self, *, parsed, user, target, deadline=None):
        preview = ImportPreview(headers=HEADERS)
        materials = Matcher(services.orderable_materials(user=user), what="資料", names=("name", "slug"))
        councils = Matcher(scope_for(user), what="社保協")
        default = scope_for(user).filter(pk=user.council_id).first() if user.council_id else None
        recipients = _Recipients()
        rows = []
        for source in parsed:
            if deadline is not None:
                deadline.check()  # the time budget, and an import job's rows done (shaho.core.intake.Deadline)
            rows.append(self._read(source, user, materials, councils, default, recipients))
        self._identify(rows, user)
        preview.rows = rows
        return preview

    def _read(self, source, user, materials, councils, default, recipients):
        row = LineRow(source.number, source.cells)
        cells = source.cells
        try:
            number = read_number(source)
        except ValueError as exc:
            row.error(COLUMNS["id"], str(exc))
            number = None
        row.line = number  # resolved to the line in _identify
        row.material, message = materials.match(cells.get("material"))
        if message:
            row.error(COLUMNS["material"], message)
        if intake.read_text(cells.get("council")):
            row.council, message = councils.match(cells.get("council"))
            if message:
                row.error(COLUMNS["council"], message)
        else:
            row.council = default
            if default is None:
                row.error(COLUMNS["council"], "注文した社保協を入力してください。")
        try:
            row.date = intake.read_date(cells.get("date"))
        except ValueError as exc:
            row.error(COLUMNS["date"], str(exc))
        try:
            row.quantity = intake.read_count(cells.get("quantity")) if intake.read_text(cells.get("quantity")) else None
        except ValueError as exc:
            row.error(COLUMNS["quantity"], str(exc))
        else:
            message = services.quantity_error("数量", row.quantity)
            if message:
                row.error(COLUMNS["quantity"], message.split(": ", 1)[-1])
        row.note = intake.read_text(cells.get("note"))
        if row.council is not None and intake.read_text(cells.get("recipient")):
            row.recipient, message = recipients.match(row.council, cells.get("recipient"))
            if message:
                row.error(COLUMNS["recipient"], message)
        elif row.council is not None:
            row.error(COLUMNS["recipient"], "宛先を入力してください。")
        return row

    def _identify(self, rows, user):
        """Each good row's line (by 番号, or by material, council, date and recipient) and its status: two queries."""
        lines = restrict(OrderLine.objects.select_related("order"), user)
        numbers = {r.line for r in rows if isinstance(r.line, int)}
        by_number = {x.pk: x for x in lines.filter(pk__in=numbers)} if numbers else {}
        good = [r for r in rows if r.ok]
        by_key, orders = {}, {}
        if good:
            # The lines of the file's materials, councils and dates (a superset, matched exactly below).
            candidates = lines.filter(
                order__material__in={r.material.pk for r in good},
                order__council__in={r.council.pk for r in good},
                order__ordered_on__in={r.date for r in good},
            )
            for x in candidates:
                key = ("c", x.recipient_council_id) if x.recipient_council_id else ("o", x.recipient_organisation_id)
                by_key[(x.order.material_id, x.order.council_id, x.order.ordered_on, key)] = x
                orders.setdefault((x.order.material_id, x.order.council_id, x.order.ordered_on), x.order)
        seen = {}
        for r in rows:
            number, r.line = r.line, None
            if number is not None and r.ok:
                r.line = by_number.get(number)
                if r.line is None:
                    r.error(COLUMNS["id"], unknown_number(number, "明細"))
                    continue
                stored = (r.line.order.material_id, r.line.order.council_id, r.line.order.ordered_on)
                if stored != (r.material.pk, r.council.pk, r.date) or r.recipient_key != (
                    ("c", r.line.recipient_council_id)
                    if r.line.recipient_council_id
                    else ("o", r.line.recipient_organisation_id)
                ):
                    r.error(
                        COLUMNS["id"],
                        f"番号{number}の明細と資料・社保協・注文日・宛先が違います（直せるのは数量と備考です）。",
                    )
                    continue
            if not r.ok:
                continue
            key = _key(r)
            if key in seen:
                r.error(COLUMNS["recipient"], f"同じ資料・注文日・宛先の行が{seen[key]}行目にもあります。")
                continue
            seen[key] = r.number
            r.line = r.line or by_key.get(key)
            r.order = orders.get(key[:3])
            if r.line is None:
                if not in_scope(user, r.council):
                    r.error(COLUMNS["council"], "この社保協の注文を入力する権限がありません。")
                    continue
                errors = services.line_errors(council=r.council, lines=[r.as_line()])
                for message in errors:
                    r.error(COLUMNS["recipient"], message.split(": ", 1)[-1])
                r.status = NEW
            elif r.line.quantity == r.quantity and r.line.note == r.note:
                r.status = UNCHANGED
            elif not in_scope(user, r.line.order.council_id):
                r.error(COLUMNS["id"], "この注文を直す権限がありません。")
            elif r.line.state != OrderLine.State.ORDERED and r.line.quantity != r.quantity:
                r.error(COLUMNS["quantity"], f"{r.line.get_state_display()}の明細の数量は変えられません。")
            else:
                r.status = CHANGED

    def write(self, *, preview, user, target, options):
        made = changed = 0
        new_orders = {}
        for r in preview.rows:
            if r.status == CHANGED:
                services.order_line_change(
                    user=user, line=r.line, quantity=r.quantity, reason=IMPORT_REASON, note=r.note
                )
                changed += 1
            elif r.status == NEW:
                order = r.order or new_orders.get(_key(r)[:3])
                if order is None:
                    order = services.order_place(
                        user=user, material=r.material, council=r.council, ordered_on=r.date, lines=[r.as_line()]
                    )
                    new_orders[_key(r)[:3]] = order
                else:
                    services.order_line_add(user=user, order=order, **r.as_line())
                made += 1
        unchanged = preview.counts()[UNCHANGED]
        return f"資料の注文を取り込みました: 新規 {made:,}行・変更 {changed:,}行（変更なし {unchanged:,}行）。"

    def outcome_values(self, row):
        values = []
        for key in COLUMNS:
            resolved = {"material": row.material, "council": row.council, "recipient": row.recipient}.get(key)
            values.append(str(resolved) if resolved is not None else row.display(key))
        return values

    def template(self, *, user, target, file_format):
        example = ["", "", "新国保パンフ", "", "2023-12-01", "保険医協会", 200, "", ""]
        content = exports.xlsx_bytes([("注文", [HEADERS, example], {"C": 24, "D": 28, "E": 12, "F": 28})])
        return content, XLSX, "xlsx"

    def export(self, *, user, target, file_format):
        rows = list(export_rows(user=user))
        if file_format == "csv":
            for row in rows[1:]:
                row[4] = f"{row[4]:%Y/%m/%d}"
            return exports.csv_bytes(rows), "text/csv; charset=utf-8", "csv"
        return exports.xlsx_bytes([("注文", rows, {"C": 24, "D": 28, "E": 12, "F": 28, "I": 30})]), XLSX, "xlsx"


def export_rows(*, user):
    """The order lines `user` may see, as the importer reads them (番号 first), header first: one query."""
    lines = (
        restrict(OrderLine.objects.all(), user)
        .select_related("order__material", "order__council", "recipient_council", "recipient_organisation")
        .order_by("order__ordered_on", "order", "pk")
    )
    yield HEADERS
    for x in lines:
        order = x.order
        recipient = x.recipient_organisation or x.recipient_council
        yield [
            x.pk, order.number, order.material.name, order.council.name, order.ordered_on, recipient.name, x.quantity,
            x.get_state_display(), x.note,
        ]  # fmt: skip


ORDERS = OrderLineImporter()
