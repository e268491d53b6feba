"""Scope isolation, proven from the outside for every model registered in the admin.

A new admin model must say here how to make "an object of another prefecture";
the test fails for any registered model without one.
"""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from campaigns.materials.models import Distribution, Material, Order, OrderLine
from campaigns.models import Action, ActionKind, Campaign, LiaisonGroup, StudyGoal, Theme
from consultations.models import CallRecord, Category, ConsultationDay, Coordinator, Station
from councils import services
from councils.models import Council, CouncilKind, CouncilStage, Membership, Officer, Organisation, Role, User
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
from reports.models import Meeting, Newsletter, Photo, ReportJob
from shaho.core.api.models import ApiToken, ApiTokenUse
from shaho.core.backups.models import BackupRecord
from shaho.core.scoping import restrict, scope_for
from tests.municipalities.factories import tokyo_objects as tokyo_caravan_objects
from tests.petitions.factories import tokyo_objects as tokyo_petition_objects

from .factories import (
    MembershipFactory,
    OfficerFactory,
    OrganisationFactory,
    UserFactory,
    local_council,
    national_council,
    prefectural_council,
    staff_of,
)

KANAGAWA, TOKYO, OSAKA = "14", "13", "27"
D = datetime.date


def _tokyo_consultations():
    """A Tokyo station of the national call-in day with one call (tests.consultations.factories)."""
    from tests.consultations import factories

    station = factories.station(factories.national_day(), prefectural_council(TOKYO))
    call = factories.call(factories.responder(station), summary="東京の相談")
    return {ConsultationDay: station.day, Station: station, CallRecord: call}


def _tokyo_assembly():
    """渋谷区's assembly with its December sitting of 2023 (the assemblies' rows hang on it)."""
    assembly, _ = Assembly.objects.get_or_create(
        municipality=Municipality.objects.get(code="131130"), prefecture=Prefecture.objects.get(code=TOKYO)
    )
    sitting, _ = Sitting.objects.get_or_create(
        assembly=assembly, season="12", year=2023, defaults={"starts_on": D(2023, 11, 28), "ends_on": D(2023, 12, 20)}
    )
    return assembly, sitting


def _tokyo_organisation():
    return OrganisationFactory(
        name="東京土建一般労働組合",
        prefecture=Prefecture.objects.get(code=TOKYO),
        home_council=prefectural_council(TOKYO),
    )


def _tokyo_materials():
    """Tokyo's pamphlet, Tokyo's order of the national pamphlet with its line, and a distribution (materials)."""
    from decimal import Decimal

    tokyo = prefectural_council(TOKYO)
    own = Material.objects.create(slug="tokyo-pamphlet", name="東京のパンフ", publisher=tokyo, unit_price=Decimal(10))
    national = Material.objects.create(
        slug="national-pamphlet", name="新国保パンフ", publisher=national_council(), unit_price=Decimal(50)
    )
    order = Order.objects.create(
        material=national, council=tokyo, ordered_on=D(2024, 1, 10), unit_price=Decimal(50), note="東京の注文"
    )
    line = OrderLine.objects.create(order=order, recipient_council=tokyo, quantity=10, ordered_on=D(2024, 1, 10))
    distribution = Distribution.objects.create(
        material=national, council=tokyo, quantity=5, distributed_on=D(2024, 1, 12), note="東京の普及"
    )
    return {Material: own, Order: order, OrderLine: line, Distribution: distribution}


def _tokyo_newsletter():
    """Tokyo's newsletter with a photo of its article (reports.newsletters)."""
    from reports.newsletters import services as newsletters
    from tests.reports.newsletters import photos

    issue = newsletters.newsletter_create(
        user=None, council=prefectural_council(TOKYO), title="東京社保協ニュース", number=1, date=D(2024, 1, 10),
        articles=[("東京の記事", "東京の本文")],
    )  # fmt: skip
    photo = newsletters.photo_add(
        user=None, data=photos.png(), name="tokyo.png", caption="東京の写真", article=issue.articles.get()
    )
    return {Newsletter: issue, Photo: photo}


# model → how to make an object that belongs to another prefecture (Tokyo or Osaka) than the user's (Kanagawa)
OTHER_PREFECTURE_OBJECTS = {
    Council: lambda: local_council(TOKYO, name="渋谷社保協"),
    CouncilStage: lambda: local_council(TOKYO, name="板橋社保協").stages.get(),
    Organisation: _tokyo_organisation,
    Membership: lambda: MembershipFactory(organisation=_tokyo_organisation(), council=prefectural_council(TOKYO)),
    Officer: lambda: OfficerFactory(council=prefectural_council(TOKYO)),
    User: lambda: UserFactory(council=prefectural_council(TOKYO), role=Role.COUNCIL_STAFF),
    Block: lambda: Prefecture.objects.get(code=OSAKA).block,
    Prefecture: lambda: Prefecture.objects.get(code=TOKYO),
    Municipality: lambda: Municipality.objects.get(code="131130"),  # 渋谷区
    **{
        model: (lambda m=model: tokyo_petition_objects()[m])
        for model in (PetitionDrive, PetitionGoal, TallyEntry, Submission, ImportBatch)
    },
    **{
        model: (lambda m=model: tokyo_caravan_objects()[m])
        for model in (Questionnaire, Question, Answer, Caravan, CaravanTarget, Talk, DemandLetter)
    },
    MunicipalityChange: lambda: MunicipalityChange.objects.create(
        effective_on=datetime.date(2030, 4, 1), kind=MunicipalityChange.Kind.OTHER, description="テスト用の異動"
    ),
    Meeting: lambda: Meeting.objects.create(
        council=prefectural_council(TOKYO), number=1, title="東京総会", date="2020-06-01"
    ),
    ReportJob: lambda: ReportJob.objects.create(
        kind="council_directory", title="東京都 社保協名簿", council=prefectural_council(TOKYO), dedupe_key="tokyo"
    ),
    # Login records (shaho/core/access_admin.py): national staff only, so any row is "another prefecture's".
    AccessAttempt: lambda: AccessAttempt.objects.create(
        username="tokyo-staff",
        ip_address="192.0.2.1",
        user_agent="x",
        failures_since_start=3,
        get_data="",
        post_data="",
    ),
    AccessLog: lambda: AccessLog.objects.create(username="tokyo-staff", ip_address="192.0.2.1", user_agent="x"),
    AccessFailureLog: lambda: AccessFailureLog.objects.create(
        username="tokyo-staff", ip_address="192.0.2.1", user_agent="x"
    ),
    # Campaigns: Tokyo's campaign, liaison group, action and goal; themes and kinds are national vocabulary.
    Theme: lambda: Theme.objects.create(name="東京のテーマ"),
    ActionKind: lambda: ActionKind.objects.create(code="tokyo-kind", name="東京の行動"),
    Campaign: lambda: Campaign.objects.create(
        slug="tokyo-campaign", name="東京の運動", starts_on=D(2024, 1, 1), lead_council=prefectural_council(TOKYO)
    ),
    LiaisonGroup: lambda: LiaisonGroup.objects.create(name="東京の連絡会", council=prefectural_council(TOKYO)),
    Action: lambda: Action.objects.create(
        kind=ActionKind.objects.get(code="street"),
        title="新宿駅前宣伝",
        starts_on=D(2024, 1, 15),
        organiser=prefectural_council(TOKYO),
    ),
    StudyGoal: lambda: StudyGoal.objects.create(council=prefectural_council(TOKYO), year=2024, goal=50),
    # Local assemblies: 渋谷区's assembly, party group, sitting, petition and opinion statement.
    Assembly: lambda: _tokyo_assembly()[0],
    PartyGroup: lambda: PartyGroup.objects.create(assembly=_tokyo_assembly()[0], name="東京の会派"),
    Sitting: lambda: _tokyo_assembly()[1],
    AssemblyPetition: lambda: AssemblyPetition.objects.create(
        assembly=_tokyo_assembly()[0],
        sitting=_tokyo_assembly()[1],
        title="保険証を残す陳情",
        committee_on=D(2023, 12, 5),
        submitted_by=prefectural_council(TOKYO),
    ),
    OpinionStatement: lambda: OpinionStatement.objects.create(
        assembly=_tokyo_assembly()[0], title="保険証の存続を求める意見書", status="adopted", adopted_on=D(2023, 12, 20)
    ),
    # Consultations: the national day is Kanagawa's too only when Kanagawa has a station on it.
    **{model: (lambda m=model: _tokyo_consultations()[m]) for model in (ConsultationDay, Station, CallRecord)},
    Category: lambda: Category.objects.create(name="東京の分類"),  # national reference data: national staff only
    Coordinator: lambda: Coordinator.objects.create(
        user=UserFactory(council=national_council(), role=Role.NATIONAL_STAFF)
    ),
    **{model: (lambda m=model: _tokyo_materials()[m]) for model in (Material, Order, OrderLine, Distribution)},
    **{model: (lambda m=model: _tokyo_newsletter()[m]) for model in (Newsletter, Photo)},
    # Backups and restore drills (shaho/core/backups/): national staff only, so any row is "another prefecture's".
    BackupRecord: lambda: BackupRecord.objects.create(
        kind=BackupRecord.Kind.values[0],
        started_at=datetime.datetime(2026, 12, 6, 3, 0, tzinfo=datetime.UTC),
        archive="shaho-20261206-030000.shaho-backup",
        verdict=BackupRecord.Verdict.values[0],
    ),
    TOTPDevice: lambda: TOTPDevice.objects.create(
        user=UserFactory(council=prefectural_council(TOKYO), role=Role.COUNCIL_STAFF), name="認証アプリ"
    ),
    # The read API's tokens and their use log (shaho/core/api/): Tokyo's.
    ApiToken: lambda: _tokyo_api_token(),
    ApiTokenUse: lambda: ApiTokenUse.objects.create(
        token=_tokyo_api_token(),
        council=prefectural_council(TOKYO),
        used_at=datetime.datetime(2026, 12, 6, 3, 0, tzinfo=datetime.UTC),
        method="GET",
        endpoint="api:council-list",
        path="/api/v1/councils/",
        status=200,
    ),
}


def _tokyo_api_token():
    from shaho.core.api.services import api_token_create

    tokyo = prefectural_council(TOKYO)
    token, _secret = api_token_create(
        council=tokyo, name="東京のサイト", user=UserFactory(council=tokyo, role=Role.COUNCIL_STAFF)
    )
    return token


def registered_models():
    return sorted(admin.site._registry, key=lambda m: m._meta.label)


def _admin_url(obj, view):
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{view}", args=[obj.pk])


def test_every_admin_model_has_an_isolation_case():
    missing = [m._meta.label for m in registered_models() if m not in OTHER_PREFECTURE_OBJECTS]
    assert not missing, f"add an 'object of another prefecture' factory for: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_prefectural_staff_cannot_open_other_prefecture_object(client, kanagawa_staff, model):
    obj = OTHER_PREFECTURE_OBJECTS[model]()
    client.force_login(kanagawa_staff)
    for view in ("change", "delete", "history"):
        response = client.get(_admin_url(obj, view))
        assert response.status_code in (403, 404), f"{model._meta.label} {view}: {response.status_code}"


@pytest.mark.django_db
@pytest.mark.parametrize("model", registered_models(), ids=lambda m: m._meta.label)
def test_prefectural_staff_changelist_shows_no_other_prefecture_object(client, kanagawa_staff, model):
    obj = OTHER_PREFECTURE_OBJECTS[model]()
    client.force_login(kanagawa_staff)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    response = client.get(url)
    if response.status_code in (403, 404):
        return
    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert obj.pk not in shown
    # and a search for it finds nothing either
    response = client.get(url, {"q": str(obj)[:4]})
    assert obj.pk not in {row.pk for row in response.context["cl"].result_list}


@pytest.mark.django_db
def test_national_staff_sees_other_prefectures(client):
    national = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    tokyo_local = local_council(TOKYO, name="西東京社保協")
    client.force_login(national)
    assert client.get(_admin_url(tokyo_local, "change")).status_code == 200


@pytest.mark.django_db
def test_prefectural_staff_sees_own_local_councils(client, kanagawa_staff):
    own = local_council(KANAGAWA, name="横浜市社保協")
    client.force_login(kanagawa_staff)
    assert client.get(_admin_url(own, "change")).status_code == 200


@pytest.mark.django_db
def test_local_staff_does_not_see_parent_or_siblings():
    yokohama = local_council(KANAGAWA, name="横浜市社保協")
    kawasaki = local_council(KANAGAWA, name="川崎市社保協")
    user = staff_of(yokohama)
    visible = set(scope_for(user).values_list("pk", flat=True))
    assert visible == {yokohama.pk}
    assert kawasaki.pk not in visible and yokohama.parent_id not in visible


@pytest.mark.django_db
def test_scope_follows_a_council_moved_to_another_parent():
    kanagawa = prefectural_council(KANAGAWA)
    local = local_council(KANAGAWA, name="相模原社保協")
    child_ids = lambda: set(scope_for(staff_of(kanagawa)).values_list("pk", flat=True))  # noqa: E731
    assert local.pk in child_ids()
    tokyo = prefectural_council(TOKYO)
    services.council_update(council=local, parent=tokyo, prefecture=tokyo.prefecture)
    assert local.pk not in child_ids()


@pytest.mark.django_db
def test_members_and_organizers_cannot_open_the_admin(client):
    council = prefectural_council(KANAGAWA)
    for role in (Role.MEMBER, Role.ORGANIZER):
        client.force_login(UserFactory(council=council, role=role))
        response = client.get(reverse("admin:councils_council_changelist"))
        assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.django_db
def test_foreign_key_choices_are_scoped(client, kanagawa_staff):
    tokyo = prefectural_council(TOKYO)
    client.force_login(kanagawa_staff)
    response = client.get(reverse("admin:councils_officer_add"))
    choices = {c.pk for c in response.context["adminform"].form.fields["council"].queryset}
    assert tokyo.pk not in choices and kanagawa_staff.council_id in choices


@pytest.mark.django_db
def test_autocomplete_returns_only_scoped_councils(client, kanagawa_staff):
    local_council(TOKYO, name="渋谷社保協")
    own = local_council(KANAGAWA, name="渋沢社保協")
    client.force_login(kanagawa_staff)
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "渋", "app_label": "councils", "model_name": "officer", "field_name": "council"},
    )
    assert response.status_code == 200
    ids = {int(r["id"]) for r in response.json()["results"]}
    assert ids == {own.pk}


@pytest.mark.django_db
def test_forged_post_for_other_prefecture_council_is_refused(client, kanagawa_staff):
    tokyo = prefectural_council(TOKYO)
    client.force_login(kanagawa_staff)
    before = Officer.objects.count()
    response = client.post(
        reverse("admin:councils_officer_add"),
        {"council": tokyo.pk, "role": Officer.Role.PRESIDENT, "person_name": "侵入 太郎"},
    )
    assert response.status_code == 200  # form redisplayed with an error
    assert "council" in response.context["adminform"].form.errors
    assert Officer.objects.count() == before


@pytest.mark.django_db
def test_restrict_is_the_one_gate_for_councils(kanagawa_staff):
    tokyo_local = local_council(TOKYO, name="板橋社保協")
    assert not restrict(Council.objects.all(), kanagawa_staff).filter(pk=tokyo_local.pk).exists()
    assert restrict(Council.objects.filter(kind=CouncilKind.PREFECTURAL), kanagawa_staff).count() == 1
