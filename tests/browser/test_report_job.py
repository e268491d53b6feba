"""Staff request a report on the site, watch its progress bar reach 完了, publish it; a member downloads it.

In `make test` the job runs in-process, in a thread after the response (as `make run` does without
a broker); in CI's second run the real Celery worker runs it. Either way the page's progress bar and
its list of steps are what tell the user.
"""

import datetime

import pytest
from playwright.sync_api import expect

from councils.models import Role
from reports.models import JobStatus, ReportJob
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, goal, record

# A page that asks for a report hands its job to the Celery worker in CI, which reads test_test.
pytestmark = [pytest.mark.browser, pytest.mark.worker]


@pytest.fixture(autouse=True)
def _jobs_run_after_the_response(settings):
    # As under `make run`: the request returns at once and the job runs in its own thread.
    settings.TASKS_EAGER_IN_THREAD = True


def test_staff_watch_a_directory_job_finish_and_a_member_downloads_it(live_server, new_page, log_in):
    kanagawa = prefectural_council("14")
    local_council("14", name="横浜市社会保障推進協議会")
    local_council("14", name="川崎社会保障推進協議会")
    staff_of(kanagawa, role=Role.COUNCIL_STAFF, username="kanagawa-staff")
    staff_of(kanagawa, role=Role.MEMBER, username="kanagawa-member")

    staff = new_page()
    log_in(staff, "kanagawa-staff")
    staff.goto(f"{live_server.url}/reports/new/council_directory/")
    staff.select_option("select[name=prefecture]", label="神奈川県")
    staff.get_by_role("button", name="作成する").click()

    expect(staff.locator("#job-status")).to_have_text("完了", timeout=90_000)
    expect(staff.locator("#job-steps li").last).to_contain_text("保存中")
    assert staff.locator("main").inner_text().count("完了") == 1  # 状態: 完了, and nowhere else
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


def test_staff_request_a_tally_table_with_the_widgets_and_see_its_steps(live_server, new_page, log_in):
    national = national_council()
    kanagawa = prefectural_council("14")
    yokohama = local_council("14", name="横浜市社会保障推進協議会")
    prefectural_council("13")
    drive = PetitionDriveFactory(
        title="社会保障拡充・財源確保を求める署名",
        short_name="25条署名",
        slug="25jo",
        organiser=national,
        starts_on=datetime.date(2019, 9, 1),
    )
    PetitionDriveFactory(title="東京都の介護署名", slug="tokyo-kaigo", organiser=prefectural_council("13"))
    goal(drive, kanagawa, 20_000)
    clerk = staff_of(national, role=Role.NATIONAL_STAFF, username="national-clerk")
    record(clerk, drive, yokohama, 1_234, collected_on=datetime.date(2020, 1, 15))
    staff_of(kanagawa, role=Role.COUNCIL_STAFF, username="kanagawa-staff")

    page = new_page(viewport={"width": 1366, "height": 900})
    log_in(page, "kanagawa-staff")
    # From the home page's 報告書を作成 to the kind, by its Japanese label.
    page.get_by_role("link", name="報告書を作成").first.click()
    page.get_by_role("link", name="集約一覧表").click()

    drives = page.locator("select[name=petition] option")
    expect(drives).to_have_count(2)  # 選んでください + the one national drive; Tokyo's is not offered
    page.select_option("select[name=petition]", label="社会保障拡充・財源確保を求める署名")
    date = page.locator("input[name=date]")
    assert date.get_attribute("type") == "date"
    date.fill("2020-08-31")  # the date picker's value
    page.select_option("select[name=prefecture]", label="神奈川県")
    page.select_option("select[name=format]", label="PDF")
    page.get_by_role("button", name="作成する").click()

    expect(page.locator("h1")).to_contain_text("25条署名 集約一覧表 神奈川県")
    expect(page.locator("#job-status")).to_have_text("完了", timeout=90_000)
    steps = page.locator("#job-steps li")
    expect(steps.first).to_contain_text("依頼を受付")
    expect(steps.last).to_contain_text("保存中")
    texts = steps.all_inner_texts()
    assert any("PDFを組版中" in t for t in texts) and not any("完了" in t for t in texts)
    assert page.locator("main").inner_text().count("完了") == 1
    job = ReportJob.objects.get()
    assert job.status == JobStatus.DONE and job.params == {
        "petition": "25jo",
        "date": "2020-08-31",
        "format": "pdf",
        "prefecture": "14",
    }
