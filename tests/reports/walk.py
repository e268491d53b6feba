"""reports: its part of the isolation walk (tests/test_isolation_walk.py).

Meetings, chapters, report jobs, the nationwide documents and the report pages.

The engine gathers CANARY_RECIPES (scoped model → its Tokyo row), URL_CASES (URL pattern → Case),
ADD_TWEAKS / ADD_IMPOSSIBLE (admin add forms) and after_planting(t) from every tests/<app>/walk.py.
"""

from django.core.files.base import ContentFile

from campaigns.models import Action, Campaign
from reports import services as report_services
from reports.models import Article, Audience, Chapter, JobStatus, Meeting, Newsletter, Photo, ReportJob
from reports.newsletters import services as newsletter_services
from shaho.core.report_kinds import all_kinds
from tests.api.walk_cases import api_cases
from tests.councils.factories import national_council
from tests.walk_kit import TOKYO, Case, D, r


def _tokyo_job(t):
    job = ReportJob(
        kind="council_directory", title="東京都 社保協名簿", council=t.tokyo, requested_by=t.tokyo_staff,
        dedupe_key="walk-tokyo", status=JobStatus.DONE, progress=100, audience=Audience.COUNCIL,
    )  # fmt: skip
    job.file.save("tokyo.pdf", ContentFile(b"%PDF-1.4 tokyo only"), save=False)
    job.published_at = job.created_at
    job.save()
    return job


def _federation_documents(t, national):
    """The nationwide documents, made by national staff and published to all: Tokyo's public fields are in them."""
    meeting = Meeting.objects.create(council=national, number=64, title="第64回全国総会方針案", date=D(2024, 6, 2))
    Chapter.objects.create(meeting=meeting, order=1, title="はじめに", body="地域社保協は {{ census.local }} です。")
    meeting.petitions.set([t.national_drive])
    jobs = [report_services.run_now(kind="policy_draft", params={"meeting": "64"}, user=t.national_staff)]
    # The policy draft's appendix holds the 集約一覧表 as PDF; the xlsx is the other format.
    params = {"petition": t.national_drive.slug, "date": "2024-02-01", "format": "xlsx"}
    jobs.append(report_services.run_now(kind="tally_table", params=params, user=t.national_staff))
    for job in jobs:
        report_services.publish_job(job=job, audience=Audience.ALL, user=t.national_staff)
    return jobs


def _tokyo_report_params(t, kind):
    by_type = {
        "prefecture": TOKYO,
        "petition": t.tokyo_drive.slug,
        "int": str(t[Meeting].number),
        "date": "2024-02-01",
        "str": "",
    }
    params = {p.name: by_type.get(p.type, "") for p in kind.params}
    variants = [params]
    if any(p.name == "campaign" for p in kind.params):
        variants.append({**params, "campaign": t[Campaign].slug})  # Tokyo's own campaign
    if any(p.type == "petition" for p in kind.params) and any(p.type == "prefecture" for p in kind.params):
        variants.append({**params, "petition": t.national_drive.slug})  # a public drive, Tokyo's part of it
    return variants


def _tokyo_photo(t):
    from tests.reports.newsletters.photos import png

    return newsletter_services.photo_add(user=t.tokyo_staff, data=png(), name="w.png", caption="w", article=t[Article])


def _tokyo_newsletter_job(t):
    """Tokyo's newsletter made and published to Tokyo's members: its PDF, web page and photo hold the canaries."""
    newsletter_services.article_add(
        user=t.tokyo_staff, newsletter=t[Newsletter], title="w2", body=f"{{{{ record.photo photo={t[Photo].pk} }}}}"
    )
    job = report_services.run_now(kind="newsletter", params={"newsletter": str(t[Newsletter].pk)}, user=t.tokyo_staff)
    assert job.status == JobStatus.DONE, job.error
    report_services.publish_job(job=job, audience=Audience.COUNCIL, user=t.tokyo_staff)
    return job


CANARY_RECIPES = {
    Meeting: lambda t: Meeting.objects.create(council=t.tokyo, number=71, title="w", date=D(2024, 6, 1)),
    Chapter: lambda t: Chapter.objects.create(meeting=t[Meeting], order=1, title="w", body="walk"),
    ReportJob: _tokyo_job,
    Newsletter: lambda t: Newsletter.objects.create(council=t.tokyo, title="w", number=1, date=D(2024, 6, 1)),
    Article: lambda t: Article.objects.create(
        newsletter=t[Newsletter], order=1, title="w", body="walk", author_council=t.tokyo
    ),
    Photo: _tokyo_photo,
}


URL_CASES = {
    "reports:downloads": Case(urls=lambda t: [r("reports:downloads")]),
    "reports:new": Case(urls=lambda t: [r("reports:new")]),
    "reports:new_kind": Case(
        urls=lambda t: [r("reports:new_kind", k.name) for k in all_kinds()],
        posts=lambda t: [(r("reports:new_kind", k.name), p) for k in all_kinds() for p in _tokyo_report_params(t, k)],
    ),
    "reports:jobs": Case(urls=lambda t: [r("reports:jobs")]),
    "reports:job": Case(objects=lambda t: [r("reports:job", t.tokyo_job.token)]),
    "reports:job_status": Case(objects=lambda t: [r("reports:job_status", t.tokyo_job.token)]),
    "reports:job_publish": Case(
        objects=lambda t: [r("reports:job_publish", t.tokyo_job.token)],
        posts=lambda t: [(r("reports:job_publish", t.tokyo_job.token), {"audience": Audience.ALL})],
    ),
    # 「もう一度作成」 of Tokyo's job: refused (404), and no new job for Tokyo.
    "reports:job_rerun": Case(
        objects=lambda t: [r("reports:job_rerun", t.tokyo_job.token)],
        posts=lambda t: [(r("reports:job_rerun", t.tokyo_job.token), {})],
    ),
    "reports:newsletter_read": Case(objects=lambda t: [r("reports:newsletter_read", t.tokyo_newsletter.token)]),
    "reports:newsletter_photo": Case(
        objects=lambda t: [r("reports:newsletter_photo", t.tokyo_newsletter.token, t[Photo].pk)]
    ),
    "reports:newsletter_from_record": Case(
        objects=lambda t: [r("reports:newsletter_from_record", t[Newsletter].pk)],
        posts=lambda t: [(r("reports:newsletter_from_record", t[Newsletter].pk), {"record": f"action:{t[Action].pk}"})],
    ),
    "reports:newsletter_digest": Case(
        urls=lambda t: [r("reports:newsletter_digest")],
        posts=lambda t: [
            (
                r("reports:newsletter_digest"),
                {
                    "council": t.tokyo.pk,
                    "title": "w",
                    "number": "9",
                    "date": "2024-06-01",
                    "start": "2024-01-01",
                    "end": "2024-12-31",
                    f"pick-{t[Article].pk}": "1",
                },
            )
        ],
    ),
    "reports:newsletter_export": Case(
        objects=lambda t: [r("reports:newsletter_export", t[Newsletter].pk, fmt) for fmt in ("md", "txt")]
    ),
    "reports:download": Case(  # the nationwide documents published to all (policy draft, 集約一覧表)
        strict=False,
        urls=lambda t: [r("reports:download", job.token) for job in t.public_jobs],
        objects=lambda t: [r("reports:download", t.tokyo_job.token)],
    ),
}


ADD_TWEAKS = {
    Meeting: lambda t: {"number": "72"},
}


def after_planting(t):
    t.tokyo_job = t[ReportJob]
    t.tokyo_newsletter = _tokyo_newsletter_job(t)
    t.public_jobs = _federation_documents(t, national_council()) if t.documents else []


ADD_IMPOSSIBLE = {
    # The add form takes the image as an upload (made a managed image by photo_add); a copy of a row has no file.
    Photo: "画像ファイルのアップロードが必要（行の写しにはファイルがない）",
}


# The read API's endpoints of this app (tests/api/walk_cases.py; requested with a Kanagawa token header).
URL_CASES.update(api_cases("api:report"))
