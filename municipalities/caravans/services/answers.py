"""Answers to a questionnaire: reading what was typed or what a cell held, recording one answer or many.

`parse_answer` turns 全角, 1,200円, 18歳, 中学校卒業, はい, 2024/4/1 into the typed fields of an answer and
`answer_cell` writes an answer back as the questionnaire's xlsx holds it; `answer_record` and `answers_write`
record who entered them, when and from which source, within the questionnaire's council's scope.
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from municipalities.caravans.models import (
    MAX_AGE,
    Answer,
    AnswerKind,
)
from shaho.core.japanese import normalize, parse_count, parse_date, parse_yes_no
from shaho.core.scoping import require_in_scope

# School years as ages at the end of the school year (子ども医療費助成: 中学校卒業まで = 15歳年度末).
SCHOOL_AGES = {
    "未就学": 6,
    "就学前": 6,
    "小学校卒業": 12,
    "小学校卒": 12,
    "小学生": 12,
    "小6": 12,
    "中学校卒業": 15,
    "中学校卒": 15,
    "中学生": 15,
    "中3": 15,
    "高校卒業": 18,
    "高校卒": 18,
    "高校生": 18,
    "高3": 18,
    "18歳年度末": 18,
}


def _decimal(text, what):
    s = normalize(str(text)).replace(",", "").replace("，", "").strip()
    try:
        return Decimal(s)
    except InvalidOperation:
        raise ValueError(f"「{text}」は{what}として読めません。") from None


def parse_answer(question, raw):
    """The typed fields of `raw` as an answer to `question`: {number, text, date, choices}; None when blank.

    `raw` is what was typed or what a cell held (全角, 1,200円, 18歳, 中学校卒業, はい, 2024/4/1).
    Raises ValueError with a Japanese message when it is not of the question's type.
    """
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        if question.required:
            raise ValueError("この設問は空欄にできません。")
        return None
    fields = {"number": None, "text": "", "date": None, "choices": []}
    kind = question.kind
    text = normalize(str(raw)).strip() if not isinstance(raw, datetime.date) else ""
    if kind in (AnswerKind.INTEGER, AnswerKind.MONEY):
        if isinstance(raw, bool):
            raise ValueError(f"「{raw}」は整数ではありません。")
        if isinstance(raw, int | float):
            if isinstance(raw, float) and not raw.is_integer():
                raise ValueError(f"「{raw:g}」は整数ではありません。")
            value = int(raw)
        else:
            cleaned = text
            for unit in filter(None, (question.unit, "円", "人", "件", "世帯")):
                cleaned = cleaned.removesuffix(unit)
            try:
                value = parse_count(cleaned)
            except ValueError:
                label = "金額" if kind == AnswerKind.MONEY else "整数"
                raise ValueError(f"「{raw}」は{label}として読めません（数字で入れてください）。") from None
        if value < 0 and kind == AnswerKind.MONEY:
            raise ValueError("金額は0以上です。")
        fields["number"] = Decimal(value)
    elif kind == AnswerKind.PERCENT:
        value = raw if isinstance(raw, int | float) and not isinstance(raw, bool) else None
        if value is None:
            value = _decimal(text.rstrip("%％"), "割合")
        value = Decimal(str(value))
        if not (0 <= value <= 100):
            raise ValueError(f"割合は0から100までです（「{raw}」）。")
        fields["number"] = value.quantize(Decimal("0.01"))
    elif kind == AnswerKind.YES_NO:
        fields["number"] = Decimal(int(parse_yes_no(raw if isinstance(raw, bool) else text)))
    elif kind == AnswerKind.AGE:
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            age = raw
        else:
            key = re.sub(r"\s+", "", text).replace("まで", "")
            if key in SCHOOL_AGES:
                age = SCHOOL_AGES[key]
            else:
                match = re.fullmatch(r"(\d+)(歳|才)?(年度末)?", key)
                if not match:
                    raise ValueError(f"「{raw}」は年齢として読めません（例: 18、18歳、中学校卒業）。")
                age = int(match[1])
        if isinstance(age, float) and not age.is_integer():
            raise ValueError(f"「{raw}」は年齢として読めません。")
        age = int(age)
        if not (0 <= age <= MAX_AGE):
            raise ValueError(f"年齢は0歳から{MAX_AGE}歳までです（「{raw}」）。")
        fields["number"] = Decimal(age)
    elif kind == AnswerKind.DATE:
        if isinstance(raw, datetime.datetime):
            fields["date"] = raw.date()
        elif isinstance(raw, datetime.date):
            fields["date"] = raw
        else:
            fields["date"] = parse_date(text)
    elif kind == AnswerKind.CHOICE:
        if text not in question.choices:
            raise ValueError(f"「{raw}」は選択肢（{'・'.join(question.choices)}）にありません。")
        fields["text"] = text
    elif kind == AnswerKind.CHOICES:
        picked = [p for p in re.split(r"[、,・/／\n]+", text) if p.strip()]
        unknown = [p for p in picked if p not in question.choices]
        if unknown:
            raise ValueError(f"「{'・'.join(unknown)}」は選択肢（{'・'.join(question.choices)}）にありません。")
        fields["choices"] = picked
        fields["text"] = "・".join(picked)
    else:
        fields["text"] = str(raw).strip()
    return fields


def answer_cell(answer):
    """The value an answer is written as in the questionnaire's xlsx; reads back to the same answer."""
    if answer is None:
        return None
    kind = answer.question.kind
    if kind == AnswerKind.YES_NO:
        return None if answer.number is None else ("はい" if answer.number else "いいえ")
    if kind in (AnswerKind.INTEGER, AnswerKind.MONEY, AnswerKind.AGE):
        return None if answer.number is None else int(answer.number)
    if kind == AnswerKind.PERCENT:
        return None if answer.number is None else float(answer.number)
    if kind == AnswerKind.DATE:
        return answer.date
    return answer.text or None


def _check_municipality(questionnaire, municipality):
    if questionnaire.prefecture_id and municipality.prefecture_id != questionnaire.prefecture_id:
        raise ValidationError(
            {"municipality": f"{municipality.name}は{questionnaire.prefecture.name}の市区町村ではありません。"}
        )


def answer_record(*, user, question, municipality, raw, source=Answer.Source.FORM, now=None):
    """Record (or replace) `municipality`'s answer to `question` from what was typed; None clears it.

    Raises ValidationError naming the municipality and the question when the value is not of its type.
    """
    questionnaire = question.questionnaire
    require_in_scope(user, questionnaire.council)
    _check_municipality(questionnaire, municipality)
    try:
        fields = parse_answer(question, raw)
    except ValueError as exc:
        raise ValidationError({"value": f"{municipality.name}「{question.header}」: {exc}"}) from None
    with transaction.atomic():
        if fields is None:
            Answer.objects.filter(question=question, municipality=municipality).delete()
            return None
        answer = Answer.objects.filter(question=question, municipality=municipality).first() or Answer(
            question=question, municipality=municipality
        )
        for name, value in fields.items():
            setattr(answer, name, value)
        answer.source = source
        answer.entered_by = user
        answer.entered_at = now or timezone.now()
        answer.full_clean()
        answer.save()
        return answer


def answers_write(*, user, questionnaire, values, source, now=None):
    """Write checked answers at once: `values` is {(question, municipality): fields or None}.

    Existing answers are replaced (one upsert), blanks delete; all or nothing. The caller has parsed
    every value with `parse_answer` (the importer does, with row and column for each error).
    """
    require_in_scope(user, questionnaire.council)
    now = now or timezone.now()
    rows, cleared = [], []
    for (question, municipality), fields in values.items():
        if fields is None:
            cleared.append((question.pk, municipality.pk))
            continue
        rows.append(
            Answer(
                question=question, municipality=municipality, source=source, entered_by=user, entered_at=now, **fields
            )
        )
    with transaction.atomic():
        if cleared:
            # One delete per municipality or per question, whichever is fewer: one for a municipality's page.
            by_question, by_municipality = {}, {}
            for question_id, municipality_id in cleared:
                by_question.setdefault(question_id, []).append(municipality_id)
                by_municipality.setdefault(municipality_id, []).append(question_id)
            if len(by_municipality) < len(by_question):
                for municipality_id, question_ids in by_municipality.items():
                    Answer.objects.filter(municipality_id=municipality_id, question_id__in=question_ids).delete()
            else:
                for question_id, municipality_ids in by_question.items():
                    Answer.objects.filter(question_id=question_id, municipality_id__in=municipality_ids).delete()
        Answer.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["question", "municipality"],
            update_fields=["number", "text", "date", "choices", "source", "entered_by", "entered_at"],
        )
    return len(rows)
