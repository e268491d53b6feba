"""The read API's docs page (/api/v1/docs/) in Chromium: Swagger UI from our own static files draws the schema in
Japanese under the site's strict Content-Security-Policy (any violation fails the test: tests/browser/conftest.py)."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1366, "height": 900}


def test_the_docs_page_draws_the_schema_under_the_strict_csp(live_server, new_page):
    page = new_page(viewport=DESKTOP)
    requested = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(f"{live_server.url}/api/v1/docs/")
    page.wait_for_selector(".swagger-ui .info .title")
    assert "shaho 読み取りAPI" in page.inner_text(".swagger-ui .info .title")
    page.wait_for_selector(".opblock-tag")
    assert "社保協" in page.inner_text(".swagger-ui")
    assert "社保協の一覧" in page.inner_text(".swagger-ui")
    outside = [url for url in requested if not url.startswith(live_server.url)]
    assert not outside, f"the docs page fetched from elsewhere: {outside}"
