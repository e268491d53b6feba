"""Role checks in one place (`shaho.core.roles`): an inactive account records nothing, in every app."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from campaigns import views as campaign_views
from councils.models import Role
from petitions import views as petition_views
from shaho.core.roles import is_staff_user, may_record
from tests.councils.factories import staff_of


@pytest.fixture
def inactive_organizer(kawasaki):
    return staff_of(kawasaki, role=Role.ORGANIZER, is_active=False)


def test_an_inactive_organizer_may_not_record_an_action(inactive_organizer):
    # campaigns once asked its own copy of the check, which forgot the account's "active" flag.
    with pytest.raises(PermissionDenied):
        campaign_views._require_recorder(inactive_organizer)


def test_an_inactive_organizer_may_not_record_a_tally(inactive_organizer):
    with pytest.raises(PermissionDenied):
        petition_views._require_recorder(inactive_organizer)


def test_who_may_record(organizer, kanagawa_staff, national_staff, kanagawa, inactive_organizer):
    assert may_record(organizer) and may_record(kanagawa_staff) and may_record(national_staff)
    assert not may_record(staff_of(kanagawa, role=Role.MEMBER))
    assert not may_record(inactive_organizer)
    assert not may_record(AnonymousUser()) and not may_record(None)


def test_who_is_staff(organizer, kanagawa_staff, national_staff, kanagawa):
    assert is_staff_user(kanagawa_staff) and is_staff_user(national_staff)
    assert not is_staff_user(organizer)
    assert not is_staff_user(staff_of(kanagawa, role=Role.COUNCIL_STAFF, is_active=False))
    assert not is_staff_user(AnonymousUser()) and not is_staff_user(None)
