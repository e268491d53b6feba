"""Admin choice lists inside the scope: list filters, date hierarchies, autocompletes, form choices.

Each leak seen in the trust issue has its own test here (they failed before ScopedAdmin scoped
the filters); the generic tests then hold every registered admin to the same rule.
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.admin import AllValuesFieldListFilter, RelatedFieldListFilter, SimpleListFilter
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core import checks
from django.test import RequestFactory
from django.urls import reverse

from councils.models import Role
from municipalities.models import Block, Prefecture
from petitions.models import PetitionDrive, PetitionGoal
from reports.models import Meeting
from shaho.core.admin import ScopedAdmin, ScopedRelatedFieldListFilter, every_autocomplete
from shaho.core.scoping import restrict
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, record

KANAGAWA, TOKYO = "14", "13"


@pytest.fixture
def kanagawa_staff(db):
    return staff_of(prefectural_council(KANAGAWA), role=Role.COUNCIL_STAFF)


@pytest.fixture
def tokyo_drive(db):
    tokyo = prefectural_council(TOKYO)
    drive = PetitionDriveFactory(
        organiser=tokyo, title="東京の署名題", short_name="東京だけの署名", starts_on=datetime.date(1998, 9, 1)
    )
    record(staff_of(tokyo), drive, tokyo, 7, collected_on=datetime.date(1999, 3, 3))
    return drive


def _filter_choices(response):
    """{filter title: [choice display, ...]} of a changelist response."""
    cl = response.context["cl"]
    return {str(spec.title): [str(c["display"]) for c in spec.choices(cl)] for spec in cl.filter_specs}


def _changelist(client, user, model_label, **params):
    client.force_login(user)
    app_label, model_name = model_label.split(".")
    response = client.get(reverse(f"admin:{app_label}_{model_name}_changelist"), params)
    assert response.status_code == 200
    return response


@pytest.mark.django_db
@pytest.mark.parametrize("model_label", ["petitions.tallyentry", "petitions.petitiongoal", "petitions.importbatch",
                                         "petitions.submission"])  # fmt: skip
def test_petition_filter_names_no_other_prefectures_drive(client, kanagawa_staff, tokyo_drive, model_label):
    PetitionDriveFactory(organiser=national_council(), short_name="全国の署名")
    PetitionDriveFactory(organiser=kanagawa_staff.council, short_name="神奈川の署名")
    choices = _filter_choices(_changelist(client, kanagawa_staff, model_label))["署名"]
    assert "東京だけの署名" not in choices
    assert "全国の署名" in choices and "神奈川の署名" in choices, choices  # the national drive is everyone's


@pytest.mark.django_db
def test_meeting_council_filter_names_only_councils_in_scope(client, kanagawa_staff):
    tokyo = prefectural_council(TOKYO)
    Meeting.objects.create(council=tokyo, number=1, title="東京総会", date="2020-06-01")
    local_council(TOKYO, name="渋谷社保協")
    own = local_council(KANAGAWA, name="横浜市社保協")
    choices = _filter_choices(_changelist(client, kanagawa_staff, "reports.meeting"))["主催する社保協"]
    assert tokyo.name not in choices and "渋谷社保協" not in choices
    assert own.name in choices


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model_label",
    ["councils.council", "councils.organisation", "councils.membership", "councils.officer", "councils.user",
     "municipalities.municipality", "municipalities.prefecture"],
)  # fmt: skip
def test_prefecture_and_block_filters_offer_only_the_users_own(client, kanagawa_staff, model_label):
    prefectural_council(TOKYO)
    choices = _filter_choices(_changelist(client, kanagawa_staff, model_label))
    for title in ("都道府県", "ブロック"):
        if title in choices:
            assert "東京都" not in choices[title] and "近畿" not in choices[title], (title, choices[title])
    if "都道府県" in choices:
        assert "神奈川県" in choices["都道府県"]


@pytest.mark.django_db
def test_national_staff_filters_still_offer_every_prefecture(client):
    national = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    cl = _changelist(client, national, "councils.council").context["cl"]
    (prefecture_filter,) = [spec for spec in cl.filter_specs if str(spec.title) == "都道府県"]
    assert len(prefecture_filter.lookup_choices) == 47


@pytest.mark.django_db
def test_date_hierarchy_does_not_reveal_other_prefectures_dates(client, kanagawa_staff, tokyo_drive):
    # Django's date hierarchy reads the changelist's queryset, which ScopedAdmin restricts: 1999 is Tokyo's only.
    response = _changelist(client, kanagawa_staff, "petitions.tallyentry")
    assert "1999" not in response.content.decode()
    response = _changelist(client, kanagawa_staff, "petitions.tallyentry", collected_on__year="1999")
    assert "1999年3月" not in response.content.decode()
    assert not response.context["cl"].result_list


@pytest.mark.django_db
def test_filter_by_another_prefectures_id_shows_nothing_of_it(client, kanagawa_staff, tokyo_drive):
    response = _changelist(client, kanagawa_staff, "petitions.tallyentry", petition__id__exact=tokyo_drive.pk)
    body = response.content.decode()
    assert "東京だけの署名" not in body and not response.context["cl"].result_list


@pytest.mark.django_db
def test_autocomplete_for_petition_goal_council_is_scoped(client, kanagawa_staff):
    local_council(TOKYO, name="渋谷社保協")
    client.force_login(kanagawa_staff)
    response = client.get(
        reverse("admin:autocomplete"),
        {"term": "社", "app_label": "petitions", "model_name": "petitiongoal", "field_name": "council"},
    )
    assert response.status_code == 200
    names = {r["text"] for r in response.json()["results"]}
    assert names and all("東京" not in n and "渋谷" not in n for n in names), names


# --- generic: every registered admin, every filter ----------------------------


def _related_model(spec):
    field = getattr(spec, "field", None)
    return getattr(field, "related_model", None) if field is not None else None


@pytest.mark.django_db
@pytest.mark.parametrize("model", sorted(admin.site._registry, key=lambda m: m._meta.label), ids=str)
def test_every_related_filter_offers_only_rows_in_scope(client, kanagawa_staff, tokyo_drive, model):
    local_council(TOKYO, name="渋谷社保協")
    client.force_login(kanagawa_staff)
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"))
    if response.status_code in (302, 403):
        return
    assert response.status_code == 200
    cl = response.context["cl"]
    for spec in cl.filter_specs:
        related = _related_model(spec)
        if related is None or not hasattr(related, "scope_filter"):
            continue
        offered = {str(pk) for pk, _label in spec.lookup_choices}
        in_scope = restrict(related._default_manager.all(), kanagawa_staff)
        allowed = {str(pk) for pk in in_scope.values_list("pk", flat=True)}
        assert offered <= allowed, f"{model._meta.label} filter {spec.title}: {offered - allowed} outside the scope"


def test_every_registered_admin_passes_the_scoping_check():
    from shaho.core.admin import check_admin_scoping

    assert check_admin_scoping() == []


def test_the_scoping_check_refuses_a_filter_that_bypasses_scope():
    class LeakyFilter(SimpleListFilter):
        title = "漏れ"
        parameter_name = "leak"

        def lookups(self, request, model_admin):
            return [(d.pk, str(d)) for d in PetitionDrive.objects.all()]

        def queryset(self, request, queryset):
            return queryset

    from shaho.core.admin import check_admin_scoping

    class HandMadeRelated(RelatedFieldListFilter):
        pass

    class Leaky(ScopedAdmin):
        # Django's own RelatedFieldListFilter is swapped for the scoped one; the two hand-made ones are refused.
        list_filter = [("petition", HandMadeRelated), LeakyFilter, "council", ("council", RelatedFieldListFilter)]

    class NotScoped(admin.ModelAdmin):
        pass

    class OwnRule(admin.ModelAdmin):
        def has_view_permission(self, request, obj=None):
            return True

    class PlainThirdParty(admin.ModelAdmin):
        pass  # Django's own permission checks: only superusers hold model permissions here

    site = admin.AdminSite(name="leaky")
    site.register(PetitionGoal, Leaky)
    site.register(Block, NotScoped)  # a scoped model without ScopedAdmin
    site.register(ContentType, OwnRule)  # an unscoped model whose admin grants access by its own rule
    site.register(Permission, PlainThirdParty)
    errors = check_admin_scoping(site)
    assert {e.id for e in errors} == {"shaho.E001", "shaho.E002"}
    messages = " ".join(e.msg for e in errors)
    assert "petition: HandMadeRelated" in messages and "LeakyFilter" in messages and "Block" in messages
    assert "OwnRule" in messages and "Permission" not in messages
    assert "council" not in messages
    assert all(isinstance(e, checks.Error) for e in errors)


@pytest.mark.django_db
def test_rewritten_filter_is_used_for_plain_related_names(kanagawa_staff):
    request = RequestFactory().get("/")
    request.user = kanagawa_staff
    filters = admin.site._registry[Prefecture].get_list_filter(request)
    assert filters == [("block", ScopedRelatedFieldListFilter)]


def _autocomplete_fields():
    # Declared and automatic (every relation to a searchable scoped admin), inline rows' included.
    return every_autocomplete()


@pytest.mark.django_db
@pytest.mark.parametrize(("model", "name"), _autocomplete_fields(), ids=lambda v: getattr(v, "__name__", v))
def test_every_autocomplete_answers_only_rows_in_scope(client, kanagawa_staff, tokyo_drive, model, name):
    local_council(TOKYO, name="渋谷社保協")
    target = model._meta.get_field(name).related_model
    client.force_login(kanagawa_staff)
    params = {"term": "", "app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": name}
    response = client.get(reverse("admin:autocomplete"), params)
    if response.status_code == 403:  # the target admin is national staff's only
        return
    assert response.status_code == 200
    offered = {r["id"] for r in response.json()["results"]}
    allowed = {str(pk) for pk in restrict(target._default_manager.all(), kanagawa_staff).values_list("pk", flat=True)}
    assert offered <= allowed, f"{model.__name__}.{name}: {offered - allowed} outside the scope"


@pytest.mark.django_db
@pytest.mark.parametrize("model", sorted(admin.site._registry, key=lambda m: m._meta.label), ids=str)
def test_every_add_form_offers_only_rows_in_scope(client, kanagawa_staff, tokyo_drive, model):
    local_council(TOKYO, name="渋谷社保協")
    client.force_login(kanagawa_staff)
    response = client.get(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
    if response.status_code in (302, 403):
        return
    assert response.status_code == 200
    forms = [response.context["adminform"].form]
    forms += [form for formset in response.context["inline_admin_formsets"] for form in formset.formset.forms]
    forms += [formset.formset.empty_form for formset in response.context["inline_admin_formsets"]]
    for form in forms:
        for field_name, field in form.fields.items():
            queryset = getattr(field, "queryset", None)
            if queryset is None or not hasattr(queryset.model, "scope_filter") or field.widget.is_hidden:
                continue  # a hidden inline row id offers no choice; only existing rows of the scoped inline are bound
            in_scope = restrict(queryset.model._default_manager.all(), kanagawa_staff)
            outside = queryset.exclude(pk__in=in_scope.values("pk"))
            assert not outside.exists(), f"{model.__name__}.{field_name}: {list(outside[:5])} outside the scope"


@pytest.mark.django_db
@pytest.mark.parametrize("declared", ["council__short_name", ("council__short_name", AllValuesFieldListFilter)])
def test_values_across_a_relation_come_from_the_users_rows(kanagawa_staff, declared):
    # Django's AllValuesFieldListFilter reads the related table whole for a path like council__short_name.
    tokyo = prefectural_council(TOKYO)
    tokyo.short_name = "東京略称"
    tokyo.save()
    kanagawa = kanagawa_staff.council
    kanagawa.short_name = "神奈川略称"
    kanagawa.save()
    drive = PetitionDriveFactory(organiser=national_council())
    PetitionGoal.objects.create(petition=drive, council=tokyo, goal=1)
    PetitionGoal.objects.create(petition=drive, council=kanagawa, goal=1)

    class GoalAdmin(ScopedAdmin):
        list_filter = [declared]

    site = admin.AdminSite(name="values")
    model_admin = GoalAdmin(PetitionGoal, site)
    request = RequestFactory().get("/")
    request.user = kanagawa_staff
    (spec,) = model_admin.get_changelist_instance(request).filter_specs
    assert list(spec.lookup_choices) == ["神奈川略称"]
    assert check_admin_scoping_for(site, PetitionGoal, GoalAdmin) == []


def check_admin_scoping_for(site, model, admin_class):
    from shaho.core.admin import check_admin_scoping

    site._registry.setdefault(model, admin_class(model, site))
    return check_admin_scoping(site)
