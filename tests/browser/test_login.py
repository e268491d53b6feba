import pytest
from playwright.sync_api import expect

from councils.models import Role
from tests.councils.factories import prefectural_council, staff_of

pytestmark = pytest.mark.browser

PHONE_WIDTH = 360


def scroll_width(page):
    return page.evaluate("document.documentElement.scrollWidth")


def test_member_logs_in_on_a_phone_and_lands_on_mypage_without_sideways_scroll(live_server, phone_page, log_in):
    council = prefectural_council("14")
    staff_of(council, role=Role.MEMBER, username="kanagawa-member")

    phone_page.goto(f"{live_server.url}/login/")
    assert scroll_width(phone_page) <= PHONE_WIDTH, "the login page scrolls sideways on a 360 px phone"

    log_in(phone_page, "kanagawa-member")

    assert phone_page.url == f"{live_server.url}/"
    expect(phone_page.locator("h1")).to_have_text("マイページ")
    expect(phone_page.locator("main")).to_contain_text("神奈川県社会保障推進協議会")
    assert scroll_width(phone_page) <= PHONE_WIDTH, "マイページ scrolls sideways on a 360 px phone"


def test_wrong_password_keeps_the_member_on_the_login_page(live_server, phone_page, log_in):
    council = prefectural_council("14")
    staff_of(council, role=Role.MEMBER, username="kanagawa-member")

    log_in(phone_page, "kanagawa-member", password="wrong-password")

    assert phone_page.url.startswith(f"{live_server.url}/login/")
    expect(phone_page.locator(".errorlist")).to_be_visible()
    assert scroll_width(phone_page) <= PHONE_WIDTH
