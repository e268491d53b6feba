"""Admin changelists at 1366×900: a long Japanese name reads on one or two lines, and no table is wider than the page.

Measured in the page: the lines a name takes are the distinct line boxes of its
text (Range.getClientRects), and the table's width against its container's.
"""

import datetime

import pytest
from django.contrib import admin
from django.urls import reverse
from django.utils import timezone

from councils import services
from councils.models import Membership, Role
from petitions.models import ImportBatch, Submission
from petitions.services import tally_correct
from reports.models import JobStatus, Meeting, ReportJob
from tests.councils.factories import (
    OfficerFactory,
    OrganisationFactory,
    local_council,
    national_council,
    prefectural_council,
    staff_of,
)
from tests.petitions.factories import PetitionDriveFactory, goal, record, with_rounds

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}
D = datetime.date

LONG_COUNCIL = "なくすな保険証！神奈川県社会保障推進協議会"
LONG_JOB = "地域社保協一覧（神奈川県社会保障推進協議会）"
LONG_DRIVE = "社会保障拡充・財源確保を求める署名（25条署名）"
LONG_ORGANISATION = "神奈川県建設労働組合連合会（神奈川土建）"

# Where each long name shows: (changelist, text).
LONG_NAMES = {
    "councils_council": LONG_COUNCIL,
    "reports_reportjob": LONG_JOB,
    "petitions_petitiondrive": LONG_DRIVE,
    "councils_organisation": LONG_ORGANISATION,
}

MEASURE = """([text]) => {
  const table = document.querySelector('#result_list');
  if (!table) return null;  // an empty list (registry changes for prefectural staff) has no table
  const box = table.closest('.results') || table.parentElement;
  const result = {
    tableWidth: Math.ceil(table.getBoundingClientRect().width),
    boxWidth: Math.floor(box.getBoundingClientRect().width),
    pageWidth: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
    lines: null,
  };
  if (text) {
    const cell = [...table.querySelectorAll('tbody th, tbody td')].find((c) => c.textContent.trim() === text);
    if (cell) {
      const range = document.createRange();
      range.selectNodeContents(cell);
      result.lines = new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
    }
  }
  return result;
}"""


def _world():
    national = national_council()
    kanagawa = prefectural_council("14")
    services.council_update(council=kanagawa, name="神奈川県社会保障推進協議会")
    staff_of(kanagawa, role=Role.COUNCIL_STAFF, username="kanagawa-staff")
    staff = staff_of(national, role=Role.NATIONAL_STAFF, username="national-staff", display_name="中央 事務局")
    council = local_council("14", name=LONG_COUNCIL, short_name="なくすな保険証！神奈川")
    for name in ("横浜市社会保障推進協議会", "川崎市社会保障推進協議会", "相模原市社会保障推進協議会"):
        local_council("14", name=name)
    organisation = OrganisationFactory(name=LONG_ORGANISATION, prefecture=kanagawa.prefecture, home_council=kanagawa)
    Membership.objects.create(organisation=organisation, council=council, since=D(2020, 4, 1))
    OfficerFactory(council=council, organisation=organisation, person_name="山田 花子")
    drive = PetitionDriveFactory(title=LONG_DRIVE, short_name="25条署名", organiser=national)
    with_rounds(drive, D(2024, 2, 29), D(2024, 12, 31))
    goal(drive, council, 5000)
    entry = record(staff, drive, council, 1241, organisation=organisation, source="桜木町駅前宣伝")
    tally_correct(user=staff, entry=entry, corrected=1251, reason="数え直し")
    ImportBatch.objects.create(
        petition=drive, file_name="2024年第1次集約_神奈川県.xlsx", sha256="0" * 64, created_by=staff
    )
    Submission.objects.create(
        petition=drive, council=council, submitted_on=D(2024, 5, 20), submitted_to="衆議院議長・参議院議長",
        count=1241, event="署名提出行動（院内集会）", entered_by=staff,
    )  # fmt: skip
    Meeting.objects.create(council=national, number=64, title=LONG_JOB, date=D(2020, 9, 2), venue="日本医療労働会館")
    ReportJob.objects.create(
        kind="council_directory", title=LONG_JOB, council=council, requested_by=staff, dedupe_key="a" * 64,
        status=JobStatus.FAILED, progress=100, finished_at=timezone.now(),
    )  # fmt: skip
    return staff


CHANGELISTS = sorted(f"{m._meta.app_label}_{m._meta.model_name}" for m in admin.site._registry)


@pytest.mark.parametrize("username", ["national-staff", "kanagawa-staff"])
def test_every_changelist_fits_1366_and_long_names_take_at_most_two_lines(live_server, new_page, log_in, username):
    _world()
    page = new_page(viewport=DESKTOP)
    log_in(page, username)
    measured = {}
    for name in CHANGELISTS:
        page.goto(live_server.url + reverse(f"admin:{name}_changelist"))
        measured[name] = page.evaluate(MEASURE, [LONG_NAMES.get(name)])
    assert all(measured[name] for name in LONG_NAMES), measured
    measured = {name: m for name, m in measured.items() if m}
    for name in LONG_NAMES:
        assert measured[name]["lines"] is not None, f"{LONG_NAMES[name]} not found in {name}"
        assert measured[name]["lines"] <= 2, f"{name}: 「{LONG_NAMES[name]}」 takes {measured[name]['lines']} lines"
    too_wide = {n: m for n, m in measured.items() if m["tableWidth"] > m["boxWidth"] or m["pageWidth"] > m["viewport"]}
    assert not too_wide, f"wider than the page at 1366 px: {too_wide}"
