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
from municipalities.registry.maps import CREDIT
from municipalities.registry.selectors import Registry
from shaho.core.dashboard import context_for, panel
from shaho.core.pictures import table_response
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


def test_a_city_visited_ward_by_ward_counts_as_visited(kanagawa, national_staff):
    """A caravan that targets one ward: the designated city is targeted and visited through it, its other
    wards share the city's progress (the rule of `_with_progress`), and the city counts once per prefecture."""
    user, targets = _caravan("14", ["横浜市鶴見区", "鎌倉市"])
    _progress(user, targets["横浜市鶴見区"], visited_on=D(2026, 10, 1))
    rows = {r.name: r for r in selectors.caravan_map(user=national_staff, fiscal_year=YEAR)}
    assert rows["横浜市"].status == CaravanStatus.VISITED
    assert rows["横浜市鶴見区"].status == CaravanStatus.VISITED
    assert rows["鎌倉市"].status == CaravanStatus.NEITHER
    k = selectors.caravan_progress(user=national_staff, fiscal_year=YEAR)[0]
    assert (k.targets, k.answered, k.visited) == (2, 0, 1)


def test_per_prefecture_counts(kanagawa_caravan, tokyo_caravan, national_staff):
    progress = {p.code: p for p in selectors.caravan_progress(user=national_staff, fiscal_year=YEAR)}
    k = progress["14"]
    assert (k.targets, k.answered, k.visited, k.both) == (5, 2, 2, 1)
    assert (k.answered_percent, k.visited_percent) == (40.0, 40.0)
    t = progress["13"]
    assert (t.targets, t.answered, t.visited, t.both) == (2, 1, 1, 1)


def test_the_national_panel_counts_per_prefecture_from_the_map_as_the_database_does(
    kanagawa_caravan, tokyo_caravan, national_staff
):
    """progress_by_prefecture (the national panel's figures, from the map's rows) equals caravan_progress
    (counted in the database), a city reached through a ward and a second caravan included."""
    council = local_council("14", name="横浜社保協")
    user, targets = _caravan("14", ["横浜市鶴見区", "鎌倉市"], council=council)
    _progress(user, targets["横浜市鶴見区"], answered_on=D(2026, 8, 1), visited_on=D(2026, 9, 1))
    expected = selectors.caravan_progress(user=national_staff, fiscal_year=YEAR)
    counted = selectors.progress_by_prefecture(selectors.caravan_map(user=national_staff, fiscal_year=YEAR))
    assert counted == expected
    k = {p.code: p for p in counted}["14"]
    assert (k.targets, k.answered, k.visited, k.both) == (6, 3, 3, 2)


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


def test_the_caravan_map_is_two_queries_at_two_sizes_and_one_with_the_pages_registry(
    kanagawa_caravan, tokyo_caravan, national_staff, django_assert_num_queries
):
    """The targets and the registry; a dashboard page reads the registry once for all its panels."""
    with django_assert_num_queries(2):
        small = selectors.caravan_map(user=national_staff, fiscal_year=YEAR)
    _caravan("11", ["川越市", "熊谷市", "川口市", "所沢市"])
    with django_assert_num_queries(2):
        large = selectors.caravan_map(user=national_staff, fiscal_year=YEAR)
    registry = Registry.read(dates=[D(YEAR, 4, 1)])
    with django_assert_num_queries(1):
        shared = selectors.caravan_map(user=national_staff, fiscal_year=YEAR, registry=registry)
    with django_assert_num_queries(1):
        selectors.caravan_progress(user=national_staff, fiscal_year=YEAR)
    assert len(large) == len(small) + 4
    assert shared == large


def test_the_caravan_map_of_a_prefecture_is_the_national_maps_rows_of_that_prefecture(
    kanagawa_caravan, tokyo_caravan, national_staff
):
    """Narrowed to Kanagawa (its targets and its registry rows only), a city reached through its ward included."""
    _caravan("14", ["横浜市鶴見区"], council=local_council("14", name="横浜社保協"))
    kanagawa = Municipality.objects.get(name="川崎市").prefecture
    national = selectors.caravan_map(user=national_staff, fiscal_year=YEAR)
    narrowed = selectors.caravan_map(user=national_staff, fiscal_year=YEAR, prefecture=kanagawa)
    assert narrowed == [r for r in national if r.prefecture_code == "14"]
    assert {"横浜市", "横浜市鶴見区", "川崎市川崎区"} <= {r.name for r in narrowed}


# --- the panels and the public answer map -------------------------------------------------------------

TODAY = D(2026, 12, 6)  # fiscal 2026


def everything_shown(pictures):
    """What a page and the downloads show of `pictures`: titles, SVG, notes, credits and the CSV of each table."""
    parts = []
    for p in pictures:
        parts += [p.title, str(p.svg), p.note, p.credit, p.link]
        parts.append(table_response(p, fmt="csv", filename="x").content.decode("utf-8-sig"))
    return "\n".join(parts)


def panels(user, *keys):
    ctx = context_for(user, date=TODAY)
    out = []
    for key in keys:
        result = panel(key).function(ctx)
        out += [] if result is None else result if isinstance(result, list) else [result]
    return out


@pytest.fixture
def with_questionnaires(kanagawa, tokyo):
    """Both prefectures' caravans with a questionnaire: Kanagawa's 平塚市 and Tokyo's 新宿区 not answered yet."""
    out = {}
    for code, council, names, title in (
        ("14", kanagawa, ["川崎市", "平塚市"], "神奈川アンケート"),
        ("13", tokyo, ["渋谷区", "新宿区"], "東京カナリアアンケート"),
    ):
        user = staff_of(council, role=Role.COUNCIL_STAFF)
        questionnaire = services.questionnaire_create(
            user=user, council=council, prefecture=council.prefecture, fiscal_year=YEAR, title=title,
            sections=[("国保", [{"code": "1", "text": "国保料", "kind": "money"}])],
        )  # fmt: skip
        user, targets = _caravan(code, names, questionnaire=questionnaire)
        _progress(user, targets[names[0]], answered_on=D(2026, 7, 1), visited_on=D(2026, 10, 1))
        out[code] = questionnaire
    return out


def test_national_staff_see_every_prefecture_on_the_maps(
    with_questionnaires, national_staff, django_assert_num_queries
):
    # The caravans' bars read only the fields they print (.only()): none read later, a query a caravan.
    with django_assert_num_queries(2):
        panels(national_staff, "caravans.unanswered")
    pictures = panels(national_staff, "caravans.progress", "caravans.unanswered")
    by_key = {p.key: p for p in pictures}
    assert list(by_key) == ["caravans.prefectures", "caravans.tiles", "caravans.municipalities", "caravans.unanswered"]
    assert by_key["caravans.prefectures"].title == "2026年度 自治体キャラバン 対象 4市区町村・回答 2・懇談 2"
    assert all(
        by_key[k].credit == CREDIT for k in ("caravans.prefectures", "caravans.tiles", "caravans.municipalities")
    )
    assert ["神奈川県", 2, 1, 1, 1, 50.0, 50.0] in by_key["caravans.prefectures"].table.rows
    unanswered = by_key["caravans.unanswered"]
    assert [r[1] for r in unanswered.table.rows] == ["新宿区", "平塚市"]
    assert f'href="/caravans/questionnaires/{with_questionnaires["14"].pk}/"' in unanswered.svg


def test_kanagawa_staff_see_no_tokyo_caravan_nor_questionnaire(
    with_questionnaires, kanagawa_staff, django_assert_num_queries
):
    with django_assert_num_queries(2):  # a prefecture's bars name the questionnaire: read with the caravan
        panels(kanagawa_staff, "caravans.unanswered")
    pictures = panels(kanagawa_staff, "caravans.progress", "caravans.unanswered")
    assert [p.key for p in pictures] == ["caravans.prefecture", "caravans.unanswered"]
    assert pictures[0].credit == CREDIT
    text = everything_shown(pictures)
    assert "平塚市" in text and "神奈川アンケート" in text
    for tokyo_only in ("東京カナリアアンケート", "渋谷区", "新宿区", "東京都"):
        assert tokyo_only not in text
    assert f"/caravans/questionnaires/{with_questionnaires['13'].pk}/" not in text


def test_no_caravan_this_year_no_panel(kanagawa_staff):
    assert panels(kanagawa_staff, "caravans.progress", "caravans.unanswered") == []


def test_the_panels_queries_do_not_grow(with_questionnaires, national_staff):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = []
    for names in (["鎌倉市"], ["藤沢市", "小田原市", "茅ヶ崎市", "逗子市"]):
        _caravan("14", names, council=local_council("14"), questionnaire=with_questionnaires["14"])
        with CaptureQueriesContext(connection) as queries:
            panels(national_staff, "caravans.progress", "caravans.unanswered")
        counts.append(len(queries))
    assert counts[0] == counts[1]


@pytest.fixture
def published(kanagawa):
    """Kanagawa's questionnaire, published with question 1 only; question 2 (unpublished) holds a secret answer."""
    user = staff_of(kanagawa, role=Role.COUNCIL_STAFF)
    questionnaire = services.questionnaire_create(
        user=user, council=kanagawa, prefecture=kanagawa.prefecture, fiscal_year=YEAR, title="神奈川アンケート",
        sections=[("資格確認書", [
            {"code": "1", "text": "全員に送付するか", "kind": "yes_no"},
            {"code": "2", "text": "内部の記録", "kind": "text"},
        ])],
    )  # fmt: skip
    first, second = questionnaire.questions.order_by("code")
    for name, yes in (("川崎市", "はい"), ("平塚市", "いいえ")):
        municipality = Municipality.objects.get(prefecture__code="14", name=name)
        services.answer_record(user=user, question=first, municipality=municipality, raw=yes)
        services.answer_record(user=user, question=second, municipality=municipality, raw=f"非公開メモ{name}")
    services.questionnaire_publish(user=user, questionnaire=questionnaire, questions=[first])
    return questionnaire, first, second


def test_the_public_answer_map_shows_the_published_question_with_the_credit(client, published):
    questionnaire, first, _second = published
    response = client.get(f"/public/caravans/{questionnaire.pk}/map/")
    assert response.status_code == 200
    page = response.content.decode()
    assert CREDIT in page and "表で見る" in page and "<svg" in page
    assert "川崎市川崎区：はい" in page and "平塚市：いいえ" in page  # hover text; a ward shows its city
    assert 'class="map-' in page and " style=" not in page and "<script" not in page  # the CSP holds
    assert "非公開メモ" not in page and "内部の記録" not in page
    csv = client.get(f"/public/caravans/{questionnaire.pk}/map/?question={first.pk}&format=csv")
    assert csv.status_code == 200 and csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "川崎市,はい,はい" in text and "非公開メモ" not in text
    xlsx = client.get(f"/public/caravans/{questionnaire.pk}/map/?question={first.pk}&format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_an_unpublished_question_or_questionnaire_has_no_public_map(client, published, kanagawa):
    questionnaire, _first, second = published
    assert client.get(f"/public/caravans/{questionnaire.pk}/map/?question={second.pk}").status_code == 404
    assert client.get(f"/public/caravans/{questionnaire.pk}/map/?question={second.pk}&format=csv").status_code == 404
    services.questionnaire_unpublish(user=staff_of(kanagawa), questionnaire=questionnaire)
    assert client.get(f"/public/caravans/{questionnaire.pk}/map/").status_code == 404


def test_the_public_index_and_questionnaire_link_to_the_map(client, published):
    questionnaire, _first, _second = published
    url = f"/public/caravans/{questionnaire.pk}/map/"
    assert url in client.get("/public/").content.decode()
    assert url in client.get(f"/public/caravans/{questionnaire.pk}/").content.decode()


def test_numbers_are_binned_and_a_ward_shows_its_city(kanagawa):
    from municipalities.caravans.public_maps import answer_picture

    user = staff_of(kanagawa, role=Role.COUNCIL_STAFF)
    questionnaire = services.questionnaire_create(
        user=user, council=kanagawa, prefecture=kanagawa.prefecture, fiscal_year=YEAR, title="国保",
        sections=[("国保", [{"code": "1", "text": "子ども医療費", "kind": "age"}])],
    )  # fmt: skip
    question = questionnaire.questions.get()
    for name, age in (("横浜市", "15"), ("川崎市", "18"), ("平塚市", "12"), ("鎌倉市", "22")):
        municipality = Municipality.objects.get(prefecture__code="14", name=name)
        services.answer_record(user=user, question=question, municipality=municipality, raw=age)
    services.questionnaire_publish(user=user, questionnaire=questionnaire)
    questionnaire.refresh_from_db()
    question.refresh_from_db()
    picture = answer_picture(questionnaire=questionnaire, question=question)
    rows = {r[1]: r for r in picture.table.rows}
    assert rows["平塚市"][2:] == ["12歳", "〜15歳"]
    assert rows["鎌倉市"][2:] == ["22歳", "18歳超〜22歳"]
    assert rows["藤沢市"][2:] == ["", "回答なし"]
    assert "横浜市鶴見区：15歳" in picture.svg  # the ward is drawn in its city's class
    assert picture.title == "神奈川県 1 子ども医療費（回答 4自治体）"
