"""Caravans and their targets: the municipalities (and other bodies) visited, and each visit's progress dates."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction

from municipalities.caravans.models import (
    Caravan,
    CaravanTarget,
)
from municipalities.registry.models import Municipality
from shaho.core.scoping import require_in_scope


def fiscal_year_start(year):
    return datetime.date(year, 4, 1)


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
