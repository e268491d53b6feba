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


def test_two_organizers_entering_for_the_same_council_and_day_at_once_both_count():
    """The summary's row for a council and day is shared: the second writer waits for the first's row
    and adds to it (no lost update), and the summary equals the ledger afterwards."""
    import threading

    from django.db import transaction

    from petitions.models import TallyCouncilTotal, TallyDaily
    from petitions.summary import tally_summary_differences

    council = local_council("14", name="川崎社保協")
    petition = PetitionDriveFactory()
    first, second = staff_of(council, role=Role.ORGANIZER), staff_of(council, role=Role.ORGANIZER)
    day = datetime.date(2024, 1, 10)
    tally_record(user=first, petition=petition, council=council, count=1, collected_on=day)  # the row exists
    entered, release, done = threading.Event(), threading.Event(), threading.Event()

    @_in_thread
    def slow_writer():
        with transaction.atomic():
            tally_record(user=first, petition=petition, council=council, count=30, collected_on=day)
            entered.set()
            release.wait(10)  # holds its summary rows until the other writer is waiting on them

    @_in_thread
    def other_writer():
        entered.wait(10)
        tally_record(user=second, petition=petition, council=council, count=12, collected_on=day)
        done.set()

    with ThreadPoolExecutor(max_workers=2) as pool:
        futures = [pool.submit(slow_writer), pool.submit(other_writer)]
        assert entered.wait(10)
        assert not done.wait(0.5)  # the second writer waits for the first's uncommitted row
        release.set()
        for f in futures:
            f.result(timeout=20)
    assert TallyDaily.objects.get(petition=petition, collected_on=day).total == 43
    assert TallyCouncilTotal.objects.get(petition=petition, council=council).total == 43
    assert tally_summary_differences() == []


def test_many_writers_at_once_leave_the_summary_equal_to_the_ledger():
    from petitions.models import TallyCouncilTotal
    from petitions.summary import tally_summary_differences

    councils = [local_council("14", name=f"社保協{i}") for i in range(3)]
    petition = PetitionDriveFactory()
    organizers = [staff_of(c, role=Role.ORGANIZER) for c in councils for _ in range(3)]

    @_in_thread
    def submit(i):
        user = organizers[i % len(organizers)]
        tally_record(
            user=user, petition=petition, council=user.council, count=1 + i % 5,
            collected_on=datetime.date(2024, 1, 10 + i % 2),
        )  # fmt: skip

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(submit, range(120)))
    assert sum(TallyCouncilTotal.objects.values_list("total", flat=True)) == sum(1 + i % 5 for i in range(120))
    assert tally_summary_differences() == []
