"""The answer entry page (one municipality's answers, a Django form over `selectors.answer_sheet`) and the public
prefecture page (a selector filtering in the database): constant queries whatever the number of answers."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from municipalities.caravans import selectors, services
from municipalities.caravans.models import Answer
from municipalities.registry.models import Municipality

pytestmark = pytest.mark.django_db

SHIBUYA = "131130"


def _questionnaire(user, council, n, *, title="資格確認書アンケート"):
    questions = [{"code": str(i), "text": f"設問{i}", "kind": "integer", "unit": "人"} for i in range(1, n + 1)]
    questions.append({"code": "yn", "text": "全員に送付するか", "kind": "yes_no"})
    return services.questionnaire_create(
        user=user, council=council, prefecture=council.prefecture, fiscal_year=2024, title=title,
        sections=[("国保", questions)],
    )  # fmt: skip


def _answered(user, council, n):
    questionnaire = _questionnaire(user, council, n, title=f"アンケート{n}問")
    shibuya = Municipality.objects.get(code=SHIBUYA)
    values = {
        (q, shibuya): services.parse_answer(q, "はい" if q.code == "yn" else "12")
        for q in questionnaire.questions.all()
    }
    services.answers_write(user=user, questionnaire=questionnaire, values=values, source=Answer.Source.PAPER)
    return questionnaire


def _queries(client, questionnaire):
    """(queries of the page, queries of saving it with every answer changed and one cleared)."""
    url = reverse("caravans:answer_entry", args=[questionnaire.pk, SHIBUYA])
    with CaptureQueriesContext(connection) as shown:
        assert client.get(url).status_code == 200
    data = {"source": "talk"}
    for question in questionnaire.questions.all():
        data[f"q{question.pk}"] = (
            "" if question.code == "1" else ("いいえ" if question.code == "yn" else "１，５００人")
        )
    with CaptureQueriesContext(connection) as saved:
        response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    return len(shown), len(saved)


def test_the_entry_page_asks_the_same_number_of_queries_for_3_and_30_answers(client, tokyo, tokyo_staff):
    client.force_login(tokyo_staff)
    small, large = _answered(tokyo_staff, tokyo, 3), _answered(tokyo_staff, tokyo, 30)
    assert _queries(client, small) == _queries(client, large)
    answers = Answer.objects.filter(question__questionnaire=large, municipality__code=SHIBUYA)
    assert answers.count() == 30  # 31 questions, the first cleared
    assert {a.number for a in answers} == {0, 1500} and {a.source for a in answers} == {Answer.Source.TALK}


def test_the_entry_page_shows_the_stored_answers_and_keeps_what_was_typed(client, tokyo, tokyo_staff):
    client.force_login(tokyo_staff)
    questionnaire = _answered(tokyo_staff, tokyo, 2)
    url = reverse("caravans:answer_entry", args=[questionnaire.pk, SHIBUYA])
    page = client.get(url).content.decode()
    assert 'value="12"' in page and '<option value="はい" selected>' in page
    first, second, yes_no = questionnaire.questions.order_by("order")
    response = client.post(
        url, {"source": "paper", f"q{first.pk}": "たくさん", f"q{second.pk}": "３", f"q{yes_no.pk}": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200 and f"「{first.header}」: 「たくさん」は整数として読めません" in page
    assert 'value="たくさん"' in page and 'value="３"' in page
    assert set(Answer.objects.filter(question__questionnaire=questionnaire).values_list("number", flat=True)) == {12, 1}


def test_the_answer_sheet_is_two_queries_whatever_its_size(tokyo, tokyo_staff, django_assert_num_queries):
    shibuya = Municipality.objects.get(code=SHIBUYA)
    for n in (3, 30):
        questionnaire = _answered(tokyo_staff, tokyo, n)
        with django_assert_num_queries(2):
            sheet = selectors.answer_sheet(questionnaire=questionnaire, municipality=shibuya)
            cells = [services.answer_cell(answer) for _question, answer in sheet]
        assert cells == [12] * n + ["はい"]


def test_the_public_prefecture_page_lists_only_that_prefectures_published_questionnaires(
    client, tokyo, tokyo_staff, kanagawa, kanagawa_staff
):
    tokyo_q = _answered(tokyo_staff, tokyo, 1)
    kanagawa_q = _questionnaire(kanagawa_staff, kanagawa, 1, title="神奈川のアンケート")
    unpublished = _questionnaire(tokyo_staff, tokyo, 1, title="東京の非公開アンケート")
    for questionnaire in (tokyo_q, kanagawa_q):
        services.questionnaire_publish(user=tokyo_staff if questionnaire == tokyo_q else kanagawa_staff,
                                       questionnaire=questionnaire)  # fmt: skip
    assert list(selectors.published_questionnaires(prefecture=tokyo.prefecture)) == [tokyo_q]
    page = client.get(reverse("public:prefecture", args=["13"])).content.decode()
    assert tokyo_q.title in page and kanagawa_q.title not in page and unpublished.title not in page
    assert client.get(reverse("public:prefecture", args=["01"])).status_code == 404
