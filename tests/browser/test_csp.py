"""The Content-Security-Policy in a real browser: site and admin pages load with nothing refused.

The new_page fixture fails a test on any violation; these tests visit the pages staff use
(admin index, lists, forms, history, delete confirmation, the login records, two-factor setup)
and prove the listener works by planting a violation on purpose.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from councils.models import Role
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}


def test_the_listener_reports_an_inline_script(live_server, new_page, csp_violations):
    page = new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/login/")
    page.evaluate(
        """() => {
            const s = document.createElement("script");
            s.textContent = "window.x = 1";
            document.body.appendChild(s);
        }"""
    )
    page.wait_for_timeout(200)
    assert any("script-src" in v for v in csp_violations), csp_violations
    csp_violations.clear()  # planted on purpose: do not fail this test


def test_admin_pages_load_under_the_policy(live_server, new_page, log_in):
    national = staff_of(national_council(), role=Role.NATIONAL_STAFF, username="chuo-staff")
    council = local_council("14", name="横浜市社保協")
    prefectural_council("13")
    page = new_page(viewport=DESKTOP)
    log_in(page, national.username)
    urls = [
        reverse("admin:index"),
        reverse("admin:councils_council_changelist"),
        reverse("admin:councils_council_change", args=[council.pk]),
        reverse("admin:councils_council_add"),
        reverse("admin:councils_council_history", args=[council.pk]),
        reverse("admin:councils_council_delete", args=[council.pk]),
        reverse("admin:councils_user_changelist"),
        reverse("admin:petitions_tallyentry_changelist"),
        reverse("admin:axes_accessattempt_changelist"),
        reverse("admin:axes_accesslog_changelist"),
        reverse("admin:axes_accessfailurelog_changelist"),
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("otp_setup"),
        reverse("home"),
    ]
    for url in urls:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status < 400, url
    # the admin's own scripts ran (the theme toggle and the sidebar are script-driven)
    page.goto(f"{live_server.url}{reverse('admin:councils_council_change', args=[council.pk])}")
    expect(page.locator("#council_form")).to_be_visible()
    page.goto(f"{live_server.url}{reverse('otp_setup')}")
    expect(page.locator(".otp-qr img")).to_be_visible()
    assert page.evaluate("document.querySelector('.otp-qr img').naturalWidth") > 0


def test_site_pages_load_under_the_policy(live_server, new_page, log_in):
    member = staff_of(prefectural_council("14"), role=Role.COUNCIL_STAFF, username="kanagawa-staff")
    page = new_page(viewport=DESKTOP)
    page.goto(f"{live_server.url}/password/password_reset/")
    log_in(page, member.username)
    for url in ("/", "/petitions/", reverse("password_change"), reverse("reports:downloads")):
        response = page.goto(f"{live_server.url}{url}")
        assert response.status < 400, url
