"""Importing a list of actions (the calendar, a year's study sessions) from xlsx or CSV, through the one flow.

The file's columns, the row check and the commit are declared here (`ActionImporter`); reading,
encodings, header rows, limits, the preview and the outcome file are `shaho.core`'s (`intake`,
`imports`). Every row is checked with the same rules as an action entered by hand
(`services.action_check`: the organiser within the user's scope — one outside it reads like one that
does not exist —, end not before start, counts not negative); the commit checks again and writes every
row or none.

The actions export (`exports.actions_xlsx` / `actions_csv`) carries each action's 番号: a row with a
番号 updates that action (only the columns the file has; its participants and other rows are left as
they are), and a row equal to its action is 変更なし, so an unedited export imports as no change.
A row without 番号 equal to an action already recorded in the scope (same date, title, kind, organiser and
every value) is 変更なし too, so the same file imported twice adds nothing the second time.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone

from shaho.core import exports, intake
from shaho.core.downloads import XLSX
from shaho.core.imports import CHANGED, NEW, UNCHANGED, Importer, ImportPreview, ImportRow, read_number, unknown_number
from shaho.core.intake import Column
from shaho.core.japanese import normalize, parse_time
from shaho.core.matching import Matcher
from shaho.core.roles import may_record
from shaho.core.scoping import restrict

from . import services
from .models import Action, ActionKind

LAYOUT = intake.Layout(
    columns=(
        Column("id", "番号", aliases=("行動番号",)),
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
TEMPLATE_HEADERS = [label for key, label in COLUMNS.items() if key != "id"]
# Column key → Action field, for the columns a row may change.
COLUMN_FIELDS = {
    "date": "starts_on", "start": "start_time", "end": "end_time", "title": "title", "place": "place",
    "onsite": "onsite_count", "online_points": "online_points", "online": "online_count", "note": "report",
}  # fmt: skip
FIELD_TO_COLUMN = {
    "starts_on": "date", "ends_on": "date", "kind": "kind", "title": "title", "start_time": "start",
    "end_time": "end", "organiser": "organiser", "onsite_count": "onsite", "online_points": "online_points",
    "online_count": "online", "place": "place", "report": "note",
}  # fmt: skip


class ActionRow(ImportRow):
    __slots__ = ("action", "kind", "organiser", "values")

    def __init__(self, number, cells):
        super().__init__(number=number, cells=cells)
        self.action, self.values, self.kind, self.organiser = None, {}, None, None


def _read_time(value):
    if value in (None, ""):
        return None
    return parse_time(value if hasattr(value, "hour") else intake.read_text(value))


def _read_optional_count(value):
    return None if intake.read_text(value) == "" else intake.read_count(value)


def _read_date(value):
    return intake.read_date(value) if intake.read_text(value) else None


READERS = {
    "date": _read_date, "start": _read_time, "end": _read_time, "title": intake.read_text, "place": intake.read_text,
    "note": intake.read_text, "onsite": _read_optional_count, "online_points": _read_optional_count,
    "online": _read_optional_count,
}  # fmt: skip


class ActionImporter(Importer):
    key = "campaigns.actions"
    title = "行動を Excel・CSV から取り込む"
    what = "行動"
    template_formats = ("xlsx",)
    layout_keys = tuple(COLUMNS)
    intro = "行動の一覧（当面の日程、学習会の記録など。Excel の xlsx または CSV）を、まとめて行動として取り込みます。"
    help = (
        ("番号", "書き出したファイルの番号（その行動を直します。空欄は新しい行動）"),
        ("日付（必須）", "2025-12-07、2025/12/7、令和7年12月7日"),
        ("種類（必須）", "宣伝行動・学習会など"),
        ("名称（必須）", ""),
        ("開始・終了", "13:00、13時30分"),
        ("場所", ""),
        ("主催", "社保協の名称・略称・番号（空欄は自分の社保協）"),
        ("会場参加・オンライン視聴・オンライン参加", "人数・か所数"),
        ("報告", ""),
    )

    def may_import(self, user):
        return may_record(user)

    def layout(self, target):
        return LAYOUT

    def check(self, *, parsed, user, target, deadline=None):
        present = set(parsed.columns)
        preview = ImportPreview(headers=[COLUMNS[k] for k in COLUMNS])
        organisers = services.organiser_choices(user=user)
        matcher = Matcher(organisers, what="社保協")
        kinds = {}
        for kind in ActionKind.objects.all():
            kinds[intake.read_name(kind.name)] = kind
            kinds[intake.read_name(kind.code)] = kind
        default = organisers.filter(pk=user.council_id).first() if user.council_id else None
        numbers = set()
        for source in parsed:
            try:
                number = read_number(source)
            except ValueError:
                continue
            if number is not None:
                numbers.add(number)
        known = {}
        if numbers:
            known = {
                a.pk: a
                for a in restrict(Action.objects.filter(pk__in=numbers), user).select_related("kind", "organiser")
            }
        seen = {}
        for source in parsed:
            if deadline is not None:
                deadline.check()
            preview.rows.append(self._check_row(source, user, present, matcher, kinds, default, known, seen))
        self._find_earlier(preview.rows, user)
        return preview

    def _find_earlier(self, rows, user):
        """A row without 番号 equal to an action already recorded (the same file imported again) is 変更なし.

        Equal means the same kind, organiser and every value the row sets; one query for the whole file. Each
        action answers for one row at most, and never for a row when another row of the file names it by its
        番号 (that row may change it): the same file read again then finds the same actions.
        """
        new = [row for row in rows if row.ok and row.status == NEW]
        if not new:
            return
        taken = {row.action.pk for row in rows if row.action is not None}
        candidates = restrict(
            Action.objects.filter(
                starts_on__in={row.values.get("starts_on") for row in new},
                title__in={row.values.get("title") for row in new},
            ),
            user,
        ).order_by("pk")
        by_key = {}
        for action in candidates:
            by_key.setdefault((action.starts_on, action.title, action.kind_id, action.organiser_id), []).append(action)
        for row in new:
            key = (row.values.get("starts_on"), row.values.get("title"), row.kind.pk, row.organiser.pk)
            for action in by_key.get(key, ()):
                if action.pk not in taken and all(
                    _same(getattr(action, name), value) for name, value in row.values.items()
                ):
                    row.action, row.status = action, UNCHANGED
                    taken.add(action.pk)
                    break

    def _check_row(self, source, user, present, matcher, kinds, default, known, seen):
        row = ActionRow(source.number, source.cells)
        values = row.values
        try:
            number = read_number(source)
        except ValueError as exc:
            row.error(COLUMNS["id"], str(exc))
            return row
        if number is not None:
            row.action = known.get(number)
            if row.action is None:
                row.error(COLUMNS["id"], unknown_number(number, "行動"))
                return row
            if number in seen:
                row.error(COLUMNS["id"], f"番号{number}は{seen[number]}行目にもあります。")
                return row
            seen[number] = source.number
        action = row.action
        for key, name in COLUMN_FIELDS.items():
            if action is not None and key not in present:
                values[name] = getattr(action, name)  # a column the file does not have: left as it is
                continue
            try:
                values[name] = READERS[key](source.cells.get(key))
            except ValueError as exc:
                row.error(COLUMNS[key], str(exc))
        kind_text = intake.read_name(source.cells.get("kind"))
        row.kind = kinds.get(kind_text)
        if not kind_text:
            row.error(COLUMNS["kind"], "種類を入力してください。")
        elif row.kind is None:
            row.error(COLUMNS["kind"], f"「{normalize(kind_text)}」という種類はありません。")
        if intake.read_text(source.cells.get("organiser")):
            current = action.organiser_id if action is not None else None
            # A name two councils share is no silent pick; the action's own organiser is its current value.
            row.organiser, message = matcher.match(source.cells["organiser"], prefer=[lambda c: c.pk == current])
            if message:
                row.error(COLUMNS["organiser"], message)
        elif action is not None and "organiser" in present:
            row.error(COLUMNS["organiser"], "主催を入力してください。")
        else:
            row.organiser = action.organiser if action is not None else default
            if row.organiser is None:
                row.error(COLUMNS["organiser"], "主催の社保協を入力してください。")
        if row.errors:
            return row
        try:
            services.action_check(user=user, kind=row.kind, organiser=row.organiser, fields=values)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = COLUMNS.get(FIELD_TO_COLUMN.get(name, ""), name)
                for message in messages:
                    row.error(column, message.split(": ", 1)[-1])
            return row
        if action is None:
            row.status = NEW
        elif (
            action.kind_id == row.kind.pk
            and action.organiser_id == row.organiser.pk
            and all(_same(getattr(action, name), value) for name, value in values.items())
        ):
            row.status = UNCHANGED
        else:
            row.status = CHANGED
        return row

    def write(self, *, preview, user, target, options):
        made = changed = 0
        for row in preview.rows:
            if row.status == UNCHANGED:
                continue
            values = dict(row.values)
            if row.action is not None:
                services.action_update(
                    user=user, action=row.action, kind=row.kind, organiser=row.organiser, fields=values
                )
                changed += 1
                continue
            if values.get("starts_on") and values["starts_on"] > timezone.localdate():
                values["status"] = Action.Status.PLANNED
            services.action_record(user=user, kind=row.kind, organiser=row.organiser, **values)
            made += 1
        unchanged = preview.counts()[UNCHANGED]
        return f"行動を取り込みました: 新規 {made:,}件・変更 {changed:,}件（変更なし {unchanged:,}件）。"

    def outcome_values(self, row):
        values = []
        for key in COLUMNS:
            if key == "organiser" and getattr(row, "organiser", None) is not None:
                values.append(row.organiser.name)  # resolved, so within the scope
            elif key == "kind" and getattr(row, "kind", None) is not None:
                values.append(row.kind.name)
            else:
                values.append(row.display(key))
        return values

    def template(self, *, user, target, file_format):
        example = ["2020-10-09", "ブロック会議", "北海道・東北ブロック会議", "13:00", "16:00", "札幌市内"]
        example += [""] * (len(TEMPLATE_HEADERS) - len(example))
        content = exports.xlsx_bytes([("行動", [TEMPLATE_HEADERS, example], {"A": 12, "C": 36})])
        return content, XLSX, "xlsx"


def _same(stored, read):
    if stored in (None, "") and read in (None, ""):
        return True
    return stored == read


ACTIONS = ActionImporter()
