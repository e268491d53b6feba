"""A member of the public opens the maps under /public/ (issue 17) on a laptop and on a phone: the questionnaire
answers of a prefecture and a national campaign's adoptions, all Japan and one prefecture. No horizontal
overflow at 1366 px or 360 px, no CSP violation, the MLIT credit visible under every map, 「表で見る」 opens."""

import datetime
import time

import pytest

from campaigns.models import Campaign
from councils.models import Role
from municipalities.caravans import services
from municipalities.models import Assembly, AssemblyPetition, Municipality, Sitting
from municipalities.registry.maps import CREDIT
from tests.councils.factories import national_council, prefectural_council, staff_of

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"
LAPTOP = {"width": 1366, "height": 800}
PHONE = {"width": 360, "height": 740}
D = datetime.date


@pytest.fixture
def public_maps():
    kanagawa = prefectural_council("14")
    user = staff_of(kanagawa, role=Role.COUNCIL_STAFF)
    questionnaire = services.questionnaire_create(
        user=user, council=kanagawa, prefecture=kanagawa.prefecture, fiscal_year=2026, title="資格確認書アンケート",
        sections=[("資格確認書", [{"code": "1", "text": "全員に送付するか", "kind": "yes_no"}])],
    )  # fmt: skip
    question = questionnaire.questions.get()
    for name, answer in (("川崎市", "はい"), ("平塚市", "いいえ"), ("鎌倉市", "はい")):
        municipality = Municipality.objects.get(prefecture__code="14", name=name)
        services.answer_record(user=user, question=question, municipality=municipality, raw=answer)
    services.questionnaire_publish(user=user, questionnaire=questionnaire)
    campaign = Campaign.objects.create(
        slug="hokensho", name="なくすな保険証", starts_on=D(2026, 4, 1), lead_council=national_council()
    )
    for code, outcome in (("141305", "adopted"), ("142034", "spirit"), ("131130", "adopted"), ("011002", "rejected")):
        municipality = Municipality.objects.get(code=code)
        assembly = Assembly.objects.create(municipality=municipality, prefecture=municipality.prefecture)
        sitting = Sitting.objects.create(
            assembly=assembly, season="12", year=2026, starts_on=D(2026, 11, 28), ends_on=D(2026, 12, 20)
        )
        AssemblyPetition.objects.create(
            assembly=assembly, sitting=sitting, title="陳情", campaign=campaign, committee_on=D(2026, 12, 5),
            committee_outcome=outcome, outcome=outcome, decided_on=D(2026, 12, 5),
        )  # fmt: skip
    return questionnaire


@pytest.mark.parametrize("viewport", [LAPTOP, PHONE], ids=["1366px", "360px"])
def test_the_public_maps_fit_the_screen_with_the_credit(new_page, live_server, public_maps, viewport):
    page = new_page(viewport=viewport)
    for path in (
        f"/public/caravans/{public_maps.pk}/map/",
        "/public/assemblies/hokensho/",
        "/public/assemblies/hokensho/14/",
    ):
        started = time.perf_counter()
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("load")
        elapsed = (time.perf_counter() - started) * 1000
        assert "/login/" not in page.url
        svg_bytes = page.evaluate("document.querySelector('.picture-svg svg').outerHTML.length")
        print(f"{viewport['width']}px {path}: SVG {svg_bytes:,} characters, loaded in {elapsed:.0f} ms")
        credit = page.locator(".picture-credit")
        assert credit.is_visible() and credit.inner_text() == CREDIT
        assert page.locator(".picture-svg svg").is_visible()
        assert page.evaluate(NO_HORIZONTAL_SCROLL), f"{path} scrolls sideways at {viewport['width']} px"
        page.click(".picture-table summary")
        assert page.locator(".picture-table table").is_visible()
        assert page.evaluate(NO_HORIZONTAL_SCROLL), f"{path}'s table scrolls the page at {viewport['width']} px"
