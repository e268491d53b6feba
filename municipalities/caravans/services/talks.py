"""Talks with a municipality, the demand letters (要望書) handed over, and the written answers item by item."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from municipalities.caravans.models import (
    DemandItem,
    DemandLetter,
    Talk,
    TalkItem,
    TalkOfficial,
    TalkParticipation,
)
from shaho.core.scoping import require_in_scope


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
