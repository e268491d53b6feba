"""The councils' admin writes organisations, memberships, officers and a council's stages through the services
(`row_check` / `row_save` / `row_delete` on shaho.core.admin.ServiceAdmin): with the user in the history, and a
neighbour's rows refused by the services whatever the page sends."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from councils import services
from councils.models import Council, Officer, Role
from tests.councils.factories import national_council, prefectural_council, staff_of
from tests.councils.test_services import KANAGAWA, _inline_management

pytestmark = pytest.mark.django_db


@pytest.fixture
def saved(monkeypatch):
    calls = []
    row_save = services.row_save

    def spy(*, user, row):
        calls.append((type(row).__name__, user))
        return row_save(user=user, row=row)

    monkeypatch.setattr(services, "row_save", spy)
    return calls


def test_an_officer_added_in_the_admin_goes_through_the_services(client, kanagawa, kanagawa_staff, saved):
    client.force_login(kanagawa_staff)
    response = client.post(
        reverse("admin:councils_officer_add"),
        {"council": kanagawa.pk, "role": Officer.Role.PRESIDENT, "person_name": "神奈 花子"},
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    officer = Officer.objects.get(person_name="神奈 花子")
    assert saved == [("Officer", kanagawa_staff)] and officer.history.get().history_user == kanagawa_staff


def test_the_stage_rows_of_a_new_council_go_through_the_services(client, saved):
    kanagawa = prefectural_council(KANAGAWA)
    staff = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    client.force_login(staff)
    data = {"name": "座間社保協準備会", "kind": "preparatory", "parent": kanagawa.pk,
            "prefecture": kanagawa.prefecture_id, "status": "active", "founded_on": "2019-06-01",
            **_inline_management(), "stages-TOTAL_FORMS": 1,
            "stages-0-since": "2018-04-01", "stages-0-kind": "preparatory", "stages-0-note": "準備の会合"}  # fmt: skip
    response = client.post(reverse("admin:councils_council_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    council = Council.objects.get(name="座間社保協準備会")
    assert ("CouncilStage", staff) in saved
    assert council.stages.get(note="準備の会合").history.get().history_user == staff


def test_the_services_refuse_a_neighbours_rows(kanagawa, kanagawa_staff, tokyo):
    officer, _ = services.officer_add(council=tokyo, role=Officer.Role.PRESIDENT, person_name="東京 太郎")
    officer.person_name = "書き換え"
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=officer)
    officer.council = kanagawa  # taking it over is judged by the row as stored
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=officer)
    with pytest.raises(PermissionDenied):
        services.row_delete(user=kanagawa_staff, row=Officer.objects.get(pk=officer.pk))
    assert Officer.objects.get(pk=officer.pk).person_name == "東京 太郎"
