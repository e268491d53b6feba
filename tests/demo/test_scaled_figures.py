"""The demo's invented figures scale with the municipality: 御蔵島村 sends a few dozen 資格確認書, not 48,400.

The seed figures (Kanagawa's 33 municipalities and its indicator counts, Tokyo's 16 answers, the
1,241 of 65,000 介護 signatures handed in) stay exactly as the seeds give them.
"""

import datetime

import pytest

from councils.models import Council, CouncilKind
from demo import population
from municipalities.models import Answer, Municipality, Questionnaire
from petitions.models import PetitionDrive, Submission, TallyEntry
from tests import demo_snapshot

TOKYO_SURVEY_PLANNED = "2"  # 資格確認書の送付予定数
WARDS_23 = ["練馬区", "江東区", "港区", "江戸川区", "足立区", "中野区", "葛飾区"]
SMALL = ["御蔵島村", "八丈町"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo federation, petitions, actions, caravans (and calls: the same snapshot as tests/test_links_work.py,
    tests/demo_snapshot.py), loaded once for the module and rolled back after."""
    media = tmp_path_factory.mktemp("media")
    with demo_snapshot.for_the_module(django_db_blocker, media, steps=demo_snapshot.SITE_STEPS):
        yield


def _municipality(prefecture, name):
    return Municipality.objects.get(prefecture__code=prefecture, name=name)


def _answers(title, code):
    questionnaire = Questionnaire.objects.get(title=title)
    rows = Answer.objects.filter(question__questionnaire=questionnaire, question__code=code)
    return {a.municipality.name: a.number for a in rows.select_related("municipality")}


# --- the sizes the figures scale with ------------------------------------------------------------


@pytest.mark.django_db
def test_the_registrys_population_wins_then_the_census_table_then_an_estimate_within_its_kind():
    mikura = _municipality("13", "御蔵島村")
    assert population.population(mikura) == 320  # the 2020 census, rounded
    mikura.population = 290
    assert population.population(mikura) == 290  # the registry's own figure, when loaded
    village = Municipality.objects.filter(kind=Municipality.Kind.VILLAGE, prefecture__code="02").first()
    low, high = population.ESTIMATE_RANGE[Municipality.Kind.VILLAGE]
    estimate = population.population(village)
    assert low <= estimate <= high and estimate == population.population(village)  # deterministic
    ward = Municipality.objects.get(code="141011")  # 横浜市鶴見区: its city shared among 18 wards
    assert 3_777_000 / 18 * 0.8 <= population.population(ward) <= 3_777_000 / 18 * 1.2
    assert population.kokuho_insured(mikura) == 58 and population.kokuho_households(mikura) == 39


# --- Tokyo's questionnaire: 資格確認書 ------------------------------------------------------------


@pytest.mark.django_db
def test_mikurajima_plans_fewer_certificates_than_it_has_inhabitants(demo):
    from demo.caravans import TOKYO_SURVEY

    planned = _answers(TOKYO_SURVEY, TOKYO_SURVEY_PLANNED)
    assert len(planned) == 16  # the seed's 16 answers, no more
    mikura = _municipality("13", "御蔵島村")
    assert 0 < planned["御蔵島村"] <= population.kokuho_insured(mikura) < population.population(mikura)
    hachijo = _municipality("13", "八丈町")
    assert planned["八丈町"] <= population.kokuho_insured(hachijo) <= 7_000 * population.KOKUHO_SHARE
    # Every answer fits its municipality: never more than its 国保 insured.
    for name, number in planned.items():
        assert number <= population.kokuho_insured(_municipality("13", name)), name


@pytest.mark.django_db
def test_tokyos_wards_plan_more_certificates_than_its_islands(demo):
    from demo.caravans import TOKYO_SURVEY

    planned = _answers(TOKYO_SURVEY, TOKYO_SURVEY_PLANNED)
    assert min(planned[w] for w in WARDS_23) > 10 * max(planned[s] for s in SMALL)


# --- Kanagawa's 国保 indicators and Osaka's staff -------------------------------------------------


@pytest.mark.django_db
def test_kanagawas_money_figures_scale_with_the_municipality(demo):
    from demo.caravans import KANAGAWA_SURVEY

    title = f"2023{KANAGAWA_SURVEY}"
    transfers, funds, seizures = (_answers(title, code) for code in ("1-3", "1-4", "1-7"))
    assert len(funds) == 33  # all 33 municipalities, as the seeds say
    assert funds["横浜市"] > 20 * funds["清川村"]
    assert seizures["横浜市"] > seizures["清川村"]
    kiyokawa = _municipality("14", "清川村")
    assert seizures["清川村"] <= population.kokuho_households(kiyokawa) * 12 / 1000 + 1
    # 基金 stays within 25,000 yen per insured person, 法定外繰入 within 13,200 (12,000 and 10 % more).
    for name in funds:
        insured = population.kokuho_insured(_municipality("14", name))
        assert funds[name] <= insured * 25_000 + 500_000, name
        assert transfers[name] <= insured * 13_200 + 500_000, name


@pytest.mark.django_db
def test_osaka_city_has_more_kokuho_staff_than_a_village(demo):
    planned = _answers("2019年度 キャラバン事前アンケート", "1-1")
    assert planned["大阪市"] > 100 > 10 > planned["千早赤阪村"] >= 2


# --- signatures of local councils ----------------------------------------------------------------


@pytest.mark.django_db
def test_a_large_citys_local_council_collects_more_on_the_street_than_a_small_ones(demo):
    hokensho = PetitionDrive.objects.get(slug="hokensho")
    totals = {}
    for stem in ("横浜", "茅ヶ崎"):
        council = Council.objects.get(kind=CouncilKind.LOCAL, prefecture__code="14", short_name=f"{stem}社保協")
        rows = TallyEntry.objects.filter(petition=hokensho, council=council, source=f"{stem}駅頭宣伝")
        totals[stem] = sum(rows.values_list("count", flat=True))
    assert totals["横浜"] > 5 * totals["茅ヶ崎"] > 0
    assert totals["横浜"] <= 3_777_000 * 1.6 / 1000 + 10


@pytest.mark.django_db
def test_the_seed_figures_are_kept(demo):
    kaigo = PetitionDrive.objects.get(slug="kaigo-2023")
    first = Submission.objects.filter(petition=kaigo, submitted_on=datetime.date(2023, 12, 4))
    assert sum(first.values_list("count", flat=True)) == 65_000  # seed 001: 65,000 handed in nationally
    assert first.get(council__kind=CouncilKind.PREFECTURAL, council__prefecture__code="14").count == 1_241
    from demo.caravans import KANAGAWA_SURVEY

    to_18 = _answers(f"2023{KANAGAWA_SURVEY}", "2-1")
    assert sum(1 for age in to_18.values() if age >= 18) == 29  # 29 of the 33 (seed 003)


@pytest.mark.django_db
def test_a_populous_prefecture_holds_more_study_sessions_and_the_national_count_stays(demo):
    from campaigns.models import Action
    from demo.campaigns import STUDY_SESSIONS_NATIONAL, STUDY_YEAR_END, STUDY_YEAR_START

    year = Action.objects.filter(
        title__startswith="社会保障学習会", starts_on__gte=STUDY_YEAR_START, starts_on__lte=STUDY_YEAR_END
    )
    assert year.count() == STUDY_SESSIONS_NATIONAL
    tokyo, tottori = (year.filter(organiser__prefecture__code=code).count() for code in ("13", "31"))
    assert tokyo > 3 * tottori > 0
