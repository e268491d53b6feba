"""Write side of the municipalities app: loading and updating the registry of Japan.

`registry_load` brings the database up to the data shipped in `municipalities/registry/data/`
(see SOURCES.md there); `registry_import_government_xlsx` applies 総務省's own code list
when municipalities merge or wards are reorganised after that.
"""

import csv
import datetime
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from shaho.core import intake
from shaho.core.japanese import normalize, normalize_municipality_code, to_katakana

from .models import Block, Municipality, MunicipalityChange, Prefecture

DATA_DIR = Path(__file__).resolve().parent / "data"

# The history's change reason marks the rows the loader wrote last: it never overwrites
# a row someone changed after it (an admin edit, a government file import).
LOAD_REASON = "参照データの読込（load_municipalities）"
IMPORT_REASON = "総務省コード表の取込（{date}）"

KIND_BY_LABEL = {label: value for value, label in Municipality.Kind.choices}
Kind = Municipality.Kind


@dataclass
class LoadResult:
    """Rows created, updated, unchanged, and kept as someone else last changed them."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0
    changes_recorded: int = 0


@dataclass
class ImportResult:
    """Codes created, updated (name, reading, kind) and abolished by a government file."""

    created: list = field(default_factory=list)
    updated: list = field(default_factory=list)
    abolished: list = field(default_factory=list)
    unchanged: int = 0
    change: MunicipalityChange | None = None


# --- loading the shipped data ----------------------------------------------------------


def _read_csv(path):
    with path.open(encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def _data_error(path, where, message):
    return ValueError(f"{path.name} {where}: {message}")


def _municipality_values(path, where, row, prefecture_ids):
    """Field values of one shipped row, checked as strictly as Municipality.clean would."""
    try:
        code = normalize_municipality_code(row["code"])
    except ValueError as exc:
        raise _data_error(path, where, str(exc)) from exc
    if code != row["code"]:
        raise _data_error(path, where, f"コード「{row['code']}」は検査数字付きの6桁で書いてください。")
    if code[:2] != row["prefecture_code"] or code[:2] not in prefecture_ids:
        raise _data_error(path, where, f"コード{code}と都道府県コード「{row['prefecture_code']}」が合いません。")
    kind = KIND_BY_LABEL.get(row["kind"])
    if kind is None:
        raise _data_error(path, where, f"種別「{row['kind']}」は使えません。")
    if (kind == Kind.WARD) != bool(row["parent_code"]):
        raise _data_error(path, where, "所属する市は行政区にだけ、必ず指定してください。")
    return code, {
        "prefecture_id": prefecture_ids[code[:2]],
        "name": row["name"],
        "kana": row["kana"],
        "kind": kind,
        "county": row["county"],
        "parent_code": row["parent_code"],
    }


def _with_last_reason(model):
    """All rows of a registry model, each with the change reason of its latest history record."""
    history = model.history.model.objects.filter(id=OuterRef("pk")).order_by("-history_date", "-history_id")
    return model.objects.annotate(last_change_reason=Subquery(history.values("history_change_reason")[:1]))


def _upsert(model, *, key, wanted, result, fill_if_empty=()):
    """Create missing rows and update the loader's own rows to `wanted` ({key: {field: value}}).

    Fields in `fill_if_empty` are set on creation, and on existing rows only while empty.
    Rows whose latest history is not the loader's are left as they are (counted as kept).
    Returns {key: instance} for every row, wanted or not.
    """
    existing = {getattr(obj, key): obj for obj in _with_last_reason(model)}
    to_create, to_update, changed_fields = [], [], set()
    for value, fields in wanted.items():
        obj = existing.get(value)
        if obj is None:
            to_create.append(model(**{key: value}, **fields))
            continue
        diff = {
            f for f, v in fields.items() if getattr(obj, f) != v and (f not in fill_if_empty or getattr(obj, f) is None)
        }
        if not diff:
            result.unchanged += 1
        elif obj.last_change_reason != LOAD_REASON:
            result.kept += 1
        else:
            for f in diff:
                setattr(obj, f, fields[f])
            to_update.append(obj)
            changed_fields |= diff
    if to_create:
        bulk_create_with_history(to_create, model, batch_size=500, default_change_reason=LOAD_REASON)
        result.created += len(to_create)
    if to_update:
        bulk_update_with_history(
            to_update, model, sorted(changed_fields), batch_size=500, default_change_reason=LOAD_REASON
        )
        result.updated += len(to_update)
    return {**existing, **{getattr(obj, key): obj for obj in to_create}}


def registry_load(*, source_dir=None):
    """Load blocks, prefectures, municipalities and 行政区, then the recorded later changes.

    Idempotent: a second run writes nothing (no row, no history record). Rows changed after
    the loader last wrote them (in the admin, or by a government file import) are kept.
    History records are written for every row created or updated (reason LOAD_REASON).
    Raises ValueError naming the file and line when the data breaks the registry's rules.
    """
    source = Path(source_dir) if source_dir else DATA_DIR
    result = LoadResult()
    with transaction.atomic():
        blocks_path = source / "blocks.csv"
        block_rows = _read_csv(blocks_path)
        wanted = {r["name"]: {"order": int(r["order"])} for r in block_rows}
        blocks = _upsert(Block, key="name", wanted=wanted, result=result)
        block_of = {code: blocks[r["name"]].pk for r in block_rows for code in r["prefecture_codes"].split()}

        prefectures_path = source / "prefectures.csv"
        wanted = {}
        for line, row in enumerate(_read_csv(prefectures_path), start=2):
            if row["code"] not in block_of:
                message = f"都道府県コード「{row['code']}」がどのブロックにもありません。"
                raise _data_error(prefectures_path, f"{line}行目", message)
            wanted[row["code"]] = {"name": row["name"], "kana": row["kana"], "block_id": block_of[row["code"]]}
        prefectures = _upsert(Prefecture, key="code", wanted=wanted, result=result)
        prefecture_ids = {code: p.pk for code, p in prefectures.items()}

        # Base rows, then rows created by the recorded changes, with their validity.
        municipalities_path = source / "municipalities.csv"
        changes_path = source / "changes.json"
        rows = {}
        for line, row in enumerate(_read_csv(municipalities_path), start=2):
            code, values = _municipality_values(municipalities_path, f"{line}行目", row, prefecture_ids)
            rows[code] = {**values, "valid_from": None, "valid_until": None}
        changes = json.loads(changes_path.read_text(encoding="utf-8"))
        for number, change in enumerate(changes, start=1):
            change["effective_on"] = datetime.date.fromisoformat(change["effective_on"])
            for new in change["created"]:
                code, values = _municipality_values(changes_path, f"{number}件目", new, prefecture_ids)
                rows[code] = {**values, "valid_from": change["effective_on"], "valid_until": None}
            for code in change["abolished"]:
                if code not in rows:
                    raise _data_error(changes_path, f"{number}件目", f"廃止するコード「{code}」がありません。")
                rows[code]["valid_until"] = change["effective_on"]

        # Cities before their wards, which point to them.
        validity = ("valid_from", "valid_until")
        cities = {code: values for code, values in rows.items() if not values["parent_code"]}
        wards = {code: values for code, values in rows.items() if values["parent_code"]}
        for values in cities.values():
            del values["parent_code"]
        municipalities = _upsert(Municipality, key="code", wanted=cities, result=result, fill_if_empty=validity)
        for code, values in wards.items():
            parent = municipalities.get(values.pop("parent_code"))
            if parent is None or parent.kind != Kind.DESIGNATED_CITY:
                raise ValueError(f"{municipalities_path.name}: 行政区{code}の所属する政令指定都市がありません。")
            values["parent_id"] = parent.pk
        municipalities |= _upsert(Municipality, key="code", wanted=wards, result=result, fill_if_empty=validity)

        for change in changes:
            record, created = MunicipalityChange.objects.get_or_create(
                effective_on=change["effective_on"],
                description=change["description"],
                defaults={"kind": change["kind"], "source": change["source"]},
            )
            result.changes_recorded += created
            record.abolished.add(*(municipalities[code] for code in change["abolished"]))
            record.created.add(*(municipalities[new["code"]] for new in change["created"]))
    return result


# --- importing 総務省's code list (xlsx) -----------------------------------------------

# Columns found by words in their header text (read by shaho.core.intake: NFKC, no spaces or line
# breaks), so the order may change; the main sheet and the 政令指定都市 sheet both have them.
LAYOUT = intake.Layout(
    columns=(
        intake.Column("code", "団体コード", words=("団体コード",), required=True),
        intake.Column("prefecture", "都道府県名（漢字）", words=("都道府県名", "漢字"), required=True),
        intake.Column("name", "市区町村名（漢字）", words=("市区町村名", "漢字"), required=True),
        intake.Column("prefecture_kana", "都道府県名（カナ）", words=("都道府県名", "カナ")),
        intake.Column("kana", "市区町村名（カナ）", words=("市区町村名", "カナ")),
    ),
    header_search_rows=15,
    all_sheets=True,
    anchor="code",
)


class GovernmentFileError(ValueError):
    """A government code list that cannot be applied; `errors` lists each problem in Japanese."""

    def __init__(self, errors):
        self.errors = errors
        shown = errors[:20] + ([f"ほか{len(errors) - 20}件"] if len(errors) > 20 else [])
        super().__init__("総務省コード表を取り込めません（何も変更していません）。\n" + "\n".join(shown))


def _cell(cells, key):
    value = cells.get(key)
    if value is None:
        return ""
    if isinstance(value, int | float) and key == "code":
        return str(int(value)).zfill(6)  # a code typed as a number lost its leading zero
    return normalize(value)


def _read_government_sheets(path):
    """[(sheet title, [(row number, {key: header as written}, cells)])] for each sheet with a 団体コード header."""
    name = Path(path).name
    parsed = intake.read_path(path, layout=LAYOUT)  # OSError when the file cannot be opened
    if parsed.file_format != "xlsx":
        raise GovernmentFileError([f"{name} はExcel（xlsx）ファイルとして読めません。"])
    return [(sheet.title, [(row.number, sheet.columns, row.cells) for row in sheet.rows]) for sheet in parsed.sheets]


def _parse_government_file(path, prefectures, known_designated, existing_parents):
    """{code: entry} of every municipality (and 行政区, when a ward sheet is present) in the file.

    The 政令指定都市 are those of the ward sheet, or without one those already in the registry.
    """
    try:
        sheets = _read_government_sheets(path)
    except intake.IntakeError as exc:
        raise GovernmentFileError([f"{Path(path).name}: {exc}"]) from exc
    errors, entries = [], {}

    def parse(title, number, columns, row):
        def where(key):
            return f"シート「{title}」{number}行目「{columns[key]}」"

        raw_code = _cell(row, "code")
        name = _cell(row, "name")
        if not raw_code and not name:
            return None
        try:
            code = normalize_municipality_code(raw_code)
        except ValueError as exc:
            errors.append(f"{where('code')}: {exc}")
            return None
        prefecture = prefectures.get(code[:2])
        prefecture_name = _cell(row, "prefecture")
        if prefecture is None:
            errors.append(f"{where('code')}: コード{code}の都道府県コード「{code[:2]}」はありません。")
            return None
        if prefecture_name and prefecture_name != prefecture.name:
            errors.append(
                f"{where('prefecture')}: 「{prefecture_name}」は"
                f"コード{code}の都道府県（{prefecture.name}）と一致しません。"
            )
            return None
        if not name:
            if code[2:5] != "000":
                errors.append(f"{where('name')}: 市区町村名がありません。")
            return None  # the prefecture's own row
        if code in entries:
            errors.append(f"{where('code')}: コード{code}が二度出てきます（{entries[code]['where']}）。")
            return None
        entry = {
            "where": f"シート「{title}」{number}行目",
            "prefecture": prefecture,
            "name": name,
            "kana": to_katakana(_cell(row, "kana")),
            "parent_code": "",
        }
        for field_name, limit in (("name", 40), ("kana", 80)):
            if len(entry[field_name]) > limit:
                errors.append(f"{where(field_name)}: {limit}文字を超えています。")
                return None
        entries[code] = entry
        return code, entry

    main_title, main_rows = sheets[0]
    for number, columns, row in main_rows:
        parsed = parse(main_title, number, columns, row)
        if parsed:
            parsed[1]["name_column"] = f"シート「{main_title}」{number}行目「{columns['name']}」"

    ward_sheet = sheets[1] if len(sheets) > 1 else None
    designated_codes = set(known_designated)
    if ward_sheet:
        # The 政令指定都市 sheet: each city (often listed on both sheets) and its wards.
        title, rows = ward_sheet
        designated_codes, wards = set(), []
        for number, columns, row in rows:
            code, name = _cell(row, "code"), _cell(row, "name")
            where = f"シート「{title}」{number}行目「{columns['name']}」"
            try:
                listed = normalize_municipality_code(code) if name.endswith("市") else None
            except ValueError:
                listed = None  # reported by parse() below
            if listed in entries:
                designated_codes.add(listed)
                continue
            parsed = parse(title, number, columns, row)
            if parsed is None:
                continue
            code, entry = parsed
            entry["name_column"] = where
            if entry["name"].endswith("市"):
                designated_codes.add(code)
            elif entry["name"].endswith("区"):
                entry["kind"] = Kind.WARD
                wards.append((code, entry))
            else:
                errors.append(f"{where}: 「{entry['name']}」は市でも区でもありません。")
        cities = {(e["prefecture"].code, e["name"]): code for code, e in entries.items() if e["name"].endswith("市")}
        for code, entry in wards:
            parents = [
                city_code
                for (prefecture_code, city), city_code in cities.items()
                if prefecture_code == code[:2] and entry["name"].startswith(city)
            ]
            if not parents and code in existing_parents:
                parents = [existing_parents[code]]  # the city was renamed, its wards not (yet)
            if not parents:
                errors.append(f"{entry['name_column']}: 「{entry['name']}」の所属する政令指定都市がありません。")
                continue
            entry["parent_code"] = max(parents, key=lambda c: len(entries[c]["name"]) if c in entries else 0)
            designated_codes.add(entry["parent_code"])

    for code, entry in entries.items():
        name = entry["name"]
        if entry.get("kind") == Kind.WARD:
            continue
        if code.startswith("131") and name.endswith("区"):
            entry["kind"] = Kind.SPECIAL_WARD
        elif code in designated_codes and name.endswith("市"):
            entry["kind"] = Kind.DESIGNATED_CITY
        elif name[-1:] in ("市", "町", "村"):
            entry["kind"] = {"市": Kind.CITY, "町": Kind.TOWN, "村": Kind.VILLAGE}[name[-1]]
        else:
            errors.append(f"{entry['name_column']}: 「{name}」の種別（市・町・村・特別区）が分かりません。")
    if errors:
        raise GovernmentFileError(errors)
    return entries, ward_sheet is not None


_SMALL_TO_LARGE = str.maketrans("ァィゥェォッャュョヮヵヶ", "アイウエオツヤユヨワカケ")


def _loose_kana(kana):
    """A reading with small kana made large and dakuten dropped: 総務省's list writes ギヨウダシ for ギョウダシ."""
    decomposed = unicodedata.normalize("NFD", kana.translate(_SMALL_TO_LARGE))
    return "".join(c for c in decomposed if c not in "\u3099\u309a")


def _describe(label, rows, limit=10):
    # Kept short: the description is part of a unique index.
    names = "、".join(f"{row.name}（{row.code}）" for row in rows[:limit])
    return f"{label}：{names}" + (f" ほか{len(rows) - limit}団体" if len(rows) > limit else "")


def registry_import_government_xlsx(*, path, effective_on):
    """Apply 総務省「全国地方公共団体コード」(xlsx) as the registry on `effective_on`.

    New codes are created valid from `effective_on`; codes valid that day but absent from
    the file are abolished (valid_until = effective_on); changed names, readings and kinds
    are updated. 行政区 are compared only when the file has the 政令指定都市 sheet. The 郡 is
    not in the government file: new towns and villages get none, existing ones keep theirs.
    One MunicipalityChange records what happened. Importing the same file again changes nothing.
    Raises GovernmentFileError (a ValueError) naming sheet, row and column, and writes
    nothing, when any row is wrong (check digit, unknown prefecture, unreadable kind).
    """
    prefectures = {p.code: p for p in Prefecture.objects.all()}
    existing = {m.code: m for m in Municipality.objects.select_related("prefecture", "parent")}
    designated = {code for code, m in existing.items() if m.kind == Kind.DESIGNATED_CITY}
    parents = {code: m.parent.code for code, m in existing.items() if m.parent_id}
    entries, with_wards = _parse_government_file(path, prefectures, designated, parents)

    reason = IMPORT_REASON.format(date=effective_on.isoformat())
    errors, result = [], ImportResult()
    to_create, to_update, abolished = [], [], []
    for code, entry in entries.items():
        values = {k: entry[k] for k in ("prefecture", "name", "kana", "kind")}
        obj = existing.get(code)
        if obj is None:
            obj = Municipality(code=code, county="", valid_from=effective_on, **values)
            obj.parent_code = entry["parent_code"]  # resolved once the cities exist
            to_create.append(obj)
            continue
        if not (obj.valid_from is None or obj.valid_from <= effective_on) or (
            obj.valid_until is not None and obj.valid_until <= effective_on
        ):
            errors.append(
                f"{entry['where']}: コード{code}（{obj.name}）は{effective_on:%Y-%m-%d}には"
                "有効ではありません（有効期間を確認してください）。"
            )
            continue
        if not values["kana"] or _loose_kana(values["kana"]) == _loose_kana(obj.kana):
            values["kana"] = obj.kana  # no reading, or the same one spelt without small kana (ｷﾞﾖｳﾀﾞｼ)
        if entry["kind"] == Kind.WARD:
            values["parent"] = existing.get(entry["parent_code"])  # None if new: set below
        changed = [f for f, v in values.items() if getattr(obj, f) != v]
        if changed:
            for f in changed:
                setattr(obj, f, values[f])
            to_update.append(obj)
        else:
            result.unchanged += 1
    in_scope = {Kind.DESIGNATED_CITY, Kind.CITY, Kind.SPECIAL_WARD, Kind.TOWN, Kind.VILLAGE}
    if with_wards:
        in_scope.add(Kind.WARD)
    for code, obj in existing.items():
        if code in entries or obj.kind not in in_scope:
            continue
        if (obj.valid_from is None or obj.valid_from <= effective_on) and (
            obj.valid_until is None or obj.valid_until > effective_on
        ):
            if obj.valid_from == effective_on:
                errors.append(
                    f"コード{code}（{obj.name}）は{effective_on:%Y-%m-%d}に新設されたばかりで、同じ日に廃止できません。"
                )
                continue
            obj.valid_until = effective_on
            abolished.append(obj)
    if errors:
        raise GovernmentFileError(errors)

    with transaction.atomic():
        for batch in ([o for o in to_create if not o.parent_code], [o for o in to_create if o.parent_code]):
            for obj in batch:
                if obj.parent_code:
                    obj.parent = existing[obj.parent_code]
            if batch:
                bulk_create_with_history(batch, Municipality, batch_size=500, default_change_reason=reason)
                existing.update({obj.code: obj for obj in batch})
        for obj in to_update:
            if obj.kind == Kind.WARD and obj.parent_id is None:
                obj.parent = existing[entries[obj.code]["parent_code"]]
        updates = to_update + abolished
        if updates:
            bulk_update_with_history(
                updates,
                Municipality,
                ["prefecture", "name", "kana", "kind", "parent", "valid_until"],
                batch_size=500,
                default_change_reason=reason,
            )
        result.created = [o.code for o in to_create]
        result.updated = [o.code for o in to_update]
        result.abolished = [o.code for o in abolished]
        if to_create or to_update or abolished:
            result.change = _record_change(path, effective_on, to_create, to_update, abolished)
    return result


def _record_change(path, effective_on, created, updated, abolished):
    involved = created + abolished
    if involved and all(o.kind == Kind.WARD for o in involved):
        kind = MunicipalityChange.Kind.WARD_REORGANISATION
    elif involved:
        kind = MunicipalityChange.Kind.MERGER
    else:
        kind = MunicipalityChange.Kind.RENAME
    parts = [
        _describe(label, rows)
        for label, rows in (("廃止", abolished), ("新設", created), ("名称・種別の変更", updated))
        if rows
    ]
    change = MunicipalityChange(
        effective_on=effective_on,
        kind=kind,
        description="総務省コード表の取込　" + "／".join(parts),
        source=f"総務省「全国地方公共団体コード」{Path(path).name}"[:200],
    )
    try:
        change.full_clean()
    except ValidationError as exc:
        raise GovernmentFileError([f"異動の記録を作れません: {exc}"]) from exc
    change.save()
    change.abolished.add(*abolished)
    change.created.add(*created)
    return change
