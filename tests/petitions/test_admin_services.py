"""The petitions' admin writes drives, their items and rounds, goals and submissions through the services
(`row_check` / `row_save` / `row_delete` on shaho.core.admin.ServiceAdmin), with the user in the history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from petitions import services
from petitions.models import PetitionGoal, PetitionItem, Submission
from tests.petitions.factories import PetitionDriveFactory

pytestmark = pytest.mark.django_db


def test_a_goal_set_in_the_admin_goes_through_the_services(client, kanagawa, kanagawa_staff, monkeypatch):
    saved = []
    row_save = services.row_save

    def spy(*, user, row):
        saved.append((type(row).__name__, user))
        return row_save(user=user, row=row)

    monkeypatch.setattr(services, "row_save", spy)
    drive = PetitionDriveFactory()
    client.force_login(kanagawa_staff)
    response = client.post(
        reverse("admin:petitions_petitiongoal_add"), {"petition": drive.pk, "council": kanagawa.pk, "goal": "１０００"}
    )
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    goal = PetitionGoal.objects.get()
    assert saved == [("PetitionGoal", kanagawa_staff)]
    assert goal.goal == 1000 and goal.history.get().history_user == kanagawa_staff


def test_the_services_refuse_a_neighbours_drive_and_its_rows(kanagawa, kanagawa_staff, tokyo):
    drive = PetitionDriveFactory(organiser=tokyo)
    item = PetitionItem.objects.create(petition=drive, number=1, text="国保料の引き下げ")
    drive.title = "書き換え"
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=drive)
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=PetitionItem(petition=drive, number=2, text="追加"))
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=PetitionGoal(petition=drive, council=tokyo, goal=10))
    with pytest.raises(PermissionDenied):
        services.row_delete(user=kanagawa_staff, row=item)
    assert list(drive.items.values_list("text", flat=True)) == ["国保料の引き下げ"]


def test_a_submission_added_in_the_admin_records_who_entered_it(client, kanagawa, kanagawa_staff):
    drive = PetitionDriveFactory()
    client.force_login(kanagawa_staff)
    data = {"petition": drive.pk, "council": kanagawa.pk, "submitted_on": "2024-01-20", "submitted_to": "国会",
            "count": "1241", "event": "", "note": "", "action": ""}  # fmt: skip
    response = client.post(reverse("admin:petitions_submission_add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    submission = Submission.objects.get()
    assert (submission.count, submission.entered_by) == (1241, kanagawa_staff)
    assert submission.history.get().history_user == kanagawa_staff
    response = client.post(reverse("admin:petitions_submission_add"), data | {"count": "0"})
    assert response.status_code == 200 and "count" in response.context["adminform"].form.errors
    assert Submission.objects.count() == 1
