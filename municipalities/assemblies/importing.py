"""A campaign's list of petitions to assemblies and their outcomes, from xlsx/CSV and back, through the one intake.

One row per municipality (and sitting): 都道府県, 市区町村, 種別, 件名, 提出した社保協, 提出日, 会期,
委員会, 委員会の審査日, 陳述, 委員会の結果, 本会議の議決日, 本会議の結果, 意見書, 意見書の可決日.
The export (`assembly_export`) writes exactly this layout, so a file exported, edited and imported
changes only what was edited — and one imported unedited changes nothing.

* `assembly_import_check` resolves every row in a constant number of queries — municipalities,
  councils and assemblies only among those the user may work on, so one outside the scope reads like
  one that does not exist — and checks it with the services' rules (dates within the sitting and after
  the submission, the municipality existing on the date). Nothing is written.
* `assembly_import_commit` checks again and writes every row or none (one transaction), creating the
  assembly and the sitting a row names when missing, through `services`.

A row is matched to a recorded petition by campaign, assembly and sitting; an unchanged row is left alone.
"""

import datetime
import re

from django.core.exceptions import ValidationError

from municipalities.assemblies.models import (
    Assembly,
    AssemblyPetition,
    OpinionStatement,
    Outcome,
    Season,
    Sitting,
    municipalities_in_scope,
    prefectural_assemblies_in_scope,
    sitting_year_of,
)
from municipalities.registry.models import Municipality, Prefecture
from shaho.core import exports, intake
from shaho.core.downloads import content_type_of
from shaho.core.imports import (
    CHANGED,
    NEW,
    UNCHANGED,
    Importer,
    ImportPreview,
    ImportRefused,
    ImportRow,
    read_number,
    unknown_number,
)
from shaho.core.intake import Column, RowError
from shaho.core.japanese import normalize, parse_yes_no
from shaho.core.matching import Matcher
from shaho.core.roles import is_staff_user
from shaho.core.scoping import restrict, scope_for, system_user

from . import services
from .selectors import campaign_choices, visible_campaign

IMPORTER = "municipalities.assemblies"
LAYOUT = intake.Layout(
    columns=(
        Column("id", "番号"),
        Column("prefecture", "都道府県", aliases=("都道府県名",)),
        Column("municipality", "市区町村", aliases=("市区町村名", "自治体", "自治体名", "議会"), required=True),
        Column("kind", "種別", aliases=("陳情・請願",)),
        Column("title", "件名", aliases=("表題", "件名・表題"), required=True),
        Column("submitted_by", "提出した社保協", aliases=("提出者", "社保協")),
        Column("submitted_on", "提出日"),
        Column("sitting", "会期", aliases=("定例会", "議会の会期"), required=True),
        Column("committee", "委員会", aliases=("付託委員会",)),
        Column("committee_on", "委員会の審査日", aliases=("委員会日", "審査日")),
        Column("statement_made", "陳述", aliases=("陳述の有無",)),
        Column("committee_outcome", "委員会の結果", aliases=("委員会結果",)),
        Column("plenary_on", "本会議の議決日", aliases=("本会議日", "議決日")),
        Column("plenary_outcome", "本会議の結果", aliases=("本会議結果", "結果")),
        Column("statement", "意見書", aliases=("意見書の状態",)),
        Column("statement_on", "意見書の可決日", aliases=("意見書可決日",)),
    )
)
COLUMNS = LAYOUT.labels
HEADERS = list(COLUMNS.values())
TEMPLATE_HEADERS = [label for key, label in COLUMNS.items() if key != "id"]
FIELD_TO_COLUMN = {
    "assembly": "municipality",
    "sitting": "sitting",
    "kind": "kind",
    "title": "title",
    "submitted_by": "submitted_by",
    "submitted_on": "submitted_on",
    "committee": "committee",
    "committee_on": "committee_on",
    "statement_made": "statement_made",
    "committee_outcome": "committee_outcome",
    "plenary_on": "plenary_on",
    "plenary_outcome": "plenary_outcome",
    "introducing_members": "kind",
    "__all__": "title",
}
STATEMENT_FIELD_TO_COLUMN = {"adopted_on": "statement_on", "status": "statement", "__all__": "statement"}

KIND_WORDS = {"": "chinjo", **{str(label): value for value, label in AssemblyPetition.Kind.choices}}
KIND_WORDS.update({"議員提案": "members", "発議": "members"})
OUTCOME_WORDS = {"": Outcome.PENDING, **{str(label): value for value, label in Outcome.choices}}
OUTCOME_WORDS.update(
    {"可決": Outcome.ADOPTED, "否決": Outcome.REJECTED, "審議中": Outcome.PENDING, "継続": Outcome.CONTINUED}
)
STATEMENT_WORDS = {"": None, **{str(label): value for value, label in OpinionStatement.Status.choices}}
STATEMENT_WORDS.update(
    {"可決": "adopted", "送付": "adopted", "あり": "adopted", "有": "adopted", "なし": None, "無": None}
)
PREFECTURAL_WORDS = {"県議会", "都議会", "道議会", "府議会", "都道府県議会"}
SITTING_RE = re.compile(r"^(?:(?P<year>\d{4})年)?(?P<month>3|6|9|12|03|06|09)月(?:議会|定例会)?$|^臨時会$")


class AssemblyRow(ImportRow):
    __slots__ = ("assembly", "petition", "sitting", "statement")

    def __init__(self, number, cells):
        super().__init__(number=number, cells=cells)
        self.assembly = self.sitting = self.petition = self.statement = None


def _key(text):
    return re.sub(r"\s+", "", normalize(intake.read_text(text))).replace("社会保障推進協議会", "社保協")


def _word(value, words, what):
    text = _key(value)
    if text not in words:
        raise ValueError(
            f"「{intake.read_text(value)}」は{what}として読めません（{'・'.join(k for k in words if k)}）。"
        )
    return words[text]


def _sitting_words(value, dates):
    """(season, year) from 2019年12月議会 / 12月議会 (the year from the row's dates) / 臨時会."""
    text = _key(value)
    match = SITTING_RE.match(text)
    if not match:
        raise ValueError(f"「{intake.read_text(value)}」は会期として読めません（例: 2019年12月議会、12月議会）。")
    if text == "臨時会":
        raise ValueError("臨時会は取込では扱えません。管理画面で会期を登録してください。")
    season = f"{int(match['month']):02d}"
    if match["year"]:
        return season, int(match["year"])
    known = [d for d in dates if d]
    if not known:
        raise ValueError("会期に年がありません。「2019年12月議会」のように年を書くか、審査日・議決日を入れてください。")
    return season, sitting_year_of(known[0], season)


class _Lookups:
    """Everything the rows may name, within the user's scope, in a constant number of queries."""

    def __init__(self, *, user, campaign):
        everything = system_user(user)
        councils = scope_for(user) if not everything else None
        municipalities = Municipality.objects.select_related("prefecture").exclude(kind=Municipality.Kind.WARD)
        prefectures = Prefecture.objects.all()
        if not everything:
            municipalities = municipalities.filter(municipalities_in_scope(councils))
            prefectures = prefectures.filter(prefectural_assemblies_in_scope(councils))
        self.by_code, self.by_name = {}, {}
        for m in municipalities:
            self.by_code[m.code] = m
            self.by_code[m.code[:5]] = m  # the code without its check digit
            self.by_name.setdefault(_key(m.name), []).append(m)
        self.prefectures = {}
        for p in Prefecture.objects.all():
            self.prefectures[_key(p.name)] = p
            self.prefectures[p.code] = p
        self.prefectural = {p.pk for p in prefectures}
        # Only the rows of assemblies the user works on: a national file reads them all, a prefecture's its own.
        assemblies = Assembly.objects.select_related("municipality", "prefecture")
        sittings = Sitting.objects.exclude(season=Season.EXTRAORDINARY)
        petitions = AssemblyPetition.objects.filter(campaign=campaign).prefetch_related("opinion_statements")
        if not everything:
            assemblies, sittings, petitions = (restrict(q, user) for q in (assemblies, sittings, petitions))
        self.assemblies = {}
        for a in assemblies:
            self.assemblies[("m", a.municipality_id) if a.municipality_id else ("p", a.prefecture_id)] = a
        self.sittings = {(s.assembly_id, s.season, s.year): s for s in sittings}
        self.councils = Matcher(_all_councils() if system_user(user) else scope_for(user), what="社保協")
        self.petitions = {(p.assembly_id, p.sitting_id): p for p in petitions}
        self.by_pk = {p.pk: p for p in self.petitions.values()}

    def municipality(self, value, prefecture):
        text = _key(value)
        if text.isdigit():
            found = self.by_code.get(text.zfill(6) if len(text) == 6 else text)
            if found is None:
                raise ValueError(f"コード「{text}」の市区町村は見つかりません（または権限の範囲の外です）。")
            return found
        candidates = self.by_name.get(text.removesuffix("議会"), [])
        if prefecture is not None:
            candidates = [m for m in candidates if m.prefecture_id == prefecture.pk]
        if len(candidates) > 1:
            names = "、".join(f"{m.prefecture.name}{m.name}（{m.code}）" for m in candidates[:5])
            raise ValueError(
                f"「{intake.read_text(value)}」に当てはまる市区町村が複数あります: {names}。都道府県を入れてください。"
            )
        if not candidates:
            raise ValueError(
                f"「{intake.read_text(value)}」という市区町村は見つかりません（または権限の範囲の外です）。"
            )
        return candidates[0]


def _all_councils():
    from django.apps import apps

    return apps.get_model("councils", "Council").objects.all()


def _read(cells, key, reader, own):
    value = cells.get(key)
    if value is None:
        return None
    try:
        return reader(value)
    except ValueError as exc:
        own[key] = str(exc)
        return None


PETITION_FIELDS = (
    "kind", "title", "submitted_by_id", "submitted_on", "committee", "committee_on", "statement_made",
    "committee_outcome", "plenary_on", "plenary_outcome",
)  # fmt: skip


def _check_row(source, *, lookups, campaign, user, seen):
    cells = source.cells
    row = AssemblyRow(source.number, cells)
    own = {}
    identified = None
    try:
        number = read_number(source)
    except ValueError as exc:
        own["id"] = str(exc)
        number = None
    if number is not None:
        # Only the campaign's petitions within the scope: any other 番号 reads like one that does not exist.
        identified = lookups.by_pk.get(number)
        if identified is None:
            own["id"] = unknown_number(number, "陳情・請願")
    prefecture = None
    if cells.get("prefecture") is not None:
        prefecture = lookups.prefectures.get(_key(cells["prefecture"]).removesuffix("議会"))
        if prefecture is None:
            own["prefecture"] = f"「{intake.read_text(cells['prefecture'])}」という都道府県はありません。"
    municipality = None
    text = _key(cells.get("municipality"))
    if not text:
        own["municipality"] = "市区町村を入力してください。"
    elif text in PREFECTURAL_WORDS or (prefecture is not None and text == _key(prefecture.name) + "議会"):
        if prefecture is None:
            own.setdefault("prefecture", "都道府県議会の行には都道府県を入れてください。")
        elif prefecture.pk not in lookups.prefectural:
            own["municipality"] = f"{prefecture.name}議会は見つかりません（または権限の範囲の外です）。"
    else:
        try:
            municipality = lookups.municipality(cells["municipality"], prefecture)
        except ValueError as exc:
            own["municipality"] = str(exc)
    kind = _read(cells, "kind", lambda v: _word(v, KIND_WORDS, "種別"), own) or "chinjo"
    title = intake.read_text(cells.get("title"))
    if not title:
        own["title"] = "件名を入力してください。"
    submitted_by = None
    if cells.get("submitted_by") is not None:
        current = identified.submitted_by_id if identified is not None else None
        submitted_by, message = lookups.councils.match(cells["submitted_by"], prefer=[lambda c: c.pk == current])
        if message:
            own["submitted_by"] = message
    dates = {
        k: _read(cells, k, intake.read_date, own)
        for k in ("submitted_on", "committee_on", "plenary_on", "statement_on")
    }
    statement_made = (
        _read(cells, "statement_made", lambda v: parse_yes_no(intake.read_text(v), blank=False), own) or False
    )
    committee_outcome = _read(cells, "committee_outcome", lambda v: _word(v, OUTCOME_WORDS, "委員会の結果"), own)
    plenary_outcome = _read(cells, "plenary_outcome", lambda v: _word(v, OUTCOME_WORDS, "本会議の結果"), own)
    status = _read(cells, "statement", lambda v: _word(v, STATEMENT_WORDS, "意見書"), own)
    season = year = None
    if cells.get("sitting") is None:
        own["sitting"] = "会期を入力してください（例: 2019年12月議会）。"
    else:
        try:
            season, year = _sitting_words(
                cells["sitting"], [dates["committee_on"], dates["plenary_on"], dates["submitted_on"]]
            )
        except ValueError as exc:
            own["sitting"] = str(exc)
    if not own:
        if municipality is not None:
            assembly = lookups.assemblies.get(("m", municipality.pk)) or Assembly(
                municipality=municipality, prefecture_id=municipality.prefecture_id
            )
        else:
            assembly = lookups.assemblies.get(("p", prefecture.pk)) or Assembly(prefecture=prefecture)
        row.assembly = assembly
        sitting = lookups.sittings.get((assembly.pk, season, year)) if assembly.pk else None
        if sitting is None:
            days = [d for d in (dates["committee_on"], dates["plenary_on"]) if d]
            starts_on = min(days) if days else datetime.date(year, int(season), 1)
            sitting = Sitting(
                assembly=assembly, season=season, year=year, starts_on=starts_on, ends_on=max(days) if days else None
            )
        row.sitting = sitting
        key = (assembly.pk, sitting.pk)
        if (assembly.municipality_id, assembly.prefecture_id, season, year) in seen:
            own["municipality"] = (
                f"{seen[(assembly.municipality_id, assembly.prefecture_id, season, year)]}行目と同じ議会・会期です。"
            )
        seen.setdefault((assembly.municipality_id, assembly.prefecture_id, season, year), source.number)
        existing = lookups.petitions.get(key) if assembly.pk and sitting.pk else None
        if identified is not None and existing != identified:
            own["municipality"] = (
                f"番号{identified.pk}は{identified.assembly}・{identified.sitting}の陳情・請願です"
                "（議会・会期は変えられません。別の議会・会期の行は番号を空欄にしてください）。"
            )
        petition = existing or AssemblyPetition(assembly=assembly, sitting=sitting, campaign=campaign)
        if existing is None:
            petition.assembly, petition.sitting = assembly, sitting
        values = {
            "kind": kind, "title": title, "submitted_by_id": submitted_by.pk if submitted_by else None,
            "submitted_on": dates["submitted_on"], "committee": intake.read_text(cells.get("committee")),
            "committee_on": dates["committee_on"], "statement_made": statement_made,
            "committee_outcome": committee_outcome or Outcome.PENDING, "committee_on_": None,
            "plenary_on": dates["plenary_on"], "plenary_outcome": plenary_outcome or Outcome.PENDING,
        }  # fmt: skip
        values.pop("committee_on_")
        new = existing is None
        changed = new or any(getattr(existing, k) != v for k, v in values.items())
        for k, v in values.items():
            setattr(petition, k, v)
        if kind == "members" and not petition.introducing_members and submitted_by is None:
            petition.introducing_members = "（取込）"
        row.petition = petition
        try:
            exclude = [name for name, obj in (("assembly", assembly), ("sitting", sitting)) if obj.pk is None]
            services.petition_check(user=user, petition=petition, exclude=exclude)
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                own.setdefault(FIELD_TO_COLUMN.get(name, "title"), " ".join(messages))
        statement = next(iter(existing.opinion_statements.all()), None) if existing else None
        # A blank 意見書 cell leaves a recorded statement as it is (a file need not carry it).
        if status is not None:
            statement_status = status
            if statement is None:
                statement = OpinionStatement(assembly=assembly, campaign=campaign, title=f"{title}（意見書）")
            else:
                changed = (
                    changed or statement.status != statement_status or statement.adopted_on != dates["statement_on"]
                )
            statement.status, statement.adopted_on = statement_status, dates["statement_on"]
            if statement.status == OpinionStatement.Status.ADOPTED and not statement.adopted_on:
                own.setdefault("statement_on", "可決した意見書には可決日を入力してください。")
            elif statement.adopted_on and petition.submitted_on and statement.adopted_on < petition.submitted_on:
                own.setdefault("statement_on", "意見書の可決日が提出日より前です。")
            row.statement = statement
        row.status = NEW if new else CHANGED if changed else UNCHANGED
    if own:
        row.errors = [RowError(source.number, COLUMNS[k], own[k]) for k in COLUMNS if k in own]
    return row


class AssemblyImporter(Importer):
    key = IMPORTER
    title = "議会への陳情・請願をExcel・CSVから取り込む"
    what = "議会への陳情・請願"
    target_label = "運動"
    has_template = False
    has_export = True
    layout_keys = tuple(COLUMNS)
    intro = (
        "運動ごとの議会への陳情・請願の一覧（1行に1つの議会と会期）を取り込みます。"
        "「書き出す」で作ったファイルをそのまま使えます（直したところだけが変わります）。"
    )
    help = tuple((label, "") for label in HEADERS)

    def target_choices(self, user):
        return campaign_choices(user)

    def target_get(self, user, value):
        try:
            return visible_campaign(value or "", user=user)
        except ValidationError:
            return None

    def target_value(self, target):
        return target.slug

    def may_import(self, user):
        return is_staff_user(user)

    def layout(self, target):
        return LAYOUT

    def check(self, *, parsed, user, target, deadline=None):
        """Every row checked for `user` into the campaign `target` (see the module); nothing is written."""
        preview = ImportPreview(headers=list(HEADERS))
        lookups = _Lookups(user=user, campaign=target)
        seen = {}
        for source in parsed:
            if deadline is not None:
                deadline.check()
            preview.rows.append(_check_row(source, lookups=lookups, campaign=target, user=user, seen=seen))
        return preview

    def write(self, *, preview, user, target, options):
        created = changed = 0
        for row in preview.rows:
            if row.status == UNCHANGED:
                continue
            assembly = row.assembly
            if assembly.pk is None:
                assembly = services.assembly_of(municipality=assembly.municipality, prefecture=assembly.prefecture)
            sitting = row.sitting
            if sitting.pk is None:
                sitting = services.sitting_for(
                    assembly=assembly, season=sitting.season, year=sitting.year,
                    starts_on=sitting.starts_on, ends_on=sitting.ends_on, name="",
                )  # fmt: skip
            petition = row.petition
            petition.assembly, petition.sitting = assembly, sitting
            try:
                services.petition_save(user=user, petition=petition)
                if row.statement is not None:
                    row.statement.assembly, row.statement.petition = assembly, petition
                    services.opinion_statement_save(user=user, statement=row.statement)
            except ValidationError as exc:
                raise ImportRefused([f"{row.number}行目: {m}" for m in exc.messages]) from exc
            if row.status == NEW:
                created += 1
            else:
                changed += 1
        unchanged = preview.counts()[UNCHANGED]
        return f"{target}: 新規 {created}件・変更 {changed}件を取り込みました（変更なし {unchanged}件）。"

    def export(self, *, user, target, file_format):
        return assembly_export(campaign=target, user=user, file_format=file_format)


ASSEMBLIES = AssemblyImporter()


# --- export: the same layout ------------------------------------------------------------


def _sitting_label(sitting):
    return f"{sitting.year}年{sitting.get_season_display()}"


def export_rows(*, campaign, user):
    """The campaign's petitions within `user`'s scope as rows of HEADERS (the import's layout)."""
    petitions = (
        restrict(AssemblyPetition.objects.filter(campaign=campaign), user)
        .select_related("assembly__municipality", "assembly__prefecture", "sitting", "submitted_by")
        .prefetch_related("opinion_statements")
        .order_by(
            "assembly__prefecture__code", "assembly__municipality__code", "sitting__year", "sitting__season", "pk"
        )
    )
    yield HEADERS
    for p in petitions:
        statement = next(iter(p.opinion_statements.all()), None)
        municipality = p.assembly.municipality
        yield [
            p.pk,
            p.assembly.prefecture.name,
            municipality.name if municipality else f"{p.assembly.prefecture.name}議会",
            p.get_kind_display(),
            p.title,
            p.submitted_by.name if p.submitted_by_id else "",
            p.submitted_on or "",
            _sitting_label(p.sitting),
            p.committee,
            p.committee_on or "",
            "有" if p.statement_made else "",
            p.get_committee_outcome_display() if p.committee_outcome != Outcome.PENDING else "",
            p.plenary_on or "",
            p.get_plenary_outcome_display() if p.plenary_outcome != Outcome.PENDING else "",
            statement.get_status_display() if statement else "",
            statement.adopted_on or "" if statement else "",
        ]


def assembly_export(*, campaign, user, file_format="xlsx"):
    """(bytes, content type, extension) of the campaign's list in the import's layout, formulas neutralised."""
    rows = [[_cell(v) for v in row] for row in export_rows(campaign=campaign, user=user)]
    if file_format == "csv":
        return exports.csv_bytes(rows), content_type_of("csv"), "csv"
    content = exports.xlsx_bytes([("議会", rows, {"B": 14, "D": 40})])
    return content, content_type_of("xlsx"), "xlsx"


def _cell(value):
    return value.isoformat() if isinstance(value, datetime.date) else value
