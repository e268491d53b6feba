"""The caravan maps (issue 17): answered and visited per municipality and per prefecture, the questionnaires
not answered yet, and the public answer map of a published question.

Figures from known rows; scope (a Kanagawa staff sees no Tokyo target); published questions only.
"""

import datetime

import pytest

from councils.models import Role
from municipalities.caravans import selectors, services
from municipalities.caravans.selectors import CaravanStatus
from municipalities.models import Municipality
from tests.councils.factories import local_council, prefectural_council, staff_of

pytestmark = pytest.mark.django_db
D = datetime.date
YEAR = 2026


def _caravan(code, names, *, council=None, year=YEAR, questionnaire=None):
    council = council or prefectural_council(code)
    user = staff_of(council, role=Role.COUNCIL_STAFF)
    municipalities = [Municipality.objects.get(prefecture__code=code, name=n) for n in names]
    caravan = services.caravan_create(
        user=user, council=council, fiscal_year=year, title="キャラバン", municipalities=municipalities,
        questionnaire=questionnaire,
    )  # fmt: skip
    return user, {t.municipality.name: t for t in caravan.targets.select_related("municipality")}


def _progress(user, target, **dates):
    services.target_progress_set(user=user, target=target, **dates)


@pytest.fixture
def kanagawa_caravan(kanagawa):
    user, targets = _caravan("14", ["川崎市", "相模原市", "平塚市", "鎌倉市", "大磯町"])
    _progress(user, targets["川崎市"], answered_on=D(2026, 7, 1), visited_on=D(2026, 10, 1))
    _progress(user, targets["相模原市"], answered_on=D(2026, 7, 2))
    _progress(user, targets["平塚市"], visited_on=D(2026, 10, 3))
    return user, targets


@pytest.fixture
def tokyo_caravan(tokyo):
    user, targets = _caravan("13", ["渋谷区", "新宿区"])
    _progress(user, targets["渋谷区"], answered_on=D(2026, 7, 1), visited_on=D(2026, 10, 1))
    return user, targets


def test_each_municipality_is_in_its_class(kanagawa_caravan, national_staff):
    rows = {r.name: r for r in selectors.caravan_map(user=national_staff, fiscal_year=YEAR)}
    assert rows["川崎市"].status == CaravanStatus.BOTH
    assert rows["相模原市"].status_label == "回答のみ"
    assert rows["平塚市"].status_label == "懇談のみ"
    assert rows["鎌倉市"].status_label == "未回答"
    assert rows["川崎市川崎区"].status == CaravanStatus.BOTH  # a ward shows its designated city's progress
    assert "横浜市" not in rows  # not targeted: no cell


def test_per_prefecture_counts(kanagawa_caravan, tokyo_caravan, national_staff):
    progress = {p.code: p for p in selectors.caravan_progress(user=national_staff, fiscal_year=YEAR)}
    k = progress["14"]
    assert (k.targets, k.answered, k.visited, k.both) == (5, 2, 2, 1)
    assert (k.answered_percent, k.visited_percent) == (40.0, 40.0)
    t = progress["13"]
    assert (t.targets, t.answered, t.visited, t.both) == (2, 1, 1, 1)


def test_two_caravans_of_one_prefecture_count_a_municipality_once(kanagawa_caravan, national_staff):
    council = local_council("14", name="川崎社保協")
    user, targets = _caravan("14", ["川崎市"], council=council)
    _progress(user, targets["川崎市"], answered_on=D(2026, 8, 1))
    k = selectors.caravan_progress(user=national_staff, fiscal_year=YEAR)[0]
    assert (k.targets, k.answered) == (5, 2)


def test_kanagawa_staff_sees_no_tokyo_target(kanagawa_caravan, tokyo_caravan, kanagawa_staff):
    rows = selectors.caravan_map(user=kanagawa_staff, fiscal_year=YEAR)
    assert rows and {r.prefecture_code for r in rows} == {"14"}
    assert [p.code for p in selectors.caravan_progress(user=kanagawa_staff, fiscal_year=YEAR)] == ["14"]
    assert not [
        t
        for t in selectors.unanswered_targets(user=kanagawa_staff, fiscal_year=YEAR)
        if t.caravan.prefecture.code == "13"
    ]


def test_another_year_is_not_counted(kanagawa_caravan, national_staff):
    assert selectors.caravan_map(user=national_staff, fiscal_year=YEAR - 1) == []


def test_unanswered_lists_targets_of_caravans_with_a_questionnaire(kanagawa, national_staff):
    user = staff_of(kanagawa, role=Role.COUNCIL_STAFF)
    questionnaire = services.questionnaire_create(
        user=user, council=kanagawa, prefecture=kanagawa.prefecture, fiscal_year=YEAR, title="アンケート",
        sections=[("国保", [{"code": "1", "text": "国保料", "kind": "money"}])],
    )  # fmt: skip
    user, targets = _caravan("14", ["川崎市", "平塚市"], questionnaire=questionnaire)
    _progress(user, targets["川崎市"], answered_on=D(2026, 7, 1))
    names = [t.municipality.name for t in selectors.unanswered_targets(user=national_staff, fiscal_year=YEAR)]
    assert names == ["平塚市"]


def test_the_caravan_map_is_one_query_at_two_sizes(kanagawa_caravan, tokyo_caravan, national_staff,
                                                   django_assert_num_queries):  # fmt: skip
    with django_assert_num_queries(1):
        small = selectors.caravan_map(user=national_staff, fiscal_year=YEAR)
    _caravan("11", ["川越市", "熊谷市", "川口市", "所沢市"])
    with django_assert_num_queries(1):
        large = selectors.caravan_map(user=national_staff, fiscal_year=YEAR)
    with django_assert_num_queries(1):
        selectors.caravan_progress(user=national_staff, fiscal_year=YEAR)
    assert len(large) == len(small) + 4
