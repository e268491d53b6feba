"""CouncilUserBackend: the signed-in user comes with its council; old sessions still work; a wrong password is
checked once."""

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory

from councils.models import Role, User
from shaho.core.access import CouncilUserBackend
from tests.councils.factories import prefectural_council, staff_of

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-2025"


@pytest.fixture
def kanagawa_staff():
    user = staff_of(prefectural_council("14"), role=Role.COUNCIL_STAFF, username="kanagawa-staff")
    user.set_password(PASSWORD)
    user.save()
    return user


def test_the_user_comes_with_its_council(kanagawa_staff, django_assert_num_queries):
    with django_assert_num_queries(1):
        user = CouncilUserBackend().get_user(kanagawa_staff.pk)
        assert user.council.path == kanagawa_staff.council.path  # scoping starts here: no second query


def test_a_new_login_goes_through_it_and_its_session_works(client, kanagawa_staff):
    assert client.post("/login/", {"username": "kanagawa-staff", "password": PASSWORD}).status_code == 302
    assert client.session["_auth_user_backend"] == "shaho.core.access.CouncilUserBackend"
    assert client.get("/").status_code == 200


def test_a_session_signed_in_through_djangos_own_backend_still_works(client, kanagawa_staff):
    client.force_login(kanagawa_staff, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/")
    assert response.status_code == 200 and response.wsgi_request.user == kanagawa_staff


def test_a_wrong_password_is_checked_once_not_again_by_the_old_backend(kanagawa_staff, monkeypatch):
    checks = []
    real = User.check_password
    monkeypatch.setattr(User, "check_password", lambda self, raw: checks.append(raw) or real(self, raw))
    request = RequestFactory().post("/login/")
    assert authenticate(request, username="kanagawa-staff", password="wrong-pass") is None
    assert checks == ["wrong-pass"]
    assert authenticate(request, username="kanagawa-staff", password=PASSWORD) == kanagawa_staff
