"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live_server.

Chromium is /usr/bin/chromium from Debian (`apt-get install chromium`);
Playwright's own browser download is never used. Without it these tests are
skipped on a developer's machine, and fail under CI=true or
SHAHO_REQUIRE_SERVICES=1, where a skipped browser test would hide a gap.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    # The machine has no network but the package registries: without these
    # Chromium keeps opening connections that are refused.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE_VIEWPORT = {"width": 360, "height": 740}
TEST_PASSWORD = "test-pass-2025"  # what tests/councils/factories.py gives every user
FAILURE_SCREENSHOTS = Path(os.environ.get("SHAHO_BROWSER_ARTIFACTS", "/tmp/shaho-browser"))


def _browser_tests_required():
    ci = os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}
    return ci or os.environ.get("SHAHO_REQUIRE_SERVICES", "").strip() == "1"


@pytest.fixture(scope="package")
def browser():
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: apt-get install chromium fonts-ipaexfont"
        if _browser_tests_required():
            pytest.fail(f"{message} (browser tests may not be skipped under CI or SHAHO_REQUIRE_SERVICES=1)")
        pytest.skip(message)

    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an asyncio loop running in this thread, and
    # Django refuses ORM calls under a running loop. Allow them only while the
    # browser is open, so the rest of the suite keeps Django's check.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()


# Every page reports what the Content-Security-Policy refused: the event is turned into a
# console message the test collects (Chromium also logs its own "Refused to ..." line).
CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
    + " at " + e.sourceFile + ":" + e.lineNumber + " on " + document.location.pathname);
});
"""


def _is_csp_violation(message):
    text = message.text
    return text.startswith("CSP violation:") or "Content Security Policy" in text


@pytest.fixture
def csp_violations():
    """What the Content-Security-Policy refused on any page of the test; the test fails if not empty."""
    return []


@pytest.fixture
def new_page(browser, request, csp_violations):
    """Open pages in fresh browser contexts (own cookies); a failed test leaves a screenshot of each.

    The policy is on in every browser test (CSPMiddleware is always installed) and any
    violation a page reports fails the test.
    """
    contexts = []

    def open_page(viewport=None, **context_options):
        context = browser.new_context(viewport=viewport or PHONE_VIEWPORT, locale="ja-JP", **context_options)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_LISTENER)
        contexts.append(context)
        page = context.new_page()
        page.on("console", lambda m: csp_violations.append(f"{page.url}: {m.text}") if _is_csp_violation(m) else None)
        return page

    yield open_page

    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        FAILURE_SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        stem = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
        for index, context in enumerate(contexts):
            for number, page in enumerate(context.pages):
                path = FAILURE_SCREENSHOTS / f"{stem}-{index}-{number}.png"
                page.screenshot(path=str(path), full_page=True)
                print(f"screenshot of the failed page: {path}")
    for context in contexts:
        context.close()
    if csp_violations:
        pytest.fail("the Content-Security-Policy refused something:\n" + "\n".join(csp_violations))


@pytest.fixture
def phone_page(new_page):
    """A page in a 360×740 phone viewport, the smallest screen members use."""
    return new_page(viewport=PHONE_VIEWPORT)


@pytest.fixture
def log_in(live_server):
    """Log a user in through the real /login/ form."""

    def submit(page, username, password=TEST_PASSWORD):
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", password)
        with page.expect_navigation():
            page.click("button[type=submit]")
        return page

    return submit


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    # Keep the call phase's report on the item so new_page can tell a failure.
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
