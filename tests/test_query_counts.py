"""Query counts do not grow with rows: every admin changelist and every site list page, at 3 and at 30 rows.

Each page is opened twice, once when it lists 3 rows and once when it lists
30, as national staff and as Kanagawa's prefectural staff; the number of
queries must be the same. A per-row query (a missing `list_select_related`,
a count per row) makes the second number larger and names the page.

Every model registered in the admin needs a builder below: a new admin
without one fails `test_every_changelist_has_a_builder`.
"""

import datetime
import uuid
from itertools import count

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaigns.models import Action, ActionKind, Campaign, LiaisonGroup, StudyGoal, Theme
from consultations.models import CallRecord, Category, ConsultationDay, Coordinator, Station
from councils.models import Council, Membership, Officer, Organisation, Role, User
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
from petitions.models import ImportBatch, PetitionDrive, PetitionGoal, Submission, TallyEntry
from petitions.services import tally_correct
from reports.models import Audience, JobStatus, Meeting, ReportJob
from tests.consultations import factories as consultation_factories
from tests.councils.factories import (
    OfficerFactory,
    OrganisationFactory,
    local_council,
    national_council,
    prefectural_council,
    staff_of,
)
from tests.petitions.factories import PetitionDriveFactory, goal, record, with_rounds

D = datetime.date
SIZES = (3, 30)
KANAGAWA = "14"
serial = count(1)
pytestmark = pytest.mark.django_db


class World:
    """The federation every builder adds to: rows visible to national staff and to Kanagawa's staff."""

    def __init__(self):
        self.national = national_council()
        self.kanagawa = prefectural_council(KANAGAWA)
        self.national_staff = staff_of(self.national, role=Role.NATIONAL_STAFF)
        self.kanagawa_staff = staff_of(self.kanagawa)
        self.prefecture = self.kanagawa.prefecture
        self.drive = PetitionDriveFactory(title="社会保障拡充・財源確保を求める署名", short_name="25条署名")
        with_rounds(self.drive, D(2024, 2, 29), D(2024, 12, 31))
        self.parent_organisation = OrganisationFactory(
            level=Organisation.Level.NATIONAL, name="全日本民医連", home_council=self.national
        )

    def local(self):
        return local_council(KANAGAWA, name=f"テスト市社会保障推進協議会{next(serial)}")

    def organisation(self):
        return OrganisationFactory(
            prefecture=self.prefecture, home_council=self.kanagawa, parent=self.parent_organisation
        )


def _councils(world, k):
    for _ in range(k):
        world.local()


def _organisations(world, k):
    for _ in range(k):
        world.organisation()


def _memberships(world, k):
    for _ in range(k):
        Membership.objects.create(organisation=world.organisation(), council=world.local(), since=D(2020, 4, 1))


def _officers(world, k):
    for _ in range(k):
        OfficerFactory(council=world.kanagawa, organisation=world.organisation())


def _users(world, k):
    for _ in range(k):
        staff_of(world.local(), role=Role.ORGANIZER)


def _drives(world, k):
    for _ in range(k):
        PetitionDriveFactory(organiser=world.kanagawa)


def _goals(world, k):
    for _ in range(k):
        goal(world.drive, world.local(), 100)


def _entries(world, k):
    # Entries of several councils with an organisation and a round; every third is a correction of the one before.
    made = 0
    while made < k:
        council = world.local()
        entry = record(world.kanagawa_staff, world.drive, council, 40, organisation=world.organisation())
        made += 1
        if made < k and made % 3 == 2:
            tally_correct(user=world.kanagawa_staff, entry=entry, corrected=42, reason="数え直し")
            made += 1


def _batches(world, k):
    for _ in range(k):
        ImportBatch.objects.create(
            petition=world.drive, file_name=f"集約{next(serial)}.xlsx", sha256=uuid.uuid4().hex * 2,
            created_by=world.kanagawa_staff, row_count=10,
        )  # fmt: skip


def _submissions(world, k):
    for _ in range(k):
        Submission.objects.create(
            petition=world.drive, council=world.local(), submitted_on=D(2024, 5, 20), submitted_to="衆議院議長",
            count=120, entered_by=world.kanagawa_staff,
        )  # fmt: skip


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


def _meetings(world, k):
    for _ in range(k):
        n = next(serial)
        Meeting.objects.create(council=world.kanagawa, number=n, title=f"第{n}回定期総会議案", date=D(2024, 6, 1))


def _jobs(world, k, **fields):
    for _ in range(k):
        ReportJob.objects.create(
            kind="council_directory", title=f"地域社保協一覧（神奈川県）{next(serial)}", council=world.kanagawa,
            requested_by=world.kanagawa_staff, dedupe_key=uuid.uuid4().hex, **fields,
        )  # fmt: skip


def _published_jobs(world, k):
    _jobs(
        world, k, status=JobStatus.DONE, file="reports/test.pdf", finished_at=timezone.now(),
        audience=Audience.ALL, published_at=timezone.now(),
    )  # fmt: skip


def _login_rows(model):
    def build(world, k):
        for _ in range(k):
            n = next(serial)
            model.objects.create(
                username=f"user{n}", ip_address=f"192.0.2.{n % 250}", user_agent="Mozilla/5.0", path_info="/login/",
                **({"failures_since_start": 3, "get_data": "", "post_data": "", "http_accept": "*/*"}
                   if model is AccessAttempt else {}),
            )  # fmt: skip

    return build


def _authenticators(world, k):
    for _ in range(k):
        TOTPDevice.objects.create(user=staff_of(world.local()), name="スマートフォン", confirmed=True)


def _themes(world, k):
    for _ in range(k):
        Theme.objects.create(name=f"テーマ{next(serial)}")


def _action_kinds(world, k):
    for _ in range(k):
        n = next(serial)
        ActionKind.objects.create(code=f"kind-{n}", name=f"行動の種類{n}")


def _liaison_groups(world, k):
    for _ in range(k):
        LiaisonGroup.objects.create(name=f"連絡会{next(serial)}", council=world.local())


def _campaigns(world, k):
    parent = Campaign.objects.create(slug=f"c-{next(serial)}", name="親の運動", starts_on=D(2024, 1, 1),
                                     lead_council=world.kanagawa)  # fmt: skip
    for _ in range(k - 1):
        group = LiaisonGroup.objects.create(name=f"連絡会{next(serial)}", council=world.kanagawa)
        Campaign.objects.create(slug=f"c-{next(serial)}", name="運動", starts_on=D(2024, 1, 1),
                                lead_council=world.local(), parent=parent, liaison_group=group)  # fmt: skip


def _actions(world, k):
    # Actions of several councils, each with participation rows (the list shows the derived 「n団体m人」).
    from campaigns.models import Participation

    street = ActionKind.objects.get(code="street")
    for i in range(k):
        action = Action.objects.create(kind=street, title=f"宣伝{i}", starts_on=D(2024, 1, 10), organiser=world.local(),
                                       stated_organisations=3, stated_participants=9)  # fmt: skip
        Participation.objects.bulk_create(
            [Participation(action=action, organisation_name=f"団体{j}", count=3) for j in range(2)]
        )


def _study_goals(world, k):
    for _ in range(k):
        StudyGoal.objects.create(council=world.local(), year=2024, goal=50)


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


def _consultation_days(world, k):
    for _ in range(k):
        n = next(serial)
        consultation_factories.station(
            consultation_factories.national_day(D(2000, 1, 1) + datetime.timedelta(days=n)), world.kanagawa
        )


def _the_day(world):
    if not hasattr(world, "day"):
        world.day = consultation_factories.national_day(D(2023, 11, 11))
        consultation_factories.national_day(D(2022, 11, 11))  # last year's, beside it on the totals page
    return world.day


def _the_responder(world):
    if not hasattr(world, "responder"):
        station = consultation_factories.station(_the_day(world), world.kanagawa)
        world.responder = consultation_factories.responder(station)
    return world.responder


def _stations(world, k):
    for _ in range(k):
        consultation_factories.station(_the_day(world), world.local())


def _calls(world, k):
    responder = _the_responder(world)
    cost = consultation_factories.category("利用料・費用")
    for _ in range(k):
        consultation_factories.call(responder, categories=[cost], summary="相談内容")


def _categories(world, k):
    for _ in range(k):
        consultation_factories.category(f"分類{next(serial)}")


def _coordinators(world, k):
    for _ in range(k):
        Coordinator.objects.create(user=staff_of(world.national, role=Role.NATIONAL_STAFF))


# --- caravans: one questionnaire and one caravan per world, grown row by row ------------------------


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


def _registry_rows(world, k):
    """Prefectures and municipalities are the loaded registry: there are always more than 30."""


BUILDERS = {
    Block: _blocks,
    Prefecture: _registry_rows,
    Municipality: _registry_rows,
    MunicipalityChange: _changes,
    Council: _councils,
    Organisation: _organisations,
    Membership: _memberships,
    Officer: _officers,
    User: _users,
    PetitionDrive: _drives,
    PetitionGoal: _goals,
    TallyEntry: _entries,
    ImportBatch: _batches,
    Submission: _submissions,
    Meeting: _meetings,
    ReportJob: _jobs,
    Assembly: _assemblies,
    PartyGroup: _party_groups,
    Sitting: _sittings,
    AssemblyPetition: _assembly_petitions,
    OpinionStatement: _opinion_statements,
    AccessAttempt: _login_rows(AccessAttempt),
    AccessLog: _login_rows(AccessLog),
    AccessFailureLog: _login_rows(AccessFailureLog),
    TOTPDevice: _authenticators,
    Theme: _themes,
    ActionKind: _action_kinds,
    LiaisonGroup: _liaison_groups,
    Campaign: _campaigns,
    Action: _actions,
    StudyGoal: _study_goals,
    ConsultationDay: _consultation_days,
    Station: _stations,
    CallRecord: _calls,
    Category: _categories,
    Coordinator: _coordinators,
    Questionnaire: _questionnaires,
    Question: _questions,
    Answer: _answers,
    Caravan: _caravans,
    CaravanTarget: _targets,
    Talk: _talks,
    DemandLetter: _letters,
}
# Kanagawa's staff see one block and one prefecture, no registry changes, and none of the lock-out and
# authenticator lists (national staff only): 30 rows cannot exist for them.
NATIONAL_ONLY = {
    Block, Prefecture, MunicipalityChange, AccessAttempt, AccessLog, AccessFailureLog, TOTPDevice, Category, Coordinator
}  # fmt: skip
NATIONAL_ONLY |= {Theme, ActionKind}  # campaigns' shared vocabulary, kept by national staff
CHANGELISTS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def test_every_changelist_has_a_builder():
    missing = [model._meta.label for model in CHANGELISTS if model not in BUILDERS]
    assert not missing, f"add a builder to tests/test_query_counts.py for {missing}"


def _grow_to(world, model, user, n):
    """At least `n` rows of `model` that `user` may see in its admin (built only as far as needed)."""
    request = RequestFactory().get("/")
    request.user = user
    visible = admin.site._registry[model].get_queryset(request)
    missing = n - visible.count()
    if missing > 0:
        BUILDERS[model](world, missing)
    assert visible.count() >= n, f"the builder for {model._meta.label} made fewer than {n} rows {user} may see"


def _queries(client, url, check=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    if check:
        check(response)
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


def _same_at_both_sizes(measured):
    (small, small_sql), (large, large_sql) = measured
    extra = large_sql[len(small_sql) :] if large > small else []
    assert small == large, f"{small} queries at {SIZES[0]} rows, {large} at {SIZES[1]}; extra: {extra[:3]}"
    return small


# Kanagawa's staff never see 30 rows of the national-only lists: those are measured for national staff only
# (generated, not skipped, so a CI run shows no skip).
CHANGELIST_CASES = [
    pytest.param(model, who, id=f"{model._meta.label}-{who}")
    for model in CHANGELISTS
    for who in ("national_staff", "kanagawa_staff")
    if not (who == "kanagawa_staff" and model in NATIONAL_ONLY)
]


@pytest.mark.parametrize(("model", "who"), CHANGELIST_CASES)
def test_changelist_query_count_does_not_grow_with_rows(client, monkeypatch, model, who):
    world = World()
    user = getattr(world, who)
    client.force_login(user)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = user
    assert model_admin.has_view_permission(request), f"{who} may not view {model._meta.label}: add it to NATIONAL_ONLY"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    measured = []
    for n in SIZES:
        _grow_to(world, model, user, n)
        # The page shows exactly n rows: the n built (or n of the registry's many).
        monkeypatch.setattr(model_admin, "list_per_page", n)
        measured.append(_queries(client, url, lambda r, n=n: _assert_rows(r, n)))
    _same_at_both_sizes(measured)


def _assert_rows(response, n):
    assert len(response.context["cl"].result_list) == n


# --- site pages ------------------------------------------------------------------


def _entry_done(world, user):
    council = world.local()
    entry = record(world.kanagawa_staff, world.drive, council, 10)
    return reverse("petitions:entry_done", args=[entry.pk]), council


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "petitions:list": (lambda world: reverse("petitions:list"), _drives),
    "petitions:national": (lambda world: reverse("petitions:national", args=[world.drive.slug]), "table"),
    "petitions:prefecture": (
        lambda world: reverse("petitions:prefecture", args=[world.drive.slug, KANAGAWA]),
        "table",
    ),
    "petitions:entry": (lambda world: reverse("petitions:entry"), _drives),
    "petitions:entry_done": (None, "recent"),
    "reports:jobs": (lambda world: reverse("reports:jobs"), _jobs),
    "reports:downloads": (lambda world: reverse("reports:downloads"), _published_jobs),
    "home": (lambda world: reverse("home"), _councils),
    "campaigns:calendar": (lambda world: reverse("campaigns:calendar"), "upcoming"),
    "campaigns:calendar_print": (lambda world: reverse("campaigns:calendar_print"), "upcoming"),
    "consultations:days": (lambda world: reverse("consultations:days"), _consultation_days),
    "consultations:day": (lambda world: reverse("consultations:day", args=[_the_day(world).pk]), _stations),
    "consultations:station": (
        lambda world: reverse("consultations:station", args=[_the_responder(world).station_id]),
        _calls,
    ),
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
}


def _upcoming_actions(world, k):
    street = ActionKind.objects.get(code="street")
    today = timezone.localdate()
    for i in range(k):
        Action.objects.create(kind=street, title=f"予定{i}", starts_on=today + datetime.timedelta(days=i % 60),
                              organiser=world.local())  # fmt: skip


def _table_rows(world, k):
    # Local councils with goals, entries (and a correction), submissions: rows of the Kanagawa table,
    # and more figures in the national one.
    for _ in range(k):
        council = world.local()
        goal(world.drive, council, 100)
        entry = record(world.kanagawa_staff, world.drive, council, 40)
        tally_correct(user=world.kanagawa_staff, entry=entry, corrected=42, reason="数え直し")
        Submission.objects.create(
            petition=world.drive, council=council, submitted_on=D(2024, 5, 20), submitted_to="衆議院議長",
            count=10, entered_by=world.kanagawa_staff,
        )  # fmt: skip


@pytest.mark.parametrize("who", ["national_staff", "kanagawa_staff"])
@pytest.mark.parametrize("page", list(SITE_PAGES))
def test_site_page_query_count_does_not_grow_with_rows(client, page, who):
    world = World()
    user = getattr(world, who)
    client.force_login(user)
    url_of, build = SITE_PAGES[page]
    measured = []
    built = 0
    if page == "petitions:entry_done":
        # The confirmation of an organizer's entry with 3, then 30, earlier entries of that council.
        url, council = _entry_done(world, user)
        for n in SIZES:
            for _ in range(n - built):
                entry = record(world.kanagawa_staff, world.drive, council, 5, organisation=world.organisation())
                tally_correct(user=world.kanagawa_staff, entry=entry, corrected=6, reason="数え直し")
            built = n
            measured.append(_queries(client, url))
        _same_at_both_sizes(measured)
        return
    if page == "home":
        user.council = world.kanagawa  # the home page lists the user's council's councils
    build = {"table": _table_rows, "upcoming": _upcoming_actions}.get(build, build)
    url = url_of(world)
    for n in SIZES:
        build(world, n - built)
        built = n
        measured.append(_queries(client, url))
    _same_at_both_sizes(measured)
