"""councils: its part of the query-count test (tests/test_query_counts.py).

BUILDERS (admin model → how to add k rows the staff may see), NATIONAL_ONLY (lists Kanagawa's staff never
see 30 rows of) and SITE_PAGES (page → (its URL for a world, how to add k rows it lists)), gathered by the engine.
"""

from django.urls import reverse

from councils.models import Council, Membership, Officer, Organisation, Role, User
from tests.councils.factories import OfficerFactory, staff_of
from tests.walk_kit import D


def _councils(world, k):
    for _ in range(k):
        world.local()


def _organisations(world, k):
    for _ in range(k):
        world.organisation()


def _memberships(world, k):
    for _ in range(k):
        Membership.objects.create(organisation=world.organisation(), council=world.local(), since=D(2020, 4, 1))


def _officers(world, k):
    for _ in range(k):
        OfficerFactory(council=world.kanagawa, organisation=world.organisation())


def _users(world, k):
    for _ in range(k):
        staff_of(world.local(), role=Role.ORGANIZER)


BUILDERS = {
    Council: _councils,
    Organisation: _organisations,
    Membership: _memberships,
    Officer: _officers,
    User: _users,
}


def _dashboard_data(world, k):
    """k more of what the home dashboard reads: local councils with goals and entries, open drives, study
    sessions and actions coming up (its figures grow; its number of queries must not)."""
    import datetime

    from django.utils import timezone

    from tests.campaigns.factories import action
    from tests.petitions.factories import PetitionDriveFactory, goal, record

    today = timezone.localdate()
    for i in range(k):
        council = world.local()
        goal(world.drive, council, 100 + i)
        record(world.kanagawa_staff, world.drive, council, 3 + i, collected_on=today - datetime.timedelta(days=i % 9))
        drive = PetitionDriveFactory(starts_on=today - datetime.timedelta(days=30), ends_on=today)
        record(world.kanagawa_staff, drive, council, 2, collected_on=today)
        action(world.kanagawa_staff, council, code="study", title=f"学習会{i}", starts_on=today)
        action(world.kanagawa_staff, council, title=f"宣伝{i}", starts_on=today, status="planned")


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "home": (lambda world: reverse("home"), _councils),
    "home (dashboard)": (lambda world: reverse("home"), _dashboard_data),
    "overview_download": (
        lambda world: (
            reverse("overview_download", args=["petitions.progress", f"progress-{world.drive.slug}"]) + "?format=csv"
        ),
        _dashboard_data,
    ),
}
