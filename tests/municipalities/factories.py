"""Caravan rows of another prefecture (Tokyo) for the shared isolation tests (tests/councils/test_scoping.py)."""

import datetime

from django.utils import timezone

from councils.models import Role
from municipalities.caravans import services
from municipalities.models import (
    Answer,
    Caravan,
    CaravanTarget,
    DemandLetter,
    Municipality,
    Question,
    Questionnaire,
    Talk,
)
from tests.councils.factories import prefectural_council, staff_of


def tokyo_objects():
    """{model: a Tokyo row} of every caravan model registered in the admin."""
    tokyo = prefectural_council("13")
    user = staff_of(tokyo, role=Role.COUNCIL_STAFF)
    questionnaire = services.questionnaire_create(
        user=user, council=tokyo, prefecture=tokyo.prefecture, fiscal_year=2024, title="東京都 資格確認書アンケート",
        sections=[("資格確認書", [{"code": "1", "text": "全員に送付するか", "kind": "yes_no"}])],
    )  # fmt: skip
    question = questionnaire.questions.get()
    shibuya = Municipality.objects.get(code="131130")
    answer = services.answer_record(user=user, question=question, municipality=shibuya, raw="はい")
    caravan = services.caravan_create(
        user=user, council=tokyo, fiscal_year=2024, title="東京都 自治体キャラバン", municipalities=[shibuya]
    )
    target = caravan.targets.get()
    talk = services.talk_record(user=user, target=target, held_at=timezone.now(), place="渋谷区役所")
    letter = services.demand_letter_record(
        user=user, target=target, title="予算要望書", handed_on=datetime.date(2024, 8, 1), items=[("国保料", None)]
    )
    return {
        Questionnaire: questionnaire,
        Question: question,
        Answer: answer,
        Caravan: caravan,
        CaravanTarget: target,
        Talk: talk,
        DemandLetter: letter,
    }
