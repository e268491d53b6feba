"""Local assemblies: the demo reads back as the seeds report it, the national count, the rules a row must keep."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ValidationError

from campaigns.models import Campaign
from demo import assemblies as demo
from municipalities.assemblies import services
from municipalities.assemblies.models import Outcome, Season, Stage
from municipalities.assemblies.selectors import (
    adoption_list,
    assembly_count,
    party_group_votes,
    party_record,
    pending_petitions,
)
from municipalities.assemblies.services import VoteLine
from municipalities.models import AssemblyPetition, Municipality, OpinionStatement, Sitting
from shaho.core import blocks
from shaho.core.figures import PlaceholderContext, resolve
from tests.councils.factories import national_council, prefectural_council
from tests.module_data import kept_for_the_module

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(scope="class")
def built_demo(django_db_setup, django_db_blocker):
    """The assemblies' demo (the 保険証 petitions of Kanagawa and 渋谷区, the 424 hospitals and the 国保 adoptions),
    built once for TestTheDemoReadsBack (tests/module_data.py); each test's changes are rolled back after it."""
    with kept_for_the_module(django_db_blocker):
        national_council(), prefectural_council("14")
        campaigns = demo.seed(stdout=StringIO())
        yield {slug: campaign.pk for slug, campaign in campaigns.items()}


@pytest.fixture
def campaigns(built_demo, national, kanagawa):
    return {slug: Campaign.objects.get(pk=pk) for slug, pk in built_demo.items()}


@pytest.fixture
def seeded(campaigns):
    """The Kanagawa petitions of December 2023 and 渋谷区's statement (the seeds' 保険証 campaign)."""
    return campaigns


@pytest.fixture
def hospitals(campaigns):
    return campaigns[demo.HOSPITALS]


@pytest.fixture
def kokuho(campaigns):
    return campaigns[demo.KOKUHO]


def _petition(code, slug):
    return AssemblyPetition.objects.select_related("assembly").get(
        assembly__municipality__code=code, campaign__slug=slug
    )


# --- the demo reads back as the seeds report it --------------------------------------------


def test_the_demo_is_idempotent(national, kanagawa):
    demo.seed(stdout=StringIO())
    before = AssemblyPetition.objects.count(), OpinionStatement.objects.count()
    assert before == (4 + 110 + 112, 2 + 110 + 111)
    demo.seed(stdout=StringIO())
    assert (AssemblyPetition.objects.count(), OpinionStatement.objects.count()) == before


class TestTheDemoReadsBack:
    """The demo reads back as the seeds report it: built once for the class (`built_demo`); the idempotency
    test and the rules below start from an empty database."""

    def test_oiso_split_three_to_three_and_the_chair_decided_noted_in_spirit(self, seeded):
        oiso = _petition("143413", demo.HOKENSHO)
        assert (oiso.committee_for, oiso.committee_against) == (3, 3)
        assert oiso.committee_chair_decided
        assert oiso.committee_outcome == Outcome.NOTED_IN_SPIRIT
        assert oiso.statement_made and oiso.committee_on == D(2023, 12, 5)
        assert not oiso.is_adopted  # 趣旨了承 is not an adoption: no 意見書 could follow
        statement = oiso.opinion_statements.get()
        assert statement.status == OpinionStatement.Status.NOT_PROPOSED

    def test_kawasaki_rejected_with_mirai_and_kyosan_for_and_the_others_against(self, seeded):
        kawasaki = _petition("141305", demo.HOKENSHO)
        assert kawasaki.outcome == Outcome.REJECTED
        positions = {v.group.name: v.position for v in kawasaki.votes.select_related("group")}
        assert positions == {"みらい": "for", "共産": "for", "自民": "against", "公明": "against", "維新": "against"}

    def test_hiratsuka_petition_is_pending_with_its_committee_date(self, seeded):
        campaign = Campaign.objects.get(slug=demo.HOKENSHO)
        pending = list(pending_petitions(campaign=campaign))
        assert [(p.assembly.municipality.name, p.committee, p.committee_on) for p in pending] == [
            ("平塚市", "環境厚生常任委員会", D(2023, 12, 18))
        ]
        assert pending[0].kind == AssemblyPetition.Kind.SEIGAN

    def test_shibuya_sent_its_opinion_statement_on_the_insurance_card(self, seeded):
        statement = OpinionStatement.objects.get(assembly__municipality__code="131130")
        assert statement.status == OpinionStatement.Status.ADOPTED
        assert "厚生労働大臣" in statement.addressee_list and statement.campaign.slug == demo.HOKENSHO

    def test_kokuho_national_count_is_18_prefectures_112_municipalities_111_statements(
        self, kokuho, django_assert_num_queries
    ):
        campaign = kokuho
        with django_assert_num_queries(4):
            count = assembly_count(campaign=campaign, end=D(2025, 11, 30))
            assert (count.prefecture_count, count.municipalities, count.statements) == (18, 112, 111)
        assert count.sentence() == "18都道府県の112市区町村で採択、意見書111本"

    def test_424_campaign_adopted_89_in_december_15_in_march_6_in_june(self, hospitals):
        count = assembly_count(campaign=hospitals)
        by_sitting = {s.key: (s.assemblies, s.statements) for s in count.sittings}
        assert by_sitting == {"2019-12": (89, 89), "2020-03": (15, 15), "2020-06": (6, 6)}
        akita = count.prefecture("05")
        assert (akita.municipalities, akita.prefectural) == (25, 1)
        assert count.prefecture("01").municipalities == 49

    def test_policy_draft_figures_print_the_424_sentence_and_the_kokuho_line(self, hospitals, kokuho):
        ctx = PlaceholderContext(date=D(2020, 9, 1))
        text = (
            "12月議会で {{ assembly.assemblies campaign=424-byoin sitting=2019-12 }}自治体、"
            "3月議会で {{ assembly.assemblies campaign=424-byoin sitting=2020-03 }}自治体、"
            "6月議会で {{ assembly.assemblies campaign=424-byoin sitting=2020-06 }}自治体、"
            "北海道 {{ assembly.assemblies campaign=424-byoin prefecture=01 }}自治体"
        )
        assert resolve(text, ctx) == "12月議会で89自治体、3月議会で15自治体、6月議会で6自治体、北海道49自治体"
        later = PlaceholderContext(date=D(2025, 11, 30))
        kokuho_line = resolve("{{ assembly.line campaign=kokuho-ikensho }}", later)
        assert kokuho_line == "18都道府県の112市区町村で採択、意見書111本"
        line = (
            "{{ assembly.prefectures campaign=kokuho-ikensho }}/{{ assembly.municipalities campaign=kokuho-ikensho }}"
        )
        assert resolve(line + "/{{ assembly.statements campaign=kokuho-ikensho }}", later) == "18/112/111"

    def test_a_figure_before_the_adoptions_counts_nothing(self, hospitals):
        ctx = PlaceholderContext(date=D(2019, 11, 30))
        assert resolve("{{ assembly.assemblies campaign=424-byoin sitting=2019-12 }}", ctx) == "0"

    def test_an_unknown_campaign_in_a_figure_is_refused_naming_it(self, campaigns):
        with pytest.raises(ValidationError, match="運動「nope」はありません"):
            resolve("{{ assembly.municipalities campaign=nope }}", PlaceholderContext(date=D(2020, 9, 1)))

    def test_party_record_lists_how_each_group_voted(self, seeded):
        rows = party_record(start=D(2023, 4, 1), end=D(2024, 3, 31))
        assert {(r["party"], r["position_label"], r["n"]) for r in rows} == {
            ("立憲", "賛成", 1), ("共産", "賛成", 1), ("自民", "反対", 1), ("公明", "反対", 1), ("維新", "反対", 1),
        }  # fmt: skip
        kyosan = _petition("141305", demo.HOKENSHO).votes.get(group__name="共産").group
        assert [v.petition.title for v in party_group_votes(group=kyosan)] == ["現行の健康保険証を残すことを求める陳情"]

    def test_adoption_list_names_the_municipalities_in_two_queries(self, hospitals, django_assert_num_queries):
        campaign = hospitals
        with django_assert_num_queries(2):
            names = [p.assembly.municipality.name for p in adoption_list(campaign=campaign) if p.assembly.municipality]
        assert len(names) == 109 and names[0] == "札幌市"

    def test_the_demo_2020_draft_prints_the_424_sentence_from_data(self, hospitals):
        from demo import meetings
        from reports.models import Chapter

        meetings.seed(stdout=StringIO())
        body = Chapter.objects.get(meeting__number=meetings.MEETING_NUMBER, title="活動報告").body
        ctx = PlaceholderContext(date=meetings.FIGURES_DATE)
        text = resolve(blocks.extract(body, ctx)[0], ctx)  # the chapter's tables (blocks) taken out first
        assert "12月議会で89自治体、3月議会で15自治体、6月議会で6自治体で採択されました" in text
        assert "特に北海道49自治体、秋田26自治体、鳥取7自治体、徳島6自治体が" in text


# --- bad input: refused with the field named, nothing saved ------------------------------------


@pytest.fixture
def oiso_sitting(db):
    assembly = services.assembly_of(municipality=Municipality.objects.get(code="143413"))
    return services.sitting_for(
        assembly=assembly, season=Season.DECEMBER, year=2023, starts_on=D(2023, 11, 28), ends_on=D(2023, 12, 15)
    )


def _new(sitting, **fields):
    return AssemblyPetition(assembly=sitting.assembly, sitting=sitting, title="国保の陳情", **fields)


def test_an_outcome_dated_before_the_submission_is_refused(kanagawa_staff, oiso_sitting):
    petition = _new(
        oiso_sitting, submitted_on=D(2023, 12, 10), committee_on=D(2023, 12, 5), committee_outcome=Outcome.ADOPTED
    )
    with pytest.raises(ValidationError) as exc:
        services.petition_save(user=kanagawa_staff, petition=petition)
    assert "提出日" in exc.value.message_dict["committee_on"][0]
    assert not AssemblyPetition.objects.exists()


def test_a_committee_date_outside_the_sitting_is_refused(kanagawa_staff, oiso_sitting):
    petition = _new(oiso_sitting, submitted_on=D(2023, 11, 1), committee_on=D(2024, 1, 10))
    with pytest.raises(ValidationError) as exc:
        services.petition_save(user=kanagawa_staff, petition=petition)
    assert "会期" in exc.value.message_dict["committee_on"][0]
    assert not AssemblyPetition.objects.exists()


def test_votes_that_do_not_add_up_to_the_stated_total_are_refused(kanagawa_staff, oiso_sitting):
    group_a = services.party_group_of(assembly=oiso_sitting.assembly, name="A会派")
    group_b = services.party_group_of(assembly=oiso_sitting.assembly, name="B会派")
    petition = _new(oiso_sitting, committee_on=D(2023, 12, 5), committee_for=3, committee_against=3)
    votes = {Stage.COMMITTEE: [VoteLine(group_a, "for", 2), VoteLine(group_b, "against", None, 3)]}
    with pytest.raises(ValidationError) as exc:
        services.petition_save(user=kanagawa_staff, petition=petition, votes=votes)
    assert "賛成数（3）と合いません" in exc.value.message_dict["committee_for"][0]
    assert not AssemblyPetition.objects.exists()
    votes[Stage.COMMITTEE][0] = VoteLine(group_a, "for", 3)
    saved = services.petition_save(user=kanagawa_staff, petition=petition, votes=votes)
    assert saved.votes.count() == 2


def test_a_chair_decision_needs_a_tie(kanagawa_staff, oiso_sitting):
    petition = _new(oiso_sitting, committee_on=D(2023, 12, 5), committee_for=4, committee_against=2)
    petition.committee_chair_decided = True
    with pytest.raises(ValidationError) as exc:
        services.petition_save(user=kanagawa_staff, petition=petition)
    assert "可否同数" in exc.value.message_dict["committee_chair_decided"][0]


def test_a_municipality_that_did_not_exist_on_the_date_is_refused(kanagawa_staff, oiso_sitting):
    Municipality.objects.filter(code="143413").update(valid_from=D(2024, 1, 1))
    petition = _new(Sitting.objects.get(pk=oiso_sitting.pk), submitted_on=D(2023, 11, 20))
    with pytest.raises(ValidationError) as exc:
        services.petition_save(user=kanagawa_staff, petition=petition)
    assert "大磯町は2023年11月20日には存在しません" in exc.value.message_dict["assembly"][0]


def test_a_petition_to_an_assembly_outside_the_scope_is_refused(tokyo_staff, oiso_sitting):
    with pytest.raises(ValidationError) as exc:
        services.petition_save(user=tokyo_staff, petition=_new(oiso_sitting))
    assert exc.value.message_dict["assembly"] == [services.NOT_IN_SCOPE]
    assert not AssemblyPetition.objects.exists()


def test_the_outcome_that_counts_is_the_plenarys_once_decided(kanagawa_staff, oiso_sitting):
    petition = _new(
        oiso_sitting, committee_on=D(2023, 12, 5), committee_outcome=Outcome.ADOPTED,
        plenary_on=D(2023, 12, 15), plenary_outcome=Outcome.REJECTED,
    )  # fmt: skip
    saved = services.petition_save(user=kanagawa_staff, petition=petition)
    assert (saved.outcome, saved.decided_on, saved.entered_by) == (Outcome.REJECTED, D(2023, 12, 15), kanagawa_staff)


def test_a_party_group_that_did_not_exist_on_the_committee_date_cannot_vote(kanagawa_staff, oiso_sitting):
    old = services.party_group_of(assembly=oiso_sitting.assembly, name="旧会派")
    old.valid_until = D(2023, 5, 1)
    old.save()
    petition = _new(oiso_sitting, committee_on=D(2023, 12, 5))
    with pytest.raises(ValidationError, match="旧会派」は2023年12月5日には存在しません"):
        services.petition_save(user=kanagawa_staff, petition=petition, votes={Stage.COMMITTEE: [VoteLine(old, "for")]})
    assert not AssemblyPetition.objects.exists()
