"""Reports on object storage (SHAHO_STORAGE=s3), against a real S3 endpoint on 127.0.0.1 (moto's server).

The job rendered by the in-process task lands in the bucket, never on the local disk; the download is streamed
from the bucket by the web process after the scope check, or (SHAHO_DOWNLOAD_REDIRECT=1) answered with a signed
URL that downloads and then expires; a Kanagawa user gets neither for a Tokyo file; a file gone from the bucket
is the 410 page; and nothing in the bucket is public.
"""

import hashlib
import time
import urllib.error
import urllib.request
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from django.http import FileResponse
from django.urls import reverse

from councils.models import Role
from reports import services
from reports.models import Audience, JobStatus, ReportJob
from tests.councils.factories import staff_of

from . import factories


@pytest.fixture
def councils(db, s3_media):
    return factories.federation()


def _done_job(code):
    job = services.run_now(kind="council_directory", params={"prefecture": code})
    assert job.status == JobStatus.DONE, job.error
    return job


def _download(client, job):
    return client.get(reverse("reports:download", args=[job.token]))


def _fetch(url):
    """A plain HTTP GET, as a browser following the redirect: (status, headers, body)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as refused:
        return refused.code, {k.lower(): v for k, v in refused.headers.items()}, refused.read()


def test_a_report_requested_on_the_page_is_rendered_into_the_bucket_not_onto_the_disk(
    client,
    councils,
    s3_media,
    settings,
    django_capture_on_commit_callbacks,
):
    client.force_login(staff_of(councils["kanagawa"]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reports:new_kind", args=["council_directory"]), {"prefecture": "14"})
    assert response.status_code == 302
    job = ReportJob.objects.get()
    assert job.status == JobStatus.DONE, job.error
    assert s3_media.keys() == [job.file.name]
    stored = s3_media.read(job.file.name)
    assert stored[:5] == b"%PDF-" and hashlib.sha256(stored).hexdigest() == job.sha256
    assert len(stored) == job.file_size
    assert not settings.MEDIA_ROOT.exists()  # nothing fell back to the local disk


def test_the_download_is_streamed_from_the_bucket_with_its_name_and_length(client, councils, s3_media):
    job = _done_job("14")
    client.force_login(staff_of(councils["kanagawa"]))
    response = _download(client, job)
    assert response.status_code == 200
    assert isinstance(response, FileResponse)  # streamed, not a redirect: the bucket's URL is never shown
    body = b"".join(response.streaming_content)
    assert body == s3_media.read(job.file.name)
    assert int(response["Content-Length"]) == len(body) == job.file_size
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="council_directory_')
    assert unquote(disposition.split("filename*=utf-8''")[1]).startswith("神奈川県 社保協名簿_")


def test_redirect_mode_answers_a_signed_url_that_downloads_and_then_expires(
    client,
    councils,
    s3_media,
    s3_server,
    settings,
):
    settings.SHAHO_DOWNLOAD_REDIRECT = True
    settings.SHAHO_S3_SIGNED_URL_SECONDS = 2
    job = _done_job("14")
    client.force_login(staff_of(councils["kanagawa"]))
    response = _download(client, job)
    assert response.status_code == 302
    assert response["Cache-Control"] == "private, no-store"
    url = response["Location"]
    assert url.startswith(f"{s3_server.url}/{s3_media.name}/{job.file.name}?")
    query = parse_qs(urlsplit(url).query)
    assert query["X-Amz-Expires"] == ["2"] and query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert "X-Amz-Signature" in query

    status, headers, body = _fetch(url)
    assert status == 200
    assert body == s3_media.read(job.file.name) and body[:5] == b"%PDF-"
    # The bucket answers with the same name and type the streamed download has.
    assert headers["content-type"] == "application/pdf", headers
    assert unquote(headers["content-disposition"].split("filename*=utf-8''")[1]).startswith("神奈川県 社保協名簿_")

    time.sleep(3.1)
    status, _headers, body = _fetch(url)
    assert status == 403 and b"expired" in body


@pytest.mark.parametrize("redirect", [False, True], ids=["streamed", "redirect"])
def test_a_kanagawa_user_cannot_fetch_a_tokyo_file_from_the_bucket(
    client,
    councils,
    s3_media,
    settings,
    redirect,
):
    settings.SHAHO_DOWNLOAD_REDIRECT = redirect
    tokyo_job = _done_job("13")
    services.publish_job(job=tokyo_job, audience=Audience.COUNCIL, user=staff_of(councils["tokyo"]))
    for kanagawa_user in (staff_of(councils["kanagawa"]), staff_of(councils["yokohama"], role=Role.MEMBER)):
        client.force_login(kanagawa_user)
        response = _download(client, tokyo_job)
        assert response.status_code == 404
        assert "Location" not in response and not isinstance(response, FileResponse)
    # Tokyo's own member gets it, the same way.
    client.force_login(staff_of(councils["shibuya"], role=Role.MEMBER))
    assert _download(client, tokyo_job).status_code == (302 if redirect else 200)


@pytest.mark.parametrize("redirect", [False, True], ids=["streamed", "redirect"])
def test_a_file_gone_from_the_bucket_is_the_410_page(client, councils, s3_media, settings, redirect):
    settings.SHAHO_DOWNLOAD_REDIRECT = redirect
    job = _done_job("14")
    s3_media.client.delete_object(Bucket=s3_media.name, Key=job.file.name)
    client.force_login(staff_of(councils["kanagawa"]))
    response = _download(client, job)
    assert response.status_code == 410
    assert "Location" not in response
    assert "もう一度作成" in response.content.decode()
    page = client.get(reverse("reports:job", args=[job.token]))
    assert page.status_code == 200 and page.context["file_missing"] is True


def test_nothing_in_the_bucket_is_public(councils, s3_media):
    """No bucket policy, no public grant, and no ACL sent with an object: it is as private as the bucket.

    (moto serves an object stored without an ACL to an unsigned GET, where S3 refuses it; so the test reads
    what was configured and sent, not moto's answer to an anonymous request.)
    """
    from botocore.exceptions import ClientError
    from django.core.files.storage import default_storage

    job = _done_job("14")
    s3 = s3_media.client
    with pytest.raises(ClientError) as caught:
        s3.get_bucket_policy(Bucket=s3_media.name)
    assert caught.value.response["Error"]["Code"] == "NoSuchBucketPolicy"
    everyone = (
        "http://acs.amazonaws.com/groups/global/AllUsers",
        "http://acs.amazonaws.com/groups/global/AuthenticatedUsers",
    )
    grantees = [grant["Grantee"] for grant in s3.get_bucket_acl(Bucket=s3_media.name)["Grants"]]
    assert grantees and all(g.get("URI") not in everyone and g["Type"] == "CanonicalUser" for g in grantees)
    # What the storage sends with every object it writes: no ACL (so never public-read), and its URLs signed.
    assert "ACL" not in default_storage._get_write_parameters(job.file.name)
    assert default_storage.default_acl is None and default_storage.querystring_auth is True
    assert default_storage.querystring_expire == 60
    assert "X-Amz-Signature=" in default_storage.url(job.file.name)
