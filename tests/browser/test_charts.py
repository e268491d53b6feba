"""The picture kit in Chromium: every chart kind on one page at 1366 px and 360 px, coloured by site.css,
inside the viewport, with nothing refused by the Content-Security-Policy (the new_page fixture fails
the test on any violation), and the table behind 「表で見る」 opening without JavaScript."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.urls("tests.browser.chart_urls")]

DESKTOP = {"width": 1366, "height": 900}
PHONE = {"width": 360, "height": 740}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["1366px", "360px"])
def test_every_chart_fits_the_screen_and_takes_its_colours_from_the_stylesheet(live_server, new_page, viewport):
    page = new_page(viewport=viewport)
    response = page.goto(f"{live_server.url}/_test/pictures/")
    assert response.status == 200
    boxes = page.eval_on_selector_all(
        "svg.chart", "els => els.map(e => { const r = e.getBoundingClientRect(); return [r.left, r.width, r.height]; })"
    )
    assert len(boxes) == 5
    for left, width, height in boxes:
        assert width > 0 and height > 0
        assert left >= 0 and left + width <= viewport["width"], (left, width)
    assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    fill = page.eval_on_selector("svg.chart rect.chart-bar:not(.chart-bar-below)", "e => getComputedStyle(e).fill")
    assert fill == "rgb(49, 130, 189)"  # #3182bd from site.css, not the default black
    dash = page.eval_on_selector("svg.chart .chart-line-last", "e => getComputedStyle(e).strokeDasharray")
    assert dash not in ("", "none")
    # the line chart's smallest text (its ticks) is still readable on a phone
    tick = page.eval_on_selector("svg.chart-line .chart-tick", "e => e.getBoundingClientRect().height")
    assert tick >= 8, tick


def test_the_table_opens_without_javascript(live_server, new_page):
    page = new_page(viewport=PHONE, java_script_enabled=False)
    page.goto(f"{live_server.url}/_test/pictures/")
    table = page.locator("#picture-line table")
    assert not table.is_visible()
    page.locator("#picture-line summary").click()
    assert table.is_visible()
    assert "1,234,567" in table.inner_text()
