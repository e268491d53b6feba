"""Who may open a station's calls (consultations.access): each rule on its own, and the two spellings agree.

The stations of the national day: Kanagawa's and Tokyo's. Kanagawa's staff open Kanagawa's calls,
never Tokyo's; a member of Kanagawa who does not answer there sees neither; a responder opens the
station they answer at (even outside their council's scope); a coordinator opens every station.
"""

import pytest

from consultations import access
from consultations.models import Coordinator
from councils.models import Role
from tests.councils.factories import staff_of

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def day_of_two(kanagawa, tokyo):
    day = factories.national_day()
    k_station, t_station = factories.station(day, kanagawa), factories.station(day, tokyo)
    t_responder = factories.responder(t_station)
    call = factories.call(t_responder)
    return {"day": day, "kanagawa": k_station, "tokyo": t_station, "tokyo_responder": t_responder, "tokyo_call": call}


def _opens(user, s):
    """(Kanagawa's, Tokyo's) station: may the user list its calls — asked in the four ways the pages ask."""
    answers = []
    for name in ("kanagawa", "tokyo"):
        station = s[name]
        one = access.may_list_calls(user=user, station=station)
        listed = station.pk in access.listable_station_ids(user=user, day=s["day"])
        fetched = access.listable_station(user=user, pk=station.pk) is not None
        assert one == listed == fetched, f"{name}: may_list_calls={one}, listable_station_ids={listed}, {fetched=}"
        answers.append(one)
    return tuple(answers)


def test_prefectural_staff_open_their_own_station_and_never_the_neighbours(day_of_two, kanagawa_staff):
    assert _opens(kanagawa_staff, day_of_two) == (True, False)
    assert access.listable_call(user=kanagawa_staff, pk=day_of_two["tokyo_call"].pk) is None


def test_a_member_of_the_council_sees_no_calls_of_its_station(day_of_two, kanagawa):
    member = staff_of(kanagawa, role=Role.MEMBER)
    assert _opens(member, day_of_two) == (False, False)


def test_a_responder_opens_the_station_they_answer_at_and_no_other(day_of_two):
    responder = day_of_two["tokyo_responder"].user
    assert _opens(responder, day_of_two) == (False, True)
    assert access.listable_call(user=responder, pk=day_of_two["tokyo_call"].pk) == day_of_two["tokyo_call"]


def test_a_responder_at_a_neighbours_station_opens_only_that_one(day_of_two, kanagawa_staff):
    """Kanagawa's staff answering at Tokyo's station (a shared line) open Tokyo's station too."""
    factories.responder(day_of_two["tokyo"], kanagawa_staff)
    assert _opens(kanagawa_staff, day_of_two) == (True, True)


def test_a_coordinator_opens_every_station(day_of_two, national_staff, kanagawa):
    coordinator = staff_of(kanagawa, role=Role.MEMBER)
    Coordinator.objects.create(user=coordinator, appointed_by=national_staff)
    assert _opens(coordinator, day_of_two) == (True, True)


def test_an_inactive_account_opens_nothing(day_of_two, kanagawa_staff):
    responder = day_of_two["tokyo_responder"].user
    for user in (kanagawa_staff, responder):
        user.is_active = False
        user.save()
        user.refresh_from_db()
        assert _opens(user, day_of_two) == (False, False)


def test_an_anonymous_visitor_opens_nothing(day_of_two):
    from django.contrib.auth.models import AnonymousUser

    assert _opens(AnonymousUser(), day_of_two) == (False, False)
    assert access.listable_call(user=AnonymousUser(), pk=day_of_two["tokyo_call"].pk) is None


def test_national_staff_open_every_station(day_of_two, national_staff):
    assert _opens(national_staff, day_of_two) == (True, True)


def test_the_totals_count_every_station_only_for_those_who_see_them_all(day_of_two, kanagawa_staff, national_staff):
    day = day_of_two["day"]
    assert access.counted_stations(user=national_staff, day=day) is None
    assert list(access.counted_stations(user=kanagawa_staff, day=day)) == [day_of_two["kanagawa"]]


def test_a_station_of_another_day_is_not_listed_for_the_day(day_of_two, kanagawa, kanagawa_staff):
    other_day = factories.national_day(factories.D(2024, 11, 11))
    other = factories.station(other_day, kanagawa)
    assert other.pk not in access.listable_station_ids(user=kanagawa_staff, day=day_of_two["day"])
