"""Factories for petitions: a running drive, goals, entries recorded through the service."""

import datetime

import factory
from factory.django import DjangoModelFactory

from petitions.models import CollectionRound, ImportBatch, PetitionDrive, PetitionGoal, Submission, TallyEntry
from petitions.services import tally_record
from tests.councils.factories import national_council, prefectural_council, staff_of

D = datetime.date
DEFAULT_DAY = D(2024, 1, 10)


class PetitionDriveFactory(DjangoModelFactory):
    class Meta:
        model = PetitionDrive
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"テスト署名{n}")
    short_name = factory.Sequence(lambda n: f"署名{n}")
    slug = factory.Sequence(lambda n: f"petition-{n}")
    kind = PetitionDrive.Kind.NATIONAL_ASSEMBLY
    organiser = factory.LazyFunction(national_council)
    starts_on = D(2023, 9, 1)
    ends_on = D(2030, 6, 30)
    status = PetitionDrive.Status.OPEN


def with_rounds(petition, *deadlines):
    """Rounds 第1次…, one per deadline, in order."""
    return [
        CollectionRound.objects.create(petition=petition, number=i, name=f"第{i}次集約", deadline=d)
        for i, d in enumerate(deadlines, start=1)
    ]


def goal(petition, council, n):
    return PetitionGoal.objects.create(petition=petition, council=council, goal=n)


def record(user, petition, council, count, collected_on=DEFAULT_DAY, **kwargs):
    return tally_record(
        user=user, petition=petition, council=council, count=count, collected_on=collected_on, **kwargs
    ).entry


def tokyo_objects():
    """One row of every petitions model, all belonging to Tokyo: the isolation tests' other prefecture."""
    tokyo = prefectural_council("13")
    tokyo_staff = staff_of(tokyo)
    drive = PetitionDriveFactory(organiser=tokyo, short_name="東京の署名")
    entry = record(tokyo_staff, drive, tokyo, 10)
    return {
        PetitionDrive: drive,
        PetitionGoal: PetitionGoal.objects.create(petition=drive, council=tokyo, goal=100),
        TallyEntry: entry,
        Submission: Submission.objects.create(
            petition=drive, council=tokyo, submitted_on=D(2024, 1, 1), submitted_to="都知事", count=5,
            entered_by=tokyo_staff,
        ),
        ImportBatch: ImportBatch.objects.create(
            petition=drive, file_name="t.csv", sha256="0" * 64, created_by=tokyo_staff
        ),
    }  # fmt: skip
