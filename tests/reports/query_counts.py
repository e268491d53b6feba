"""reports: its part of the query-count test (tests/test_query_counts.py).

BUILDERS (admin model → how to add k rows the staff may see), NATIONAL_ONLY (lists Kanagawa's staff never
see 30 rows of) and SITE_PAGES (page → (its URL for a world, how to add k rows it lists)), gathered by the engine.
"""

import uuid

from django.urls import reverse
from django.utils import timezone

from reports.models import Audience, JobStatus, Meeting, ReportJob
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


BUILDERS = {
    Meeting: _meetings,
    ReportJob: _jobs,
}


SITE_PAGES = {
    # name: (url, how to add k rows that the page lists)
    "reports:jobs": (lambda world: reverse("reports:jobs"), _jobs),
    "reports:downloads": (lambda world: reverse("reports:downloads"), _published_jobs),
}
