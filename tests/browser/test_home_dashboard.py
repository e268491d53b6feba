"""The home dashboard in Chromium: each role's page loads under the strict CSP (the new_page fixture fails on any
violation), draws its pictures, opens 「表で見る」 (a details element: no script needed) and fits a 360 px phone."""

import pytest
from django.urls import reverse

from tests.councils.dashboard_world import (
    add_call_days,
    add_published_report,
    add_study_sessions,
    add_upcoming,
    build_world,
)

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("who", ["national_staff", "kanagawa_staff", "kawasaki_organizer", "kawasaki_member"])
def test_each_roles_dashboard_loads_under_the_policy_on_desktop_and_phone(live_server, new_page, log_in, who):
    w = build_world()
    add_study_sessions(w)
    add_upcoming(w)
    add_call_days(w)
    add_published_report(w)
    user = getattr(w, who)
    for viewport in (DESKTOP, PHONE):
        page = new_page(viewport=viewport)
        log_in(page, user.username)
        response = page.goto(f"{live_server.url}{reverse('home')}")
        assert response.status == 200
        assert page.locator(".dashboard figure").count() >= 2
        if who != "kawasaki_member":
            assert page.locator(".dashboard svg").count() >= 1
            summary = page.locator(".dashboard details.picture-table summary").first
            summary.click()
            assert page.locator(".dashboard details.picture-table table").first.is_visible()
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 1, f"{who} at {viewport['width']} px scrolls sideways by {overflow} px"
        page.screenshot(path=f"/tmp/dash-home-{who}-{viewport['width']}.png", full_page=True)
