"""Login lock-out: per user name and per address, on the site and admin logins; unlocking; the records."""

import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.core import mail
from django.urls import reverse

from councils.models import Role
from tests.councils.factories import UserFactory, national_council, prefectural_council, staff_of

pytestmark = pytest.mark.django_db

PASSWORD = "test-pass-2025"
LOCKED = "ログインを一時的に止めています"
SITE_LOGIN = "/login/"
ADMIN_LOGIN = "/admin/login/"


def _try(client, url, username, password, **extra):
    return client.post(url, {"username": username, "password": password}, **extra)


def _logged_in(client):
    return "_auth_user_id" in client.session


@pytest.fixture
def kanagawa_staff():
    return staff_of(prefectural_council("14"), role=Role.COUNCIL_STAFF, username="kanagawa-staff")


@pytest.fixture
def national_staff():
    return staff_of(national_council(), role=Role.NATIONAL_STAFF, username="chuo-staff")


@pytest.mark.parametrize("url", [SITE_LOGIN, ADMIN_LOGIN], ids=["site", "admin"])
def test_twenty_wrong_passwords_lock_the_account_and_the_right_one_then_fails(client, kanagawa_staff, url):
    for _ in range(20):
        _try(client, url, "kanagawa-staff", "wrong-password-1")
    response = _try(client, url, "kanagawa-staff", PASSWORD)
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not _logged_in(client)


def test_the_lock_holds_from_another_address_and_ends_after_the_cool_off(client, kanagawa_staff):
    for _ in range(10):
        _try(client, SITE_LOGIN, "kanagawa-staff", "wrong-password-1")
    # The user name is locked whatever address tries it.
    assert _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD, REMOTE_ADDR="10.9.8.7").status_code == 429
    assert not _logged_in(client)
    # Sixteen minutes later (the cool-off is 15 minutes from the last failure) it logs in.
    AccessAttempt.objects.update(attempt_time=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=16))
    response = _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD, REMOTE_ADDR="10.9.8.7")
    assert response.status_code == 302 and _logged_in(client)


def test_nine_failures_do_not_lock(client, kanagawa_staff):
    for _ in range(9):
        _try(client, SITE_LOGIN, "kanagawa-staff", "wrong-password-1")
    assert _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_an_address_guessing_many_user_names_is_locked_for_every_name(client, kanagawa_staff):
    for n in range(10):
        _try(client, SITE_LOGIN, f"guess{n}", "wrong-password-1", REMOTE_ADDR="203.0.113.9")
    # A real account's right password from that address is refused too...
    assert _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert not _logged_in(client)
    # ...but not from another address.
    assert _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD, REMOTE_ADDR="198.51.100.4").status_code == 302


def test_an_unknown_user_name_gets_the_same_answers_as_a_real_one(client, kanagawa_staff):
    def answers(username, address):
        seen = []
        for _ in range(11):
            response = _try(client, SITE_LOGIN, username, "wrong-password-1", REMOTE_ADDR=address)
            body = response.content.decode().replace(username, "NAME")
            errors = body[body.find('class="errorlist') :][:400]
            seen.append((response.status_code, errors))
        return seen

    real = answers("kanagawa-staff", "192.0.2.1")
    unknown = answers("nobody-here", "192.0.2.2")
    assert real == unknown
    assert real[0][0] == 200 and real[-1][0] == 429  # a form error first, the lock-out at the end
    assert LOCKED in real[-1][1]


def test_every_failed_and_successful_login_is_recorded_with_time_and_address(client, kanagawa_staff):
    _try(client, SITE_LOGIN, "kanagawa-staff", "wrong-password-1", REMOTE_ADDR="192.0.2.10")
    _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD, REMOTE_ADDR="192.0.2.11")
    failure = AccessFailureLog.objects.get()
    assert (failure.username, failure.ip_address) == ("kanagawa-staff", "192.0.2.10")
    assert failure.attempt_time is not None
    success = AccessLog.objects.get()
    assert (success.username, success.ip_address) == ("kanagawa-staff", "192.0.2.11")
    assert success.attempt_time is not None


def _lock(client, username):
    for _ in range(20):
        _try(client, SITE_LOGIN, username, "wrong-password-1")


def test_national_staff_unlock_from_the_admin_and_the_right_password_then_works(client, kanagawa_staff, national_staff):
    _lock(client, "kanagawa-staff")
    assert _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD).status_code == 429

    admin = type(client)()
    admin.force_login(national_staff)
    changelist = reverse("admin:axes_accessattempt_changelist")
    page = admin.get(changelist)
    assert page.status_code == 200 and "kanagawa-staff" in page.content.decode()
    response = admin.post(
        changelist,
        {"action": "unlock", "_selected_action": list(AccessAttempt.objects.values_list("pk", flat=True))},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD).status_code == 302
    assert _logged_in(client)


def test_national_staff_see_the_login_records(client, kanagawa_staff, national_staff):
    _try(client, SITE_LOGIN, "kanagawa-staff", "wrong-password-1", REMOTE_ADDR="192.0.2.20")
    admin = type(client)()
    admin.force_login(national_staff)
    for name in ("accessfailurelog", "accesslog"):
        assert admin.get(reverse(f"admin:axes_{name}_changelist")).status_code == 200
    body = admin.get(reverse("admin:axes_accessfailurelog_changelist")).content.decode()
    assert "192.0.2.20" in body and "接続元アドレス" in body  # the columns are in Japanese


def test_council_staff_cannot_see_or_unlock(client, kanagawa_staff):
    tokyo_staff = staff_of(prefectural_council("13"), role=Role.COUNCIL_STAFF, username="tokyo-staff")
    _lock(client, "tokyo-staff")
    staff_client = type(client)()
    staff_client.force_login(kanagawa_staff)
    changelist = reverse("admin:axes_accessattempt_changelist")
    assert staff_client.get(changelist).status_code == 403
    for name in ("accessfailurelog", "accesslog"):
        assert staff_client.get(reverse(f"admin:axes_{name}_changelist")).status_code == 403
    attempt = AccessAttempt.objects.get(username="tokyo-staff")
    response = staff_client.post(changelist, {"action": "unlock", "_selected_action": [attempt.pk]})
    assert response.status_code == 403
    assert (
        staff_client.post(reverse("admin:axes_accessattempt_delete", args=[attempt.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert AccessAttempt.objects.filter(pk=attempt.pk).exists()
    assert _try(client, SITE_LOGIN, tokyo_staff.username, PASSWORD).status_code == 429
    # and the admin index does not list the login records for them
    assert "ログインの記録" not in staff_client.get(reverse("admin:index")).content.decode()


def test_password_reset_requests_are_limited_per_address(client):
    UserFactory(council=prefectural_council("14"), email="staff@example.jp")
    url = reverse("password_reset")
    codes = [client.post(url, {"email": f"someone{n}@example.jp"}).status_code for n in range(6)]
    assert codes == [302] * 5 + [429]
    response = client.post(url, {"email": "staff@example.jp"})
    assert response.status_code == 429
    assert "パスワード再設定の依頼が続いたため" in response.content.decode()
    assert len(mail.outbox) == 0
    # another address may still ask
    assert client.post(url, {"email": "staff@example.jp"}, REMOTE_ADDR="192.0.2.30").status_code == 302
    assert len(mail.outbox) == 1


def test_password_reset_requests_are_limited_per_email_from_many_addresses(client):
    url = reverse("password_reset")
    codes = [
        client.post(url, {"email": "Target@example.jp"}, REMOTE_ADDR=f"192.0.2.{n + 40}").status_code for n in range(6)
    ]
    assert codes == [302] * 5 + [429]


def test_the_address_is_remote_addr_unless_a_proxy_header_is_trusted(rf, settings):
    from shaho.core.access import client_ip

    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_REAL_IP="203.0.113.7", HTTP_X_FORWARDED_FOR="1.2.3.4")
    settings.TRUSTED_PROXY_IP_HEADER = ""
    assert client_ip(request) == "10.0.0.5"  # a header the client can send is not believed by default
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_REAL_IP"
    assert client_ip(request) == "203.0.113.7"
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    request.META["HTTP_X_FORWARDED_FOR"] = "6.6.6.6, 198.51.100.3"  # the client's forgery, then the proxy's entry
    assert client_ip(request) == "198.51.100.3"


def test_failures_are_counted_against_the_trusted_proxy_address(client, kanagawa_staff, settings):
    settings.TRUSTED_PROXY_IP_HEADER = "HTTP_X_REAL_IP"
    _try(client, SITE_LOGIN, "kanagawa-staff", "wrong-password-1", HTTP_X_REAL_IP="203.0.113.50")
    assert AccessFailureLog.objects.get().ip_address == "203.0.113.50"


def test_logging_into_ones_own_account_does_not_reset_the_guessing_of_another(client, kanagawa_staff):
    staff_of(prefectural_council("13"), role=Role.COUNCIL_STAFF, username="guesser")
    for _ in range(9):
        _try(client, SITE_LOGIN, "kanagawa-staff", "wrong-password-1")
    assert _try(client, SITE_LOGIN, "guesser", PASSWORD).status_code == 302  # the guesser's own account
    client.logout()
    _try(client, SITE_LOGIN, "kanagawa-staff", "wrong-password-1")
    assert _try(client, SITE_LOGIN, "kanagawa-staff", PASSWORD, REMOTE_ADDR="10.1.1.1").status_code == 429


def test_the_records_keep_no_password(client, kanagawa_staff):
    _try(client, SITE_LOGIN, "kanagawa-staff", "my-secret-guess-42")
    attempt = AccessAttempt.objects.get()
    assert "my-secret-guess-42" not in attempt.post_data
    assert "csrfmiddlewaretoken" not in attempt.post_data or "csrfmiddlewaretoken=****" in attempt.post_data
