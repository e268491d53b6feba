"""reports: its part of the query-count test (tests/test_query_counts.py).

BUILDERS (admin model → how to add k rows the staff may see), NATIONAL_ONLY (lists Kanagawa's staff never
see 30 rows of) and SITE_PAGES (page → (its URL for a world, how to add k rows it lists)), gathered by the engine.
"""

import uuid

from django.urls import reverse
from django.utils import timezone

from reports.models import Article, Audience, JobStatus, Meeting, Newsletter, Photo, ReportJob
from tests.walk_kit import D, serial


def _meetings(world, k):
    for _ in range(k):
        n = next(serial)
        Meeting.objects.create(council=world.kanagawa, number=n, title=f"第{n}回定期総会議案", date=D(2024, 6, 1))


def _jobs(world, k, **fields):
    for _ in range(k):
        ReportJob.objects.create(
            kind="council_directory", title=f"地域社保協一覧（神奈川県）{next(serial)}", council=world.kanagawa,
            requested_by=world.kanagawa_staff, dedupe_key=uuid.uuid4().hex, **fields,
        )  # fmt: skip


def _published_jobs(world, k):
    _jobs(
        world, k, status=JobStatus.DONE, file="reports/test.pdf", finished_at=timezone.now(),
        audience=Audience.ALL, published_at=timezone.now(),
    )  # fmt: skip


def _newsletters(world, k):
    for _ in range(k):
        n = next(serial)
        newsletter = Newsletter.objects.create(
            council=world.kanagawa, title="神奈川社保協ニュース", number=n, date=D(2024, 6, 1)
        )
        Article.objects.create(
            newsletter=newsletter, order=1, title=f"記事{n}", body="本文", author_council=world.kanagawa
        )


def _photos(world, k):
    from campaigns.models import Action, ActionKind

    action = Action.objects.create(
        kind=ActionKind.objects.get(code="street"), organiser=world.kanagawa, title="宣伝", starts_on=D(2024, 6, 1)
    )
    for _ in range(k):
        Photo.objects.create(
            council=world.kanagawa, action=action, image=f"photos/test{next(serial)}.jpg", extension="jpg",
            width=10, height=10, caption="駅前の宣伝",
        )  # fmt: skip


BUILDERS = {
    Meeting: _meetings,
    ReportJob: _jobs,
    Newsletter: _newsletters,
    Photo: _photos,
}


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "reports:jobs": (lambda world: reverse("reports:jobs"), _jobs),
    "reports:downloads": (lambda world: reverse("reports:downloads"), _published_jobs),
}
