"""The staff admin: Japanese, searchable, the council tree visible, query counts flat."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.models import Council, CouncilKind, Role

from .factories import CouncilFactory, local_council, national_council, prefectural_council, staff_of

# Its query counts compare two requests with rows built between them (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("last_seen_written_once")


def _changelist_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def _grow_councils(n):
    kanagawa = prefectural_council("14")
    have = Council.objects.filter(parent=kanagawa).count()
    for i in range(have, n):
        CouncilFactory(
            name=f"地域社保協{i:03d}", kind=CouncilKind.LOCAL, parent=kanagawa, prefecture=kanagawa.prefecture
        )


@pytest.mark.django_db
@pytest.mark.parametrize("role", [Role.NATIONAL_STAFF, Role.COUNCIL_STAFF])
def test_council_changelist_query_count_does_not_grow_with_rows(client, role):
    user = staff_of(national_council() if role == Role.NATIONAL_STAFF else prefectural_council("14"), role=role)
    client.force_login(user)
    url = reverse("admin:councils_council_changelist") + "?all="
    _grow_councils(10)
    small, _ = _changelist_queries(client, url)
    _grow_councils(200)
    large, response = _changelist_queries(client, url)
    assert len(response.context["cl"].result_list) >= 50
    assert small == large, f"{small} queries at 10 rows, {large} at 200"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "model",
    [
        "councils_organisation",
        "councils_officer",
        "councils_membership",
        "councils_user",
        "municipalities_municipality",
    ],
)
def test_other_changelists_query_count_flat(client, model):
    from .factories import MembershipFactory, OfficerFactory, OrganisationFactory, UserFactory

    national = national_council()
    client.force_login(staff_of(national, role=Role.NATIONAL_STAFF))
    url = reverse(f"admin:{model}_changelist")
    kanagawa = prefectural_council("14")

    def grow(n):
        for _ in range(n):
            org = OrganisationFactory(prefecture=kanagawa.prefecture, home_council=kanagawa)
            MembershipFactory(organisation=org, council=kanagawa)
            OfficerFactory(council=kanagawa, organisation=org)
            UserFactory(council=kanagawa)

    grow(3)
    small, _ = _changelist_queries(client, url)
    grow(40)
    large, _ = _changelist_queries(client, url)
    assert small == large


@pytest.mark.django_db
def test_prefectural_council_page_lists_its_local_councils(client):
    kanagawa = prefectural_council("14")
    local_council("14", name="横浜市社保協")
    local_council("14", name="川崎社保協準備会", kind=CouncilKind.PREPARATORY)
    client.force_login(staff_of(kanagawa))
    response = client.get(reverse("admin:councils_council_change", args=[kanagawa.pk]))
    body = response.content.decode()
    assert "横浜市社保協" in body and "川崎社保協準備会" in body
    assert "下部の社保協" in body


@pytest.mark.django_db
def test_admin_is_japanese(client):
    client.force_login(staff_of(national_council(), role=Role.NATIONAL_STAFF))
    body = client.get(reverse("admin:index")).content.decode()
    assert "社保協" in body and "市区町村" in body and "加盟団体" in body
    assert 'lang="ja"' in body


@pytest.mark.django_db
def test_history_shows_who_changed_what(client):
    user = staff_of(prefectural_council("14"))
    local = local_council("14", name="藤沢社保協")
    client.force_login(user)
    url = reverse("admin:councils_council_change", args=[local.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "name": "藤沢市社会保障推進協議会",
            "kind": local.kind,
            "parent": local.parent_id,
            "prefecture": local.prefecture_id,
            "status": "active",
        }
    )
    for prefix in ("children", "stages", "officers", "memberships"):
        data.update({f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0})
    data.update({"stages-TOTAL_FORMS": 1, "stages-INITIAL_FORMS": 1})
    stage = local.stages.get()
    data.update(
        {
            "stages-0-id": stage.pk,
            "stages-0-council": local.pk,
            "stages-0-since": stage.since,
            "stages-0-kind": stage.kind,
        }
    )
    data["children-TOTAL_FORMS"] = 0
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    record = local.history.latest()
    assert record.name == "藤沢市社会保障推進協議会" and record.history_user == user
    body = client.get(reverse("admin:councils_council_history", args=[local.pk])).content.decode()
    assert user.username in body or str(user) in body
