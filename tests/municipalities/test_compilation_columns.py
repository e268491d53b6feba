"""The 資料集: a column of figures (counts, yen, %) stands right-aligned, words and yes/no left; it is made with the
requester's scope (a local council's staff never get their prefectural council's questionnaire)."""

import re

import pytest
from django.template.loader import render_to_string

from councils.models import Role
from municipalities.caravans import services
from municipalities.caravans.report_kinds import compilation_context
from municipalities.models import Municipality
from tests.councils.factories import prefectural_council, staff_of

pytestmark = pytest.mark.django_db


def test_figure_columns_are_right_aligned_and_words_are_not():
    tokyo = prefectural_council("13")
    user = staff_of(tokyo, role=Role.COUNCIL_STAFF)
    questionnaire = services.questionnaire_create(
        user=user, council=tokyo, prefecture=tokyo.prefecture, fiscal_year=2024, title="東京都 国保アンケート",
        sections=[("国保", [
            {"code": "1", "text": "加入世帯数", "kind": "integer"},
            {"code": "2", "text": "一人当たり保険料", "kind": "money"},
            {"code": "3", "text": "資格確認書を全員に送付するか", "kind": "yes_no"},
            {"code": "4", "text": "担当課の意見", "kind": "text"},
        ])],
    )  # fmt: skip
    shibuya = Municipality.objects.get(code="131130")
    answers = ["12345", "98000", "はい", "検討中"]
    for question, raw in zip(questionnaire.questions.order_by("order", "pk"), answers, strict=True):
        services.answer_record(user=user, question=question, municipality=shibuya, raw=raw)
    context = compilation_context(questionnaire=questionnaire)
    [sheet] = context["sheets"]
    html = render_to_string("municipalities/compilation.html", {**context, "document_title": "資料集"})
    table = html[html.index('<table class="compilation">') :]
    row = re.search(r"<tr><td>渋谷区</td>(.*?)</tr>", table)[1]
    cells = re.findall(r"<td( class=\"num\")?>([^<]*)</td>", row)
    assert [bool(num) for num, _text in cells] == [True, True, False, False], cells
    headers = re.findall(r"<th( class=\"num\")?>", table.split("</thead>")[0])  # 市区町村 has its anchor
    assert [bool(h) for h in headers] == [True, True, False, False], headers
    assert [num for _q, num in sheet["columns"]] == [True, True, False, False]


def test_a_local_councils_compilation_is_made_from_its_own_questionnaire_not_its_prefectures():
    """Checked with the requester's scope when asked for, the 資料集 is made with it too: a local council's staff
    never get the prefectural council's questionnaire (a council sees itself and below, not above)."""
    from municipalities.caravans.report_kinds import COMPILATION
    from tests.councils.factories import local_council

    kanagawa = prefectural_council("14")
    kawasaki = local_council("14", name="川崎社会保障推進協議会")
    prefectural = staff_of(kanagawa, role=Role.COUNCIL_STAFF)
    local = staff_of(kawasaki, role=Role.COUNCIL_STAFF)
    sections = [("国保", [{"code": "1", "text": "加入世帯数", "kind": "integer"}])]
    above = services.questionnaire_create(
        user=prefectural, council=kanagawa, prefecture=kanagawa.prefecture, fiscal_year=2024, title="県の調査",
        sections=sections,
    )  # fmt: skip
    services.caravan_create(
        user=prefectural, council=kanagawa, fiscal_year=2024, title="神奈川キャラバン", questionnaire=above,
        municipalities=[Municipality.objects.get(code="141305")],
    )  # fmt: skip
    own = services.questionnaire_create(
        user=local, council=kawasaki, prefecture=kanagawa.prefecture, fiscal_year=2024, title="川崎の調査",
        sections=sections,
    )  # fmt: skip
    request = COMPILATION.clean(params={"prefecture": "14", "year": "2024"}, user=local)
    built = COMPILATION.build(params=request.params, user=local, progress=lambda *args: None)
    assert built.context["questionnaire"] == own and request.council == kawasaki
    system_run = COMPILATION.build(params=request.params, user=None, progress=lambda *args: None)
    assert system_run.context["questionnaire"] == above  # what the job used to print for the local staff
