"""petitions: its part of the query-count test (tests/test_query_counts.py).

BUILDERS (admin model → how to add k rows the staff may see), NATIONAL_ONLY (lists Kanagawa's staff never
see 30 rows of) and SITE_PAGES (page → (its URL for a world, how to add k rows it lists)), gathered by the engine.
"""

import uuid

from django.urls import reverse

from petitions.models import ImportBatch, PetitionDrive, PetitionGoal, Submission, TallyEntry
from petitions.services import tally_correct
from tests.petitions.factories import PetitionDriveFactory, goal, record
from tests.walk_kit import KANAGAWA, D, serial


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


def _entry_done(world):
    world.entry_council = world.local()
    entry = record(world.kanagawa_staff, world.drive, world.entry_council, 10)
    return reverse("petitions:entry_done", args=[entry.pk])


def _earlier_entries(world, k):
    # The confirmation of an organizer's entry with 3, then 30, earlier entries of that council.
    for _ in range(k):
        entry = record(world.kanagawa_staff, world.drive, world.entry_council, 5, organisation=world.organisation())
        tally_correct(user=world.kanagawa_staff, entry=entry, corrected=6, reason="数え直し")


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


BUILDERS = {
    PetitionDrive: _drives,
    PetitionGoal: _goals,
    TallyEntry: _entries,
    ImportBatch: _batches,
    Submission: _submissions,
}


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "petitions:list": (lambda world: reverse("petitions:list"), _drives),
    "petitions:national": (lambda world: reverse("petitions:national", args=[world.drive.slug]), _table_rows),
    "petitions:prefecture": (
        lambda world: reverse("petitions:prefecture", args=[world.drive.slug, KANAGAWA]),
        _table_rows,
    ),
    "petitions:entry": (lambda world: reverse("petitions:entry"), _drives),
    "petitions:entry_done": (_entry_done, _earlier_entries),
}
