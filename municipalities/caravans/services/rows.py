"""The staff pages' writes: one check, one save and one delete for every row of the municipal work.

The admin runs `row_check` on each form (so a refusal shows as a form error, nothing written) and
saves and deletes through `row_save` / `row_delete`. A change is judged twice: the row as stored must be
in the user's scope (one cannot take over a neighbour's row by re-pointing it) and the row as it will be.
simple_history records the user (`_history_user`) on the rows that keep a history.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from municipalities.caravans.models import (
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
from shaho.core.rows import row_delete_check, row_full_clean, row_scope_check
from shaho.core.scoping import in_scope

NOT_IN_SCOPE = "この社保協のデータを扱う権限がありません（または見つかりません）。"


# (parent field named in a refusal, path from the row to its council) of each model written here.
COUNCIL_PATHS = {
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
}


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
    `exclude`: fields not to clean (default: the parent link of an inline row whose parent is not saved yet).
    """
    row_scope_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    row_full_clean(row, COUNCIL_PATHS, exclude)
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
    row_delete_check(user=user, row=row, paths=COUNCIL_PATHS, message=NOT_IN_SCOPE)
    row._history_user = user
    row.delete()
