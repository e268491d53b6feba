"""`in_scope(user, council)`: the one yes/no scope check every app asks."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from councils.models import Role
from shaho.core.scoping import in_scope, require_in_scope, system_user
from tests.councils.factories import staff_of


def test_own_council_is_in_scope(kanagawa, kanagawa_staff):
    assert in_scope(kanagawa_staff, kanagawa)


def test_a_council_below_is_in_scope_by_object_or_id(kanagawa_staff, kawasaki):
    assert in_scope(kanagawa_staff, kawasaki)
    assert in_scope(kanagawa_staff, kawasaki.pk)


def test_the_neighbour_and_the_council_above_are_not(kanagawa_staff, tokyo, national, organizer, kanagawa):
    assert not in_scope(kanagawa_staff, tokyo)
    assert not in_scope(kanagawa_staff, tokyo.pk)
    assert not in_scope(kanagawa_staff, national)
    assert not in_scope(organizer, kanagawa)  # Kawasaki's organizer does not reach up to the prefecture


def test_no_council_is_in_nobodys_scope(national_staff, kanagawa_staff):
    assert not in_scope(kanagawa_staff, None)
    assert not in_scope(national_staff, None)
    assert not in_scope(None, None)


def test_a_system_run_and_national_staff_reach_every_council(tokyo, kawasaki, national_staff):
    assert system_user(None) and system_user(national_staff)
    assert in_scope(None, tokyo) and in_scope(None, kawasaki.pk)
    assert in_scope(national_staff, tokyo) and in_scope(national_staff, kawasaki)


def test_an_inactive_or_anonymous_user_has_no_scope(kanagawa, kawasaki, national):
    inactive = staff_of(kanagawa, role=Role.COUNCIL_STAFF, is_active=False)
    inactive_national = staff_of(national, role=Role.NATIONAL_STAFF, is_active=False)
    assert not in_scope(inactive, kanagawa)
    assert not in_scope(inactive_national, kawasaki)
    assert not in_scope(AnonymousUser(), kanagawa)


def test_one_query_at_most(django_assert_max_num_queries, kanagawa_staff, kawasaki):
    with django_assert_max_num_queries(1):
        assert in_scope(kanagawa_staff, kawasaki.pk)


def test_require_in_scope_refuses_in_japanese(kanagawa_staff, tokyo):
    with pytest.raises(PermissionDenied, match="権限がありません"):
        require_in_scope(kanagawa_staff, tokyo)
