"""Staff pages keep to the scope and never change the ledger; the demo data is idempotent and matches the seeds."""

import datetime

import pytest
from django.urls import reverse

from petitions.models import ImportBatch, PetitionDrive, PetitionGoal, Submission, TallyEntry
from petitions.selectors import tally_table
from tests import demo_snapshot
from tests.admin_forms import change_form_data, form_data, full_model_form

from .factories import PetitionDriveFactory, record, tokyo_objects

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("model", [PetitionDrive, PetitionGoal, TallyEntry, Submission, ImportBatch])
def test_kanagawa_staff_cannot_reach_tokyo_rows(client, kanagawa_staff, model):
    obj = tokyo_objects()[model]
    client.force_login(kanagawa_staff)
    name = f"admin:petitions_{model._meta.model_name}"
    for view in ("change", "delete", "history"):
        assert client.get(reverse(f"{name}_{view}", args=[obj.pk])).status_code in (403, 404)
    listed = client.get(reverse(f"{name}_changelist"))
    assert obj.pk not in {row.pk for row in listed.context["cl"].result_list}


def test_ledger_is_read_only_in_the_admin(client, rf, kanagawa, kanagawa_staff):
    staff = kanagawa_staff
    entry = record(staff, PetitionDriveFactory(), kanagawa, 42)
    client.force_login(staff)
    assert client.get(reverse("admin:petitions_tallyentry_changelist")).status_code == 200
    assert client.get(reverse("admin:petitions_tallyentry_add")).status_code == 403
    assert (
        client.post(reverse("admin:petitions_tallyentry_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    )
    # A complete form: valid as it stands, so only the missing permission can refuse it.
    request = rf.get("/")
    request.user = staff
    form_class = full_model_form(TallyEntry, request, entry)
    data = {**form_data(form_class(instance=entry)), "count": "1"}
    assert form_class(data, instance=entry).is_valid()
    response = client.post(reverse("admin:petitions_tallyentry_change", args=[entry.pk]), data)
    assert response.status_code == 403
    entry.refresh_from_db()
    assert entry.count == 42


def test_council_staff_cannot_edit_the_national_drive(client, national, national_staff, kanagawa_staff):
    drive = PetitionDriveFactory(organiser=national, title="介護改善署名")
    url = reverse("admin:petitions_petitiondrive_change", args=[drive.pk])
    client.force_login(national_staff)
    data = {**change_form_data(client.get(url)), "title": "書き換えた名称"}

    client.force_login(kanagawa_staff)
    response = client.post(url, data)
    assert response.status_code == 403
    drive.refresh_from_db()
    assert drive.title == "介護改善署名"

    # The same form from national staff is accepted: the refusal above is the permission, not the form.
    client.force_login(national_staff)
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    drive.refresh_from_db()
    assert drive.title == "書き換えた名称"


def test_council_staff_cannot_change_a_recorded_submission(client, kanagawa, kanagawa_staff, national_staff):
    drive = PetitionDriveFactory()
    submission = Submission.objects.create(
        petition=drive, council=kanagawa, submitted_on=D(2023, 12, 4), submitted_to="衆議院議長", count=1_241,
        entered_by=kanagawa_staff,
    )  # fmt: skip
    url = reverse("admin:petitions_submission_change", args=[submission.pk])
    client.force_login(national_staff)
    data = {**change_form_data(client.get(url)), "count": "9999"}

    client.force_login(kanagawa_staff)
    assert client.post(url, data).status_code == 403
    submission.refresh_from_db()
    assert submission.count == 1_241

    client.force_login(national_staff)  # the same complete form is accepted from national staff
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    submission.refresh_from_db()
    assert submission.count == 9_999


def test_goal_split_is_refused_on_the_admin_form(client, kanagawa, kawasaki, kanagawa_staff):
    drive = PetitionDriveFactory()
    PetitionGoal.objects.create(petition=drive, council=kanagawa, goal=100)
    client.force_login(kanagawa_staff)
    response = client.post(
        reverse("admin:petitions_petitiongoal_add"), {"petition": drive.pk, "council": kawasaki.pk, "goal": 101}
    )
    assert response.status_code == 200 and "goal" in response.context["adminform"].form.errors
    assert not PetitionGoal.objects.filter(council=kawasaki).exists()


@pytest.fixture(scope="module")
def demo_snapshot_of_the_run(django_db_setup, django_db_blocker):
    """The run's demo snapshot, made (if no module has made it yet) before any test's transaction opens."""
    return demo_snapshot.prepared(django_db_blocker)


def test_demo_matches_the_seeds_and_is_idempotent(demo_snapshot_of_the_run, tmp_path, settings):
    # The demo's first run (loaded from the run's snapshot into this test's transaction only: the other tests
    # of the module have no demo), then the ledger's steps and the actions whose signatures it holds run again.
    settings.MEDIA_ROOT = tmp_path
    demo_snapshot.load_or_seed(demo_snapshot_of_the_run, tmp_path)
    counts = (PetitionDrive.objects.count(), TallyEntry.objects.count(), Submission.objects.count())
    demo_snapshot.seed(["demo.federation", "demo.petitions", "demo.campaigns"])
    assert (PetitionDrive.objects.count(), TallyEntry.objects.count(), Submission.objects.count()) == counts

    kaigo = PetitionDrive.objects.get(slug="kaigo-2023")
    table = tally_table(petition=kaigo, as_of=D(2023, 12, 4))
    assert table.total.submitted == 65_000
    assert next(r for r in table.rows if r.label == "神奈川県").submitted == 1_241
    hokensho = PetitionDrive.objects.get(slug="hokensho")
    sources = dict(
        TallyEntry.objects.filter(petition=hokensho, council__prefecture__code="14").values_list("source", "count")
    )
    assert sources["桜木町駅前宣伝（なくすな保険証！神奈川県連絡会）"] == 42 and sources["伊勢佐木町有隣堂前宣伝"] == 26
    assert PetitionDrive.objects.get(slug="article25-2026").items.count() == 2
    web = PetitionDrive.objects.get(slug="kokuho-web")
    assert tally_table(petition=web, as_of=D(2025, 3, 1)).total.to_date == 74_366
    assert hokensho.is_open_on(D(2026, 11, 23))
    # Through the petitions services: each line's round comes from its date (round_for_date), drives
    # that are over are closed after their ledger was entered.
    first_round = kaigo.rounds.order_by("deadline").first()
    entries = TallyEntry.objects.filter(petition=kaigo)
    assert not entries.filter(round__isnull=True).exists()
    assert not entries.filter(round=first_round, collected_on__gt=first_round.deadline).exists()
    assert entries.filter(round=first_round).exists() and kaigo.status == PetitionDrive.Status.CLOSED
