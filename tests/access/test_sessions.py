"""Sessions: staff idle limit, absolute limit for everyone, logging out everywhere (with a controllable clock)."""

import pytest
from django.test import Client
from django.urls import reverse

from councils.models import Role
from shaho.core import access
from tests.councils.factories import prefectural_council, staff_of

pytestmark = pytest.mark.django_db

HOUR = 3600
DAY = 24 * HOUR
START = 1_800_000_000.0


class Clock:
    def __init__(self, now):
        self.now = now

    def __call__(self):
        return self.now


@pytest.fixture
def clock(monkeypatch):
    clock = Clock(START)
    monkeypatch.setattr(access, "current_time", clock)
    return clock


@pytest.fixture
def staff():
    return staff_of(prefectural_council("14"), role=Role.COUNCIL_STAFF)


@pytest.fixture
def member():
    return staff_of(prefectural_council("14"), role=Role.MEMBER)


def _home_status(client):
    return client.get(reverse("home"))


def test_staff_are_logged_out_after_eight_idle_hours(client, clock, staff):
    client.force_login(staff)
    clock.now += 7 * HOUR + 59 * 60
    assert _home_status(client).status_code == 200
    clock.now += 8 * HOUR - 60  # active a moment ago: the idle time counts from the last request
    assert _home_status(client).status_code == 200
    clock.now += 8 * HOUR + 1
    response = _home_status(client)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"])
    assert "8時間操作がなかったため、ログアウトしました" in page.content.decode()


def test_the_idle_limit_is_a_setting(client, clock, staff, settings):
    import datetime

    settings.SESSION_IDLE_TIMEOUT = datetime.timedelta(hours=1)
    client.force_login(staff)
    clock.now += HOUR + 1
    assert _home_status(client).status_code == 302


def test_members_are_not_logged_out_when_idle(client, clock, member):
    client.force_login(member)
    clock.now += 3 * DAY
    assert _home_status(client).status_code == 200


def test_every_session_ends_fourteen_days_after_login_however_active(client, clock, staff, member):
    other = Client()
    client.force_login(staff)
    other.force_login(member)
    for _ in range(14 * 4):  # a request every 6 hours keeps the staff session from idling
        clock.now += 6 * HOUR
        if clock.now - START > 14 * DAY:
            break
        assert _home_status(client).status_code == 200
    clock.now = START + 14 * DAY + 1
    response = _home_status(client)
    assert response.status_code == 302 and "_auth_user_id" not in client.session
    assert _home_status(other).status_code == 302
    assert "ログインから14日が過ぎたため" in client.get(response["Location"]).content.decode()


def test_logout_everywhere_ends_the_other_sessions_too(staff):
    laptop, phone = Client(), Client()
    laptop.force_login(staff)
    phone.force_login(staff)
    assert _home_status(phone).status_code == 200

    response = laptop.post(reverse("logout_everywhere"))
    assert response.status_code == 302 and response["Location"] == reverse("login")
    assert "すべての端末からログアウトしました" in laptop.get(response["Location"]).content.decode()

    assert _home_status(phone).status_code == 302
    assert _home_status(laptop).status_code == 302
    # and a new login works as before
    fresh = Client()
    staff.refresh_from_db()
    fresh.force_login(staff)
    assert _home_status(fresh).status_code == 200


def test_logout_everywhere_is_on_the_account_page_and_needs_post(client, staff):
    client.force_login(staff)
    page = _home_status(client).content.decode()
    assert f'action="{reverse("logout_everywhere")}"' in page
    assert client.get(reverse("logout_everywhere")).status_code == 405
