"""The 資料集's tables: a column of figures (counts, yen, %) stands right-aligned, words and yes/no left."""

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
