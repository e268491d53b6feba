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


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "home": (lambda world: reverse("home"), _councils),
}
