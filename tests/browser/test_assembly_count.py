"""The assemblies' 全国集計 page in the browser: national staff pick a campaign and read 18 / 112 / 111."""

import pytest
from django.urls import reverse

from councils.models import Role
from demo import assemblies as demo
from tests.councils.factories import national_council, prefectural_council, staff_of

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}


def test_national_staff_read_the_kokuho_count_on_the_count_page(live_server, new_page, log_in):
    national = national_council()
    prefectural_council("14")
    staff_of(national, role=Role.NATIONAL_STAFF, username="national-staff")
    campaigns = demo._campaigns(national)
    demo._kokuho(campaigns[demo.KOKUHO])
    demo._kanagawa(campaigns[demo.HOKENSHO])
    page = new_page(viewport=DESKTOP)
    log_in(page, "national-staff")
    page.goto(live_server.url + reverse("admin:municipalities_assemblypetition_changelist"))
    with page.expect_navigation():
        page.click("text=全国集計")
    page.select_option("#id_campaign", demo.KOKUHO)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert page.inner_text(".assembly-count-line") == "18都道府県の112市区町村で採択、意見書111本"
    page.select_option("#id_campaign", demo.HOKENSHO)
    with page.expect_navigation():
        page.click("input[type=submit]")
    assert "平塚市議会" in page.inner_text("#content-main")  # pending, with its committee date
    assert "2023年12月18日" in page.inner_text("#content-main")
