"""Indicators across a merger and a designated city: rows and counts follow the registry's validity dates."""

import datetime

import pytest

from councils.models import Role
from municipalities.caravans import selectors, services
from municipalities.models import Municipality, Prefecture
from tests.councils.factories import national_council, prefectural_council, staff_of

pytestmark = pytest.mark.django_db
D = datetime.date


def test_a_merged_municipality_and_a_designated_city_compare_through_the_registry():
    kanagawa = prefectural_council("14")
    user = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    pref = Prefecture.objects.get(code="14")
    # Two towns merge into a new city on 2023-01-01 (fiscal 2022 had the towns, fiscal 2023 the city).
    old_a = Municipality.objects.create(
        code="149911", prefecture=pref, name="旧甲町", kind="town", valid_until=D(2023, 1, 1)
    )
    old_b = Municipality.objects.create(
        code="149920", prefecture=pref, name="旧乙町", kind="town", valid_until=D(2023, 1, 1)
    )
    merged = Municipality.objects.create(
        code="149938", prefecture=pref, name="新甲乙市", kind="city", valid_from=D(2023, 1, 1)
    )
    yokohama = Municipality.objects.get(code="141003")
    naka = Municipality.objects.get(code="141046")  # 横浜市中区, a ward
    spec = {
        "code": "1",
        "text": "資格確認書を全員に",
        "kind": "yes_no",
        "is_indicator": True,
        "indicator_key": "shikaku",
    }
    q2022 = services.questionnaire_create(
        user=user, council=kanagawa, prefecture=pref, fiscal_year=2022, title="調査", sections=[("国保", [spec])]
    )
    q2023 = services.questionnaire_copy(user=user, source=q2022, council=kanagawa, fiscal_year=2023)
    for questionnaire, answers in (
        (q2022, {old_a: "はい", old_b: "いいえ", yokohama: "いいえ"}),
        (q2023, {merged: "はい", yokohama: "はい", naka: "はい"}),
    ):
        question = questionnaire.questions.get()
        for municipality, raw in answers.items():
            services.answer_record(user=user, question=question, municipality=municipality, raw=raw)

    table = selectors.prefecture_indicator(prefecture=pref, key="shikaku", user=user, sort="change")
    rows = {r.municipality.code: r for r in table.rows}
    # The towns are gone in fiscal 2023: not rows; the new city has no fiscal 2022 figure to compare with.
    assert "149911" not in rows and "149920" not in rows
    assert rows["149938"].change is None and rows["149938"].value(2023) == 1
    # Yokohama is one row, counted as a whole; its ward is not a row.
    assert rows["141003"].change == 1 and "141046" not in rows
    # The denominators are the registry of each year: 33 + the new city in 2023, 33 + the two towns in 2022.
    assert table.count.text() == "34市町村中2"
    count_2022 = selectors.indicator_count(key="shikaku", year=2022, prefecture=pref)
    assert count_2022.text() == "35市町村中1" and count_2022.answered == 3
