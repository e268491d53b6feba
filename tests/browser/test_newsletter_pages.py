"""A newsletter's web version on a 360 px phone and a 1366 px screen: whole (nothing runs off the screen), its
photo inside the viewport with its caption, no critical or serious axe violation; the staff's 記録から記事 page
too. Screenshots go to SHAHO_BROWSER_ARTIFACTS (/tmp/shaho-browser) to look at."""

import datetime

import pytest
from django.urls import reverse

from councils.models import Role
from reports.models import Audience
from reports.newsletters import services
from reports.services import publish_job, run_now
from tests.campaigns.factories import action, rows
from tests.councils.factories import local_council, prefectural_council, staff_of
from tests.reports.newsletters.photos import jpeg_with_gps

from .axe import axe_violations, format_violations
from .conftest import FAILURE_SCREENSHOTS

pytestmark = pytest.mark.browser
DESKTOP = {"width": 1366, "height": 900}


@pytest.fixture
def issue(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    kanagawa = prefectural_council("14")
    staff = staff_of(kanagawa, username="jimukyoku")
    staff_of(local_council("14", "川崎"), role=Role.MEMBER, username="kaiin")
    street = action(
        staff, kanagawa, title="なくすな保険証！桜木町駅前宣伝", starts_on=datetime.date(2023, 11, 25),
        place="桜木町駅前広場", participants=rows(),
    )  # fmt: skip
    services.photo_add(
        user=staff, data=jpeg_with_gps(size=(1600, 1200)), name="a.jpg", caption="桜木町駅前での宣伝", action=street
    )
    newsletter = services.newsletter_create(
        user=staff, council=kanagawa, title="神奈川社保協ニュース", number=1, date=datetime.date(2023, 12, 10)
    )
    services.article_from_record(
        user=staff, newsletter=newsletter, kind="action", record=street, text="寒い中の宣伝でした。"
    )
    job = run_now(kind="newsletter", params={"newsletter": str(newsletter.pk)}, user=staff)
    publish_job(job=job, audience=Audience.COUNCIL, user=staff)
    return job, newsletter


def _whole(page, width):
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= width, f"the page is {scroll} px wide at {width}"
    photo = page.locator("figure.photo img").first
    photo.scroll_into_view_if_needed()
    box = photo.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width and box["height"] > 50, box
    assert page.evaluate("document.querySelector('figure.photo img').naturalWidth") > 0  # the image loaded
    assert "桜木町駅前での宣伝" in page.locator("figure.photo figcaption").first.inner_text()


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}, DESKTOP], ids=["360", "1366"])
def test_the_web_version_is_whole_and_clean(new_page, log_in, live_server, issue, viewport):
    job, _ = issue
    page = new_page(viewport=viewport, bypass_csp=True)
    log_in(page, "kaiin")
    page.goto(f"{live_server.url}{reverse('reports:newsletter_read', args=[job.token])}")
    assert "11団体26人" in page.content()
    _whole(page, viewport["width"])
    FAILURE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(FAILURE_SCREENSHOTS / f"newsletter-read-{viewport['width']}.png"), full_page=True)
    violations = axe_violations(page)
    assert not violations, format_violations({page.url: violations})


@pytest.mark.parametrize("viewport", [{"width": 360, "height": 740}, DESKTOP], ids=["360", "1366"])
def test_the_from_record_page_is_whole_and_clean(new_page, log_in, live_server, issue, viewport):
    _, newsletter = issue
    page = new_page(viewport=viewport, bypass_csp=True)
    log_in(page, "jimukyoku")
    page.goto(f"{live_server.url}{reverse('reports:newsletter_from_record', args=[newsletter.pk])}")
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    page.screenshot(path=str(FAILURE_SCREENSHOTS / f"newsletter-from-record-{viewport['width']}.png"), full_page=True)
    violations = axe_violations(page)
    assert not violations, format_violations({page.url: violations})
