"""The national 集約一覧表 on a 360×740 phone: a prefecture's 累計 and 達成率 are read with its name in sight."""

import pytest

from councils.models import Role
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, goal, record

pytestmark = pytest.mark.browser

# Where a cell is on screen, and whether it is the element actually seen at its centre (not covered).
SEEN = """(cell) => {
  const r = cell.getBoundingClientRect();
  const x = r.left + r.width / 2, y = r.top + r.height / 2;
  const top = document.elementFromPoint(x, y);
  return {left: r.left, right: r.right, seen: r.left >= 0 && r.right <= window.innerWidth
          && top !== null && (top === cell || cell.contains(top))};
}"""


def test_phone_table_keeps_the_prefecture_name_beside_its_figures(live_server, phone_page, log_in):
    national = national_council()
    kanagawa = prefectural_council("14")
    staff_of(national, role=Role.NATIONAL_STAFF, username="national-staff")
    drive = PetitionDriveFactory(short_name="保険証残して", slug="hokensho")
    goal(drive, kanagawa, 20_000)
    record(staff_of(kanagawa), drive, local_council("14", name="川崎社保協"), 12_345)

    page = log_in(phone_page, "national-staff")
    page.goto(f"{live_server.url}/petitions/hokensho/")
    row = page.locator("#tally-table tr[data-code='14']")
    name, to_date, percent = row.locator("td.name"), row.locator("td.to-date"), row.locator("td.percent")
    assert to_date.inner_text() == "12,345" and percent.inner_text() == "61.7"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # the page itself never scrolls sideways

    # Scroll the table until 累計 sits next to the name column: the name is still there, uncovered,
    # and 累計 and 達成率 are both in view beside it.
    name.scroll_into_view_if_needed()
    page.locator(".table-wrap").evaluate(
        """(wrap) => {
          const name = wrap.querySelector("tr[data-code='14'] td.name");
          const toDate = wrap.querySelector("tr[data-code='14'] td.to-date");
          wrap.scrollLeft = toDate.offsetLeft - name.offsetWidth;
        }"""
    )
    assert page.locator(".table-wrap").evaluate("(wrap) => wrap.scrollLeft") > 0
    for cell in (to_date, percent, name):
        where = cell.evaluate(SEEN)
        assert where["seen"], f"{cell}: {where}"
    assert name.inner_text() == "神奈川県"
