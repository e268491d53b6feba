"""Importing a list of actions (the calendar, a year's study sessions) from xlsx or CSV, through the one intake.

The file's columns are declared here (`LAYOUT`); reading, encodings, header rows, limits and the
outcome file are `shaho.core.intake`'s. `actions_import_preview` checks every row with the same
rules as an action entered by hand (`services.action_check`: the organiser within the user's
scope — one outside it reads like one that does not exist —, end not before start, counts not
negative) and writes nothing; `actions_import_commit` checks again and writes every row or none.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from councils.models import Council
from shaho.core import exports, intake
from shaho.core.intake import Column, RowError
from shaho.core.japanese import normalize, parse_time

from . import services
from .models import Action, ActionKind

LAYOUT = intake.Layout(
    columns=(
        Column("date", "日付", aliases=("開催日", "月日", "日程"), required=True),
        Column("kind", "種類", aliases=("行動の種類", "種別"), required=True),
        Column("title", "名称", aliases=("行動", "行動名", "内容", "件名"), required=True),
        Column("start", "開始", aliases=("開始時刻", "時刻")),
        Column("end", "終了", aliases=("終了時刻",)),
        Column("place", "場所", aliases=("会場",)),
        Column("organiser", "主催", aliases=("主催の社保協", "社保協")),
        Column("onsite", "会場参加", aliases=("参加者", "参加者数", "会場参加（人）")),
        Column("online_points", "オンライン視聴", aliases=("オンライン（か所）", "オンライン視聴（か所）")),
        Column("online", "オンライン参加", aliases=("オンライン参加（人）",)),
        Column("note", "報告", aliases=("備考", "メモ")),
    )
)
COLUMNS = LAYOUT.labels
TEMPLATE_HEADERS = list(COLUMNS.values())
IMPORTER = "campaigns.actions"
FIELD_TO_COLUMN = {
    "starts_on": "date", "ends_on": "date", "kind": "kind", "title": "title", "start_time": "start",
    "end_time": "end", "organiser": "organiser", "onsite_count": "onsite", "online_points": "online_points",
    "online_count": "online", "place": "place", "report": "note",
}  # fmt: skip


@dataclass
class RowOutcome:
    number: int
    cells: dict
    values: dict = field(default_factory=dict)
    errors: list = field(default_factory=list)

    @property
    def ok(self):
        return not self.errors


@dataclass
class ImportPreview:
    file_name: str
    rows: list = field(default_factory=list)
    general_errors: list = field(default_factory=list)

    @property
    def errors(self):
        return self.general_errors + [e for r in self.rows for e in r.errors]

    @property
    def ok(self):
        return bool(self.rows) and not self.errors

    @property
    def summary(self):
        bad = sum(1 for r in self.rows if not r.ok)
        return f"{len(self.rows):,}行のうち、取込可 {len(self.rows) - bad:,}行・エラー {bad:,}行"


def _council_lookup(user):
    by_name = {}
    for council in services.organiser_choices(user=user):
        for name in (council.name, council.short_name, str(council.pk)):
            if name:
                by_name.setdefault(intake.read_name(name), council)
    return by_name


def _kind_lookup():
    by_name = {}
    for kind in ActionKind.objects.all():
        by_name[intake.read_name(kind.name)] = kind
        by_name[intake.read_name(kind.code)] = kind
    return by_name


def _read_time(value):
    if value in (None, ""):
        return None
    return parse_time(value if hasattr(value, "hour") else intake.read_text(value))


def _read_optional_count(value):
    return None if intake.read_text(value) == "" else intake.read_count(value)


def _check_row(row, *, user, councils, kinds, default_organiser):
    out = RowOutcome(number=row.number, cells=row.cells)
    v = out.values

    def read(key, reader):
        try:
            return reader(row.cells.get(key))
        except ValueError as exc:
            out.errors.append(RowError(row.number, COLUMNS[key], str(exc)))
            return None

    v["starts_on"] = read("date", lambda c: intake.read_date(c) if intake.read_text(c) else None)
    v["start_time"] = read("start", _read_time)
    v["end_time"] = read("end", _read_time)
    v["title"] = intake.read_text(row.cells.get("title"))
    v["place"] = intake.read_text(row.cells.get("place"))
    v["report"] = intake.read_text(row.cells.get("note"))
    for key, name in (("onsite", "onsite_count"), ("online_points", "online_points"), ("online", "online_count")):
        v[name] = read(key, _read_optional_count)
    kind_text = intake.read_name(row.cells.get("kind"))
    kind = kinds.get(kind_text)
    if kind is None:
        out.errors.append(RowError(row.number, COLUMNS["kind"], f"「{normalize(kind_text)}」という種類はありません。"))
    organiser_text = intake.read_name(row.cells.get("organiser"))
    organiser = councils.get(organiser_text) if organiser_text else default_organiser
    if organiser is None:
        # Outside the scope and unknown read the same: nothing is said of another prefecture's council.
        out.errors.append(
            RowError(row.number, COLUMNS["organiser"], f"「{normalize(organiser_text)}」は選べる社保協にありません。")
        )
    v["kind"], v["organiser"] = kind, organiser
    if out.errors:
        return out
    fields = {k: v[k] for k in ("title", "starts_on", "start_time", "end_time", "place", "report", "onsite_count",
                                "online_points", "online_count")}  # fmt: skip
    try:
        services.action_check(user=user, kind=kind, organiser=organiser, fields=fields)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            column = COLUMNS.get(FIELD_TO_COLUMN.get(name, ""), name)
            out.errors += [RowError(row.number, column, m.split(": ", 1)[-1]) for m in messages]
    return out


def actions_import_preview(*, data, filename, user, encoding=None):
    """Every row checked, nothing written: an ImportPreview (row-numbered errors naming the column)."""
    preview = ImportPreview(file_name=filename)
    try:
        parsed = intake.read_file(data=data, filename=filename, layout=LAYOUT, encoding=encoding)
    except intake.IntakeError as exc:
        preview.general_errors.append(RowError(None, "ファイル", str(exc)))
        return preview
    councils, kinds = _council_lookup(user), _kind_lookup()
    default = Council.objects.filter(pk=user.council_id).first() if user.council_id else None
    if default is not None and not services.organiser_choices(user=user).filter(pk=default.pk).exists():
        default = None
    preview.rows = [
        _check_row(row, user=user, councils=councils, kinds=kinds, default_organiser=default) for row in parsed
    ]
    if not preview.rows:
        preview.general_errors.append(RowError(None, "ファイル", "取り込む行がありません。"))
    return preview


class ImportRefused(ValidationError):
    pass


def actions_import_commit(*, data, filename, user, encoding=None):
    """Check again and record every row as an action, all or nothing. Returns the actions; ImportRefused otherwise."""
    preview = actions_import_preview(data=data, filename=filename, user=user, encoding=encoding)
    if not preview.ok:
        raise ImportRefused(intake.error_lines(preview.errors, limit=20))
    made = []
    with transaction.atomic():
        for row in preview.rows:
            v = dict(row.values)
            kind, organiser = v.pop("kind"), v.pop("organiser")
            if v.get("starts_on") and v["starts_on"] > timezone.localdate():
                v["status"] = Action.Status.PLANNED
            made.append(services.action_record(user=user, kind=kind, organiser=organiser, **v).action)
    return made


def import_outcome(preview, *, file_format="csv"):
    headers = TEMPLATE_HEADERS
    rows = ((r.number, r.ok, [intake.read_text(r.cells.get(key)) for key in COLUMNS], r.errors) for r in preview.rows)
    table = list(intake.outcome_rows(headers=headers, general_errors=preview.general_errors, rows=rows))
    return intake.outcome_file(table, file_format=file_format)


def import_template_xlsx():
    example = [
        "2020-10-09",
        "ブロック会議",
        "北海道・東北ブロック会議",
        "13:00",
        "16:00",
        "札幌市内",
        "",
        "",
        "",
        "",
        "",
    ]
    return exports.xlsx_bytes([("行動", [TEMPLATE_HEADERS, example], {"A": 12, "C": 36})])
