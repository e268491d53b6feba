"""The admin is whole at 1280 and 1366 px: nothing starts left of the screen.

With the navigation sidebar closed (the default below 1500 px), a sidebar narrower than
Django's and Django's closed offset (-276 px) pulled the content 44 px off the left edge:
headings lost their first characters (「更する 行動 を選択」), labels theirs (「類:」).
Measured in the page on every changelist and every add form, as national staff and as
prefectural staff (who see fewer filters and cannot add national-only rows): the content's
left edge, and the first character of every heading, label and first table column.
"""

import datetime

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from councils.models import Role
from tests.councils.factories import (
    OrganisationFactory,
    local_council,
    national_council,
    prefectural_council,
    staff_of,
)
from tests.petitions.factories import PetitionDriveFactory, record, with_rounds

pytestmark = pytest.mark.browser
WIDTHS = (1280, 1366)

# The left edge of #content and of the first character of each heading, label and first cell,
# for the elements that are rendered (hidden inlines' templates and collapsed fieldsets are skipped).
MEASURE = """() => {
  const content = document.querySelector('#content');
  const cut = [];
  const firstCharLeft = (el) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT, {
      acceptNode: (n) => (n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_SKIP),
    });
    const node = walker.nextNode();
    if (!node) return null;
    const offset = node.textContent.length - node.textContent.trimStart().length;
    const range = document.createRange();
    range.setStart(node, offset);
    range.setEnd(node, offset + 1);
    const rect = range.getBoundingClientRect();
    if (!rect.width && !rect.height) return null;  // not rendered
    return { left: rect.left, text: node.textContent.trim().slice(0, 12) };
  };
  const selector = '#content h1, #content h2, #content h3, #content label, '
    + '#result_list thead th:first-child, #result_list tbody tr:first-child > :first-child, .xfull a';
  for (const el of document.querySelectorAll(selector)) {
    if (!el.getClientRects().length) continue;
    const first = firstCharLeft(el);
    if (first && first.left < 0) cut.push(`${el.tagName}: 「${first.text}」 at ${Math.round(first.left)} px`);
  }
  return {
    contentLeft: content ? Math.round(content.getBoundingClientRect().left) : null,
    scrollX: window.scrollX,
    cut,
  };
}"""


def _world():
    national = national_council()
    kanagawa = prefectural_council("14")
    local = local_council("14", name="横浜市社会保障推進協議会")
    staff = staff_of(national, role=Role.NATIONAL_STAFF, username="national-staff")
    staff_of(kanagawa, role=Role.COUNCIL_STAFF, username="kanagawa-staff")
    organisation = OrganisationFactory(
        name="神奈川県建設労働組合連合会", prefecture=kanagawa.prefecture, home_council=kanagawa
    )
    drive = PetitionDriveFactory(title="社会保障拡充を求める署名", short_name="25条署名", organiser=national)
    with_rounds(drive, datetime.date(2024, 2, 29), datetime.date(2024, 12, 31))
    record(staff, drive, local, 1241, organisation=organisation, source="桜木町駅前宣伝")


def _pages():
    pages = []
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        info = model._meta.app_label, model._meta.model_name
        pages.append(reverse("admin:{}_{}_changelist".format(*info)))
        try:
            pages.append(reverse("admin:{}_{}_add".format(*info)))
        except NoReverseMatch:
            pass
    return pages


@pytest.mark.parametrize("username", ["national-staff", "kanagawa-staff"])
def test_admin_content_and_headings_start_on_screen_at_1280_and_1366(live_server, new_page, log_in, username):
    _world()
    page = new_page(viewport={"width": WIDTHS[0], "height": 900})
    log_in(page, username)
    problems = {}
    opened = 0
    for url in _pages():
        response = page.goto(live_server.url + url)
        if response.status != 200 or "/admin/" not in page.url:
            continue  # an add form this user may not open (403), or one that leads to the site's own page
        opened += 1
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            measured = page.evaluate(MEASURE)
            if measured["contentLeft"] is None or measured["contentLeft"] < 0 or measured["cut"]:
                problems[f"{url} at {width} px"] = measured
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
    assert opened > 40, f"only {opened} admin pages opened as {username}"
    assert not problems, f"cut off on the left as {username}: {problems}"
