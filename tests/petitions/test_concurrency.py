"""Many organizers at once: every entry recorded exactly once, the same token never twice (PostgreSQL)."""

import datetime
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from councils.models import Role
from petitions.models import TallyEntry
from petitions.selectors import council_running_total
from petitions.services import tally_record
from tests.councils.factories import local_council, staff_of
from tests.required_services import require_postgresql

from .factories import PetitionDriveFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("_postgresql_only"),
]


@pytest.fixture
def _postgresql_only():
    require_postgresql()


def _in_thread(fn):
    def run(*args):
        try:
            return fn(*args)
        finally:
            connections.close_all()

    return run


def test_concurrent_submits_are_each_recorded_once():
    council = local_council("14", name="川崎社保協")
    petition = PetitionDriveFactory()
    organizers = [staff_of(council, role=Role.ORGANIZER) for _ in range(10)]
    tokens = [uuid.uuid4() for _ in range(200)]

    @_in_thread
    def submit(k):
        # Every form is sent twice, back to back on two threads, as a double tap would.
        i = k // 2
        return tally_record(
            user=organizers[i % len(organizers)], petition=petition, council=council, count=1 + i % 7,
            collected_on=datetime.date(2024, 1, 10), submission_token=tokens[i],
        ).created  # fmt: skip

    with ThreadPoolExecutor(max_workers=10) as pool:
        created = list(pool.map(submit, range(2 * len(tokens))))
    assert created.count(True) == len(tokens)
    assert TallyEntry.objects.count() == len(tokens)
    assert council_running_total(petition=petition, council=council) == sum(1 + i % 7 for i in range(len(tokens)))
