"""The questionnaire's spreadsheet: municipality rows × question columns, out (xlsx) and back in (the one intake).

The export is the import format: sheet 「回答」 has 団体コード, 市区町村名 and one column per question
(headed 「2-3 国保料（円）」), sheet 「回答の型」 explains each question's type. Reading goes through
`shaho.core.intake` (xlsx or CSV, header anywhere in the first rows, limits, outcome file). Each cell
is parsed by `services.parse_answer`; an unknown municipality code, a municipality of another
prefecture, a column that is no question of this questionnaire, or a value of the wrong type is an
error naming the row and the column, and then nothing is written. A cell equal to the stored answer
is not written again, so a round trip of the exported file changes nothing.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q

from municipalities.caravans.models import Answer, AnswerKind
from municipalities.registry.models import Municipality
from shaho.core import exports, intake
from shaho.core.intake import Column, RowError
from shaho.core.japanese import decode_csv, normalize_municipality_code

from . import services

IMPORTER = "municipalities.answers"  # PendingUpload.importer
CODE, NAME = "団体コード", "市区町村名"

KIND_HELP = {
    AnswerKind.INTEGER: "整数（全角数字・カンマ可）",
    AnswerKind.MONEY: "金額（円）。52,000 や 5万2千 も可",
    AnswerKind.PERCENT: "0〜100 の数（% は付けても付けなくても可）",
    AnswerKind.YES_NO: "「はい」か「いいえ」（1・0、○・× も可）",
    AnswerKind.CHOICE: "選択肢の一つをそのまま",
    AnswerKind.CHOICES: "選択肢をいくつでも「、」で区切って",
    AnswerKind.AGE: "年齢（0〜22。18、18歳、中学校卒業 など）",
    AnswerKind.DATE: "日付（2024/4/1、令和6年4月1日 など）",
    AnswerKind.TEXT: "自由記述",
}


def _questions(questionnaire):
    return list(questionnaire.questions.select_related("section").order_by("section__number", "order", "pk"))


def layout_for(questions):
    columns = [
        Column("code", CODE, aliases=("コード", "地方公共団体コード", "自治体コード"), required=True),
        Column("name", NAME, aliases=("市区町村", "自治体名", "自治体")),
    ]
    columns += [Column(f"q{q.pk}", q.header, aliases=(intake.header_text(q.code),)) for q in questions]
    return intake.Layout(columns=tuple(columns))


def municipalities_for(questionnaire):
    """The rows of the sheet: the 市町村 of the prefecture in the year (wards too when they answered)."""
    listed = services.default_targets(prefecture=questionnaire.prefecture, fiscal_year=questionnaire.fiscal_year)
    answered = Answer.objects.filter(question__questionnaire=questionnaire).values("municipality")
    return Municipality.objects.filter(Q(pk__in=listed.values("pk")) | Q(pk__in=answered)).order_by("code")


def questionnaire_xlsx(*, questionnaire):
    """The questionnaire as xlsx: 「回答」 (municipalities × questions, with the answers so far) and 「回答の型」."""
    questions = _questions(questionnaire)
    answers = {
        (a.municipality_id, a.question_id): a
        for a in Answer.objects.filter(question__questionnaire=questionnaire).select_related("question")
    }
    rows = [[CODE, NAME, *(q.header for q in questions)]]
    for municipality in municipalities_for(questionnaire):
        rows.append(
            [
                municipality.code,
                str(municipality),
                *(services.answer_cell(answers.get((municipality.pk, q.pk))) for q in questions),
            ]
        )
    kinds = [["設問番号", "設問", "章", "回答の型", "入れ方", "単位", "選択肢", "空欄", "説明"]]
    for q in questions:
        kinds.append(
            [
                q.code, q.text, q.section.title, str(q.get_kind_display()), KIND_HELP[q.kind], q.unit,
                "、".join(q.choices), "不可" if q.required else "可", q.help_text,
            ]
        )  # fmt: skip
    widths = {"A": 10, "B": 16}
    return exports.xlsx_bytes([("回答", rows, widths), ("回答の型", kinds, {"A": 10, "B": 40, "E": 36})])


# --- reading back -------------------------------------------------------------------------------


@dataclass
class AnswerPreview:
    questionnaire: object
    file_name: str
    parsed: object = None
    errors: list = field(default_factory=list)  # [RowError]
    values: dict = field(default_factory=dict)  # (question, municipality) → fields or None: the changes
    rows: int = 0
    unchanged: int = 0
    new: int = 0
    changed: int = 0
    cleared: int = 0

    @property
    def ok(self):
        return not self.errors

    def summary(self):
        if self.errors:
            return f"{len(self.errors):,}件のエラーがあります。直すまで何も取り込みません。"
        return (
            f"{self.rows:,}行を確認しました: 新しい回答 {self.new:,}件、変更 {self.changed:,}件、"
            f"空欄にする回答 {self.cleared:,}件、変更なし {self.unchanged:,}件。"
        )


def _header_cells(data, parsed):
    """The header row as written in the file, to find columns that are no question of the questionnaire."""
    if parsed.file_format == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        try:
            sheet = book[parsed.sheets[0].title]
            for values in sheet.iter_rows(
                min_row=parsed.header_row, max_row=parsed.header_row, values_only=True, max_col=200
            ):
                return list(values)
        finally:
            book.close()
        return []
    text, _codec = decode_csv(data, parsed.encoding or None)
    head = text[:4096]
    delimiter = "\t" if head.count("\t") > head.count(",") else ","
    for number, values in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
        if number == parsed.header_row:
            return values
    return []


def _same(answer, fields):
    return (
        answer.number == fields["number"]
        and answer.text == fields["text"]
        and answer.date == fields["date"]
        and list(answer.choices) == list(fields["choices"])
    )


def answers_import_check(*, questionnaire, data, filename, encoding=None):
    """Read and check every cell of an answer sheet; an AnswerPreview (nothing is written)."""
    preview = AnswerPreview(questionnaire=questionnaire, file_name=filename)
    questions = _questions(questionnaire)
    try:
        parsed = intake.read_file(data=data, filename=filename, layout=layout_for(questions), encoding=encoding)
    except intake.IntakeError as exc:
        preview.errors.append(RowError(None, "ファイル", str(exc)))
        return preview
    preview.parsed = parsed
    known = {intake.header_text(h) for h in parsed.columns.values()}
    for index, header in enumerate(_header_cells(data, parsed), start=1):
        text = intake.header_text(header)
        if text and text not in known:
            preview.errors.append(
                RowError(
                    parsed.header_row,
                    str(header),
                    f"{index}列目の見出し「{header}」はこのアンケートの設問にありません"
                    "（設問番号と設問をひな形のとおりにしてください）。",
                )
            )
    by_code = {
        m.code: m
        for m in Municipality.objects.filter(
            code__in=[_code(r.cells.get("code")) for r in parsed.rows if _code(r.cells.get("code"))]
        ).select_related("prefecture")
    }
    existing = {
        (a.question_id, a.municipality_id): a for a in Answer.objects.filter(question__questionnaire=questionnaire)
    }
    headers = {f"q{q.pk}": q for q in questions}
    present = [key for key in parsed.columns if key in headers]
    seen = {}
    for row in parsed.rows:
        preview.rows += 1
        raw_code = row.cells.get("code")
        code = _code(raw_code)
        municipality = by_code.get(code) if code else None
        if municipality is None:
            preview.errors.append(
                RowError(row.number, CODE, f"団体コード「{intake.read_text(raw_code)}」の市区町村はありません。")
            )
            continue
        if questionnaire.prefecture_id and municipality.prefecture_id != questionnaire.prefecture_id:
            preview.errors.append(
                RowError(
                    row.number, CODE, f"{municipality.name}は{questionnaire.prefecture.name}の市区町村ではありません。"
                )
            )
            continue
        if municipality.pk in seen:
            preview.errors.append(
                RowError(row.number, CODE, f"{municipality.name}は{seen[municipality.pk]}行目にもあります。")
            )
            continue
        seen[municipality.pk] = row.number
        for key in present:
            question = headers[key]
            try:
                fields = services.parse_answer(question, row.cells.get(key))
            except ValueError as exc:
                preview.errors.append(RowError(row.number, parsed.columns[key], f"{municipality.name}: {exc}"))
                continue
            old = existing.get((question.pk, municipality.pk))
            if fields is None:
                if old is not None:
                    preview.values[(question, municipality)] = None
                    preview.cleared += 1
                continue
            if old is not None and _same(old, fields):
                preview.unchanged += 1
                continue
            preview.values[(question, municipality)] = fields
            if old is None:
                preview.new += 1
            else:
                preview.changed += 1
    return preview


def _code(value):
    text = intake.read_text(value)
    if not text:
        return ""
    try:
        return normalize_municipality_code(text)
    except ValueError:
        return text


def answers_import_commit(*, user, questionnaire, data, filename, encoding=None):
    """Check again and write every change, or nothing: ValidationError (with the row errors) when any cell is wrong."""
    preview = answers_import_check(questionnaire=questionnaire, data=data, filename=filename, encoding=encoding)
    if not preview.ok:
        raise ValidationError([str(e) for e in preview.errors[:50]])
    services.answers_write(user=user, questionnaire=questionnaire, values=preview.values, source=Answer.Source.XLSX)
    return preview


def answers_import_outcome(preview, *, file_format="csv"):
    table = intake.outcome_rows(
        headers=[],
        general_errors=[],
        rows=((e.row or "", False, [], [e]) for e in preview.errors),
    )
    return intake.outcome_file(list(table), file_format=file_format)
