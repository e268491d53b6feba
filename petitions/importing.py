"""Importing tally entries from the organizers' Excel (xlsx) and CSV files, through the one intake.

What the file looks like is declared here (`LAYOUT`: 社保協, 団体, 種別, 筆数, 日付, 備考
and their other spellings); reading it — xlsx or CSV in UTF-8 (with or without BOM) or
CP932, the header row anywhere in the first rows, the limits, the outcome file — is
`shaho.core.intake`'s. Three steps, each a plain function:

* `tally_import_parse` reads the file into rows (`intake.read_file`). Raises
  `ImportFileError` (Japanese message) for an unreadable file, a missing column or a limit.
* `tally_import_check` resolves councils and organisations for every row with
  a constant number of queries — only among those the user may see, so a council
  outside the user's scope reads exactly like one that does not exist — and validates
  each row with the same checks as the phone form (`services.build_entry`). It returns
  an `ImportPreview`: every row's outcome and every error as (row number as the
  spreadsheet shows it, column header, message in Japanese). Nothing is written.
* `tally_import_commit` runs the check again and writes all rows or none, with
  an `ImportBatch` that carries the file's SHA-256. The same file for the same
  petition is refused, naming the earlier import when the user may see it; with
  `replace=True` the earlier import is superseded openly: its entries are cancelled
  by correction entries (the ledger is append-only, so nothing is deleted) and both
  batches' notes say so.

A council is named by its name or short name (全角/半角, spaces and
"社会保障推進協議会" ⇔ "社保協" do not matter) or by its 番号: the council's ID,
listed on the template's second sheet.
"""

import contextlib
import datetime
import gc
import hashlib
import io
import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.db.models import Exists, F, IntegerField, OuterRef, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from shaho.core import exports, imports, intake
from shaho.core.downloads import XLSX
from shaho.core.imports import (
    CHANGED,
    NEW,
    UNCHANGED,
    Importer,
    ImportRefused,
    ImportRow,
    read_number,
    unknown_number,
)
from shaho.core.intake import Column, IntakeError, ParsedFile, RowError, SourceRow  # noqa: F401 (the importer's API)
from shaho.core.japanese import format_date, format_datetime
from shaho.core.matching import Matcher, name_key
from shaho.core.roles import may_record
from shaho.core.scoping import restrict, scope_for

from .models import ImportBatch, PetitionDrive, SignatureKind, TallyEntry
from .services import EntryContext, allowed_organisations, build_entry

# The file's columns: the header written in templates and messages, and other spellings met
# in the federation's spreadsheets.
LAYOUT = intake.Layout(
    columns=(
        Column("id", "番号", aliases=("記録番号",)),
        Column("council", "社保協", aliases=("社保協名", "社会保障推進協議会"), required=True),
        Column("organisation", "団体", aliases=("団体名", "集めた団体")),
        Column("kind", "種別", aliases=("署名の種類",)),
        Column("count", "筆数", aliases=("数", "署名数"), required=True),
        Column("date", "日付", aliases=("集めた日",), required=True),
        Column("note", "備考"),
    )
)
COLUMNS = LAYOUT.labels  # key → header
TEMPLATE_HEADERS = [label for key, label in COLUMNS.items() if key != "id"]
EXPORT_HEADERS = list(COLUMNS.values())
IMPORTER = "petitions.tally"  # the PendingUpload.importer of this importer's uploads
BULK_BATCH_SIZE = 5000
ImportFileError = IntakeError  # the name callers know

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


class TallyImportRefused(ImportRefused):
    """The import was refused and nothing was saved. `preview` holds the row errors when there were any."""


# --- resolving names (the one matcher, within the user's scope) -------------------------------


def _council_matcher(user):
    """The councils `user` may see, by name, short name and number: nothing else can be found."""
    return Matcher(scope_for(user).only("pk", "name", "short_name", "kind", "prefecture_id", "path"), what="社保協")


def _organisation_matcher(user):
    """The organisations `user` may name on an entry (`services.allowed_organisations`)."""
    return Matcher(allowed_organisations(user=user).only("pk", "name", "short_name", "prefecture_id"), what="団体")


def _resolve_council(value, matcher):
    """(council, error message), among the councils of the matcher (the user's scope)."""
    council, message = matcher.match(value)
    if council is None and name_key(intake.read_text(value)) in TOTAL_WORDS:
        return None, "合計の行は取り込めません。行を削除してください。"
    return council, message


def _resolve_organisation(value, matcher, council):
    # Two organisations of one name: the one of the council's prefecture, else a row error naming both.
    prefecture = council.prefecture_id if council is not None else None
    return matcher.match(value, prefer=[lambda o: o.prefecture_id == prefecture])


def _cell_kind(value):
    text = intake.read_name(value).upper()
    text = re.sub(r"\(.*\)$", "", text)  # 個人署名（筆） → 個人署名
    kind = KIND_WORDS.get(text)
    if kind is None:
        raise ValueError(f"「{intake.read_text(value)}」は種別として読めません（個人・団体・WEB のいずれか）。")
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


_FIELD_PREFIX = re.compile(r"^「[^」]+」:\s*")


# --- checking --------------------------------------------------------------


@dataclass(slots=True)
class RowOutcome(ImportRow):
    council: object = None
    organisation: object = None
    kind: str = ""
    count: int | None = None
    collected_on: datetime.date | None = None
    entry: object = None  # unsaved TallyEntry when the row is good and writes one (new, or a correction)
    known: object = None  # the ledger entry the row's 番号 names

    @property
    def kind_label(self):
        return SignatureKind(self.kind).label if self.kind in SignatureKind.values else ""


@dataclass
class ImportPreview(imports.ImportPreview):
    petition: object = None
    sha256: str = ""
    earlier_batch: ImportBatch | None = None
    earlier_visible: bool = True  # whether the user may see `earlier_batch` (else it is not named)

    def totals_by_kind(self):
        totals = defaultdict(int)
        for row in self.rows:
            if row.ok and row.status == NEW:
                totals[row.kind] += row.count
        return [(SignatureKind(k).label, n) for k, n in totals.items()]

    @property
    def earlier_description(self):
        return describe_earlier(self.earlier_batch, visible=self.earlier_visible) if self.earlier_batch else ""

    def summary(self):
        text = super().summary()
        totals = self.totals_by_kind()
        if totals:
            text += "、新規の合計 " + "・".join(f"{label} {n:,}" for label, n in totals)
        return text


def _known_entries(*, petition, user, rows):
    """The original entries (not corrections) of `petition` within the user's scope that rows name by 番号.

    Each carries `net`: its count with its corrections, as the export writes it.
    """
    numbers = set()
    for source in rows:
        try:
            number = read_number(source)
        except ValueError:
            continue
        if number is not None:
            numbers.add(number)
    if not numbers:
        return {}
    entries = (
        TallyEntry.objects.filter(pk__in=numbers, petition=petition, corrects__isnull=True, council__in=scope_for(user))
        .annotate(net=F("count") + Coalesce(Sum("corrections__count"), Value(0), output_field=IntegerField()))
        .select_related("council", "organisation")
    )
    return {e.pk: e for e in entries}


def _compare_known(outcome, known, user, today):
    """A row naming a ledger entry: 変更なし when equal, a correcting entry when only the count differs.

    The ledger is append-only: a changed count becomes a correction of the original (count: the
    difference); a changed council, organisation, kind or date is a row error (write a new row and
    cancel the old one instead), so a row never silently moves signatures between councils.
    """
    note = intake.read_text(outcome.cells.get("note"))
    same_rest = (
        outcome.council == known.council
        and outcome.organisation == known.organisation
        and (outcome.kind or SignatureKind.INDIVIDUAL) == known.kind
        and outcome.collected_on == known.collected_on
    )
    if not same_rest:
        outcome.error(
            COLUMNS["id"],
            f"番号{known.pk}の記録は筆数だけを直せます（社保協・団体・種別・日付を変えるときは、"
            "番号を空欄にした新しい行にし、元の記録は管理画面の訂正で打ち消してください）。",
        )
        return
    if outcome.count == known.net and note == known.note:
        outcome.status, outcome.entry = UNCHANGED, None
        return
    if outcome.count == known.net:
        outcome.error(COLUMNS["note"], f"番号{known.pk}の記録の備考は取込では変えられません（筆数だけを直せます）。")
        return
    outcome.status = CHANGED
    outcome.entry = TallyEntry(
        petition_id=known.petition_id,
        council_id=known.council_id,
        organisation_id=known.organisation_id,
        kind=known.kind,
        count=outcome.count - known.net,
        collected_on=known.collected_on,
        round_id=known.round_id,
        source=known.source,
        note=known.note,
        corrects_id=known.pk,
        correction_reason=f"取込で筆数を訂正（{known.net:,} → {outcome.count:,}）"[:300],
        entered_by=user,
        entered_at=timezone.now(),
    )


def tally_import_check(*, petition, rows, user, context=None, today=None, deadline=None):
    """Validate every row for `user` on `petition`; nothing is written.

    Councils, organisations, the user's scope and the petition's rounds are
    loaded once (a constant number of queries, whatever the number of rows);
    each row then goes through `services.build_entry`, the phone form's checks.
    Returns an ImportPreview whose good rows carry unsaved entries. `deadline` (an
    intake.Deadline) bounds the time: IntakeError once it is spent.
    """
    context = context or EntryContext.for_user(user)
    deadline = deadline or intake.Deadline(intake.Limits.from_settings().max_seconds)
    today = today or timezone.localdate()
    context.rounds_of(petition)  # load once, before the loop
    parsed = rows if isinstance(rows, ParsedFile) else None
    rows = list(rows)
    columns = {**COLUMNS, **(parsed.columns if parsed else {})}
    preview = ImportPreview(
        petition=petition, target=petition, parsed=parsed, file_name=parsed.file_name if parsed else "",
        headers=list(EXPORT_HEADERS),
    )  # fmt: skip
    councils = _council_matcher(context.user)
    has_organisations = any(r.cells.get("organisation") is not None for r in rows)
    organisations = _organisation_matcher(context.user) if has_organisations else None
    known_entries = _known_entries(petition=petition, user=context.user, rows=rows)
    seen = {}
    petition_errors = {}
    # Files repeat the same few names, dates and kinds: read each distinct cell once.
    read_council = intake.memoised(lambda v: _resolve_council(v, councils))
    read_organisation = intake.memoised(lambda v: _resolve_organisation(v[0], organisations, v[1]))
    read_kind = intake.memoised(intake.reading(_cell_kind))
    read_count = intake.memoised(intake.reading(intake.read_count))
    read_date = intake.memoised(intake.reading(intake.read_date))

    with _gc_paused():
        for source in rows:
            deadline.check()
            outcome = RowOutcome(number=source.number, cells=source.cells)
            own = {}  # column key → message found while reading the cell
            cells = source.cells
            try:
                number = read_number(source)
            except ValueError as exc:
                own["id"], number = str(exc), None
            if number is not None:
                # Only this petition's entries within the scope: any other 番号 reads like one that does not exist.
                outcome.known = known_entries.get(number)
                if outcome.known is None:
                    own["id"] = unknown_number(number, "集約記録")
                elif number in seen:
                    own["id"] = f"番号{number}は{seen[number]}行目にもあります。"
                seen.setdefault(number, source.number)
            if cells.get("council") is None:
                own["council"] = "社保協を入力してください。"
            else:
                outcome.council, message = read_council(cells["council"])
                if message and outcome.known is not None:  # a name two councils share: the entry's own
                    outcome.council, message = councils.match(
                        cells["council"], prefer=[lambda c, pk=outcome.known.council_id: c.pk == pk]
                    )
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
                    note=intake.read_text(cells.get("note")),
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
            elif outcome.known is not None:
                _compare_known(outcome, outcome.known, context.user, today)
            preview.rows.append(outcome)

    preview.general_errors = [RowError(None, PETITION_COLUMN, _FIELD_PREFIX.sub("", m)) for m in petition_errors]
    if not rows:
        preview.general_errors.append(RowError(None, "ファイル", "取り込む行がありません（見出し行の下が空です）。"))
    return preview


def earlier_import(*, petition, sha256, user):
    """The latest completed import of the same content into the same petition within `user`'s scope, or None.

    Within the scope: uploaded by someone of the user's councils, or holding entries for
    one of them (so a file that national staff imported for a prefecture still counts once
    there). Imports elsewhere are not compared, and so never named.
    """
    councils = scope_for(user)
    in_scope = Q(pk__in=restrict(ImportBatch.objects.all(), user).values("pk")) | Q(
        Exists(TallyEntry.objects.filter(import_batch=OuterRef("pk"), council__in=councils))
    )
    return (
        ImportBatch.objects.filter(petition=petition, sha256=sha256, status=ImportBatch.Status.DONE)
        .filter(in_scope)
        .select_related("created_by")
        .order_by("-created_at", "-pk")
        .first()
    )


def batch_visible(batch, user):
    """Whether `user` may see `batch` itself (its file name, who uploaded it)."""
    return restrict(ImportBatch.objects.filter(pk=batch.pk), user).exists()


def content_sha256(data):
    return hashlib.sha256(data).hexdigest()


def tally_import_preview(*, petition, data, filename, user, encoding=None):
    """Parse and check a file (the dry run): an ImportPreview, with a file-level error instead of rows if unreadable.

    Also names an earlier import of the same content within the user's scope (`earlier_batch`).
    Reading and checking share one time budget (settings.SHAHO_IMPORT_MAX_SECONDS).
    """
    preview = ImportPreview(
        petition=petition, target=petition, file_name=filename or "", sha256=content_sha256(data),
        headers=list(EXPORT_HEADERS),
    )  # fmt: skip
    deadline = intake.Deadline(intake.Limits.from_settings().max_seconds)
    try:
        parsed = tally_import_parse(data=data, filename=filename, encoding=encoding, deadline=deadline)
        checked = tally_import_check(petition=petition, rows=parsed, user=user, deadline=deadline)
    except ImportFileError as exc:
        preview.general_errors = [RowError(None, "ファイル", str(exc))]
        return preview
    checked.file_name, checked.sha256 = preview.file_name, preview.sha256
    checked.earlier_batch = earlier_import(petition=petition, sha256=preview.sha256, user=user)
    if checked.earlier_batch is not None:
        checked.earlier_visible = batch_visible(checked.earlier_batch, user)
    return checked


def tally_import_parse(*, data, filename, encoding=None, deadline=None):
    """Read an xlsx or CSV tally file (`intake.read_file` with LAYOUT) into rows of raw cell values keyed by column.

    `encoding` ('utf-8' or 'cp932'/'shift_jis') applies to CSV; None detects it.
    Returns a ParsedFile (iterable of SourceRow). Raises ImportFileError in Japanese.
    """
    with _gc_paused():
        return intake.read_file(data=data, filename=filename, layout=LAYOUT, encoding=encoding, deadline=deadline)


def describe_batch(batch):
    who = batch.created_by if batch.created_by_id else "不明"
    when = format_datetime(batch.created_at)
    return f"取込#{batch.pk}「{batch.file_name}」（{who}、{when}、{batch.row_count:,}行）"


def describe_earlier(batch, *, visible):
    """An earlier import as the user may be told of it: named if they may see it, else without name or uploader."""
    if visible:
        return describe_batch(batch)
    return f"権限の範囲の社保協の記録を含む取込（{format_date(batch.created_at)}）"


def duplicate_message(batch, *, visible=True):
    return (
        f"このファイルは{describe_earlier(batch, visible=visible)}で取り込み済みです。"
        "二重に数えないため取り込みません。"
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
    deadline = intake.Deadline(intake.Limits.from_settings().max_seconds)
    try:
        parsed = tally_import_parse(data=data, filename=filename, encoding=encoding, deadline=deadline)
    except ImportFileError as exc:
        raise TallyImportRefused([f"「ファイル」: {exc}"]) from exc
    with _gc_paused(), transaction.atomic():
        # One import per petition at a time: a second upload of the same file waits here, then finds the first.
        petition = PetitionDrive.objects.select_for_update().get(pk=petition.pk)
        earlier = earlier_import(petition=petition, sha256=sha256, user=user)
        visible = earlier is not None and batch_visible(earlier, user)
        if earlier is not None and not replace:
            raise TallyImportRefused([duplicate_message(earlier, visible=visible)])
        context = EntryContext.for_user(user)
        try:
            preview = tally_import_check(petition=petition, rows=parsed, user=user, context=context, deadline=deadline)
        except ImportFileError as exc:
            raise TallyImportRefused([f"「ファイル」: {exc}"]) from exc
        preview.sha256, preview.earlier_batch, preview.earlier_visible = sha256, earlier, visible
        imports.note_checked(preview)
        if not preview.ok:
            raise TallyImportRefused(preview.error_lines(), preview=preview)
        if not preview.changes and earlier is None:
            return None  # every row 変更なし (an unedited export): no batch, no entry
        batch = ImportBatch.objects.create(
            petition=petition,
            file_name=(filename or "")[:255],
            sha256=sha256,
            created_by=user,
            created_at=timezone.now(),
            row_count=preview.changes,
            status=ImportBatch.Status.DONE,
        )
        counts = preview.counts()
        note = (
            f"{parsed.file_format.upper()}、{parsed.header_row}行目が見出し、{len(preview.rows):,}行を取り込み"
            f"（新規 {counts[NEW]:,}・筆数の訂正 {counts[CHANGED]:,}・変更なし {counts[UNCHANGED]:,}）。"
        )
        if earlier is not None:
            cancelled, corrections = _cancel_batch(earlier=earlier, batch=batch, user=user, context=context)
            note += (
                f"同じ内容の{describe_earlier(earlier, visible=visible)}を置き換え: その{cancelled:,}件の記録を"
                f"{corrections:,}件の訂正記録で打ち消しました（台帳は追記のみのため削除していません）。"
            )
            superseded = f"取込#{batch.pk}（{user}、{format_datetime(batch.created_at)}）で置き換え済み。"
            ImportBatch.objects.filter(pk=earlier.pk).update(
                note=(earlier.note + "\n" if earlier.note else "")
                + superseded
                + "この取込の記録は訂正記録で打ち消されています。"
            )
        entries = [row.entry for row in preview.rows if row.entry is not None]
        for entry in entries:
            entry.import_batch_id = batch.pk  # the id alone: the descriptor costs ~3 µs a row
        _insert_entries(entries)
        batch.note = note
        batch.save(update_fields=["note"])
    return batch


# --- template and outcome files ---------------------------------------------------


def _template_example(user, today):
    council = getattr(user, "council", None)
    return [council.name if council else "〇〇社会保障推進協議会", "", "個人", 42, today, "駅前宣伝"]


def tally_import_template_xlsx(*, user, councils, today=None):
    """An xlsx with the import headers and one example row; a second sheet lists `councils` with their 番号."""
    today = today or timezone.localdate()
    return exports.xlsx_bytes(
        [
            (
                "集約",
                [TEMPLATE_HEADERS, _template_example(user, today)],
                dict(zip("ABCDEF", (32, 24, 8, 10, 14, 30), strict=True)),
            ),
            ("社保協一覧", [["番号", "名称", "略称"], *([c.pk, c.name, c.short_name] for c in councils)], {"B": 40}),
        ]
    )


def tally_import_template_csv(*, user, today=None):
    """A CSV (UTF-8 with BOM, so Excel reads it) with the import headers and one example row."""
    today = today or timezone.localdate()
    example = _template_example(user, today)
    example[4] = f"{today:%Y/%m/%d}"
    return exports.csv_bytes([TEMPLATE_HEADERS, example])


def outcome_values(row):
    """A row's values for the preview and the outcome file (EXPORT_HEADERS order).

    A council or organisation is shown by its name only when the row resolved it, so only within
    the user's scope; otherwise the cell as the user wrote it.
    """
    return [
        row.display("id"),
        row.council.name if row.council else row.display("council"),
        row.organisation.name if row.organisation else row.display("organisation"),
        row.kind_label or row.display("kind"),
        row.count if row.count is not None else row.display("count"),
        row.collected_on if row.collected_on else row.display("date"),
        row.display("note"),
    ]


# --- export: the ledger in the import's layout, with each entry's 番号 ------------------------


def tally_export_rows(*, petition, user):
    """The petition's original entries within `user`'s scope, each with its count net of its corrections."""
    entries = (
        restrict(TallyEntry.objects.filter(petition=petition, corrects__isnull=True), user)
        .filter(council__in=scope_for(user))
        .annotate(net=F("count") + Coalesce(Sum("corrections__count"), Value(0), output_field=IntegerField()))
        .select_related("council", "organisation")
        .order_by("collected_on", "pk")
    )
    yield EXPORT_HEADERS
    for e in entries:
        yield [
            e.pk, e.council.name, e.organisation.name if e.organisation_id else "", SignatureKind(e.kind).label,
            e.net, e.collected_on, e.note,
        ]  # fmt: skip


def tally_export(*, petition, user, file_format="xlsx"):
    """(bytes, content type, extension): the ledger of `petition` as the importer reads it, formulas neutralised."""
    rows = list(tally_export_rows(petition=petition, user=user))
    if file_format == "csv":
        for row in rows[1:]:
            row[5] = f"{row[5]:%Y/%m/%d}"
        return exports.csv_bytes(rows), "text/csv; charset=utf-8", "csv"
    content = exports.xlsx_bytes([("集約", rows, dict(zip("ABCDEFG", (10, 32, 24, 8, 10, 14, 30), strict=True)))])
    return content, XLSX, "xlsx"


# --- the importer the one flow runs -------------------------------------------------------------


class TallyImporter(Importer):
    """The tally ledger's importer: its own commit (append-only ledger, one import per file, replace)."""

    key = IMPORTER
    title = "Excel・CSVから取り込む"
    what = "集約"
    target_label = "署名"
    has_export = True
    intro = "集約表（Excel の xlsx または CSV）の行を、まとめて集約記録に取り込みます。"
    help = (
        ("番号", "書き出したファイルの記録の番号。筆数を直すと訂正記録になります（空欄は新しい記録）"),
        ("社保協（必須）", "名称・略称、またはひな形の「社保協一覧」シートの番号"),
        ("団体", "集めた団体（空欄可）"),
        ("種別", "個人・団体・WEB（空欄は個人）"),
        ("筆数（必須）", "全角数字や「6万5千」も読めます"),
        ("日付（必須）", "2025-12-07、2025/12/7、2025年12月7日、令和7年12月7日"),
        ("備考", "自由記入"),
    )
    options = (("replace", "前回の取込を置き換える（前回の記録を訂正記録で打ち消してから、このファイルを取り込む）"),)

    def target_choices(self, user):
        drives = restrict(PetitionDrive.objects.filter(status=PetitionDrive.Status.OPEN), user)
        return [(p.pk, str(p)) for p in drives.order_by("-starts_on", "title")]

    def target_get(self, user, value):
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return restrict(PetitionDrive.objects.all(), user).filter(pk=pk).first()

    def may_import(self, user):
        return may_record(user)

    def layout(self, target):
        return LAYOUT

    def preview(self, *, data, filename, user, target, encoding=None):
        preview = tally_import_preview(petition=target, data=data, filename=filename, user=user, encoding=encoding)
        if preview.earlier_batch is not None:
            preview.offers = {"replace"}
            preview.notices = [
                f"このファイルと同じ内容は {preview.earlier_description} で取り込み済みです。"
                "もう一度取り込むと二重に数えるため、そのままでは取り込めません。置き換える場合は下の「置き換える」を"
                "選んでください（前回の記録は削除せず、打ち消す訂正記録を追加します）。"
            ]
        return preview

    def commit(self, *, data, filename, user, target, encoding=None, options=None):
        batch = tally_import_commit(
            petition=target,
            data=data,
            filename=filename,
            user=user,
            replace=bool((options or {}).get("replace")),
            encoding=encoding,
        )
        name = target.short_name or target.title
        if batch is None:
            return None, format_html(
                '変更はありませんでした（すべての行が記録と同じです）。 <a href="{}">{}の集約一覧表を見る</a>',
                self.done_url(target),
                name,
            )
        message = format_html(
            '{}として取り込みました。{} <a href="{}">{}の集約一覧表を見る</a>',
            describe_batch(batch),
            batch.note,
            self.done_url(target),
            name,
        )
        return batch, message

    def redirect_after(self, result, target):
        if result is not None:
            return reverse("admin:petitions_importbatch_change", args=[result.pk])
        return self.done_url(target)

    def done_url(self, target):
        return reverse("petitions:national", args=[target.slug])

    def outcome_values(self, row):
        return outcome_values(row)

    def template(self, *, user, target, file_format):
        if file_format == "csv":
            return tally_import_template_csv(user=user), "text/csv; charset=utf-8", "csv"
        return tally_import_template_xlsx(user=user, councils=scope_for(user)), XLSX, "xlsx"

    def export(self, *, user, target, file_format):
        return tally_export(petition=target, user=user, file_format=file_format)


TALLIES = TallyImporter()
