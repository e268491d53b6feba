"""Councils come in the order staff expect: JIS prefecture code (北海道 first, 沖縄 last), then municipality code."""

import pytest
from playwright.sync_api import expect

from councils.models import Role
from municipalities.models import Municipality, Prefecture
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}


def _federation_created_backwards():
    """47 prefectural councils created from 沖縄 to 北海道: creation order and path text order both mislead."""
    national = national_council()
    for code in Prefecture.objects.order_by("-code").values_list("code", flat=True):
        prefectural_council(code)
    city = Municipality.objects.get
    for name, code in [("茅ヶ崎社保協", "142077"), ("横浜社保協", "141003"), ("川崎社保協", "141305")]:
        local_council("14", name=name, municipalities=[city(code=code)])
    return national


def test_admin_council_list_and_national_tally_table_start_with_hokkaido_and_end_with_okinawa(
    live_server, new_page, log_in
):
    national = _federation_created_backwards()
    staff_of(national, role=Role.NATIONAL_STAFF, username="chuo-staff")
    drive = PetitionDriveFactory(slug="order-test")
    page = new_page(viewport=DESKTOP)
    log_in(page, "chuo-staff")

    page.goto(f"{live_server.url}/admin/councils/council/?kind__exact=prefectural")
    names = page.locator("#result_list tbody th a").all_inner_texts()
    assert len(names) == 47
    assert names[0] == "北海道社会保障推進協議会" and names[-1] == "沖縄県社会保障推進協議会"
    assert names[12] == "東京都社会保障推進協議会"  # 13th by JIS code, not by text or creation order

    page.goto(f"{live_server.url}/admin/councils/council/")
    names = page.locator("#result_list tbody th a").all_inner_texts()
    assert names[:2] == ["中央社会保障推進協議会", "北海道社会保障推進協議会"]

    page.goto(f"{live_server.url}/petitions/{drive.slug}/")
    expect(page.locator("#tally-table")).to_be_visible()
    prefectures = page.locator("#tally-table tr.level-prefecture td:nth-child(2)").all_inner_texts()
    assert len(prefectures) == 47
    assert prefectures[0] == "北海道" and prefectures[-1] == "沖縄県"


def test_prefecture_tally_table_lists_local_councils_by_municipality_code(live_server, new_page, log_in):
    _federation_created_backwards()
    staff_of(prefectural_council("14"), username="kanagawa-staff")
    drive = PetitionDriveFactory(slug="order-test-14")
    page = new_page(viewport=DESKTOP)
    log_in(page, "kanagawa-staff")

    page.goto(f"{live_server.url}/petitions/{drive.slug}/prefecture/14/")
    labels = page.locator("#tally-table tr.level-council td:nth-child(2)").all_inner_texts()
    assert labels == ["神奈川県社会保障推進協議会", "横浜社保協", "川崎社保協", "茅ヶ崎社保協"]
