"""Staff import a tally file in the admin: 取り込む leads to the import job's page, which polls its status (the
report job page's script) until 完了 and then shows the counts and the outcome file.

In `make test` the job runs in-process, in a thread after the response (as `make run` does without a broker); in
CI's second run the real Celery worker takes it from the `imports` queue.
"""

import threading

import pytest
from playwright.sync_api import expect

from councils.models import Role
from petitions.models import TallyEntry
from shaho.core import import_jobs
from shaho.core.models import ImportJob
from tests.councils.factories import local_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory

pytestmark = [pytest.mark.browser]

FILE = "社保協,団体,種別,筆数,日付,備考\r\n川崎社保協,,個人,120,2025-12-07,駅前\r\n横浜社保協,,WEB,30,2025-12-07,\r\n"


@pytest.fixture(autouse=True)
def _jobs_run_after_the_response(settings):
    # As under `make run`: the request returns at once and the job runs in its own thread.
    settings.TASKS_EAGER_IN_THREAD = True


def _commit_a_file(live_server, new_page, log_in):
    """A tally file uploaded, checked and committed in the admin as Kanagawa's staff: the page after 取り込む."""
    kanagawa = prefectural_council("14")
    local_council("14", name="川崎社保協")
    local_council("14", name="横浜社保協")
    staff_of(kanagawa, role=Role.COUNCIL_STAFF, username="kanagawa-staff")
    drive = PetitionDriveFactory(short_name="保険証残して", slug="hokensho")
    page = new_page()
    log_in(page, "kanagawa-staff")
    page.goto(f"{live_server.url}/admin/petitions/tallyentry/import/?petition={drive.pk}")
    page.set_input_files(
        "input[type=file]", files=[{"name": "集約.csv", "mimeType": "text/csv", "buffer": FILE.encode()}]
    )
    page.get_by_role("button", name="確認").click()
    page.get_by_role("button", name="取り込む").click()
    return page


# 取り込む hands the job to the Celery worker in CI's second run, which reads test_test.
@pytest.mark.worker
def test_staff_commit_an_import_and_watch_its_job_reach_done(live_server, new_page, log_in):
    # The worker writes the outcome file under the MEDIA_ROOT it was started with (the settings' own, as this
    # server's): the page's download reads it from there, as web and worker share storage in production.
    page = _commit_a_file(live_server, new_page, log_in)
    expect(page.locator("#job-status")).to_have_text("完了", timeout=90_000)
    expect(page.locator("#job-progress")).to_have_attribute("value", "100")
    expect(page.locator("#job-summary")).to_contain_text("2行（新規 2・変更 0・変更なし 0・エラー 0）")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.DONE and TallyEntry.objects.count() == 2
    with page.expect_download() as download:
        page.locator("#job-outcome a").click()
    with open(download.value.path(), encoding="utf-8-sig") as outcome:
        lines = outcome.read().splitlines()
    assert lines[0].startswith("行,結果") and len(lines) == 3


@pytest.mark.usefixtures("tasks_in_process")
def test_the_job_page_shows_rows_done_of_total_while_the_job_runs_then_reloads_at_done(
    live_server, new_page, log_in, settings, tmp_path, monkeypatch
):
    """The job is held (in its thread) once the file is read: the page, polling, shows 実行中 with 0 / 2行."""
    settings.MEDIA_ROOT = tmp_path
    release = threading.Event()
    rows_read = import_jobs.Progress.rows_read

    def held(progress, total):
        rows_read(progress, total)
        release.wait(60)

    monkeypatch.setattr(import_jobs.Progress, "rows_read", held)
    page = _commit_a_file(live_server, new_page, log_in)
    try:
        expect(page.locator("#job-status")).to_have_text("実行中", timeout=30_000)
        expect(page.locator("#job-step")).to_contain_text("（0 / 2行）")
        assert TallyEntry.objects.count() == 0
    finally:
        release.set()
    expect(page.locator("#job-status")).to_have_text("完了", timeout=60_000)  # polled, then the page reloaded
    expect(page.locator("#job-summary")).to_be_visible()
    assert TallyEntry.objects.count() == 2
