"""One spreadsheet intake: every importer reads its xlsx and CSV files through here.

An importer declares what its file looks like — a `Layout` of `Column`s, each with
the header written in templates and the other spellings met in real files — and
keeps its row check and its commit to itself (as pretix separates its import columns
in `base/modelimport.py` from the engine in `base/services/modelimport.py`). What
every importer needs is done here once:

* the file's kind (xlsx, CSV; xls and UTF-16 refused with a way out), the CSV's
  encoding (UTF-8, UTF-8 with BOM, CP932, through `japanese.decode_csv`) and its
  delimiter (comma or tab);
* the limits (`Limits`, from settings): the file's size; for an xlsx, the sizes its
  zip declares, checked before anything is unpacked (a zip bomb is refused unread;
  Python's zipfile never inflates a member beyond its declared size); the rows and
  columns; and a time budget, so no upload holds a web worker past its timeout;
* the header row, found by the layout's aliases anywhere in the first rows, in any
  order, with titles and blank lines above it; other columns ignored;
* rows with their row numbers as the spreadsheet shows them, blank lines skipped,
  NUL characters dropped (PostgreSQL text cannot hold them), a cell's invisible edges (BOM, zero-width) too;
* cell readers that normalise through `shaho.core.japanese` (全角, 万, 和暦, Excel
  date serials): `read_text`, `read_name`, `read_count`, `read_date`;
* the outcome file's writing (`outcome_file`, its table from `shaho.core.imports`), as CSV or
  xlsx, through the formula-neutralising `shaho.core.exports`.

Everything the user is told is Japanese; a file-level problem raises `IntakeError`.
"""

import contextvars
import csv
import datetime
import io
import itertools
import re
import time
import zipfile
from dataclasses import dataclass, field

from django.conf import settings

from . import exports
from .downloads import content_type_of
from .japanese import decode_csv, normalize, parse_count, parse_date

MB = 1024 * 1024


class IntakeError(ValueError):
    """The file as a whole cannot be read or is past a limit. The message is Japanese and names the cause."""


class HeaderNotFound(IntakeError):
    """No row in the first rows of a sheet holds every required header. `found`: the keys of the best row."""

    def __init__(self, message, found=()):
        super().__init__(message)
        self.found = set(found)


# --- limits ------------------------------------------------------------------


@dataclass(frozen=True)
class Limits:
    """What one upload may be. Defaults in settings.py (SHAHO_IMPORT_*), each overridable from the environment."""

    max_file_bytes: int = 50 * MB
    max_unpacked_bytes: int = 32 * MB  # all of an xlsx's members, as the zip declares them
    max_ratio: int = 200  # unpacked / packed, for a member of more than 1 MB
    max_rows: int = 100_000  # data rows (blank lines not counted)
    max_columns: int = 100
    max_seconds: float = 45.0  # reading and checking; below gunicorn's --timeout (60 s)

    @classmethod
    def from_settings(cls):
        return cls(
            max_file_bytes=settings.SHAHO_IMPORT_MAX_FILE_BYTES,
            max_unpacked_bytes=settings.SHAHO_IMPORT_MAX_UNPACKED_BYTES,
            max_ratio=settings.SHAHO_IMPORT_MAX_RATIO,
            max_rows=settings.SHAHO_IMPORT_MAX_ROWS,
            max_columns=settings.SHAHO_IMPORT_MAX_COLUMNS,
            max_seconds=settings.SHAHO_IMPORT_MAX_SECONDS,
        )


# The progress of the import running in this thread or task, if any (`shaho.core.import_jobs.Progress`): told
# when a file has been read (`rows_read(n)`) and of every row checked (`tick()`, through the Deadline every
# reader and row check already calls once a row). Nothing here knows where the progress is written.
progress = contextvars.ContextVar("shaho_import_progress", default=None)


class Deadline:
    """The time budget of one import: `check()` raises IntakeError once it is spent. Cheap enough for every row.

    Each call also ticks the progress of a running import job (`progress`), so every importer that checks its
    deadline once a row shows rows done without knowing about jobs.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self._calls = 0
        self.progress = progress.get()

    def check(self):
        self._calls += 1
        if self.progress is not None:
            self.progress.tick()
        if self._calls & 1023 == 0 and time.monotonic() > self.ends:
            raise IntakeError(
                f"ファイルの確認が{self.seconds:g}秒以内に終わらないため中止しました（何も保存していません）。"
                "ファイルを分けて取り込んでください。"
            )


# --- what an importer declares ---------------------------------------------------


def header_text(value):
    """A header as compared: NFKC (全角/半角), without any white space or line break."""
    return re.sub(r"\s+", "", normalize(value)) if value is not None else ""


@dataclass(frozen=True)
class Column:
    """One column an importer reads. `label` is the header its templates write and its messages name.

    A header matches when, after `header_text` (and without a trailing "(…)" unit such as
    筆数（筆）), it equals the label or one of `aliases`, or when it contains every one of
    `words` (総務省's 「市区町村名\n（カナ）」 is found by ("市区町村名", "カナ")).
    """

    key: str
    label: str
    aliases: tuple = ()
    words: tuple = ()
    required: bool = False

    def matches(self, header):
        if self.words:
            return all(word in header for word in self.words)
        names = (header_text(self.label), *self.aliases)
        return header in names or re.sub(r"\(.*\)$", "", header) in names


@dataclass(frozen=True)
class Layout:
    """The file an importer expects: its columns, where the header may be, and which sheets count."""

    columns: tuple
    header_search_rows: int = 30
    all_sheets: bool = False  # False: the first sheet with a header; True: every sheet with one
    # With all_sheets: a sheet naming this column but missing another required one is an error, not skipped.
    anchor: str = ""

    @property
    def labels(self):
        return {c.key: c.label for c in self.columns}

    @property
    def required(self):
        return [c for c in self.columns if c.required]

    def header_help(self):
        required = "・".join(c.label for c in self.required)
        optional = "・".join(c.label for c in self.columns if not c.required)
        return f"必要な見出し: {required}" + (f"。{optional}は任意" if optional else "")


# --- what the intake gives back ----------------------------------------------------


@dataclass(slots=True)
class SourceRow:
    number: int  # as the spreadsheet shows it (1-based, header and titles counted)
    cells: dict  # column key → raw value (str, int, float, date, or None)


@dataclass
class Sheet:
    title: str
    header_row: int
    columns: dict  # column key → header as written in the file (white space removed)
    rows: list = field(default_factory=list)
    unknown: list = field(default_factory=list)  # (column number, header) of headers no column of the layout reads


@dataclass
class ParsedFile:
    """A read file: its sheets (one for CSV). Iterating it, or `rows`, gives the first sheet's rows."""

    file_name: str
    file_format: str  # "xlsx" or "csv"
    encoding: str  # the CSV's codec ("utf-8", "utf-8-sig", "cp932"); "" for xlsx
    sheets: list

    @property
    def header_row(self):
        return self.sheets[0].header_row

    @property
    def columns(self):
        return self.sheets[0].columns

    @property
    def rows(self):
        return self.sheets[0].rows

    @property
    def unknown_headers(self):
        return self.sheets[0].unknown

    def __iter__(self):
        return iter(self.rows)

    def __len__(self):
        return len(self.rows)


# --- reading -----------------------------------------------------------------------


def _find_header(lines, layout):
    """(index, {key: column index}) of the first row holding every required header, else IntakeError."""
    best, seen = {}, set()
    for index, values in enumerate(itertools.islice(lines, layout.header_search_rows)):
        found = {}
        for col, value in enumerate(values):
            if value is None or value == "":
                continue
            text = header_text(value)
            for column in layout.columns:
                if column.key not in found and column.matches(text):
                    found[column.key] = col
                    break
        if all(c.key in found for c in layout.required):
            return index, found
        seen |= found.keys()
        if len(found) > len(best):
            best = found
    missing = "・".join(f"「{c.label}」" for c in layout.required if c.key not in best)
    raise HeaderNotFound(f"見出し行が見つかりません: {missing}の列がありません（{layout.header_help()}）。", seen)


# Characters nobody sees at a cell's edges: a BOM (files pasted together), zero-width spaces and joiners.
_INVISIBLE = "\ufeff\u200b\u200c\u200d\u2060"


def _clean(value):
    if isinstance(value, str):
        value = value.replace("\x00", "").strip().strip(_INVISIBLE).strip()
        if value[:1] == "'" and value[1:2] in ("=", "+", "-", "@"):
            value = value[1:]  # written by exports.safe_cell: a template or outcome file reads back as it was
        return value or None
    return value


class _Reader:
    """Rows of one sheet after its header, with the row and column limits and the deadline applied."""

    def __init__(self, limits, deadline):
        self.limits = limits
        self.deadline = deadline
        self.rows = 0

    def too_wide(self, number):
        return IntakeError(
            f"{number}行目に{self.limits.max_columns + 1}列目以降の値があります。"
            f"列数の上限は{self.limits.max_columns:,}列です（不要な列を削除してください）。"
        )

    def too_long(self):
        return IntakeError(
            f"データの行数が上限（{self.limits.max_rows:,}行）を超えています。ファイルを分けて取り込んでください。"
        )

    def sheet(self, title, lines, layout):
        """A Sheet from `lines` (an iterator of value sequences), or None when no header is found in it."""
        head = []
        for values in itertools.islice(lines, layout.header_search_rows):
            self._check_width(values, len(head) + 1)
            head.append(values)
        header_index, positions = _find_header(head, layout)
        written = head[header_index]
        columns = {key: "".join(str(written[col]).split()) for key, col in positions.items()}
        read = set(positions.values())
        unknown = [
            (col + 1, str(value).strip())
            for col, value in enumerate(written)
            if col not in read and value is not None and str(value).strip()
        ]
        rows = []
        wanted = list(positions.items())
        max_rows = self.limits.max_rows
        for number, values in enumerate(itertools.chain(head[header_index + 1 :], lines), start=header_index + 2):
            if number > len(head):
                self._check_width(values, number)
            self.deadline.check()
            width = len(values)
            cells = {key: _clean(values[col]) if col < width else None for key, col in wanted}
            if all(v is None for v in cells.values()):
                continue  # blank line
            if len(rows) >= max_rows:
                raise self.too_long()
            rows.append(SourceRow(number=number, cells=cells))
        return Sheet(title=title, header_row=header_index + 1, columns=columns, rows=rows, unknown=unknown)

    def _check_width(self, values, number):
        limit = self.limits.max_columns
        if len(values) > limit and any(v not in (None, "") for v in values[limit:]):
            raise self.too_wide(number)


def check_xlsx_archive(data, limits):
    """Refuse an xlsx whose zip would unpack beyond the limits — before anything is unpacked.

    Python's zipfile inflates a member only up to the size its directory declares (a
    member that holds more fails its CRC), so the declared sizes bound what reading costs.
    """
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = archive.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise IntakeError(DAMAGED_XLSX) from exc
    if len(members) > 10_000:
        raise IntakeError("Excel ファイルの中身の数が多すぎるため読みません（壊れているか、xlsx ではありません）。")
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked_bytes:
        raise IntakeError(
            f"この Excel ファイルは展開すると{unpacked / MB:,.0f}MBになり、"
            f"上限（{limits.max_unpacked_bytes / MB:,.0f}MB）を超えるため読みません。"
            "ファイルを分けるか、CSV で保存して取り込んでください。"
        )
    for member in members:
        if member.file_size > MB and member.file_size > limits.max_ratio * max(member.compress_size, 1):
            raise IntakeError(
                "この Excel ファイルは圧縮率が異常に高く"
                f"（展開すると{member.file_size / max(member.compress_size, 1):,.0f}倍）、"
                "壊れているか危険なファイルのため読みません。"
            )


DAMAGED_XLSX = "Excel ファイル（xlsx）として読めません。ファイルが壊れていないか確認してください。"


def _read_xlsx(data, layout, reader):
    import openpyxl

    check_xlsx_archive(data, reader.limits)
    try:
        workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # a damaged or foreign zip raises many kinds (KeyError, BadZipFile, XML errors…)
        raise IntakeError(DAMAGED_XLSX) from exc
    sheets, first_error = [], None
    limit = reader.limits.max_columns
    try:
        for worksheet in workbook.worksheets:
            declared = worksheet.max_column  # from the sheet's <dimension>, when it has one
            if declared is not None and declared > limit:
                raise IntakeError(
                    f"シート「{worksheet.title}」は{declared:,}列あり、列数の上限（{limit:,}列）を超えています"
                    "（不要な列を削除してください）。"
                )
            # read_only streams the sheet's XML; rows are cut one column past the limit, so a stray
            # cell far to the right (or a lying <dimension>) cannot make every row 16,384 wide.
            lines = worksheet.iter_rows(values_only=True, max_col=min(declared or limit + 1, limit + 1))
            try:
                sheet = reader.sheet(worksheet.title, lines, layout)
            except HeaderNotFound as exc:
                if layout.all_sheets and layout.anchor in exc.found:
                    raise IntakeError(f"シート「{worksheet.title}」: {exc}") from exc
                first_error = first_error or exc
                continue
            sheets.append(sheet)
            if not layout.all_sheets:
                break
    except IntakeError:
        raise
    except Exception as exc:
        raise IntakeError(DAMAGED_XLSX) from exc
    finally:
        workbook.close()
    if not sheets:
        raise first_error or IntakeError("Excel ファイルにシートがありません。")
    return sheets


def _read_csv(data, encoding, layout, reader):
    try:
        text, codec = decode_csv(data, encoding or None)
    except (UnicodeDecodeError, LookupError) as exc:
        raise IntakeError(
            f"ファイルを文字コード「{encoding}」で読めません。文字コードを「自動」にするか、正しいものを選んでください。"
        ) from exc
    except ValueError as exc:
        raise IntakeError(str(exc)) from exc
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    lines = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        return [reader.sheet("", lines, layout)], codec
    except csv.Error as exc:
        raise IntakeError(f"CSV として読めません（{exc}）。") from exc


def read_file(*, data, filename, layout, encoding=None, limits=None, deadline=None):
    """Read an xlsx or CSV upload into a ParsedFile of the layout's columns, within the limits.

    `encoding` ('utf-8', 'cp932'/'shift_jis') applies to CSV; None detects it. `limits`
    defaults to the settings; `deadline` (a Deadline) lets the caller share one time
    budget between reading and its own row check. Raises IntakeError in Japanese.
    """
    limits = limits or Limits.from_settings()
    reader = _Reader(limits, deadline or Deadline(limits.max_seconds))
    tracker = progress.get()
    if tracker is not None:
        tracker.reading()
    if len(data) > limits.max_file_bytes:
        raise IntakeError(f"ファイルが大きすぎます（{limits.max_file_bytes // MB}MB まで）。")
    if not data:
        raise IntakeError("ファイルが空です。")
    name = (filename or "").lower()
    if data[:4] == b"PK\x03\x04":
        sheets, file_format, codec = _read_xlsx(data, layout, reader), "xlsx", ""
    elif data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" or name.endswith(".xls"):
        raise IntakeError(
            "xls 形式（Excel 97-2003）は読めません。Excel で「xlsx」か「CSV」として保存し直してください。"
        )
    elif data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        raise IntakeError(
            "UTF-16 の「Unicode テキスト」は読めません。"
            "Excel で「CSV UTF-8（コンマ区切り）」か xlsx として保存し直してください。"
        )
    else:
        sheets, codec = _read_csv(data, encoding, layout, reader)
        file_format = "csv"
    if tracker is not None:
        tracker.rows_read(sum(len(sheet.rows) for sheet in sheets))
    return ParsedFile(file_name=filename or "", file_format=file_format, encoding=codec, sheets=sheets)


def read_path(path, **kwargs):
    """`read_file` for a file on disk (management commands); OSError if it cannot be opened."""
    from pathlib import Path

    path = Path(path)
    with path.open("rb") as f:
        data = f.read(Limits.from_settings().max_file_bytes + 1)
    return read_file(data=data, filename=path.name, **kwargs)


# --- cell readers (raise ValueError with a Japanese message) --------------------------------


def read_text(value):
    """A cell as text, as written (no NFKC): numbers without a trailing .0, None as ''."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime.datetime):
        value = value.date() if value.time() == datetime.time() else value
    return str(value).strip()


def read_name(value):
    """A cell as a name compared loosely: NFKC (全角/半角), no white space."""
    return re.sub(r"\s+", "", normalize(read_text(value)))


def read_count(value):
    """An integer from a number cell or text: ４２, 1,241, 6万5千, 65,000筆."""
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


def read_date(value):
    """A date from a date cell, an Excel serial number (2000–2119) or text: 2025/12/7, 令和7年12月7日."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 20_000 <= value <= 80_000:
        return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
    return parse_date(value if isinstance(value, datetime.date) else read_text(value))


def reading(read):
    """`read` returning (value, None), or (None, message) when it raises ValueError."""

    def safely(value):
        try:
            return read(value), None
        except ValueError as exc:
            return None, str(exc)

    return safely


def memoised(read):
    """`read` remembering each distinct cell: files repeat the same few names, dates and kinds."""
    cache = {}

    def cached(value):
        key = (type(value), value)  # 1 and "1" and True are different cells
        try:
            return cache[key]
        except (KeyError, TypeError):
            pass
        result = read(value)
        try:
            cache[key] = result
        except TypeError:
            pass
        return result

    return cached


# --- errors and outcome files ---------------------------------------------------------


@dataclass(slots=True)
class RowError:
    row: int | None  # None: not about one row (the file, the target)
    column: str  # the column header, or ファイル / the target's name
    message: str

    def __str__(self):
        where = f"{self.row}行目" if self.row is not None else ""
        return f"{where}「{self.column}」: {self.message}"


def error_lines(errors, limit=None):
    """Errors as lines `N行目「列」: …`, at most `limit` and a line saying how many more."""
    lines = [str(e) for e in (errors if limit is None else errors[:limit])]
    if limit is not None and len(errors) > limit:
        lines.append(f"…ほか {len(errors) - limit:,}件のエラー")
    return lines


def outcome_file(table, *, file_format="csv"):
    """(bytes, content type, extension) of an outcome table (`imports.Importer.outcome_table`), as CSV or xlsx."""
    if file_format == "xlsx":
        content = exports.xlsx_bytes([("取込結果", table, {"A": 8, "B": 8})])
        return content, content_type_of("xlsx"), "xlsx"
    return exports.csv_bytes(table), content_type_of("csv"), "csv"
