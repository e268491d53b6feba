"""An organizer on a phone records 42筆 at 桜木町 for 保険証残して and sees Kanagawa's total move.

Real Chromium at 360×740: log in, fill the entry form, submit, read the new totals, with no
horizontal scrolling on the way; then the national table, its xlsx and the command agree.
"""

import csv
import datetime
import io
import time

import openpyxl
import pytest
from django.core.management import call_command

from councils.models import Role
from petitions.models import TallyEntry
from petitions.services import tally_record
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, goal

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def kanagawa_drive():
    kanagawa = prefectural_council("14")
    kawasaki = local_council("14", name="川崎社保協")
    organizer = staff_of(kawasaki, role=Role.ORGANIZER, username="organizer")
    national = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    petition = PetitionDriveFactory(title="保険証残してください署名", short_name="保険証残して", slug="hokensho")
    PetitionDriveFactory(
        title="社会保障拡充・財源確保を求める署名（25条署名）", short_name="25条署名", slug="article25"
    )
    goal(petition, kanagawa, 50_000)
    yesterday = datetime.date.today() - datetime.timedelta(days=1)
    tally_record(user=national, petition=petition, council=kanagawa, count=1_000, collected_on=yesterday)
    tally_record(user=national, petition=petition, council=kawasaki, count=200, collected_on=yesterday)
    return petition, organizer


def test_organizer_records_42_on_a_phone_and_sees_kanagawa_move(phone_page, log_in, live_server, kanagawa_drive):
    _petition, organizer = kanagawa_drive
    page = phone_page
    started = time.monotonic()
    log_in(page, "organizer")
    page.goto(f"{live_server.url}/petitions/entry/")
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    page.select_option("#id_petition", label="保険証残して")
    page.fill("#id_count", "４２")  # typed with the Japanese keyboard
    page.click("summary")
    page.fill("#id_source", "桜木町駅前")
    sent = page.evaluate("Object.fromEntries(new FormData(document.querySelector('form.entry-form')))")
    with page.expect_navigation():
        page.click("#submit-entry")
    elapsed = time.monotonic() - started

    assert "記録しました" in page.inner_text(".confirm-head")
    assert page.inner_text("#entry-count") == "42筆"
    assert page.inner_text("#council-total") == "242"  # 川崎: 200 + 42
    assert page.inner_text("#prefecture-total") == "1,242"  # 神奈川: 1,000 + 200 + 42
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    assert elapsed < 60
    entry = TallyEntry.objects.get(source="桜木町駅前")
    assert (entry.count, entry.entered_by, entry.council.name) == (42, organizer, "川崎社保協")

    # The same form sent again (a re-tap, a resent POST): the same confirmation, nothing recorded twice.
    resent = page.request.post(f"{live_server.url}/petitions/entry/", form=sent)
    assert resent.ok and resent.url == page.url
    assert TallyEntry.objects.filter(source="桜木町駅前").count() == 1

    # The national table, its xlsx and the command agree to the signature.
    page.goto(f"{live_server.url}/petitions/hokensho/")
    row = page.locator("#tally-table tr[data-code='14']")
    on_page = row.locator("td").nth(4).inner_text()
    assert on_page == "1,242"
    xlsx = page.request.get(f"{live_server.url}/petitions/hokensho/?format=xlsx").body()
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx)).active
    in_xlsx = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "神奈川県")[4]
    out = io.StringIO()
    call_command("tally_table", petition="hokensho", format="csv", stdout=out)
    in_command = next(r for r in csv.reader(io.StringIO(out.getvalue())) if r[1] == "神奈川県")[4]
    assert in_xlsx == int(in_command) == 1_242
