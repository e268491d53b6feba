"""One import flow: upload → preview → commit → outcome, the same for every importer.

As pretix splits its import into the columns (`base/modelimport.py`) and the engine
(`base/services/modelimport.py`), an importer (the app's `importing.py`) declares:

* its target (the petition, campaign or questionnaire a file goes into), if any,
* its check: every row read (through `shaho.core.intake`) and checked, each row's status
  新規 / 変更 / 変更なし or its errors — nothing written,
* its commit: the check run again inside one transaction and every row written, or nothing.

What every importer gets from here is the same: the preview (`ImportPreview`, its rows as
`ImportRow`), the page limits, the outcome file (each row with its status, values and errors,
downloadable as CSV or xlsx), the permission rule and one template pair
(`admin/import.html`, `admin/import_preview.html`, through `shaho.core.admin_import`).

Identity: an importer's export carries each row's 番号 (its record's key). A row with a known 番号
updates that record, and a row equal to its record is 変更なし, so an unedited export imports as no
change. A 番号 outside the user's scope reads like one that does not exist (`unknown_number`).
"""

import contextvars
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from . import intake
from .intake import RowError

NEW, CHANGED, UNCHANGED = "new", "changed", "unchanged"
STATUS_LABELS = {NEW: "新規", CHANGED: "変更", UNCHANGED: "変更なし"}
ERROR_LABEL = "エラー"

# A page lists at most this many rows and this many errors; the outcome file has every row.
PREVIEW_ROWS = 2000
PREVIEW_ERRORS = 2000
NUMBER_LABEL = "番号"


class ImportRefused(ValidationError):
    """The commit was refused and nothing was saved. `preview` holds the row errors when there were any."""

    def __init__(self, messages, preview=None):
        super().__init__(messages)
        self.preview = preview


@dataclass(slots=True)
class ImportRow:
    """One row of the file as checked: its number as the spreadsheet shows it, its cells, status and errors."""

    number: int
    cells: dict
    errors: list = field(default_factory=list)
    status: str = NEW

    @property
    def ok(self):
        return not self.errors

    @property
    def status_label(self):
        return STATUS_LABELS[self.status] if self.ok else ERROR_LABEL

    def display(self, key):
        return intake.read_text(self.cells.get(key))

    def error(self, column, message):
        self.errors.append(RowError(self.number, column, message))


@dataclass
class ImportPreview:
    """Every row's outcome and every error of one file; `headers` are the outcome's value columns."""

    file_name: str = ""
    target: object = None
    parsed: intake.ParsedFile | None = None
    headers: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    general_errors: list = field(default_factory=list)  # RowError with row None (the file, the target)
    notices: list = field(default_factory=list)  # what the page says above the rows (e.g. an earlier import)
    offers: set = field(default_factory=set)  # names of the importer's `options` the commit may choose

    @property
    def errors(self):
        """Every error: the general ones first, then by row."""
        return self.general_errors + [error for row in self.rows for error in row.errors]

    @property
    def error_rows(self):
        return [row for row in self.rows if row.errors]

    @property
    def ok(self):
        return bool(self.rows) and not self.general_errors and not any(row.errors for row in self.rows)

    @property
    def good_count(self):
        return sum(1 for row in self.rows if row.ok)

    def counts(self):
        counts = {NEW: 0, CHANGED: 0, UNCHANGED: 0}
        for row in self.rows:
            if row.ok:
                counts[row.status] += 1
        return counts

    @property
    def changes(self):
        """How many rows a commit would write."""
        counts = self.counts()
        return counts[NEW] + counts[CHANGED]

    def summary(self):
        c = self.counts()
        return (
            f"{len(self.rows):,}行（新規 {c[NEW]:,}・変更 {c[CHANGED]:,}・変更なし {c[UNCHANGED]:,}"
            f"・エラー {len(self.error_rows):,}）"
        )

    def error_lines(self, limit=None):
        return intake.error_lines(self.errors, limit)

    def file_error(self, message):
        self.general_errors.append(RowError(None, "ファイル", message))


# Set by an import job around a commit: the commit hands over the preview it checked and wrote (its rows'
# statuses make the job's counts and outcome file), whatever the importer's commit returns.
_checked = contextvars.ContextVar("shaho_import_checked", default=None)


def note_checked(preview):
    """Called by a commit with the preview it checked inside its transaction (a no-op outside an import job)."""
    holder = _checked.get()
    if holder is not None:
        holder.append(preview)


def _cell(value):
    return "" if value is None else value


def unknown_number(text, what):
    """The one message for a 番号 that does not exist and for one outside the user's scope."""
    return f"番号「{text}」の{what}は見つかりません（削除されたか、権限の範囲の外です）。"


def read_number(row, key="id"):
    """The row's 番号 as an int, None when blank; ValueError (Japanese) when it is not a number."""
    text = intake.read_text(row.cells.get(key))
    if not text:
        return None
    try:
        return intake.read_count(text)
    except ValueError:
        raise ValueError(
            f"「{text}」は番号として読めません（書き出したファイルの番号をそのまま使ってください）。"
        ) from None


def unknown_header_errors(parsed, what="列"):
    """A RowError for each header of the file that no column of the layout reads (for strict layouts)."""
    return [
        RowError(
            parsed.header_row,
            header,
            f"{number}列目の見出し「{header}」はこの{what}にありません（見出しをひな形のとおりにしてください）。",
        )
        for number, header in parsed.unknown_headers
    ]


# Every importer made, by its key: the import job's task finds its importer here (the apps' importing modules are
# loaded with their admin modules, at start-up in the web process and in a worker alike).
_importers = {}


def importer_for(key):
    """The importer whose `key` is `key`; LookupError if none was made."""
    try:
        return _importers[key]
    except KeyError:
        raise LookupError(f"取込の種類「{key}」はありません。") from None


class Importer:
    """What an app declares for the one flow. Subclass it in the app's `importing.py`.

    Attributes: `key` (the PendingUpload.importer), `title` (the page's title), `what` (the
    records, e.g. 行動), `target_label` (署名 / 運動 / アンケート, or "" when a file has no target),
    `help` ((column, description) lines for the upload page), `options` ((name, label) checkboxes
    offered on the preview when `preview.offers` names them).
    """

    key = ""
    title = "Excel・CSVから取り込む"
    what = "記録"
    target_label = ""
    help = ()
    intro = ""
    options = ()
    has_template = True
    template_formats = ("xlsx", "csv")
    has_export = False

    def __init__(self):
        if self.key:
            _importers[self.key] = self

    # --- the target ---------------------------------------------------------------
    def target_choices(self, user):
        """[(value, label)] the user may import into; [] when the importer has no target."""
        return []

    def target_get(self, user, value):
        """The target named by `value` within the user's scope, or None."""
        return None

    def target_value(self, target):
        return "" if target is None else str(target.pk)

    # --- who may ---------------------------------------------------------------
    def may_import(self, user):
        """The importer's role rule (beyond the admin's view permission, which the flow checks)."""
        return bool(user and user.is_active)

    # --- the work ---------------------------------------------------------------
    def check(self, *, parsed, user, target, deadline=None):
        """An ImportPreview of `parsed` (intake.ParsedFile): every row checked, nothing written."""
        raise NotImplementedError

    def layout(self, target):
        raise NotImplementedError

    def write(self, *, preview, user, target, options):
        """Write the checked rows (inside the flow's transaction); returns the message shown after."""
        raise NotImplementedError

    def outcome_values(self, row):
        """The row's values in `preview.headers` order, as resolved (names only within the scope).

        By default the cells as read (numbers and dates stay numbers and dates in the xlsx).
        """
        return [_cell(row.cells.get(key)) for key in self.layout_keys]

    layout_keys = ()

    def done_url(self, target):
        return ""

    def redirect_after(self, result, target):
        """Where the page goes after a commit (`result`: what `commit` returned first)."""
        return self.done_url(target)

    def template(self, *, user, target, file_format):
        """(bytes, content type, extension) of an empty file to fill in, or None."""
        return None

    def export(self, *, user, target, file_format):
        """(bytes, content type, extension) of the records in the import's layout with their 番号, or None."""
        return None

    # --- the engine (the same for every importer) -------------------------------------
    def parse(self, *, data, filename, target, encoding=None, deadline=None):
        return intake.read_file(
            data=data, filename=filename, layout=self.layout(target), encoding=encoding, deadline=deadline
        )

    def preview(self, *, data, filename, user, target, encoding=None):
        """Read and check a file (the dry run): an ImportPreview; a file-level error instead of rows if unreadable."""
        deadline = intake.Deadline(intake.Limits.from_settings().max_seconds)
        try:
            parsed = self.parse(data=data, filename=filename, target=target, encoding=encoding, deadline=deadline)
            preview = self.check(parsed=parsed, user=user, target=target, deadline=deadline)
        except intake.IntakeError as exc:
            preview = ImportPreview(file_name=filename or "", target=target)
            preview.file_error(str(exc))
            return preview
        preview.file_name, preview.target, preview.parsed = filename or "", target, parsed
        if not preview.rows and not preview.general_errors:
            preview.file_error("取り込む行がありません（見出し行の下が空です）。")
        return preview

    def commit(self, *, data, filename, user, target, encoding=None, options=None):
        """Check again and write every row, or nothing (ImportRefused). Returns (preview, message shown after)."""
        from django.db import transaction

        with transaction.atomic():
            preview = self.preview(data=data, filename=filename, user=user, target=target, encoding=encoding)
            note_checked(preview)
            if not preview.ok:
                raise ImportRefused(preview.error_lines(limit=50), preview=preview)
            message = self.write(preview=preview, user=user, target=target, options=options or {})
        return preview, message

    def outcome_table(self, preview):
        """行, 結果 (新規/変更/変更なし/エラー), the importer's columns, エラー: every row."""
        yield ["行", "結果", *preview.headers, "エラー"]
        blank = [""] * len(preview.headers)
        for error in preview.general_errors:
            yield ["", ERROR_LABEL, *blank, str(error)]
        for row in preview.rows:
            yield [
                row.number,
                row.status_label,
                *self.outcome_values(row),
                " ".join(f"「{e.column}」{e.message}" for e in row.errors),
            ]

    def outcome(self, preview, *, file_format="csv"):
        """(bytes, content type, extension) of every row's outcome, as CSV (UTF-8 with BOM) or xlsx."""
        return intake.outcome_file(list(self.outcome_table(preview)), file_format=file_format)
