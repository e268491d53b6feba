"""Links only where they work: every site page (not /admin/) as each role, on the demo's data, following every
link and form action a page offers (tests/link_walk.py); none answers 403, 404 or 500.

A member used to meet 66 「入力・修正」 links and an upload form on a questionnaire page, each answering
Django's bare 「403 Forbidden」: pages now ask the same functions as the views they link to.
"""

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone

from councils.models import User
from reports.models import Audience, JobStatus, ReportJob
from tests import demo_snapshot
from tests.link_walk import walk

# The demo's accounts, one per role (demo/federation.py ACCOUNTS); None is a visitor without login.
ROLES = {
    "national staff": "chuo",
    "prefectural staff": "kanagawa",
    "local organizer": "organizer",
    "member (and responder at a station)": "member",
    "anonymous": None,
}


@pytest.fixture(scope="module")
def demo_site(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's federation, petitions, campaigns, caravans and calls (the run's snapshot of those steps,
    tests/demo_snapshot.py), a national questionnaire template and a report published to Kanagawa's members:
    made once for the module, rolled back after."""
    from municipalities.caravans import services as caravan_services

    media = tmp_path_factory.mktemp("media")
    site = demo_snapshot.SITE_STEPS
    with demo_snapshot.for_the_module(django_db_blocker, media, steps=site), django_db_blocker.unblock():
        chuo = User.objects.get(username="chuo")
        caravan_services.questionnaire_create(
            user=chuo, council=chuo.council, fiscal_year=2025, title="全国統一 自治体アンケート", is_template=True,
            sections=[("国保", [{"code": "1", "text": "資格確認書を全員に送付するか", "kind": "yes_no"}])],
        )  # fmt: skip
        kanagawa = User.objects.get(username="kanagawa").council
        job = ReportJob(
            kind="council_directory", title="神奈川県 社保協名簿", council=kanagawa, status=JobStatus.DONE,
            dedupe_key="walk", audience=Audience.COUNCIL, published_at=timezone.now(), finished_at=timezone.now(),
        )  # fmt: skip
        job.file.save("walk.pdf", ContentFile(b"%PDF-1.4\n"))
        yield media


@pytest.mark.parametrize("role", ROLES)
def test_no_page_offers_what_its_viewer_may_not_use(demo_site, db, role, settings):
    settings.MEDIA_ROOT = demo_site  # where the published report's file is
    client = Client()
    username = ROLES[role]
    if username:
        client.force_login(User.objects.get(username=username))

    result = walk(client, ["/", "/public/"] if username else ["/public/", "/login/"])

    assert result.opened > (5 if username is None else 40), result.opened  # the walk did walk
    offered = "\n".join(
        f"{status} {method} {url}  (offered on {source})" for status, method, url, source in result.failures
    )
    assert not result.failures, f"{role} was offered what does not work:\n{offered}"
