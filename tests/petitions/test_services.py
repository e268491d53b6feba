"""The write side: the ledger is append-only, corrections are deltas, bad input saves nothing."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from councils.models import Role
from petitions.models import PetitionDrive, PetitionGoal, Submission, TallyEntry
from petitions.selectors import council_running_total
from petitions.services import (
    goal_set,
    submission_record,
    tally_correct,
    tally_record,
)
from tests.councils.factories import OrganisationFactory, local_council, national_council, prefectural_council, staff_of

from .factories import PetitionDriveFactory, record, with_rounds

D = datetime.date
pytestmark = pytest.mark.django_db


def _refused(field, **kwargs):
    before = TallyEntry.objects.count()
    with pytest.raises(ValidationError) as exc:
        tally_record(**kwargs)
    assert field in exc.value.message_dict, exc.value.message_dict
    assert TallyEntry.objects.count() == before
    return exc.value.message_dict[field][0]


def test_record_creates_one_entry_with_who_and_when(organizer, petition, kawasaki):
    entry = record(organizer, petition, kawasaki, 42, source="桜木町駅前")
    assert entry.pk and entry.count == 42 and entry.entered_by == organizer and entry.entered_at
    assert council_running_total(petition=petition, council=kawasaki) == 42


def test_round_is_assigned_from_the_collection_date(organizer, petition, kawasaki):
    first, second = with_rounds(petition, D(2023, 12, 31), D(2024, 2, 29))
    assert record(organizer, petition, kawasaki, 1, collected_on=D(2023, 12, 31)).round == first
    assert record(organizer, petition, kawasaki, 1, collected_on=D(2024, 1, 1)).round == second
    # After the last deadline an entry counts in the last round.
    assert record(organizer, petition, kawasaki, 1, collected_on=D(2024, 5, 1)).round == second


@pytest.mark.parametrize(
    ("field", "changes"),
    [
        ("count", {"count": -1}),
        ("count", {"count": 10_000_001}),
        ("collected_on", {"collected_on": D(2023, 8, 31)}),
        ("collected_on", {"collected_on": datetime.date.today() + datetime.timedelta(days=1)}),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_nothing_is_saved(organizer, petition, kawasaki, field, changes):
    kwargs = {"user": organizer, "petition": petition, "council": kawasaki, "count": 5, "collected_on": D(2024, 1, 1)}
    message = _refused(field, **{**kwargs, **changes})
    assert message.startswith("「")  # names the field in Japanese


def test_council_outside_scope_is_refused(organizer, petition):
    yokohama = local_council("14", name="横浜社保協")
    message = _refused(
        "council", user=organizer, petition=petition, council=yokohama, count=5, collected_on=D(2024, 1, 1)
    )
    assert "社保協" in message


def test_organisation_outside_scope_is_refused_and_one_in_scope_is_taken(organizer, petition, kawasaki):
    tokyo_union = OrganisationFactory(home_council=local_council("13", name="世田谷社保協"))
    kawasaki_union = OrganisationFactory(home_council=kawasaki)
    kwargs = {"user": organizer, "petition": petition, "council": kawasaki, "count": 5, "collected_on": D(2024, 1, 1)}
    assert "団体" in _refused("organisation", **kwargs, organisation=tokyo_union)
    assert tally_record(**kwargs, organisation=kawasaki_union).entry.organisation == kawasaki_union


def test_closed_petition_is_refused(organizer, petition, kawasaki):
    petition.status = PetitionDrive.Status.CLOSED
    petition.save()
    message = _refused(
        "petition", user=organizer, petition=petition, council=kawasaki, count=5, collected_on=D(2024, 1, 1)
    )
    assert "終了" in message


def test_petition_of_another_prefecture_is_refused(organizer, kawasaki):
    tokyo_drive = PetitionDriveFactory(organiser=prefectural_council("13"))
    _refused("petition", user=organizer, petition=tokyo_drive, council=kawasaki, count=5, collected_on=D(2024, 1, 1))


def test_same_token_records_once(organizer, petition, kawasaki):
    token = uuid.uuid4()
    first = tally_record(
        user=organizer,
        petition=petition,
        council=kawasaki,
        count=42,
        collected_on=D(2024, 1, 1),
        submission_token=token,
    )
    again = tally_record(
        user=organizer,
        petition=petition,
        council=kawasaki,
        count=42,
        collected_on=D(2024, 1, 1),
        submission_token=token,
    )
    assert first.created and not again.created
    assert again.entry.pk == first.entry.pk
    assert TallyEntry.objects.count() == 1


def test_a_resent_token_loses_at_the_unique_index_and_gets_the_first_entry(organizer, petition, kawasaki):
    # No look-up before the INSERT (a race could slip past it anyway): the unique index on the token decides,
    # and only an INSERT that lost looks for the entry the first send made.
    token = uuid.uuid4()
    first = tally_record(
        user=organizer, petition=petition, council=kawasaki, count=1, collected_on=D(2024, 1, 1), submission_token=token
    )
    with CaptureQueriesContext(connection) as queries:
        again = tally_record(
            user=organizer, petition=petition, council=kawasaki, count=1, collected_on=D(2024, 1, 1),
            submission_token=token,
        )  # fmt: skip
    assert not again.created
    assert again.entry.pk == first.entry.pk
    assert TallyEntry.objects.count() == 1
    sql = [q["sql"] for q in queries.captured_queries]
    insert = next(i for i, q in enumerate(sql) if q.startswith("INSERT INTO"))
    lookups = [i for i, q in enumerate(sql) if "submission_token" in q and q.startswith("SELECT")]
    assert lookups and min(lookups) > insert, sql


def test_token_of_another_user_is_refused(organizer, petition, kawasaki):
    token = uuid.uuid4()
    record(organizer, petition, kawasaki, 3, submission_token=token)
    other = staff_of(kawasaki, role=Role.ORGANIZER)
    with pytest.raises(ValidationError):
        record(other, petition, kawasaki, 3, submission_token=token)
    assert TallyEntry.objects.count() == 1


def test_correction_appends_a_delta_and_keeps_the_original(organizer, petition, kawasaki):
    entry = record(organizer, petition, kawasaki, 42)
    correction = tally_correct(user=organizer, entry=entry, corrected=24, reason="24筆の誤り").entry
    entry.refresh_from_db()
    assert entry.count == 42  # untouched
    assert correction.corrects == entry and correction.count == -18
    assert correction.correction_reason == "24筆の誤り"
    assert (correction.council, correction.collected_on, correction.round) == (entry.council, entry.collected_on, None)
    assert council_running_total(petition=petition, council=kawasaki) == 24
    # Correcting the correction corrects the original, to the value asked for.
    again = tally_correct(user=organizer, entry=correction, corrected=30, reason="数え直し").entry
    assert again.corrects == entry and again.count == 6
    assert council_running_total(petition=petition, council=kawasaki) == 30


@pytest.mark.parametrize(
    ("field", "corrected", "reason"),
    [("correction_reason", 10, ""), ("corrected", -1, "誤り"), ("corrected", 42, "同じ値")],
)
def test_bad_corrections_are_refused(organizer, petition, kawasaki, field, corrected, reason):
    entry = record(organizer, petition, kawasaki, 42)
    with pytest.raises(ValidationError) as exc:
        tally_correct(user=organizer, entry=entry, corrected=corrected, reason=reason)
    assert field in exc.value.message_dict
    assert TallyEntry.objects.count() == 1


def test_correction_outside_scope_is_refused(organizer, petition, kanagawa):
    pref_staff = staff_of(kanagawa)
    entry = record(pref_staff, petition, kanagawa, 10)
    with pytest.raises(ValidationError) as exc:
        tally_correct(user=organizer, entry=entry, corrected=5, reason="誤り")
    assert "corrects" in exc.value.message_dict


def test_database_refuses_what_the_service_would(organizer, petition, kawasaki):
    base = {"petition": petition, "council": kawasaki, "collected_on": D(2024, 1, 1), "entered_by": organizer}
    for bad in ({"count": -1}, {"count": 10_000_001}):
        with pytest.raises(IntegrityError), transaction.atomic():
            TallyEntry.objects.create(**base, **bad)
    original = TallyEntry.objects.create(**base, count=5)
    with pytest.raises(IntegrityError), transaction.atomic():
        TallyEntry.objects.create(**base, count=-2, corrects=original)  # a correction without a reason


def test_submission_recorded_and_refused_outside_scope(organizer, petition, kawasaki, kanagawa):
    s = submission_record(
        user=organizer,
        petition=petition,
        council=kawasaki,
        submitted_on=D(2023, 12, 4),
        submitted_to="衆議院議長",
        count=1241,
        event="署名提出行動",
    )
    assert s.entered_by == organizer
    with pytest.raises(ValidationError) as exc:
        submission_record(
            user=organizer,
            petition=petition,
            council=kanagawa,
            submitted_on=D(2023, 12, 4),
            submitted_to="衆議院議長",
            count=1,
        )
    assert "council" in exc.value.message_dict
    assert Submission.objects.count() == 1


def test_goal_split_may_not_exceed_the_prefecture(petition, kanagawa, kawasaki):
    staff = staff_of(kanagawa)
    goal_set(user=staff, petition=petition, council=kanagawa, goal=1000)
    goal_set(user=staff, petition=petition, council=kawasaki, goal=600)
    yokohama = local_council("14", name="横浜社保協")
    with pytest.raises(ValidationError) as exc:
        goal_set(user=staff, petition=petition, council=yokohama, goal=401)
    assert "goal" in exc.value.message_dict
    goal_set(user=staff, petition=petition, council=yokohama, goal=400)
    with pytest.raises(ValidationError):
        goal_set(user=staff, petition=petition, council=kanagawa, goal=900)
    goal_set(user=staff, petition=petition, council=kawasaki, goal=500)  # changing a goal keeps one row
    assert PetitionGoal.objects.filter(petition=petition).count() == 3


def test_national_staff_may_record_anywhere(petition):
    national = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    osaka = prefectural_council("27")
    assert record(national, petition, osaka, 7).council == osaka
