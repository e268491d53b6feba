"""The campaigns' admin writes through `services.row_check` / `row_save` / `row_delete` (shaho.core.admin.ServiceAdmin):
a rule only the services keep shows as a form error with nothing written, the history records the user, and a
neighbour's row is refused by the services whatever the page sends."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaigns import services
from campaigns.models import Action, Participation, StudyGoal
from tests.campaigns.factories import action
from tests.campaigns.test_admin import _add_data

pytestmark = pytest.mark.django_db


def test_a_count_beyond_the_services_bound_is_a_form_error_and_nothing_is_written(client, kanagawa_staff, kanagawa):
    client.force_login(kanagawa_staff)
    data = _add_data(kanagawa, **{"polls-0-options_text": "反対72、賛成3"}) | {"onsite_count": "20000000"}
    response = client.post(reverse("admin:campaigns_action_add"), data)
    assert response.status_code == 200
    assert "「会場参加（人）」: 10,000,000までです。" in response.context["adminform"].form.errors["onsite_count"]
    assert not Action.objects.exists() and not Participation.objects.exists()


def test_an_admin_add_goes_through_the_services_and_the_history_records_the_user(
    client, kanagawa_staff, kanagawa, monkeypatch
):
    saved = []
    row_save = services.row_save

    def spy(*, user, row):
        saved.append((type(row).__name__, user))
        return row_save(user=user, row=row)

    monkeypatch.setattr(services, "row_save", spy)
    client.force_login(kanagawa_staff)
    response = client.post(
        reverse("admin:campaigns_action_add"), _add_data(kanagawa, **{"polls-0-options_text": "反対72、賛成3"})
    )
    assert response.status_code == 302
    created = Action.objects.get()
    assert saved == [("Action", kanagawa_staff), ("Participation", kanagawa_staff), ("StickerPoll", kanagawa_staff)]
    assert created.entered_by == kanagawa_staff and created.history.get().history_user == kanagawa_staff
    assert created.participations.get().history.get().history_user == kanagawa_staff
    assert list(created.polls.get().options.values_list("label", "count")) == [("反対", 72), ("賛成", 3)]


def test_an_admin_delete_goes_through_the_services(client, kanagawa_staff, kanagawa):
    made = action(kanagawa_staff, kanagawa)
    client.force_login(kanagawa_staff)
    response = client.post(reverse("admin:campaigns_action_delete", args=[made.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Action.objects.exists()
    assert Action.history.filter(id=made.pk, history_type="-").get().history_user == kanagawa_staff


def test_the_services_refuse_a_neighbours_rows(kanagawa_staff, tokyo_staff, tokyo, kanagawa):
    tokyo_action = action(tokyo_staff, tokyo, title="東京の宣伝")
    tokyo_action.title = "書き換え"
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=tokyo_action)
    # Re-pointing a neighbour's row at one's own council is judged by the row as stored.
    tokyo_action.organiser = kanagawa
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=tokyo_action)
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=Participation(action=tokyo_action, organisation_name="x", count=1))
    with pytest.raises(PermissionDenied):
        services.row_delete(user=kanagawa_staff, row=Action.objects.get(pk=tokyo_action.pk))
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=StudyGoal(council=tokyo, year=2024, goal=10))
    stored = Action.objects.get(pk=tokyo_action.pk)
    assert (stored.title, stored.organiser) == ("東京の宣伝", tokyo) and not StudyGoal.objects.exists()


def test_a_study_goal_is_set_in_the_admin_through_the_services(client, kanagawa_staff, kanagawa):
    client.force_login(kanagawa_staff)
    url = reverse("admin:campaigns_studygoal_add")
    response = client.post(url, {"year": "2024", "council": kanagawa.pk, "goal": "20000000"})
    assert response.status_code == 200 and not StudyGoal.objects.exists()
    response = client.post(url, {"year": "2024", "council": kanagawa.pk, "goal": "120"})
    assert response.status_code == 302
    assert StudyGoal.objects.get().history.get().history_user == kanagawa_staff
