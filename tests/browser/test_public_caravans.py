"""A member of the public opens the Tokyo council's 「回答状況はこちら」 link on a phone: no login, the 16
published answers, nothing unpublished (seed 002)."""

import pytest

from councils.models import Role
from demo import caravans as demo
from municipalities.caravans import services
from municipalities.models import Municipality, Questionnaire
from tests.councils.factories import national_council, prefectural_council, staff_of

pytestmark = pytest.mark.browser

NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def tokyo_survey():
    tokyo = prefectural_council("13")
    user = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    demo._tokyo(user, [])  # the published 資格確認書 survey and its 16 answers
    hidden = services.questionnaire_create(
        user=user, council=tokyo, prefecture=tokyo.prefecture, fiscal_year=2024, title="非公開の内部アンケート",
        sections=[("内部", [demo._q("1", "内部の設問", "text")])],
    )  # fmt: skip
    services.answer_record(
        user=user,
        question=hidden.questions.get(),
        municipality=Municipality.objects.get(name="千代田区"),
        raw="内部の回答",
    )
    return Questionnaire.objects.get(title=demo.TOKYO_SURVEY)


def test_the_public_page_shows_the_16_published_answers_without_login(phone_page, live_server, tokyo_survey):
    page = phone_page
    page.goto(f"{live_server.url}/public/")
    assert "/login/" not in page.url
    assert "非公開の内部アンケート" not in page.content()
    with page.expect_navigation():
        page.click("#published a:has-text('資格確認書')")
    assert page.inner_text("#answer-count") == "16自治体から回答がありました。"
    rows = page.locator("#public-answers tbody tr")
    assert rows.count() == 16
    names = [rows.nth(i).locator("td").first.inner_text() for i in range(16)]
    assert sorted(names) == sorted(demo.TOKYO_ANSWERED)
    headers = page.locator("#public-answers thead th").all_inner_texts()
    assert len(headers) == 4 and not any("補足" in h for h in headers)  # the unpublished question is not there
    text = page.content()
    assert "担当者の補足" not in text and "内部の回答" not in text and "千代田区" not in text
    assert page.evaluate(NO_HORIZONTAL_SCROLL)
    with page.expect_navigation():
        page.click("#public-answers a:has-text('狛江市')")
    assert "狛江市の回答" in page.inner_text("h1")
    assert page.locator("#municipality-answers tr").count() == 3
