"""axe-core on every site page and on every admin changelist and add form, as the roles that see them.

One browser context per role (national staff, Kanagawa's staff, Kawasaki's organizer, a member, and an
anonymous visitor for /public/ and the login). Site pages are found by following the links each role is
offered, from the home page (and /public/, /login/ for the visitor), one page per URL pattern and role;
every site URL pattern must be reached by some role or be listed in NOT_PAGES with its reason, so a new
page is checked from the day it is added. Admin pages are the changelists and add forms the admin index
offers each staff role.

The test fails on any critical or serious violation outside the allow-list of Django's own admin markup
(tests/browser/axe.py); it prints how many pages and violations it checked. The contexts run with
bypass_csp=True: the policy refuses axe's injected <script> (test_axe_injection_needs_bypass_csp).
"""

import datetime
import time
from urllib.parse import urlsplit

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, resolve, reverse
from django.utils import timezone

from campaigns import services as campaign_services
from campaigns.models import Campaign
from consultations.models import CallerType, Coordinator
from councils.models import Role
from municipalities.caravans import services as caravan_services
from municipalities.models import Assembly, AssemblyPetition, Municipality, Sitting
from reports.models import Audience, JobStatus, ReportJob
from reports.newsletters import services as newsletter_services
from reports.services import publish_job, run_now
from shaho.core.api.services import api_token_create
from shaho.core.models import ImportJob
from tests.campaigns.factories import action, rows
from tests.consultations.factories import call, category, national_day, responder, station
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, goal, record, with_rounds

from .axe import DJANGO_ADMIN_ALLOWED, axe_violations, format_violations, require_axe
from .conftest import PHONE_VIEWPORT

pytestmark = pytest.mark.browser

DESKTOP = {"width": 1366, "height": 900}
# Organizers and members use the site from phones; staff from office screens.
VIEWPORTS = {"organizer": PHONE_VIEWPORT, "member": PHONE_VIEWPORT, None: PHONE_VIEWPORT}
D = datetime.date

# Site URL patterns that are not pages to check: files, feeds, JSON, POST-only steps, and pages reached
# only through a link sent by e-mail or a second factor the test accounts do not have.
NOT_PAGES = {
    "logout": "POST only (the header's ログアウト button)",
    "logout_everywhere": "POST only (a button on the account page)",
    "campaigns:export": "an xlsx/csv file",
    "campaigns:feed": "an iCalendar file",
    "reports:job_status": "JSON polled by the job page",
    "imports:job_status": "JSON polled by the import job's page",
    "imports:job_outcome": "a CSV file (the import's outcome)",
    "reports:job_publish": "POST only (a button on the job page)",
    "reports:job_rerun": "POST only (「もう一度作成」 on a failed job or one whose file is gone)",
    "reports:download": "a PDF/xlsx file",
    "reports:newsletter_photo": "an image file (a photo of a newsletter's web version)",
    "reports:newsletter_export": "a Markdown/text file",
    "consultations:day_xlsx": "an xlsx file",
    "caravans:copy_template": "POST only (a form on the caravans page)",
    "password_reset_confirm": "opened from the e-mailed link only (uid and token)",
    "password_reset_complete": "follows the e-mailed link's form",
    "otp_verify": "asked only of an account with an authenticator app",
    "otp_disable": "offered only to an account with an authenticator app",
    "favicon": "an icon file (/favicon.ico, from another part of issue 16)",
    "api_token_revoke": "POST only (「失効させる」 on the API tokens page)",
}
# Where each role starts; the rest is found by following links.
SEEDS = {
    "national-staff": ["/"],
    "kanagawa-staff": ["/"],
    "organizer": ["/"],
    "member": ["/"],
    None: ["/public/", "/login/", "/password/password_reset/"],
}
# /api/: the read API answers tokens, not sessions (JSON, CSV, xlsx); its docs page is Swagger UI (drf-spectacular).
NEVER_FOLLOW = ("/admin/", "/static/", "/media/", "/api/")
GIVE_UP_AFTER = 3


def _site_patterns():
    """Every named site URL pattern (`namespace:name`), the admin's excepted."""

    def walk(resolver, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                if str(pattern.pattern).startswith(("admin/", "api/")):
                    continue
                inner = ":".join(n for n in (namespace, pattern.namespace) if n) or None
                yield from walk(pattern, inner)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield ":".join(n for n in (namespace, pattern.name) if n)

    return set(walk(get_resolver(), None))


def _world():
    """Kanagawa with something on every page: a drive and its tallies, a street action, a campaign, a
    consultation day with a call, a caravan with its questionnaire published, a finished report."""
    today = timezone.localdate()
    national = national_council()
    kanagawa = prefectural_council("14")
    kawasaki = local_council("14", name="川崎社保協")
    coordinator = staff_of(national, role=Role.NATIONAL_STAFF, username="national-staff")
    Coordinator.objects.create(user=coordinator)  # reads the free-text log, sets the retention
    kanagawa_staff = staff_of(kanagawa, role=Role.COUNCIL_STAFF, username="kanagawa-staff")
    api_token_create(council=kanagawa, name="県のウェブサイト", user=kanagawa_staff)  # listed on the API tokens page
    organizer = staff_of(kawasaki, role=Role.ORGANIZER, username="organizer")
    member = staff_of(kanagawa, role=Role.MEMBER, username="member")

    drive = PetitionDriveFactory(title="保険証を残してください署名", short_name="保険証残して", slug="hokensho")
    with_rounds(drive, today - datetime.timedelta(days=30), today + datetime.timedelta(days=300))
    goal(drive, kanagawa, 5000)
    goal(drive, kawasaki, 1200)
    entry = record(organizer, drive, kawasaki, 42, collected_on=today, source="桜木町駅前宣伝")

    campaign_services.campaign_create(
        slug="kokuho", name="国保改善運動", starts_on=D(2023, 4, 1), lead_council=kanagawa
    )
    action(kanagawa_staff, kawasaki, title="桜木町駅前宣伝", starts_on=today, participants=rows())

    day = national_day(date=today, published=True)
    kanagawa_station = station(day, kanagawa)
    call(responder(kanagawa_station, member), summary="特養の待機について", categories=[category()],
         caller_type=CallerType.FAMILY)  # fmt: skip

    municipality = Municipality.objects.filter(prefecture__code="14").order_by("code").first()
    questionnaire = caravan_services.questionnaire_create(
        user=kanagawa_staff, council=kanagawa, prefecture=kanagawa.prefecture, fiscal_year=2024,
        title="神奈川県 資格確認書アンケート",
        sections=[("資格確認書", [
            {"code": "1", "text": "全員に送付するか", "kind": "yes_no"},
            {"code": "2", "text": "1人当たり国保料", "kind": "money", "is_indicator": True, "indicator_key": "kokuho"},
        ])],
    )  # fmt: skip
    for question, raw in zip(questionnaire.questions.order_by("code"), ["はい", "98,000"], strict=True):
        caravan_services.answer_record(user=kanagawa_staff, question=question, municipality=municipality, raw=raw)
    caravan_services.questionnaire_publish(user=kanagawa_staff, questionnaire=questionnaire)
    caravan = caravan_services.caravan_create(
        user=kanagawa_staff, council=kanagawa, fiscal_year=2024, title="神奈川県 自治体キャラバン",
        questionnaire=questionnaire, municipalities=[municipality],
    )  # fmt: skip
    caravan_services.talk_record(
        user=kanagawa_staff, target=caravan.targets.get(), held_at=timezone.now(), place="市役所"
    )

    # A national assembly campaign with one decided petition: its adoption map is public (/public/assemblies/).
    national_kokuho = Campaign.objects.create(
        slug="kokuho-ikensho", name="国保意見書運動", starts_on=D(2026, 4, 1), lead_council=national
    )
    assembly = Assembly.objects.create(municipality=municipality, prefecture=municipality.prefecture)
    sitting = Sitting.objects.create(
        assembly=assembly, season="12", year=2026, starts_on=D(2026, 11, 28), ends_on=D(2026, 12, 20)
    )
    AssemblyPetition.objects.create(
        assembly=assembly, sitting=sitting, title="国保料の引き下げを求める陳情", campaign=national_kokuho,
        committee_on=D(2026, 12, 5), committee_outcome="adopted", outcome="adopted", decided_on=D(2026, 12, 5),
    )  # fmt: skip

    job = ReportJob(
        kind="council_directory", title="地域社保協一覧", council=kanagawa, requested_by=kanagawa_staff,
        dedupe_key="a" * 64, status=JobStatus.DONE, progress=100, finished_at=timezone.now(),
    )  # fmt: skip
    job.file.save("chiiki.pdf", ContentFile(b"%PDF-1.4"), save=False)
    job.save()
    newsletter = newsletter_services.newsletter_create(
        user=kanagawa_staff, council=kanagawa, title="神奈川社保協ニュース", number=1, date=today,
        articles=[("桜木町で宣伝", "チラシを配り、署名を集めました。")],
    )  # fmt: skip
    news_job = run_now(kind="newsletter", params={"newsletter": str(newsletter.pk)}, user=kanagawa_staff)
    publish_job(job=news_job, audience=Audience.COUNCIL, user=kanagawa_staff)
    # An import's job page: the admin's 取り込む redirects to it (a finished import with its outcome file).
    import_job = ImportJob.objects.create(
        upload_token="a" * 43, owner=kanagawa_staff, council=kanagawa, importer="petitions.tally",
        target=str(drive.pk), target_name=str(drive), file_name="集約.csv", status=ImportJob.Status.DONE,
        rows_done=2, rows_total=2, count_new=2, message="取込#1 として取り込みました。", finished_at=timezone.now(),
    )  # fmt: skip
    import_job.outcome.save("outcome.csv", ContentFile("行,結果\r\n2,新規\r\n3,新規\r\n".encode()))
    # Pages reached by a form's answer (a POST and its redirect), not by a link: opened directly. The
    # newsletter's 記録から記事 page is linked from its admin page, which the walk does not follow.
    return {
        "organizer": [f"/petitions/entry/{entry.pk}/", f"/petitions/entry/{entry.pk}/correct/"],
        "member": ["/password/password_change/done/"],
        "kanagawa-staff": [
            reverse("imports:job", args=[import_job.token]),
            reverse("reports:newsletter_from_record", args=[newsletter.pk]),
            reverse("reports:newsletter_digest"),
        ],
        "national-staff": ["/consultations/read-log/", "/consultations/retention/", "/caravans/indicators/14/kokuho/"],
        None: ["/password/password_reset/done/"],
    }


def _context(browser, live_server, username, log_in):
    viewport = VIEWPORTS.get(username, DESKTOP)
    context = browser.new_context(viewport=viewport, locale="ja-JP", bypass_csp=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    if username:
        log_in(page, username)
    return context, page


def _links(page):
    """The links to pages: a link marked `download` (a picture's xlsx or CSV) hands over a file, not a page."""
    return page.eval_on_selector_all("a[href]:not([download])", "links => links.map((a) => a.getAttribute('href'))")


def _walk_site(page, live_server, seeds):
    """{pattern name: (url, violations)}: one page per URL pattern, found by following links.

    A pattern whose pages keep answering an error (links offered but refused: another part of the issue)
    is given up after a few tries, so that one list of links does not cost a page load each.
    """
    checked, queue, seen, refused = {}, list(seeds), set(), {}
    while queue:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        try:
            name = resolve(urlsplit(url).path).view_name
        except Resolver404:
            continue
        if name in checked or name in NOT_PAGES or refused.get(name, 0) >= GIVE_UP_AFTER:
            continue
        response = page.goto(live_server.url + url)
        if response is None or response.status >= 400 or "text/html" not in response.headers.get("content-type", ""):
            refused[name] = refused.get(name, 0) + 1
            continue
        current = urlsplit(page.url)
        if current.path != urlsplit(url).path:  # redirected (the login page, a default council): counted there
            continue
        checked[name] = (url, axe_violations(page))
        for href in _links(page):
            parts = urlsplit(href)
            if parts.scheme not in ("", "http") or (parts.netloc and parts.netloc != urlsplit(live_server.url).netloc):
                continue
            if not parts.path.startswith("/") or parts.path.startswith(NEVER_FOLLOW):
                continue
            queue.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return checked


def _admin_pages(page, live_server):
    """The changelists and add forms the admin index offers the logged-in user."""
    page.goto(f"{live_server.url}/admin/")
    hrefs = page.eval_on_selector_all(
        "#content-main .module tr a[href]", "links => links.map((a) => a.getAttribute('href'))"
    )
    return sorted({h for h in hrefs if h.startswith("/admin/") and (h.endswith("/add/") or h.count("/") == 4)})


def _allowed(violation):
    return (violation["rule"], violation["target"]) in DJANGO_ADMIN_ALLOWED


def _report(label, pages, started, found):
    rules = {}
    for violations in found.values():
        for v in violations:
            rules[v["rule"]] = rules.get(v["rule"], 0) + 1
    print(
        f"\naxe-core {label}: {pages} pages in {time.monotonic() - started:.1f} s, "
        f"{sum(len(v) for v in found.values())} critical/serious violations {rules or ''}"
    )


def test_axe_injection_needs_bypass_csp(live_server, browser):
    """The policy refuses add_script_tag's inline <script>: without bypass_csp axe never loads."""
    require_axe()
    context = browser.new_context(viewport=DESKTOP, locale="ja-JP")
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    with pytest.raises(Exception):  # noqa: B017 (Playwright reports the refused tag as a generic Error)
        page.add_script_tag(path=str(require_axe()))
    assert page.evaluate("typeof window.axe") == "undefined"
    context.close()


def test_every_site_page_has_no_critical_or_serious_violation(live_server, browser, log_in, settings, tmp_path):
    require_axe()
    settings.MEDIA_ROOT = tmp_path
    direct = _world()
    started = time.monotonic()
    reached, found, pages = set(), {}, 0
    for username, seeds in SEEDS.items():
        context, page = _context(browser, live_server, username, log_in)
        checked = _walk_site(page, live_server, seeds + direct.get(username, []))
        context.close()
        pages += len(checked)
        reached |= set(checked)
        for url, violations in checked.values():
            if violations:
                found[f"{username or 'anonymous'} {url}"] = violations
    _report("site", pages, started, found)
    missing = _site_patterns() - reached - set(NOT_PAGES)
    assert not missing, f"site pages no role reached (add data to _world, or a reason to NOT_PAGES): {missing}"
    assert not found, "axe-core found critical or serious violations:\n" + format_violations(found)


@pytest.mark.parametrize("username", ["national-staff", "kanagawa-staff"])
def test_every_admin_changelist_and_add_form_has_no_critical_or_serious_violation(
    live_server, browser, log_in, username, settings, tmp_path
):
    require_axe()
    settings.MEDIA_ROOT = tmp_path
    _world()
    started = time.monotonic()
    context, page = _context(browser, live_server, username, log_in)
    urls = _admin_pages(page, live_server)
    assert any(u.endswith("/add/") for u in urls), urls
    if username == "national-staff":  # sees the whole admin: every registered model's list is checked
        changelists = {
            reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist") for m in admin.site._registry
        }
        assert changelists <= set(urls), changelists - set(urls)
    found, allowed_seen = {}, set()
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        violations = []
        for v in axe_violations(page):
            if _allowed(v):
                allowed_seen.add((v["rule"], v["target"]))
            else:
                violations.append(v)
        if violations:
            found[f"{username} {url}"] = violations
    context.close()
    _report(f"admin as {username}", len(urls), started, found)
    assert not found, "axe-core found critical or serious violations:\n" + format_violations(found)
    if username == "national-staff":  # sees every admin page: an allow-list entry nothing produces goes
        assert allowed_seen == set(DJANGO_ADMIN_ALLOWED), set(DJANGO_ADMIN_ALLOWED) - allowed_seen
