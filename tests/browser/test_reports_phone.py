"""Reports on a 360 px phone: /reports/ (members download here) and 作成の履歴 are one card per report, nothing
runs off the screen, and each download button is inside the viewport (and answers)."""

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from councils.models import Role
from reports.models import Audience, JobStatus, ReportJob
from tests.councils.factories import local_council, prefectural_council, staff_of

pytestmark = pytest.mark.browser


@pytest.fixture
def published(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kanagawa = prefectural_council("14")
    for n, title in enumerate(
        ["神奈川県 社保協名簿", "第69回 2025年度 国保改善運動の行動提起 資料集（神奈川県版・最終稿）"]
    ):
        job = ReportJob(
            kind="council_directory", title=title, council=kanagawa, status=JobStatus.DONE, dedupe_key=f"phone-{n}",
            audience=Audience.COUNCIL, published_at=timezone.now(), finished_at=timezone.now(), file_size=26_624,
            page_count=3,
        )  # fmt: skip
        job.file.save(f"phone-{n}.pdf", ContentFile(b"%PDF-1.4\n%phone\n"))  # saves the row too
    return kanagawa


def _fits_the_phone(page):
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360, f"the page is {width} px wide at 360"
    buttons = page.locator("a.button.download")
    assert buttons.count() == 2
    for i in range(buttons.count()):
        box = buttons.nth(i).bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360, box
        assert box["height"] >= 44  # a finger's target
    # one card per report: the council name is on one line, not one character a line
    council = page.locator("tr.report-card td[data-label='社保協']").first
    if council.count():
        assert council.bounding_box()["height"] < 3 * 24
    return width


def test_members_downloads_are_cards_with_the_button_on_screen(phone_page, log_in, live_server, published):
    staff_of(local_council("14", "川崎"), role=Role.MEMBER, username="kaiin")
    log_in(phone_page, "kaiin")
    phone_page.goto(f"{live_server.url}/reports/")

    width = _fits_the_phone(phone_page)

    with phone_page.expect_download() as download:
        phone_page.locator("a.button.download").first.click()
    assert download.value.suggested_filename.endswith(".pdf")
    print(f"\n/reports/ at 360 px: {width} px wide (it was 388)")


def test_the_jobs_list_has_download_buttons_on_screen(phone_page, log_in, live_server, published):
    kanagawa = published
    staff_of(kanagawa, username="jimukyoku")
    log_in(phone_page, "jimukyoku")
    phone_page.goto(f"{live_server.url}/reports/jobs/")

    width = _fits_the_phone(phone_page)
    print(f"\n/reports/jobs/ at 360 px: {width} px wide")
