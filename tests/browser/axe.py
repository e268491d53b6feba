"""axe-core in the browser tests: inject it into a page, run it, keep what counts.

axe-core is an npm package pinned in package.json / package-lock.json at the project root and
installed by `npm ci --ignore-scripts` (`.ci/run`, and `make test` when npm is there). Without it
the accessibility test is skipped on a developer's machine and fails under CI or
SHAHO_REQUIRE_SERVICES=1, as the Chromium check in conftest.py does.

The site's Content-Security-Policy allows no inline script, and Playwright's add_script_tag(path=…)
inserts the file's text as an inline <script>: the policy refuses it (test_axe_injection_needs_bypass_csp
proves it). The contexts that run axe are therefore opened with bypass_csp=True; every other browser
test keeps the policy and its listener.
"""

from pathlib import Path

import pytest

from .conftest import _browser_tests_required

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"

# What fails the test: axe-core's two highest impacts.
FAILING_IMPACTS = {"critical", "serious"}

# Violations in markup that Django's own admin templates render and the project cannot change without
# copying those templates: {(rule id, CSS selector axe reports): reason}. A key that no page produces any
# more fails the test, so the list only shrinks.
#
# Empty: what axe-core found in Django's admin is fixed from the project instead, without copying its
# templates: the breadcrumbs' colour-only links (link-in-text-block) in static/css/admin.css; the
# unnamed controls that the admin's scripts build (select2 autocomplete: aria-input-field-name and label;
# filter_horizontal's icons: aria-prohibited-attr; the date-and-time boxes and list_editable columns:
# label) in static/js/admin_a11y.js.
DJANGO_ADMIN_ALLOWED = {}

RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ["violations"]});
  return result.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    nodes: v.nodes.map((n) => ({target: n.target.join(" "), html: n.html.slice(0, 200), summary: n.failureSummary})),
  }));
}"""


def require_axe():
    """The path of axe.min.js; skip (or fail under CI) when `npm ci` has not installed it."""
    if not AXE_JS.exists():
        message = f"{AXE_JS} is missing: run `npm ci --ignore-scripts` at the project root"
        if _browser_tests_required():
            pytest.fail(f"{message} (browser tests may not be skipped under CI or SHAHO_REQUIRE_SERVICES=1)")
        pytest.skip(message)
    return AXE_JS


def axe_violations(page):
    """Every critical or serious violation on the page now, one dict per (rule, element)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(require_axe()))
    found = []
    for violation in page.evaluate(RUN_AXE):
        if violation["impact"] not in FAILING_IMPACTS:
            continue
        for node in violation["nodes"]:
            found.append(
                {
                    "rule": violation["id"],
                    "impact": violation["impact"],
                    "help": violation["help"],
                    "target": node["target"],
                    "html": node["html"],
                    "summary": node["summary"],
                }
            )
    return found


def format_violations(by_page):
    lines = []
    for url, violations in by_page.items():
        for v in violations:
            lines.append(f"{url}: [{v['impact']}] {v['rule']} ({v['help']}) at {v['target']}: {v['html']}")
    return "\n".join(lines)
