"""The reports API: the reports the token's council may download (the download page's rule), and their files served
with the token through the site's own download check and streaming code."""

import uuid

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from councils.models import Role
from reports import services
from reports.models import Audience
from shaho.core.api.models import ApiAccess
from tests.api.conftest import api_get, make_token
from tests.councils.factories import staff_of
from tests.reports import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def councils(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return factories.federation()


@pytest.fixture
def jobs(councils):
    return {code: services.run_now(kind="council_directory", params={"prefecture": code}) for code in ("14", "13")}


def _file_url(job):
    return reverse("api:report-job-file", args=[job.pk])


def _listed(client, secret):
    response = api_get(client, secret, reverse("api:report-job-list"))
    assert response.status_code == 200, response.content
    return response, [row["id"] for row in response.json()["results"]]


def test_a_kanagawa_token_cannot_fetch_a_tokyo_jobs_file(client, councils, jobs):
    _, secret = make_token(councils["kanagawa"])
    tokyo_job = jobs["13"]
    assert jobs["14"].council_id == councils["kanagawa"].pk and tokyo_job.council_id == councils["tokyo"].pk
    response = api_get(client, secret, _file_url(tokyo_job))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    # Published to Tokyo's own members it is still not Kanagawa's.
    services.publish_job(job=tokyo_job, audience=Audience.COUNCIL, user=staff_of(councils["tokyo"]))
    assert api_get(client, secret, _file_url(tokyo_job)).status_code == 404
    _, ids = _listed(client, secret)
    assert ids == [jobs["14"].pk]


def test_a_staff_token_fetches_its_councils_file_as_the_site_serves_it(client, councils, jobs):
    _, secret = make_token(councils["kanagawa"])
    job = jobs["14"]
    response, ids = _listed(client, secret)
    assert ids == [job.pk]
    row = response.json()["results"][0]
    assert row["file_url"].endswith(_file_url(job))
    assert row["download_url"].endswith(reverse("reports:download", args=[job.token]))
    file = api_get(client, secret, _file_url(job), HTTP_ACCEPT="application/pdf")
    assert file.status_code == 200
    assert b"".join(file.streaming_content) == default_storage.open(job.file.name).read()
    assert file["Content-Disposition"].startswith("attachment;")
    assert file["Cache-Control"] == "private, no-store"
    # The site's own view answers the same bytes to a signed-in staff member.
    client.force_login(staff_of(councils["kanagawa"]))
    site = client.get(reverse("reports:download", args=[job.token]))
    assert site.status_code == 200 and site["Content-Disposition"] == file["Content-Disposition"]


def test_a_member_token_gets_what_is_published_to_its_council_or_to_all(client, councils, jobs):
    _, secret = make_token(councils["kanagawa"], access=ApiAccess.MEMBER)
    assert _listed(client, secret)[1] == []
    assert api_get(client, secret, _file_url(jobs["14"])).status_code == 404
    first, _ = _listed(client, secret)
    services.publish_job(job=jobs["14"], audience=Audience.COUNCIL, user=staff_of(councils["kanagawa"]))
    national = staff_of(councils["national"], role=Role.NATIONAL_STAFF)
    services.publish_job(job=jobs["13"], audience=Audience.ALL, user=national)
    # Tokyo's report published to all moves the list (and its ETag) for Kanagawa too.
    again = api_get(client, secret, reverse("api:report-job-list"), HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert sorted(row["id"] for row in again.json()["results"]) == sorted([jobs["14"].pk, jobs["13"].pk])
    assert api_get(client, secret, _file_url(jobs["13"])).status_code == 200


def test_a_file_gone_from_storage_is_a_json_410(client, councils, jobs):
    _, secret = make_token(councils["kanagawa"])
    default_storage.delete(jobs["14"].file.name)
    response = api_get(client, secret, _file_url(jobs["14"]))
    assert response.status_code == 410
    assert response.json()["error"]["code"] == "gone"


def test_the_job_list_costs_the_same_queries_at_two_sizes(client, councils, jobs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _, secret = make_token(councils["kanagawa"])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            _listed(client, secret)
        return len(ctx.captured_queries)

    count()
    small = count()
    for i in range(3):  # three more finished jobs of Kanagawa (copies of the row, sharing its file)
        copy = jobs["14"]
        copy.pk, copy.token, copy.dedupe_key = None, uuid.uuid4(), f"copy-{i}"
        copy.save()
    assert len(_listed(client, secret)[1]) == 4
    assert count() == small
