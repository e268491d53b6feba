"""Questionnaires: made with their sections and questions, copied from a template or last year, published."""

from django.db import transaction
from django.utils import timezone

from municipalities.caravans.models import (
    Question,
    Questionnaire,
    QuestionnaireSection,
)
from shaho.core.scoping import require_in_scope


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
