"""municipalities: its part of the query-count test (tests/test_query_counts.py).

BUILDERS (admin model → how to add k rows the staff may see), NATIONAL_ONLY (lists Kanagawa's staff never
see 30 rows of) and SITE_PAGES (page → (its URL for a world, how to add k rows it lists)), gathered by the engine.
"""

from django.urls import reverse
from django.utils import timezone

from campaigns.models import Campaign
from municipalities.caravans import services as caravan_services
from municipalities.models import (
    Answer,
    Assembly,
    AssemblyPetition,
    Block,
    Caravan,
    CaravanTarget,
    DemandLetter,
    Municipality,
    MunicipalityChange,
    OpinionStatement,
    PartyGroup,
    Prefecture,
    Question,
    Questionnaire,
    Sitting,
    Talk,
)
from tests.walk_kit import KANAGAWA, D, serial


def _blocks(world, k):
    for _ in range(k):
        n = next(serial)
        Block.objects.create(name=f"テストブロック{n}", order=100 + n)


def _changes(world, k):
    municipalities = list(Municipality.objects.filter(prefecture=world.prefecture)[: 2 * k])
    for i in range(k):
        change = MunicipalityChange.objects.create(
            effective_on=D(2030, 4, 1), kind=MunicipalityChange.Kind.MERGER, description=f"テスト合併{next(serial)}"
        )
        change.abolished.add(municipalities[2 * i])
        change.created.add(municipalities[2 * i + 1])


def _kanagawa_assembly(world):
    """Kanagawa's prefectural assembly, with one sitting: what the assemblies' builders hang their rows on."""
    assembly, _ = Assembly.objects.get_or_create(prefecture=world.prefecture, municipality=None)
    sitting, _ = Sitting.objects.get_or_create(
        assembly=assembly, season="12", year=2024, defaults={"starts_on": D(2024, 11, 28), "ends_on": D(2024, 12, 20)}
    )
    return assembly, sitting


def _assemblies(world, k):
    free = Municipality.objects.filter(prefecture=world.prefecture, assemblies__isnull=True).exclude(kind="ward")
    for municipality in free.order_by("code")[:k]:
        Assembly.objects.create(municipality=municipality, prefecture=world.prefecture)


def _party_groups(world, k):
    assembly, _sitting = _kanagawa_assembly(world)
    for _ in range(k):
        PartyGroup.objects.create(assembly=assembly, name=f"会派{next(serial)}", party="共産")


def _sittings(world, k):
    assembly, _sitting = _kanagawa_assembly(world)
    for _ in range(k):
        Sitting.objects.create(assembly=assembly, season="xx", year=2024, starts_on=D(2024, 1, 1))


def _assembly_petitions(world, k):
    assembly, sitting = _kanagawa_assembly(world)
    for _ in range(k):
        AssemblyPetition.objects.create(
            assembly=assembly, sitting=sitting, title=f"陳情{next(serial)}", committee_on=D(2024, 12, 5),
            submitted_by=world.kanagawa,
        )  # fmt: skip


def _opinion_statements(world, k):
    assembly, _sitting = _kanagawa_assembly(world)
    for _ in range(k):
        OpinionStatement.objects.create(
            assembly=assembly, title=f"意見書{next(serial)}", status="adopted", adopted_on=D(2024, 12, 20)
        )


def _world_questionnaire(world):
    if not hasattr(world, "questionnaire"):
        world.questionnaire = caravan_services.questionnaire_create(
            user=world.national_staff, council=world.kanagawa, prefecture=world.prefecture, fiscal_year=2023,
            title="市町村国保調査", sections=[("国保", [])],
        )  # fmt: skip
        world.section = world.questionnaire.sections.get()
        world.indicator = caravan_services.question_add(
            user=world.national_staff, section=world.section, code="0-1", text="子ども医療費助成（通院）",
            kind="age", is_indicator=True, indicator_key="kodomo",
        )  # fmt: skip
        world.answered = set()
    return world.questionnaire


def _world_caravan(world):
    if not hasattr(world, "caravan"):
        world.caravan = caravan_services.caravan_create(
            user=world.national_staff, council=world.kanagawa, fiscal_year=2023, title="キャラバン",
            questionnaire=_world_questionnaire(world), municipalities=[],
        )  # fmt: skip
        world.targeted = set()
    return world.caravan


def _municipalities(world, used, k):
    fresh = list(Municipality.objects.filter(prefecture=world.prefecture).exclude(pk__in=used).order_by("code")[:k])
    used.update(m.pk for m in fresh)
    return fresh


def _questionnaires(world, k):
    for _ in range(k):
        Questionnaire.objects.create(
            council=world.kanagawa, prefecture=world.prefecture, fiscal_year=2024, title="調査"
        )


def _questions(world, k):
    _world_questionnaire(world)
    for _ in range(k):
        caravan_services.question_add(
            user=world.national_staff, section=world.section, code=f"9-{next(serial)}", text="国保料", kind="money"
        )


def _answers(world, k):
    _world_questionnaire(world)
    for municipality in _municipalities(world, world.answered, k):
        caravan_services.answer_record(
            user=world.kanagawa_staff, question=world.indicator, municipality=municipality, raw="18"
        )


def _caravans(world, k):
    for _ in range(k):
        year = 1990 + next(serial) % 110
        caravan_services.caravan_create(
            user=world.national_staff, council=world.kanagawa, fiscal_year=year, title="キャラバン", municipalities=[]
        )


def _targets(world, k):
    caravan = _world_caravan(world)
    for municipality in _municipalities(world, world.targeted, k):
        caravan_services.target_add(user=world.national_staff, caravan=caravan, municipality=municipality)


def _target(world):
    caravan = _world_caravan(world)
    if not hasattr(world, "target"):
        world.target = caravan_services.target_add(
            user=world.national_staff, caravan=caravan, municipality=_municipalities(world, world.targeted, 1)[0]
        )
    return world.target


def _talks(world, k):
    for _ in range(k):
        caravan_services.talk_record(
            user=world.national_staff, target=_target(world), held_at=timezone.now(), participations=[("保険医協会", 2)]
        )


def _letters(world, k):
    for _ in range(k):
        caravan_services.demand_letter_record(
            user=world.national_staff,
            target=_target(world),
            title="予算要望書",
            items=[("国保料を引き下げること", None)],
        )


def _published_answers(world, k):
    questionnaire = _world_questionnaire(world)
    caravan_services.questionnaire_publish(user=world.national_staff, questionnaire=questionnaire)
    _answers(world, k)


def _world_campaign(world):
    """A national campaign (public on /public/assemblies/): the adoption maps' campaign."""
    if not hasattr(world, "campaign"):
        world.campaign = Campaign.objects.create(
            slug=f"map-{next(serial)}", name="国保改善運動", starts_on=D(2024, 4, 1), lead_council=world.national
        )
    return world.campaign


def _adoptions(world, k):
    """k Kanagawa municipalities whose assembly adopted the national campaign's petition and sent an 意見書."""
    campaign = _world_campaign(world)
    free = Municipality.objects.filter(prefecture=world.prefecture, assemblies__isnull=True).exclude(kind="ward")
    for municipality in free.order_by("code")[:k]:
        assembly = Assembly.objects.create(municipality=municipality, prefecture=world.prefecture)
        sitting = Sitting.objects.create(
            assembly=assembly, season="12", year=2024, starts_on=D(2024, 11, 28), ends_on=D(2024, 12, 20)
        )
        petition = AssemblyPetition.objects.create(
            assembly=assembly, sitting=sitting, title="陳情", campaign=campaign, committee_on=D(2024, 12, 5),
            committee_outcome="adopted", outcome="adopted", decided_on=D(2024, 12, 5),
        )  # fmt: skip
        OpinionStatement.objects.create(
            assembly=assembly, petition=petition, campaign=campaign, title="意見書", status="adopted",
            adopted_on=D(2024, 12, 20),
        )  # fmt: skip


def _registry_rows(world, k):
    """Prefectures and municipalities are the loaded registry: there are always more than 30."""


BUILDERS = {
    Block: _blocks,
    Prefecture: _registry_rows,
    Municipality: _registry_rows,
    MunicipalityChange: _changes,
    Assembly: _assemblies,
    PartyGroup: _party_groups,
    Sitting: _sittings,
    AssemblyPetition: _assembly_petitions,
    OpinionStatement: _opinion_statements,
    Questionnaire: _questionnaires,
    Question: _questions,
    Answer: _answers,
    Caravan: _caravans,
    CaravanTarget: _targets,
    Talk: _talks,
    DemandLetter: _letters,
}


# Kanagawa's staff see one block and one prefecture and no registry changes: 30 rows cannot exist for them.
NATIONAL_ONLY = {Block, Prefecture, MunicipalityChange}


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "caravans:list": (lambda world: reverse("caravans:list"), _caravans),
    "caravans:caravan": (lambda world: reverse("caravans:caravan", args=[_world_caravan(world).pk]), _targets),
    "caravans:questionnaire": (
        lambda world: reverse("caravans:questionnaire", args=[_world_questionnaire(world).pk]),
        _answers,
    ),
    "caravans:indicator": (
        lambda world: reverse("caravans:indicator", args=[KANAGAWA, "kodomo"]) + "?sort=change",
        _answers,
    ),
    "public:index": (lambda world: reverse("public:index"), _published_answers),
    "public:questionnaire": (
        lambda world: reverse("public:questionnaire", args=[_world_questionnaire(world).pk]),
        _published_answers,
    ),
    # The public maps (issue 17): the answer map of a published question, the adoption maps of a campaign.
    "public:answer_map": (
        lambda world: reverse("public:answer_map", args=[_world_questionnaire(world).pk]),
        _published_answers,
    ),
    "public_assemblies:campaign": (
        lambda world: reverse("public_assemblies:campaign", args=[_world_campaign(world).slug]),
        _adoptions,
    ),
    "public_assemblies:prefecture": (
        lambda world: reverse("public_assemblies:prefecture", args=[_world_campaign(world).slug, KANAGAWA]),
        _adoptions,
    ),
}
