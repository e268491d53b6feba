"""Importing tally entries from the organizers' Excel (xlsx) and CSV files.

Three steps, each a plain function:

* `tally_import_parse` reads the file: xlsx, or CSV in UTF-8 (with or without
  BOM) or CP932. The header row is found by its Japanese headers (社保協, 団体,
  種別, 筆数, 日付, 備考) anywhere in the first rows, in any order; other columns
  are ignored. Raises `ImportFileError` (Japanese message) for an unreadable file
  or a missing column.
* `tally_import_check` resolves councils and organisations for every row with
  a constant number of queries and validates each row with the same checks as
  the phone form (`services.build_entry`). It returns an `ImportPreview`: every
  row's outcome and every error as (row number as the spreadsheet shows it,
  column header, message in Japanese). Nothing is written.
* `tally_import_commit` runs the check again and writes all rows or none, with
  an `ImportBatch` that carries the file's SHA-256. The same file for the same
  petition is refused, naming the earlier import; with `replace=True` the
  earlier import is superseded openly: its entries are cancelled by correction
  entries (the ledger is append-only, so nothing is deleted) and both batches'
  notes say so.

A council is named by its name or short name (全角/半角, spaces and
"社会保障推進協議会" ⇔ "社保協" do not matter) or by its 番号: the council's ID,
listed on the template's second sheet.
"""

import contextlib
import csv
import datetime
import gc
import hashlib
import io
import itertools
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import F, IntegerField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from councils.models import Council, Organisation
from shaho.core.japanese import decode_csv_bytes, normalize, parse_count, parse_date

from .models import ImportBatch, PetitionDrive, SignatureKind, TallyEntry
from .services import EntryContext, build_entry

# The file's columns: key → header shown in templates and messages.
COLUMNS = {
    "council": "社保協",
    "organisation": "団体",
    "kind": "種別",
    "count": "筆数",
    "date": "日付",
    "note": "備考",
}
REQUIRED = ("council", "count", "date")
TEMPLATE_HEADERS = list(COLUMNS.values())
# Other spellings met in the federation's spreadsheets.
HEADER_ALIASES = {
    "社保協": "council",
    "社保協名": "council",
    "社会保障推進協議会": "council",
    "団体": "organisation",
    "団体名": "organisation",
    "集めた団体": "organisation",
    "種別": "kind",
    "署名の種類": "kind",
    "筆数": "count",
    "数": "count",
    "署名数": "count",
    "日付": "date",
    "集めた日": "date",
    "備考": "note",
}
# Where the header row may be: titles and blank lines above it are common.
HEADER_SEARCH_ROWS = 30
MAX_FILE_BYTES = 50 * 1024 * 1024
BULK_BATCH_SIZE = 5000

# Service error keys (model fields) → the file's column keys.
FIELD_TO_COLUMN = {
    "council": "council",
    "organisation": "organisation",
    "kind": "kind",
    "count": "count",
    "collected_on": "date",
    "note": "note",
    "source": "note",
}
PETITION_COLUMN = "署名"

KIND_WORDS = {
    "": SignatureKind.INDIVIDUAL,
    "個人": SignatureKind.INDIVIDUAL,
    "個人署名": SignatureKind.INDIVIDUAL,
    "団体": SignatureKind.ORGANISATIONAL,
    "団体署名": SignatureKind.ORGANISATIONAL,
    "WEB": SignatureKind.WEB,
    "WEB署名": SignatureKind.WEB,
    "ウェブ": SignatureKind.WEB,
    "ウェブ署名": SignatureKind.WEB,
    "ネット": SignatureKind.WEB,
    "ネット署名": SignatureKind.WEB,
    "オンライン": SignatureKind.WEB,
    "オンライン署名": SignatureKind.WEB,
}
TOTAL_WORDS = {"合計", "計", "小計", "総計"}


class ImportFileError(ValueError):
    """The file as a whole cannot be read: wrong format, encoding, or a missing column. Message in Japanese."""


class TallyImportRefused(ValidationError):
    """The import was refused and nothing was saved. `preview` holds the row errors when there were any."""

    def __init__(self, messages, preview=None):
        super().__init__(messages)
        self.preview = preview


# --- reading ---------------------------------------------------------------


@dataclass(slots=True)
class SourceRow:
    number: int  # as the spreadsheet shows it (1-based, header and titles counted)
    cells: dict  # column key → raw value (str, int, float, date, or None)


@dataclass
class ParsedFile:
    file_name: str
    file_format: str  # "xlsx" or "csv"
    encoding: str  # "" for xlsx
    header_row: int
    columns: dict  # column key → header text as written in the file
    rows: list

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


def _header_key(value):
    if value is None:
        return None
    text = re.sub(r"\s+", "", normalize(value))
    text = re.sub(r"\(.*\)$", "", text)  # 筆数（筆） → 筆数
    return HEADER_ALIASES.get(text)


def _find_header(lines):
    """(index, {key: column index}) of the first row holding every required header, or a missing-column error."""
    best = {}
    for index, values in enumerate(lines):
        if index >= HEADER_SEARCH_ROWS:
            break
        found = {}
        for col, value in enumerate(values):
            key = _header_key(value)
            if key is not None and key not in found:
                found[key] = col
        if all(key in found for key in REQUIRED):
            return index, found
        if len(found) > len(best):
            best = found
    missing = [COLUMNS[key] for key in REQUIRED if key not in best]
    raise ImportFileError(
        "見出し行が見つかりません: "
        + "・".join(f"「{name}」" for name in missing)
        + "の列がありません（必要な見出し: 社保協・筆数・日付。団体・種別・備考は任意）。"
    )


def _rows_after_header(lines, header_index, columns):
    rows = []
    for number, values in enumerate(lines, start=1):
        if number <= header_index + 1:
            continue
        cells = {}
        for key, col in columns.items():
            value = values[col] if col < len(values) else None
            if isinstance(value, str):
                value = value.replace("\x00", "").strip()  # NUL cannot be stored in PostgreSQL text
                if value == "":
                    value = None
            cells[key] = value
        if all(v is None for v in cells.values()):
            continue  # blank line
        rows.append(SourceRow(number=number, cells=cells))
    return rows


def _read_xlsx(data):
    import openpyxl

    damaged = "Excel ファイル（xlsx）として読めません。ファイルが壊れていないか確認してください。"
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip raises many kinds (KeyError, BadZipFile, XML errors…)
        raise ImportFileError(damaged) from exc
    try:
        first_error = None
        for sheet in workbook.worksheets:
            # read_only streams the sheet's XML: look for the header in its first rows before reading the rest.
            values = sheet.iter_rows(values_only=True)
            head = [list(v) for v in itertools.islice(values, HEADER_SEARCH_ROWS)]
            try:
                header_index, columns = _find_header(head)
            except ImportFileError as exc:
                first_error = first_error or exc
                continue
            return head + [list(v) for v in values], header_index, columns
        raise first_error or ImportFileError("Excel ファイルにシートがありません。")
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(damaged) from exc
    finally:
        workbook.close()


def _read_csv(data, encoding):
    try:
        text = decode_csv_bytes(data, encoding or None)
    except (UnicodeDecodeError, LookupError) as exc:
        raise ImportFileError(
            f"ファイルを文字コード「{encoding}」で読めません。文字コードを「自動」にするか、正しいものを選んでください。"
        ) from exc
    except ValueError as exc:
        raise ImportFileError(str(exc)) from exc
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    try:
        lines = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"CSV として読めません（{exc}）。") from exc
    header_index, columns = _find_header(lines)
    return lines, header_index, columns


def _detected_encoding(data, encoding):
    if encoding:
        return {"shift_jis": "cp932", "sjis": "cp932", "utf8": "utf-8"}.get(encoding.lower(), encoding.lower())
    if data.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    try:
        data.decode("utf-8")
        return "utf-8"
    except UnicodeDecodeError:
        return "cp932"


def tally_import_parse(*, data, filename, encoding=None):
    """Read an xlsx or CSV tally file into rows of raw cell values keyed by column.

    `encoding` ('utf-8' or 'cp932'/'shift_jis') applies to CSV; None detects it.
    Returns a ParsedFile (iterable of SourceRow). Raises ImportFileError in Japanese.
    """
    with _gc_paused():
        return _parse(data, filename, encoding)


def _parse(data, filename, encoding):
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(f"ファイルが大きすぎます（{MAX_FILE_BYTES // (1024 * 1024)}MB まで）。")
    if not data:
        raise ImportFileError("ファイルが空です。")
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        lines, header_index, columns = _read_xlsx(data)
        file_format, used_encoding = "xlsx", ""
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith(".xls"):
        raise ImportFileError(
            "xls 形式（Excel 97-2003）は読めません。Excel で「xlsx」か「CSV」として保存し直してください。"
        )
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise ImportFileError(
            "UTF-16 の「Unicode テキスト」は読めません。"
            "Excel で「CSV UTF-8（コンマ区切り）」か xlsx として保存し直してください。"
        )
    else:
        lines, header_index, columns = _read_csv(data, encoding)
        file_format, used_encoding = "csv", _detected_encoding(data, encoding)
    header_values = lines[header_index]
    file_columns = {key: str(header_values[col]).strip() for key, col in columns.items()}
    rows = _rows_after_header(lines, header_index, columns)
    return ParsedFile(
        file_name=filename or "",
        file_format=file_format,
        encoding=used_encoding,
        header_row=header_index + 1,
        columns=file_columns,
        rows=rows,
    )


# --- resolving names -------------------------------------------------------


def name_key(text):
    """A name as compared: NFKC (全角/半角), no spaces, 社会保障推進協議会 written 社保協."""
    return re.sub(r"\s+", "", normalize(text)).replace("社会保障推進協議会", "社保協")


class _Lookup:
    """Names (and numbers) → candidates, built from one query."""

    def __init__(self):
        self.by_key = defaultdict(list)
        self.by_pk = {}

    def add(self, obj, *names):
        self.by_pk[obj.pk] = obj
        for key in {name_key(n) for n in names if n}:
            self.by_key[key].append(obj)


def _council_lookup():
    lookup = _Lookup()
    for council in Council.objects.only("pk", "name", "short_name", "kind", "prefecture_id", "path"):
        lookup.add(council, council.name, council.short_name)
    return lookup


def _organisation_lookup():
    lookup = _Lookup()
    for org in Organisation.objects.only("pk", "name", "short_name", "prefecture_id"):
        lookup.add(org, org.name, org.short_name)
    return lookup


def _resolve_council(value, lookup, context):
    """(council, error message)."""
    text = _text(value)
    key = name_key(text)
    if key.isdigit():
        council = lookup.by_pk.get(int(key))
        if council is None:
            return None, f"番号「{text}」の社保協はありません。"
        return council, None
    candidates = lookup.by_key.get(key, [])
    if len(candidates) > 1:
        # The same name in two prefectures: the one the user works with is meant.
        in_scope = [c for c in candidates if c.pk in context.council_ids]
        if len(in_scope) == 1:
            return in_scope[0], None
        names = "、".join(f"{c.name}（番号 {c.pk}）" for c in candidates[:5])
        return None, f"「{text}」に当てはまる社保協が複数あります: {names}。番号で指定してください。"
    if not candidates:
        if key in TOTAL_WORDS:
            return None, "合計の行は取り込めません。行を削除してください。"
        return None, f"「{text}」という社保協は見つかりません（名称・略称・番号で指定してください）。"
    return candidates[0], None


def _resolve_organisation(value, lookup, council, context):
    text = _text(value)
    candidates = lookup.by_key.get(name_key(text), [])
    if len(candidates) > 1 and council is not None:
        same_prefecture = [o for o in candidates if o.prefecture_id == council.prefecture_id]
        candidates = same_prefecture or candidates
    if len(candidates) > 1 and context.organisation_ids is not None:
        candidates = [o for o in candidates if o.pk in context.organisation_ids] or candidates
    if len(candidates) > 1:
        return None, f"「{text}」に当てはまる団体が複数あります。正式名称で指定してください。"
    if not candidates:
        return None, f"「{text}」という団体は見つかりません。"
    return candidates[0], None


def _text(value):
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _cell_count(value):
    if isinstance(value, bool):
        raise ValueError(f"「{value}」は整数として読めません。")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"「{value:g}」は整数ではありません。")
        return int(value)
    return parse_count(value)


# Excel's day 0 (serial numbers appear when a date cell lost its date format).
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _cell_date(value):
    if isinstance(value, int | float) and not isinstance(value, bool) and 20_000 <= value <= 80_000:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
    return parse_date(value if isinstance(value, datetime.date) else _text(value))


def _cell_kind(value):
    text = re.sub(r"\s+", "", normalize(_text(value))).upper()
    text = re.sub(r"\(.*\)$", "", text)  # 個人署名（筆） → 個人署名
    kind = KIND_WORDS.get(text)
    if kind is None:
        raise ValueError(f"「{_text(value)}」は種別として読めません（個人・団体・WEB のいずれか）。")
    return kind


@contextlib.contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector while 100,000s of model instances are built.

    Each generation-2 pass walks every live object, so with the collector on, building
    the entries costs more per row the more rows there are (measured: ~40% of the check).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _reading(read):
    """`read` returning (value, None), or (None, message) when it raises ValueError."""

    def reading(value):
        try:
            return read(value), None
        except ValueError as exc:
            return None, str(exc)

    return reading


def _memoised(read):
    cache = {}

    def cached(value):
        key = (type(value), value)  # 1 and "1" and True are different cells
        try:
            return cache[key]
        except KeyError:
            result = cache[key] = read(value)
            return result

    return cached


_FIELD_PREFIX = re.compile(r"^「[^」]+」:\s*")


# --- checking --------------------------------------------------------------


@dataclass(slots=True)
class RowError:
    row: int | None  # None: not about one row (the petition, the file)
    column: str  # the column header, or 署名 / ファイル
    message: str

    def __str__(self):
        where = f"{self.row}行目" if self.row is not None else ""
        return f"{where}「{self.column}」: {self.message}"


@dataclass(slots=True)
class RowOutcome:
    number: int
    cells: dict
    council: object = None
    organisation: object = None
    kind: str = ""
    count: int | None = None
    collected_on: datetime.date | None = None
    errors: list = field(default_factory=list)
    entry: object = None  # unsaved TallyEntry when the row is good

    @property
    def ok(self):
        return not self.errors

    @property
    def kind_label(self):
        return SignatureKind(self.kind).label if self.kind in SignatureKind.values else ""

    def display(self, key):
        return _text(self.cells.get(key))


@dataclass
class ImportPreview:
    petition: object
    file_name: str = ""
    sha256: str = ""
    parsed: ParsedFile | None = None
    rows: list = field(default_factory=list)
    general_errors: list = field(default_factory=list)  # RowError with row None
    earlier_batch: ImportBatch | None = None

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

    @property
    def total(self):
        """The sum of the good rows' counts."""
        return sum(row.count for row in self.rows if row.ok and row.count is not None)

    def totals_by_kind(self):
        totals = defaultdict(int)
        for row in self.rows:
            if row.ok:
                totals[row.kind] += row.count
        return [(SignatureKind(k).label, n) for k, n in totals.items()]

    def error_lines(self, limit=None):
        errors = self.errors
        lines = [str(e) for e in (errors if limit is None else errors[:limit])]
        if limit is not None and len(errors) > limit:
            lines.append(f"…ほか {len(errors) - limit:,}件のエラー")
        return lines

    def summary(self):
        text = f"{len(self.rows):,}行（取込可 {self.good_count:,}行・エラー {len(self.error_rows):,}行）"
        if self.rows:
            text += "、合計 " + "・".join(f"{label} {n:,}" for label, n in self.totals_by_kind())
        return text


def tally_import_check(*, petition, rows, user, context=None, today=None):
    """Validate every row for `user` on `petition`; nothing is written.

    Councils, organisations, the user's scope and the petition's rounds are
    loaded once (a constant number of queries, whatever the number of rows);
    each row then goes through `services.build_entry`, the phone form's checks.
    Returns an ImportPreview whose good rows carry unsaved entries.
    """
    context = context or EntryContext.for_user(user)
    today = today or timezone.localdate()
    context.rounds_of(petition)  # load once, before the loop
    parsed = rows if isinstance(rows, ParsedFile) else None
    rows = list(rows)
    columns = {**COLUMNS, **(parsed.columns if parsed else {})}
    preview = ImportPreview(petition=petition, parsed=parsed, file_name=parsed.file_name if parsed else "")
    councils = _council_lookup()
    organisations = _organisation_lookup() if any(r.cells.get("organisation") is not None for r in rows) else None
    petition_errors = {}
    # Files repeat the same few names, dates and kinds: read each distinct cell once.
    read_council = _memoised(lambda v: _resolve_council(v, councils, context))
    read_organisation = _memoised(lambda v: _resolve_organisation(v[0], organisations, v[1], context))
    read_kind = _memoised(_reading(_cell_kind))
    read_count = _memoised(_reading(_cell_count))
    read_date = _memoised(_reading(_cell_date))

    with _gc_paused():
        for source in rows:
            outcome = RowOutcome(number=source.number, cells=source.cells)
            own = {}  # column key → message found while reading the cell
            cells = source.cells
            if cells.get("council") is None:
                own["council"] = "社保協を入力してください。"
            else:
                outcome.council, message = read_council(cells["council"])
                if message:
                    own["council"] = message
            if cells.get("organisation") is not None:
                outcome.organisation, message = read_organisation((cells["organisation"], outcome.council))
                if message:
                    own["organisation"] = message
            outcome.kind, message = read_kind(cells.get("kind"))
            if message:
                own["kind"] = message
            if cells.get("count") is None:
                own["count"] = "筆数を入力してください。"
            else:
                outcome.count, message = read_count(cells["count"])
                if message:
                    own["count"] = message
            if cells.get("date") is None:
                own["date"] = "日付を入力してください。"
            else:
                outcome.collected_on, message = read_date(cells["date"])
                if message:
                    own["date"] = message
            try:
                outcome.entry = build_entry(
                    context=context,
                    petition=petition,
                    council=outcome.council,
                    count=outcome.count,
                    collected_on=outcome.collected_on,
                    kind=outcome.kind or SignatureKind.INDIVIDUAL,
                    organisation=outcome.organisation,
                    note=_text(cells.get("note")),
                    today=today,
                )
            except ValidationError as exc:
                for name, messages in exc.message_dict.items():
                    if name == "petition":
                        for message in messages:
                            petition_errors.setdefault(message, None)
                        continue
                    key = FIELD_TO_COLUMN.get(name)
                    if key is None or key in own:
                        continue  # the cell's own message says it better than "please enter"
                    own[key] = " ".join(_FIELD_PREFIX.sub("", m) for m in messages)
            if own:
                outcome.entry = None
                outcome.errors = [RowError(source.number, columns[key], own[key]) for key in COLUMNS if key in own]
            preview.rows.append(outcome)

    preview.general_errors = [RowError(None, PETITION_COLUMN, _FIELD_PREFIX.sub("", m)) for m in petition_errors]
    if not rows:
        preview.general_errors.append(RowError(None, "ファイル", "取り込む行がありません（見出し行の下が空です）。"))
    return preview


def earlier_import(*, petition, sha256):
    """The latest completed import of the same content into the same petition, or None."""
    return (
        ImportBatch.objects.filter(petition=petition, sha256=sha256, status=ImportBatch.Status.DONE)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def content_sha256(data):
    return hashlib.sha256(data).hexdigest()


def tally_import_preview(*, petition, data, filename, user, encoding=None):
    """Parse and check a file (the dry run): an ImportPreview, with a file-level error instead of rows if unreadable.

    Also names an earlier import of the same content (`earlier_batch`).
    """
    preview = ImportPreview(petition=petition, file_name=filename or "", sha256=content_sha256(data))
    try:
        parsed = tally_import_parse(data=data, filename=filename, encoding=encoding)
    except ImportFileError as exc:
        preview.general_errors = [RowError(None, "ファイル", str(exc))]
        return preview
    checked = tally_import_check(petition=petition, rows=parsed, user=user)
    checked.file_name, checked.sha256 = preview.file_name, preview.sha256
    checked.earlier_batch = earlier_import(petition=petition, sha256=preview.sha256)
    return checked


def describe_batch(batch):
    who = batch.created_by if batch.created_by_id else "不明"
    when = timezone.localtime(batch.created_at)
    return f"取込#{batch.pk}「{batch.file_name}」（{who}、{when:%Y年%m月%d日 %H:%M}、{batch.row_count:,}行）"


def duplicate_message(batch):
    return (
        f"このファイルは{describe_batch(batch)}で取り込み済みです。二重に数えないため取り込みません。"
        "前回の取込を置き換える場合は「置き換える」を選んでください（前回の記録は訂正記録で打ち消されます）。"
    )


# --- committing ------------------------------------------------------------


def _cancel_batch(*, earlier, batch, user, context):
    """Cancel each of `earlier`'s entries (net of its corrections) with a correction entry in `batch`.

    Returns the number of corrections written. Raises TallyImportRefused if one of
    the entries lies outside the user's scope.
    """
    originals = list(
        TallyEntry.objects.filter(import_batch=earlier, corrects__isnull=True)
        .annotate(
            net=F("count") + Coalesce(Sum("corrections__count"), Value(0), output_field=IntegerField()),
        )
        .order_by("pk")
    )
    outside = {e.council_id for e in originals} - context.council_ids
    if outside:
        raise TallyImportRefused(["前回の取込には権限のない社保協の記録が含まれるため、置き換えられません。"])
    now = timezone.now()
    reason = f"取込#{batch.pk}「{batch.file_name}」で置き換えたため取り消し（取込#{earlier.pk}の記録）"
    corrections = [
        TallyEntry(
            petition_id=e.petition_id,
            council_id=e.council_id,
            organisation_id=e.organisation_id,
            kind=e.kind,
            count=-e.net,
            collected_on=e.collected_on,
            round_id=e.round_id,
            source=e.source,
            note=e.note,
            corrects_id=e.pk,
            correction_reason=reason[:300],
            entered_by=user,
            entered_at=now,
            import_batch=batch,
        )
        for e in originals
        if e.net != 0
    ]
    _insert_entries(corrections)
    return len(originals), len(corrections)


# COPY's text format: backslash, tab, newline and carriage return are escaped; \N is NULL.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_converter(field):
    """A function turning the field's Python value into COPY text, chosen once per column."""
    if isinstance(field, models.ForeignKey | models.IntegerField):
        return lambda v: "\\N" if v is None else str(int(v))
    if isinstance(field, models.CharField | models.TextField):
        return lambda v: "\\N" if v is None else str(v).translate(_COPY_ESCAPES)
    if isinstance(field, models.DateField):  # DateTimeField too: isoformat keeps the time zone
        return lambda v: "\\N" if v is None else v.isoformat()

    def prepared(v):
        v = field.get_db_prep_save(v, connection)
        return "\\N" if v is None else str(v).translate(_COPY_ESCAPES)

    return prepared


def _insert_entries(entries):
    """Insert unsaved entries in one go: COPY on PostgreSQL, bulk_create elsewhere.

    COPY takes 100,000 entries in about half the time of multi-row INSERTs (no SQL to
    build and parse per batch); the table's CHECK and FOREIGN KEY constraints apply the same.
    """
    if connection.vendor != "postgresql":
        TallyEntry.objects.bulk_create(entries, batch_size=BULK_BATCH_SIZE)
        return
    fields = [f for f in TallyEntry._meta.concrete_fields if not f.primary_key]
    assert not any(getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) for f in fields)
    columns = [(f.attname, _copy_converter(f)) for f in fields]
    buffer = io.StringIO()
    write = buffer.write
    for entry in entries:
        values = entry.__dict__
        write("\t".join([convert(values[attname]) for attname, convert in columns]))
        write("\n")
    buffer.seek(0)
    quote = connection.ops.quote_name
    sql = "COPY {} ({}) FROM STDIN".format(quote(TallyEntry._meta.db_table), ", ".join(quote(f.column) for f in fields))
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(sql, buffer)


def tally_import_commit(*, petition, data, filename, user, replace=False, encoding=None):
    """Import every row of the file into `petition` as `user`, or nothing. Returns the ImportBatch.

    Raises TallyImportRefused (nothing saved) when the file cannot be read, any row
    is bad (`.preview` lists them), the petition is not open, or the same content
    was already imported into this petition and `replace` is False. With
    `replace=True` the earlier import's entries are cancelled by correction
    entries in the new batch, so totals equal one import of the file.
    """
    sha256 = content_sha256(data)
    try:
        parsed = tally_import_parse(data=data, filename=filename, encoding=encoding)
    except ImportFileError as exc:
        raise TallyImportRefused([f"「ファイル」: {exc}"]) from exc
    with _gc_paused(), transaction.atomic():
        # One import per petition at a time: a second upload of the same file waits here, then finds the first.
        petition = PetitionDrive.objects.select_for_update().get(pk=petition.pk)
        earlier = earlier_import(petition=petition, sha256=sha256)
        if earlier is not None and not replace:
            raise TallyImportRefused([duplicate_message(earlier)])
        context = EntryContext.for_user(user)
        preview = tally_import_check(petition=petition, rows=parsed, user=user, context=context)
        preview.sha256, preview.earlier_batch = sha256, earlier
        if not preview.ok:
            raise TallyImportRefused(preview.error_lines(), preview=preview)
        batch = ImportBatch.objects.create(
            petition=petition,
            file_name=(filename or "")[:255],
            sha256=sha256,
            created_by=user,
            created_at=timezone.now(),
            row_count=len(preview.rows),
            status=ImportBatch.Status.DONE,
        )
        note = f"{parsed.file_format.upper()}、{parsed.header_row}行目が見出し、{len(preview.rows):,}行を取り込み。"
        if earlier is not None:
            cancelled, corrections = _cancel_batch(earlier=earlier, batch=batch, user=user, context=context)
            note += (
                f"同じ内容の{describe_batch(earlier)}を置き換え: その{cancelled:,}件の記録を"
                f"{corrections:,}件の訂正記録で打ち消しました（台帳は追記のみのため削除していません）。"
            )
            when = timezone.localtime(batch.created_at)
            superseded = f"取込#{batch.pk}（{user}、{when:%Y年%m月%d日 %H:%M}）で置き換え済み。"
            ImportBatch.objects.filter(pk=earlier.pk).update(
                note=(earlier.note + "\n" if earlier.note else "")
                + superseded
                + "この取込の記録は訂正記録で打ち消されています。"
            )
        entries = [row.entry for row in preview.rows]
        for entry in entries:
            entry.import_batch_id = batch.pk  # the id alone: the descriptor costs ~3 µs a row
        _insert_entries(entries)
        batch.note = note
        batch.save(update_fields=["note"])
    return batch


# --- template files --------------------------------------------------------


def _template_example(user, today):
    council = getattr(user, "council", None)
    return [council.name if council else "〇〇社会保障推進協議会", "", "個人", 42, today, "駅前宣伝"]


def tally_import_template_xlsx(*, user, councils, today=None):
    """An xlsx with the import headers and one example row; a second sheet lists `councils` with their 番号."""
    import openpyxl
    from openpyxl.styles import Font

    today = today or timezone.localdate()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "集約"
    sheet.append(TEMPLATE_HEADERS)
    sheet.append(_template_example(user, today))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.cell(row=2, column=5).number_format = "yyyy/m/d"
    for letter, width in zip("ABCDEF", (32, 24, 8, 10, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    listing = workbook.create_sheet("社保協一覧")
    listing.append(["番号", "名称", "略称"])
    for cell in listing[1]:
        cell.font = Font(bold=True)
    for council in councils:
        listing.append([council.pk, council.name, council.short_name])
    listing.column_dimensions["B"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def tally_import_template_csv(*, user, today=None):
    """A CSV (UTF-8 with BOM, so Excel reads it) with the import headers and one example row."""
    today = today or timezone.localdate()
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(TEMPLATE_HEADERS)
    example = _template_example(user, today)
    example[4] = f"{today:%Y/%m/%d}"
    writer.writerow(example)
    return buffer.getvalue().encode("utf-8-sig")


def tally_import_outcome_csv(preview):
    """Every row's outcome and errors as CSV (UTF-8 with BOM): the full preview of a file too long for one page."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(["行", "結果", *TEMPLATE_HEADERS, "エラー"])
    for error in preview.general_errors:
        writer.writerow(["", "エラー", "", "", "", "", "", "", str(error)])
    for row in preview.rows:
        writer.writerow(
            [
                row.number,
                "取込可" if row.ok else "エラー",
                row.council.name if row.council else row.display("council"),
                row.organisation.name if row.organisation else row.display("organisation"),
                row.kind_label or row.display("kind"),
                row.count if row.count is not None else row.display("count"),
                row.collected_on.isoformat() if row.collected_on else row.display("date"),
                row.display("note"),
                " ".join(f"「{e.column}」{e.message}" for e in row.errors),
            ]
        )
    return buffer.getvalue().encode("utf-8-sig")
