"""Staff request a report on the site, watch its progress bar reach 完了, publish it; a member downloads it.

In `make test` the job runs in-process; in CI's second run the real Celery worker runs it
and the page's progress bar is what tells the user.
"""

import pytest
from playwright.sync_api import expect

from councils.models import Role
from reports.models import JobStatus, ReportJob
from tests.councils.factories import local_council, prefectural_council, staff_of

pytestmark = pytest.mark.browser


def test_staff_watch_a_directory_job_finish_and_a_member_downloads_it(live_server, new_page, log_in):
    kanagawa = prefectural_council("14")
    local_council("14", name="横浜市社会保障推進協議会")
    local_council("14", name="川崎社会保障推進協議会")
    staff_of(kanagawa, role=Role.COUNCIL_STAFF, username="kanagawa-staff")
    staff_of(kanagawa, role=Role.MEMBER, username="kanagawa-member")

    staff = new_page()
    log_in(staff, "kanagawa-staff")
    staff.goto(f"{live_server.url}/reports/new/council_directory/")
    staff.fill("input[name=prefecture]", "１４")
    staff.get_by_role("button", name="作成する").click()

    expect(staff.locator("#job-status")).to_have_text("完了", timeout=90_000)
    expect(staff.locator("#job-progress")).to_have_attribute("value", "100")
    expect(staff.locator("#job-download a")).to_be_visible()
    job = ReportJob.objects.get()
    assert job.status == JobStatus.DONE and job.page_count >= 1 and job.steps

    # publish to the council's members, then the member finds it on their download page
    staff.reload()
    staff.select_option("select[name=audience]", "council")
    staff.get_by_role("button", name="公開範囲を保存").click()
    expect(staff.locator("select[name=audience]")).to_have_value("council")

    member = new_page()
    log_in(member, "kanagawa-member")
    member.goto(f"{live_server.url}/reports/")
    link = member.get_by_role("link", name="ダウンロード").first
    expect(link).to_be_visible()
    with member.expect_download() as download:
        link.click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
