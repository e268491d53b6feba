"""Writes of the municipal work: questionnaires, answers, caravans, their progress, talks and written answers.

Every write goes through here, keyword-only, inside a transaction, after `full_clean()`; the user
must have the caravan's (or questionnaire's) council in scope (`require_in_scope`), and an answer
records who entered it, when and from which source. Raises ValidationError with Japanese messages
naming the field (and the municipality and question of an answer).
"""

import datetime
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from municipalities.caravans.models import (
    MAX_AGE,
    Answer,
    AnswerKind,
    Caravan,
    CaravanCourse,
    CaravanTarget,
    DemandItem,
    DemandLetter,
    Question,
    Questionnaire,
    QuestionnaireSection,
    Talk,
    TalkItem,
    TalkOfficial,
    TalkParticipation,
)
from municipalities.registry.models import Municipality
from shaho.core.japanese import normalize, parse_count, parse_date, parse_yes_no
from shaho.core.scoping import in_scope, require_in_scope

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


def fiscal_year_start(year):
    return datetime.date(year, 4, 1)


# --- typed answers ------------------------------------------------------------------------------


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
            by_question = {}
            for question_id, municipality_id in cleared:
                by_question.setdefault(question_id, []).append(municipality_id)
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


# --- questionnaires ---------------------------------------------------------------------------


@transaction.atomic
def questionnaire_create(*, user, council, fiscal_year, title, prefecture=None, sections=(), is_template=False):
    """A questionnaire with its sections and questions.

    `sections`: [(title, [question dict: code, text, kind, unit, help_text, required, choices,
    is_indicator, indicator_key, continues, meaning_changed, published]), ...].
    """
    require_in_scope(user, council)
    questionnaire = Questionnaire(
        council=council, prefecture=prefecture, fiscal_year=fiscal_year, title=title, is_template=is_template
    )
    questionnaire.full_clean()
    questionnaire.save()
    for number, (section_title, questions) in enumerate(sections, start=1):
        section = QuestionnaireSection.objects.create(questionnaire=questionnaire, number=number, title=section_title)
        for order, spec in enumerate(questions, start=1):
            question_add(user=user, section=section, order=order, **spec)
    return questionnaire


def question_add(*, user, section, order=0, **fields):
    require_in_scope(user, section.questionnaire.council)
    question = Question(questionnaire=section.questionnaire, section=section, order=order, **fields)
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def questionnaire_copy(*, user, source, council, fiscal_year, prefecture=None, title=None):
    """A copy of `source` (a national template, or last year's questionnaire) for `council` and `fiscal_year`.

    Every copied question continues its source question when the source is of an earlier year, so its
    figures compare across the years; a question whose meaning changes is marked on the copy afterwards.
    """
    require_in_scope(user, council)
    if not source.is_template:
        require_in_scope(user, source.council)  # a national template any council may copy; else one's own
    if prefecture is None:
        prefecture = source.prefecture or council.prefecture
    copy = Questionnaire(
        council=council,
        prefecture=prefecture,
        fiscal_year=fiscal_year,
        title=title or source.title,
        copied_from=source,
    )
    copy.full_clean()
    copy.save()
    earlier = source.fiscal_year < fiscal_year
    sections = {}
    for section in source.sections.all():
        sections[section.pk] = QuestionnaireSection.objects.create(
            questionnaire=copy, number=section.number, title=section.title
        )
    for question in source.questions.all():
        Question.objects.create(
            questionnaire=copy,
            section=sections[question.section_id],
            code=question.code,
            order=question.order,
            text=question.text,
            kind=question.kind,
            choices=question.choices,
            unit=question.unit,
            help_text=question.help_text,
            required=question.required,
            is_indicator=question.is_indicator,
            indicator_key=question.indicator_key,
            continues=question if earlier else question.continues,
        )
    return copy


@transaction.atomic
def questionnaire_publish(*, user, questionnaire, questions=None, now=None):
    """Publish `questionnaire`'s answers on /public/: the given questions (all when None), question by question."""
    require_in_scope(user, questionnaire.council)
    chosen = (
        questionnaire.questions.all()
        if questions is None
        else questionnaire.questions.filter(pk__in=[q.pk for q in questions])
    )
    chosen.update(published=True)
    if questionnaire.published_at is None:
        questionnaire.published_at = now or timezone.now()
        questionnaire.save(update_fields=["published_at"])
    return questionnaire


@transaction.atomic
def questionnaire_unpublish(*, user, questionnaire):
    require_in_scope(user, questionnaire.council)
    questionnaire.published_at = None
    questionnaire.save(update_fields=["published_at"])
    questionnaire.questions.update(published=False)
    return questionnaire


# --- caravans ----------------------------------------------------------------------------------


def default_targets(*, prefecture, fiscal_year, include_wards=False):
    """The municipalities a caravan visits by default: every 市町村 of the prefecture on April 1 of the year."""
    qs = Municipality.objects.filter(prefecture=prefecture).filter(
        Municipality.valid_on(fiscal_year_start(fiscal_year))
    )
    return qs if include_wards else qs.exclude(kind=Municipality.Kind.WARD)


@transaction.atomic
def caravan_create(
    *, user, council, fiscal_year, title, prefecture=None, questionnaire=None, municipalities=None,
    include_wards=False, other_bodies=(), visits_planned=True, **totals,
):  # fmt: skip
    """A caravan with its targets: `municipalities` (default: every 市町村 of the prefecture), plus wards
    when `include_wards`, plus `other_bodies` (広域連合 …). A municipality of another prefecture is refused."""
    require_in_scope(user, council)
    prefecture = prefecture or council.prefecture
    if prefecture is None:
        raise ValidationError({"prefecture": "都道府県を指定してください。"})
    caravan = Caravan(
        council=council, prefecture=prefecture, fiscal_year=fiscal_year, title=title, questionnaire=questionnaire,
        visits_planned=visits_planned, **totals,
    )  # fmt: skip
    caravan.full_clean()
    caravan.save()
    if municipalities is None:
        municipalities = default_targets(prefecture=prefecture, fiscal_year=fiscal_year, include_wards=include_wards)
    for municipality in municipalities:
        target_add(user=user, caravan=caravan, municipality=municipality)
    for body in other_bodies:
        target_add(user=user, caravan=caravan, other_body=body)
    return caravan


def target_add(*, user, caravan, municipality=None, other_body="", course=None, **progress):
    require_in_scope(user, caravan.council)
    target = CaravanTarget(caravan=caravan, municipality=municipality, other_body=other_body, course=course, **progress)
    target.full_clean()
    target.save()
    return target


PROGRESS_FIELDS = ("questionnaire_sent_on", "answered_on", "demands_handed_on", "visited_on", "written_answer_on")


def target_progress_set(*, user, target, **dates):
    """Set the progress dates of a target (sent, answered, letter handed, visited, written answer)."""
    require_in_scope(user, target.caravan.council)
    unknown = set(dates) - set(PROGRESS_FIELDS)
    if unknown:
        raise ValidationError(f"進み具合の項目ではありません: {'、'.join(sorted(unknown))}")
    for name, value in dates.items():
        setattr(target, name, value)
    target.full_clean()
    target.save(update_fields=list(dates))
    return target


@transaction.atomic
def talk_record(
    *, user, target, held_at, place="", participations=(), officials=(), items=(), summary="", internal_note=""
):
    """A talk with our participants per organisation, the officials present and each demand discussed.

    `participations`: [(organisation name, count)]; `officials`: [(department, title, count)];
    `items`: [dict(demand, answer, evaluation, follow_up, follow_up_due)]. The target's visit date is set.
    """
    require_in_scope(user, target.caravan.council)
    talk = Talk(
        target=target, held_at=held_at, place=place, summary=summary, internal_note=internal_note,
        our_participants=sum(c for _n, c in participations), officials=sum(c for _d, _t, c in officials),
    )  # fmt: skip
    talk.full_clean()
    talk.save()
    for name, count in participations:
        TalkParticipation.objects.create(talk=talk, organisation_name=name, count=count)
    for department, title, count in officials:
        TalkOfficial.objects.create(talk=talk, department=department, title=title, count=count)
    for number, spec in enumerate(items, start=1):
        item = TalkItem(talk=talk, number=number, **spec)
        item.full_clean()
        item.save()
    held_on = timezone.localtime(held_at).date() if timezone.is_aware(held_at) else held_at.date()
    if target.visited_on is None or target.visited_on > held_on:
        target.visited_on = held_on
        target.save(update_fields=["visited_on"])
    return talk


@transaction.atomic
def demand_letter_record(*, user, target, title, handed_on=None, items=()):
    """A 要望書 with numbered items: `items` [(text, continues: DemandItem or None)]."""
    require_in_scope(user, target.caravan.council)
    letter = DemandLetter(target=target, title=title, handed_on=handed_on)
    letter.full_clean()
    letter.save()
    for number, (text, continues) in enumerate(items, start=1):
        DemandItem.objects.create(letter=letter, number=number, text=text, continues=continues)
    if handed_on and target.demands_handed_on is None:
        target.demands_handed_on = handed_on
        target.save(update_fields=["demands_handed_on"])
    return letter


@transaction.atomic
def written_answer_record(*, user, letter, answered_on, answers):
    """The municipality's written answer, item by item: `answers` {item number: (answer text, evaluation)}."""
    require_in_scope(user, letter.target.caravan.council)
    items = {item.number: item for item in letter.items.all()}
    unknown = sorted(set(answers) - set(items))
    if unknown:
        raise ValidationError(f"要望書に項目 {'、'.join(map(str, unknown))} はありません。")
    for number, (text, evaluation) in answers.items():
        item = items[number]
        item.answer, item.evaluation = text, evaluation
        item.full_clean()
        item.save(update_fields=["answer", "evaluation"])
    letter.answered_on = answered_on
    letter.save(update_fields=["answered_on"])
    target = letter.target
    target.written_answer_on = answered_on
    target.save(update_fields=["written_answer_on"])
    return letter


# --- the staff pages' writes: one check and one save (and delete) per model ------------------------
#
# The admin runs `row_check` on each form (so a refusal shows as a form error, nothing written) and
# saves and deletes through `row_save` / `row_delete`; the named functions below are the same for
# callers that know what they hold. A change is judged twice: the row as stored must be in the
# user's scope (one cannot take over a neighbour's row by re-pointing it) and the row as it will be.
# simple_history records the user (`_history_user`) on the rows that keep a history.

NOT_IN_SCOPE = "この社保協のデータを扱う権限がありません（または見つかりません）。"


def _council_path(model):
    """(parent field named in a refusal, path from the row to its council) of each model written here."""
    return {
        Questionnaire: ("council", "council"),
        QuestionnaireSection: ("questionnaire", "questionnaire__council"),
        Question: ("questionnaire", "questionnaire__council"),
        Caravan: ("council", "council"),
        CaravanCourse: ("caravan", "caravan__council"),
        CaravanTarget: ("caravan", "caravan__council"),
        Talk: ("target", "target__caravan__council"),
        TalkParticipation: ("talk", "talk__target__caravan__council"),
        TalkOfficial: ("talk", "talk__target__caravan__council"),
        TalkItem: ("talk", "talk__target__caravan__council"),
        DemandLetter: ("target", "target__caravan__council"),
        DemandItem: ("letter", "letter__target__caravan__council"),
    }[model]


def _council_id_of(row, path):
    """The id of the council `row` will belong to: its parent as chosen, read from the database (None when unset).

    Only the row's own parent link is taken from memory; above it the stored rows count (a parent
    changed in memory but not saved moves nothing). A parent not saved yet (an inline row on the add
    page) is judged by its own parent in turn.
    """
    name, _, rest = path.partition("__")
    link = row._meta.get_field(name)
    parent_id = getattr(row, link.attname)
    if not rest:
        return parent_id
    if parent_id is not None:
        return link.related_model.objects.filter(pk=parent_id).values_list(rest, flat=True).first()
    parent = link.get_cached_value(row) if link.is_cached(row) else None
    if parent is None:
        return None
    return _council_id_of(parent, _council_path(type(parent))[1])


def _refuse_unless_in_scope(user, council, field):
    if not in_scope(user, council):
        raise ValidationError({field: NOT_IN_SCOPE})


def _stored_council_id(row, path):
    model = type(row)
    return model.objects.filter(pk=row.pk).values_list(path, flat=True).first()


def _cross_checks(user, row):
    """The rules across rows that a model's own clean() cannot see (the user's scope among them)."""
    errors = {}
    if isinstance(row, Question) and row.continues_id and not in_scope(user, row.continues.questionnaire.council):
        errors["continues"] = NOT_IN_SCOPE
    if isinstance(row, DemandItem) and row.continues_id:
        if not in_scope(user, row.continues.letter.target.caravan.council):
            errors["continues"] = NOT_IN_SCOPE
    if isinstance(row, Questionnaire) and row.copied_from_id:
        source = row.copied_from
        if not source.is_template and not in_scope(user, source.council):
            errors["copied_from"] = NOT_IN_SCOPE
    if isinstance(row, Caravan):
        if row.questionnaire_id:
            questionnaire = row.questionnaire
            if not questionnaire.is_template and not in_scope(user, questionnaire.council):
                errors["questionnaire"] = NOT_IN_SCOPE
            elif questionnaire.prefecture_id and row.prefecture_id and questionnaire.prefecture_id != row.prefecture_id:
                errors["questionnaire"] = (
                    f"事前アンケートは{row.prefecture.name}のものを選んでください（{questionnaire.prefecture.name}のアンケートです）。"
                )
        if row.pk and row.prefecture_id:
            others = (
                CaravanTarget.objects.filter(caravan_id=row.pk, municipality__isnull=False)
                .exclude(municipality__prefecture_id=row.prefecture_id)
                .select_related("municipality")
                .order_by("municipality__code")
            )
            names = [t.municipality.name for t in others[:5]]
            if names:
                errors["prefecture"] = (
                    f"訪問先に{row.prefecture.name}以外の市区町村（{'、'.join(names)}）があります。"
                    "都道府県を変えるには、先に訪問先を直してください。"
                )
    if errors:
        raise ValidationError(errors)


def row_check(*, user, row, exclude=None):
    """Refuse `row` (new or changed) unless the user may write it and it keeps the rules; nothing is written.

    Raises ValidationError keyed by field names with Japanese messages (the admin puts each on its field).
    `exclude`: fields not to clean (an inline row whose parent is not saved yet).
    """
    field, path = _council_path(type(row))
    if row.pk is not None:
        stored = _stored_council_id(row, path)
        if stored is not None and not in_scope(user, stored):
            raise ValidationError({field: NOT_IN_SCOPE})
    _refuse_unless_in_scope(user, _council_id_of(row, path), field)
    if exclude is None:
        parent = row._meta.get_field(field)
        exclude = [field] if field != "council" and getattr(row, parent.attname) is None else []
    row.full_clean(exclude=exclude or None)
    _cross_checks(user, row)


@transaction.atomic
def row_save(*, user, row):
    """Save `row` after `row_check`, recording the user in its history."""
    row_check(user=user, row=row)
    row._history_user = user
    row.save()
    return row


@transaction.atomic
def row_delete(*, user, row):
    """Delete `row` (and what hangs on it) when its council is in the user's scope; else PermissionDenied."""
    _field, path = _council_path(type(row))
    stored = _stored_council_id(row, path) if row.pk is not None else None
    if not in_scope(user, stored):
        raise PermissionDenied(NOT_IN_SCOPE)
    row._history_user = user
    row.delete()


def questionnaire_save(*, user, questionnaire):
    return row_save(user=user, row=questionnaire)


def questionnaire_delete(*, user, questionnaire):
    row_delete(user=user, row=questionnaire)


def section_save(*, user, section):
    return row_save(user=user, row=section)


def section_delete(*, user, section):
    row_delete(user=user, row=section)


def question_save(*, user, question):
    return row_save(user=user, row=question)


def question_delete(*, user, question):
    row_delete(user=user, row=question)


def caravan_save(*, user, caravan):
    return row_save(user=user, row=caravan)


def caravan_delete(*, user, caravan):
    row_delete(user=user, row=caravan)


def course_save(*, user, course):
    return row_save(user=user, row=course)


def course_delete(*, user, course):
    row_delete(user=user, row=course)


def target_save(*, user, target):
    return row_save(user=user, row=target)


def target_delete(*, user, target):
    row_delete(user=user, row=target)


def talk_save(*, user, talk):
    return row_save(user=user, row=talk)


def talk_delete(*, user, talk):
    row_delete(user=user, row=talk)


def talk_row_save(*, user, row):
    """A participation, an official or a demand discussed, of a talk."""
    return row_save(user=user, row=row)


def talk_row_delete(*, user, row):
    row_delete(user=user, row=row)


def demand_letter_save(*, user, letter):
    return row_save(user=user, row=letter)


def demand_letter_delete(*, user, letter):
    row_delete(user=user, row=letter)


def demand_item_save(*, user, item):
    return row_save(user=user, row=item)


def demand_item_delete(*, user, item):
    row_delete(user=user, row=item)
