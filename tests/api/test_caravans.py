"""The caravans API: questionnaires, published answers per municipality and indicators across years, in scope."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from municipalities.caravans import services
from municipalities.registry.models import Municipality
from tests.api.conftest import api_get
from tests.councils.factories import staff_of

pytestmark = pytest.mark.django_db
CANARY = "cnrytokyo"
YOKOHAMA, KAWASAKI_CITY, SHIBUYA = "141003", "141305", "131130"


def _questionnaire(user, council, year, title, *, text_question=False):
    questions = [
        {"code": "1", "text": "国保料（モデル世帯）", "kind": "money", "is_indicator": True,
         "indicator_key": "kokuho_model", "published": True},
        {"code": "2", "text": "内部の設問", "kind": "integer"},
    ]  # fmt: skip
    if text_question:
        questions.append({"code": "3", "text": f"{CANARY}-question", "kind": "text", "published": True})
    return services.questionnaire_create(
        user=user, council=council, prefecture=council.prefecture, fiscal_year=year, title=title,
        sections=[("国保", questions)],
    )  # fmt: skip


def _answer(user, questionnaire, code, municipality, raw):
    question = questionnaire.questions.get(code=code)
    return services.answer_record(
        user=user, question=question, municipality=Municipality.objects.get(code=municipality), raw=raw
    )


@pytest.fixture
def world(kanagawa, tokyo):
    ours = staff_of(kanagawa)
    q2023 = _questionnaire(ours, kanagawa, 2023, "2023年度 国保アンケート")
    q2024 = _questionnaire(ours, kanagawa, 2024, "2024年度 国保アンケート")
    q2024.questions.filter(code="1").update(continues=q2023.questions.get(code="1"))
    _answer(ours, q2023, "1", YOKOHAMA, "50000")
    _answer(ours, q2024, "1", YOKOHAMA, "52000")
    _answer(ours, q2024, "2", YOKOHAMA, "7")
    theirs = staff_of(tokyo)
    tq = _questionnaire(theirs, tokyo, 2024, f"{CANARY}-questionnaire", text_question=True)
    _answer(theirs, tq, "1", SHIBUYA, "61000")
    _answer(theirs, tq, "3", SHIBUYA, f"{CANARY}-answer")
    return {"q2023": q2023, "q2024": q2024, "tokyo": tq, "user": ours}


def test_questionnaires_in_scope_with_their_published_questions(client, kanagawa_token, world):
    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:caravan-questionnaire-list"))
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [r["fiscal_year"] for r in rows] == [2024, 2023]
    assert [q["code"] for q in rows[0]["published_questions"]] == ["1"]  # the unpublished 2 is not there
    assert CANARY not in response.content.decode()
    tokyo_url = reverse("api:caravan-questionnaire-detail", args=[world["tokyo"].pk])
    assert api_get(client, secret, tokyo_url).status_code == 404


def test_published_answers_per_municipality(client, kanagawa_token, world):
    _, secret = kanagawa_token
    url = reverse("api:caravan-answers", args=[world["q2024"].pk])
    rows = api_get(client, secret, url).json()
    assert rows == [
        {"municipality_code": YOKOHAMA, "municipality_name": "横浜市", "question": rows[0]["question"],
         "question_code": "1", "question_text": "国保料（モデル世帯）", "answer": "52,000円"},
    ]  # fmt: skip
    csv = api_get(client, secret, url + "?format=csv")
    assert csv.content.startswith(b"\xef\xbb\xbf") and "52,000円" in csv.content.decode("utf-8-sig")
    assert api_get(client, secret, url + f"?municipality={SHIBUYA}").status_code == 404
    tokyo = reverse("api:caravan-answers", args=[world["tokyo"].pk])
    assert api_get(client, secret, tokyo).status_code == 404


def test_indicators_across_years(client, kanagawa_token, world):
    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:caravan-municipality-indicators", args=[YOKOHAMA]))
    assert response.status_code == 200, response.content
    rows = response.json()
    assert [(r["year"], r["number"], r["comparable"], r["change"]) for r in rows] == [
        (2023, 50000, False, None),
        (2024, 52000, True, 2000),
    ]
    table = api_get(client, secret, reverse("api:caravan-prefecture-indicator", args=["14", "kokuho_model"])).json()
    yokohama = next(r for r in table if r["municipality_code"] == YOKOHAMA)
    assert yokohama["values"] == {"2023": 50000, "2024": 52000} and yokohama["change"] == 2000
    assert all(r["municipality_code"].startswith("14") for r in table)
    # Tokyo's municipality and prefecture are outside a Kanagawa token's scope.
    assert api_get(client, secret, reverse("api:caravan-municipality-indicators", args=[SHIBUYA])).status_code == 404
    tokyo = reverse("api:caravan-prefecture-indicator", args=["13", "kokuho_model"])
    assert api_get(client, secret, tokyo).status_code == 404


@pytest.mark.parametrize("which", ["answers", "prefecture"])
def test_queries_do_not_grow_with_answers(client, kanagawa_token, world, which):
    _, secret = kanagawa_token
    if which == "answers":
        url = reverse("api:caravan-answers", args=[world["q2024"].pk])
    else:
        url = reverse("api:caravan-prefecture-indicator", args=["14", "kokuho_model"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api_get(client, secret, url).status_code == 200
        return len(ctx.captured_queries)

    count()
    small = count()
    for code in Municipality.objects.filter(prefecture__code="14", kind="town").values_list("code", flat=True)[:8]:
        _answer(world["user"], world["q2024"], "1", code, "40000")
        _answer(world["user"], world["q2023"], "1", code, "39000")
    assert world["q2024"].questions.get(code="1").answers.count() == 9
    assert count() == small
