"""Three calls logged in a row with the keyboard alone (keyboard.press and keyboard.type, no clicks, no focus()
calls): the focus starts in the first field, choices are picked by typing (digit keys, the area by its reading),
after the masking message the focus is on the confirmation, after saving it is back in the first field of an
empty form with the saved call read out from a live region. The keystrokes are counted and printed."""

import datetime

import pytest
from playwright.sync_api import expect

from consultations.models import CallRecord
from councils.models import Role
from tests.consultations import factories
from tests.councils.factories import prefectural_council, staff_of

pytestmark = pytest.mark.browser
TABLET = {"width": 1366, "height": 900}
CATEGORIES = ["利用料・費用", "介護離職", "施設入所・待機", "認知症", "家族関係"]


@pytest.fixture
def station():
    day = factories.national_day(datetime.date.today())
    station = factories.station(day, prefectural_council("14"), lines=3)
    factories.responder(station, staff_of(station.council, role=Role.MEMBER, username="soudan"))
    for name in CATEGORIES:
        factories.category(name)
    return station


class Keyboard:
    """The page's keyboard, counting: each press is one keystroke, each typed character one more."""

    def __init__(self, page):
        self.page, self.presses, self.characters, self.tabs = page, 0, 0, 0

    def press(self, *keys):
        for key in keys:
            self.page.keyboard.press(key)
            self.presses += 1
            self.tabs += key == "Tab"

    def type(self, text):
        self.page.keyboard.type(text)
        self.characters += len(text)

    def focused(self):
        return self.page.evaluate("document.activeElement.id")


# One call as a responder types it: (duration, caller, relation or None, age, sex, care, categories, summary,
# area). Tab moves on; a digit picks an option, and so do the first letters of its reading in romaji (ho → 本人,
# da → 男性, kai → 介護・医療の職員, mi → 未申請; a kana keyboard's か works the same); the area is typed in kana or
# by its first characters; Enter in the area field saves.
CALLS = [
    ("35", "2", "3", "4", "1", "7", ["1", "2"], "利用料が限度額を超えた。折り返しは090-1111-2222へ。", "かわさき"),
    ("12", "ho", None, "2", "da", "9", ["ni"], "物忘れが増えた。受診先を知りたい。", "港北"),
    ("20", "kai", None, "4", "1", "mi", [], "施設の職員から。入所の待機が長い。", "14150"),
]  # fmt: skip


def log_call(keys, duration, caller, relation, age, sex, care, categories, summary, area):
    expect(keys.page.locator("#id_started_at")).to_be_focused()  # the start time is already the clock's: move on
    keys.press("Tab")
    keys.type(duration)
    keys.press("Tab", *caller)  # 相談者: a digit, or a name's first letters (one keystroke each)
    if relation is not None:
        keys.press("Tab", *relation)  # 続柄, asked only for family
    keys.press("Tab", *age, "Tab", *sex, "Tab", *care)
    keys.press("Tab")  # 分類: the checkboxes are one Tab stop
    for category in categories:  # a digit ticks its box; letters find one, and Space ticks it
        keys.press(*category)
        if not category.isdigit():
            keys.press("Space")
    keys.press("Tab")
    keys.type(summary)
    keys.press("Tab", "Tab", "Tab")  # 助言 and 紹介先 left empty
    assert keys.focused() == "id_municipality"
    keys.type(area)
    with keys.page.expect_navigation():
        keys.press("Enter")


def test_three_calls_in_a_row_by_keyboard_alone(new_page, log_in, live_server, station, capsys):
    page = new_page(viewport=TABLET)
    log_in(page, "soudan")
    page.goto(f"{live_server.url}/consultations/stations/{station.pk}/calls/new/")
    keys = Keyboard(page)
    per_call = []

    for number, call in enumerate(CALLS, start=1):
        before = keys.presses + keys.characters
        log_call(keys, *call)
        if number == 1:
            # The phone number was masked and nothing saved: the focus is on the confirmation, which Enter presses.
            assert "伏せ字にしました" in page.inner_text("#contact-warning")
            assert keys.focused() == "save-call"
            assert page.get_attribute("#save-call", "aria-describedby") == "contact-warning"
            assert not CallRecord.objects.exists()
            with page.expect_navigation():
                keys.press("Enter")
        per_call.append(keys.presses + keys.characters - before)
        # Saved: back in the first field of an empty form, the call acknowledged in a live region.
        assert CallRecord.objects.count() == number
        assert keys.focused() == "id_started_at"
        status = page.locator("#call-status")
        assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
        assert f"#{CallRecord.objects.latest('pk').pk} を記録しました" in status.inner_text()
        assert page.input_value("#id_duration_minutes") == "" and page.input_value("#id_summary") == ""
        assert page.locator("#fs-caller_type input:checked").count() == 0

    calls = list(CallRecord.objects.order_by("pk").select_related("municipality"))
    first, second, third = calls
    assert (first.duration_minutes, first.caller_type, first.caller_relation, first.age_band, first.care_level) == (
        35, "family", "child", "85_plus", "care_5"
    )  # fmt: skip
    assert "［電話番号］" in first.summary and "090" not in first.summary
    assert set(first.categories.values_list("name", flat=True)) == {"利用料・費用", "介護離職"}
    assert [c.municipality.name for c in calls] == ["川崎市", "横浜市港北区", "相模原市"]
    assert (second.caller_type, second.caller_relation, second.sex, second.care_level) == (
        "self",
        "",
        "male",
        "unknown",
    )
    assert set(second.categories.values_list("name", flat=True)) == {"認知症"}  # ni: にんちしょう
    assert third.caller_type == "care_worker" and not third.categories.exists()
    assert third.care_level == "not_applied"  # mi: みしんせい (未申請)

    # What the fields themselves need: one Tab to reach each field filled or passed, one key per choice, Enter to
    # save (and once more to confirm the masking). Nothing else: no Tabs through the header, no arrow walks.
    needed = []
    for number, (_, caller, relation, age, sex, care, categories, _, _) in enumerate(CALLS, start=1):
        tabs = 10 + (relation is not None)  # 相談時間 … 地域; 続柄 only for family
        picked = [caller, relation, age, sex, care]
        choices = sum(len(c) for c in picked if c is not None) + sum(len(c) + (not c.isdigit()) for c in categories)
        needed.append(tabs + choices + 1 + (number == 1))
    typed = [len(call[0]) + len(call[7]) + len(call[8]) for call in CALLS]
    keys_without_text = [total - t for total, t in zip(per_call, typed, strict=True)]
    with capsys.disabled():
        print(
            f"\ncall form, keyboard only: 3 calls in {sum(per_call)} keystrokes {per_call}, of which typed text "
            f"{sum(typed)} {typed}; Tab, digit keys and Enter {sum(keys_without_text)} {keys_without_text} "
            f"({keys.tabs} Tabs in all, {keys.tabs / 3:.1f} a call; it was 31 a call before any choice; "
            f"choices found by typing: ho 本人, da 男性, ni 認知症, kai 介護・医療の職員, mi 未申請)"
        )
    assert keys_without_text == needed


def test_a_choice_is_found_by_the_first_characters_of_its_reading(new_page, log_in, live_server, station):
    """Kana (a kana keyboard's key, or what the test sends as one), romaji, and a pause of a second starts over."""
    page = new_page(viewport=TABLET)
    log_in(page, "soudan")
    page.goto(f"{live_server.url}/consultations/stations/{station.pk}/calls/new/")
    assert page.get_attribute("#fs-care_level input[value=care_1]", "data-kana") == "ようかいご1"
    assert page.get_attribute("#fs-caller_type input[value=family]", "data-kana") == "かぞく"
    page.focus("#fs-caller_type input[value=self]")

    def kana_key(key):
        page.evaluate(
            "key => document.activeElement.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true}))", key
        )

    def checked(group):
        return page.eval_on_selector(f"#fs-{group} input:checked", "box => box.value")

    kana_key("か")
    assert checked("caller_type") == "family"  # か: かぞく (家族)
    assert page.eval_on_selector("#fs-caller_relation", "group => group.disabled") is False  # asked now
    page.wait_for_timeout(1100)  # a second without typing: what comes next is a new search
    page.keyboard.press("s")
    page.keyboard.press("o")
    assert checked("caller_type") == "other"  # so: そのた (その他)
    page.wait_for_timeout(1100)
    page.keyboard.press("k")
    page.keyboard.press("a")
    page.keyboard.press("i")
    assert checked("caller_type") == "care_worker"  # kai: かいご… (介護・医療の職員), not かぞく
    page.focus("#fs-care_level input:checked")
    for key in "youkaigo":
        page.keyboard.press(key)
    assert checked("care_level") == "care_1"  # ようかいご: the first of 要介護1–5
    page.wait_for_timeout(1100)
    for key in "yousi":
        page.keyboard.press(key)
    assert checked("care_level") == "support_1"
