"""Writes of the municipal work, one module per concern; every write goes through here.

Every write is keyword-only, inside a transaction, after `full_clean()`; the user must have the
caravan's (or questionnaire's) council in scope, and an answer records who entered it, when and
from which source. Raises ValidationError with Japanese messages naming the field (and the
municipality and question of an answer).

- `answers`: reading typed answers and cells, recording one answer or a questionnaire's many;
- `questionnaires`: making, copying and publishing questionnaires;
- `visits`: caravans and their targets (the municipalities visited) and their progress;
- `talks`: talks, demand letters and the written answers;
- `rows`: the staff pages' one check, save and delete per row (`row_check`, `row_save`, `row_delete`).

The names are gathered here so that callers write `services.answer_record(...)`.
"""

from .answers import SCHOOL_AGES, answer_cell, answer_record, answers_write, parse_answer
from .questionnaires import (
    question_add,
    questionnaire_copy,
    questionnaire_create,
    questionnaire_publish,
    questionnaire_unpublish,
)
from .rows import NOT_IN_SCOPE, row_check, row_delete, row_save
from .talks import demand_letter_record, talk_record, written_answer_record
from .visits import PROGRESS_FIELDS, caravan_create, default_targets, fiscal_year_start, target_add, target_progress_set

__all__ = [
    "NOT_IN_SCOPE",
    "PROGRESS_FIELDS",
    "SCHOOL_AGES",
    "answer_cell",
    "answer_record",
    "answers_write",
    "caravan_create",
    "default_targets",
    "demand_letter_record",
    "fiscal_year_start",
    "parse_answer",
    "question_add",
    "questionnaire_copy",
    "questionnaire_create",
    "questionnaire_publish",
    "questionnaire_unpublish",
    "row_check",
    "row_delete",
    "row_save",
    "talk_record",
    "target_add",
    "target_progress_set",
    "written_answer_record",
]
