"""consultations: its part of the query-count test (tests/test_query_counts.py).

BUILDERS (admin model → how to add k rows the staff may see), NATIONAL_ONLY (lists Kanagawa's staff never
see 30 rows of) and SITE_PAGES (page → (its URL for a world, how to add k rows it lists)), gathered by the engine.
"""

import datetime

from django.urls import reverse

from consultations.models import CallRecord, Category, ConsultationDay, Coordinator, Station
from councils.models import Role
from tests.consultations import factories as consultation_factories
from tests.councils.factories import staff_of
from tests.walk_kit import D, serial


def _consultation_days(world, k):
    for _ in range(k):
        n = next(serial)
        consultation_factories.station(
            consultation_factories.national_day(D(2000, 1, 1) + datetime.timedelta(days=n)), world.kanagawa
        )


def _the_day(world):
    if not hasattr(world, "day"):
        world.day = consultation_factories.national_day(D(2023, 11, 11))
        consultation_factories.national_day(D(2022, 11, 11))  # last year's, beside it on the totals page
    return world.day


def _the_responder(world):
    if not hasattr(world, "responder"):
        station = consultation_factories.station(_the_day(world), world.kanagawa)
        world.responder = consultation_factories.responder(station)
    return world.responder


def _stations(world, k):
    for _ in range(k):
        consultation_factories.station(_the_day(world), world.local())


def _calls(world, k):
    responder = _the_responder(world)
    cost = consultation_factories.category("利用料・費用")
    for _ in range(k):
        consultation_factories.call(responder, categories=[cost], summary="相談内容")


def _categories(world, k):
    for _ in range(k):
        consultation_factories.category(f"分類{next(serial)}")


def _coordinators(world, k):
    for _ in range(k):
        Coordinator.objects.create(user=staff_of(world.national, role=Role.NATIONAL_STAFF))


BUILDERS = {
    ConsultationDay: _consultation_days,
    Station: _stations,
    CallRecord: _calls,
    Category: _categories,
    Coordinator: _coordinators,
}


# The call categories and coordinators are kept by national staff.
NATIONAL_ONLY = {Category, Coordinator}


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "consultations:days": (lambda world: reverse("consultations:days"), _consultation_days),
    "consultations:day": (lambda world: reverse("consultations:day", args=[_the_day(world).pk]), _stations),
    "consultations:station": (
        lambda world: reverse("consultations:station", args=[_the_responder(world).station_id]),
        _calls,
    ),
}
