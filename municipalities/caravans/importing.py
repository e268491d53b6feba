"""The questionnaire's spreadsheet: municipality rows × question columns, out (xlsx) and back in (the one intake).

The export is the import format: sheet 「回答」 has 団体コード, 市区町村名 and one column per question
(headed 「2-3 国保料（円）」), sheet 「回答の型」 explains each question's type. Reading goes through
`shaho.core.intake` (xlsx or CSV, header anywhere in the first rows, limits, outcome file). Each cell
is parsed by `services.parse_answer`; an unknown municipality code, a municipality of another
prefecture, a column that is no question of this questionnaire, or a value of the wrong type is an
error naming the row and the column, and then nothing is written. A cell equal to the stored answer
is not written again, so a round trip of the exported file changes nothing. The upload, preview,
commit and outcome file are the one flow's (`AnswerImporter`, on the questionnaire's admin).
"""

from django.db.models import Q
from django.urls import reverse

from municipalities.caravans.models import Answer, AnswerKind, Questionnaire
from municipalities.registry.models import Municipality
from shaho.core import exports, intake
from shaho.core.downloads import XLSX
from shaho.core.imports import CHANGED, NEW, UNCHANGED, Importer, ImportPreview, ImportRow, unknown_header_errors
from shaho.core.intake import Column
from shaho.core.japanese import normalize_municipality_code
from shaho.core.roles import is_staff_user
from shaho.core.scoping import restrict

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


# --- reading back: the one import flow ---------------------------------------------------------


class AnswerRow(ImportRow):
    __slots__ = ("changes", "municipality")

    def __init__(self, number, cells):
        super().__init__(number=number, cells=cells)
        self.municipality, self.changes = None, {}  # (question, municipality) → fields, or None to clear


def _same(answer, fields):
    return (
        answer.number == fields["number"]
        and answer.text == fields["text"]
        and answer.date == fields["date"]
        and list(answer.choices) == list(fields["choices"])
    )


def _code(value):
    text = intake.read_text(value)
    if not text:
        return ""
    try:
        return normalize_municipality_code(text)
    except ValueError:
        return text


class AnswerImporter(Importer):
    """A questionnaire's answer sheet: one row per municipality (its identity: the 団体コード), one column per question.

    A cell equal to the stored answer is not written again, so the exported sheet imports as
    no change; a column that is no question of the questionnaire is an error (the intake reports the
    file's other headers), as is a municipality of another prefecture or a value of the wrong type.
    """

    key = IMPORTER
    title = "アンケートの回答を Excel・CSV から取り込む"
    what = "回答"
    target_label = "アンケート"
    has_template = False
    has_export = True
    intro = (
        "アンケートの回答（市区町村 × 設問の表。アンケートの「Excel（xlsx）でダウンロード」の形式）を取り込みます。"
        "空欄のセルは回答を空にします。記録と同じセルは書き直しません。"
    )
    help = (
        (CODE + "（必須）", "地方公共団体コード（6桁、または検査数字なしの5桁）"),
        (NAME, "確認用（読み飛ばします）"),
        ("設問の列", "見出しは「2-3 国保料（円）」のように設問番号と設問。ほかの見出しはエラーになります"),
    )

    def target_choices(self, user):
        questionnaires = restrict(Questionnaire.objects.filter(prefecture__isnull=False), user)
        return [(q.pk, str(q)) for q in questionnaires.order_by("-fiscal_year", "title")]

    def target_get(self, user, value):
        try:
            pk = int(value)
        except (TypeError, ValueError):
            return None
        return restrict(Questionnaire.objects.select_related("prefecture", "council"), user).filter(pk=pk).first()

    def may_import(self, user):
        return is_staff_user(user)

    def layout(self, target):
        return layout_for(_questions(target))

    def check(self, *, parsed, user, target, deadline=None):
        questionnaire = target
        questions = _questions(questionnaire)
        headers = {f"q{q.pk}": q for q in questions}
        present = [key for key in parsed.columns if key in headers]
        preview = ImportPreview(headers=[CODE, NAME, *(headers[k].header for k in present)])
        preview.general_errors = unknown_header_errors(parsed, what="アンケートの設問")
        codes = [_code(r.cells.get("code")) for r in parsed.rows]
        by_code = {
            m.code: m
            for m in Municipality.objects.filter(code__in=[c for c in codes if c]).select_related("prefecture")
        }
        existing = {
            (a.question_id, a.municipality_id): a for a in Answer.objects.filter(question__questionnaire=questionnaire)
        }
        answered = {municipality for _question, municipality in existing}
        seen = {}
        for source in parsed.rows:
            if deadline is not None:
                deadline.check()
            row = AnswerRow(source.number, source.cells)
            preview.rows.append(row)
            raw_code = source.cells.get("code")
            code = _code(raw_code)
            municipality = by_code.get(code) if code else None
            if municipality is None:
                written = intake.read_text(raw_code)
                row.error(
                    CODE,
                    f"団体コード「{written}」の市区町村はありません。" if written else "団体コードを入力してください。",
                )
                continue
            if questionnaire.prefecture_id and municipality.prefecture_id != questionnaire.prefecture_id:
                row.error(CODE, f"{municipality.name}は{questionnaire.prefecture.name}の市区町村ではありません。")
                continue
            if municipality.pk in seen:
                row.error(CODE, f"{municipality.name}は{seen[municipality.pk]}行目にもあります。")
                continue
            seen[municipality.pk] = source.number
            row.municipality = municipality
            for key in present:
                question = headers[key]
                try:
                    fields = services.parse_answer(question, source.cells.get(key))
                except ValueError as exc:
                    row.error(parsed.columns[key], f"{municipality.name}: {exc}")
                    continue
                old = existing.get((question.pk, municipality.pk))
                if fields is None:
                    if old is not None:
                        row.changes[(question, municipality)] = None
                    continue
                if old is not None and _same(old, fields):
                    continue
                row.changes[(question, municipality)] = fields
            if not row.changes:
                row.status = UNCHANGED
            elif municipality.pk in answered:
                row.status = CHANGED
            else:
                row.status = NEW
        return preview

    def write(self, *, preview, user, target, options):
        values = {}
        for row in preview.rows:
            values.update(row.changes)
        services.answers_write(user=user, questionnaire=target, values=values, source=Answer.Source.XLSX)
        new = sum(1 for v in values.values() if v is not None)
        cleared = len(values) - new
        counts = preview.counts()
        return (
            f"回答を取り込みました: {len(preview.rows):,}行（新規 {counts[NEW]:,}・変更 {counts[CHANGED]:,}"
            f"・変更なし {counts[UNCHANGED]:,}）、書いた回答 {new:,}件・空欄にした回答 {cleared:,}件。"
        )

    def outcome_values(self, row):
        municipality = getattr(row, "municipality", None)
        return [
            row.display("code"),
            str(municipality) if municipality is not None else row.display("name"),
            *(row.display(key) for key in row.cells if key.startswith("q")),
        ]

    def done_url(self, target):
        return reverse("caravans:questionnaire", args=[target.pk])

    def export(self, *, user, target, file_format):
        file = questionnaire_xlsx(questionnaire=target)
        return file, XLSX, "xlsx"


ANSWERS = AnswerImporter()
