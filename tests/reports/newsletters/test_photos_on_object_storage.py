"""Newsletter photos on object storage (SHAHO_STORAGE=s3), against a real S3 endpoint on 127.0.0.1 (moto's
server: tests/storage_s3.py): uploaded into the bucket, read back from it by WeasyPrint's fetcher (bytes through
the storage, never a path or a URL), printed into the PDF, and served on the web version only to those who may
read the issue; a photo gone from the bucket is not found, not an error."""

import datetime
import io
import re

import pytest
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from councils.models import Role
from reports import documents
from reports import services as report_services
from reports.models import Audience, JobStatus
from reports.newsletters import services
from tests.campaigns.factories import action
from tests.councils.factories import local_council, staff_of

from .photos import jpeg_with_gps, png

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture(autouse=True)
def fresh_generations(monkeypatch):
    monkeypatch.setattr(report_services, "DEDUPE_SECONDS", -1)


@pytest.fixture
def issue_with_photos(s3_media, tokyo_staff, tokyo):
    rally = action(tokyo_staff, tokyo, code="rally", title="9.26いのちまもる総行動", starts_on=D(2025, 9, 26))
    issue = services.newsletter_create(
        user=tokyo_staff, council=tokyo, title="東京社保協ニュース", number=512, date=D(2025, 10, 10)
    )
    first = services.photo_add(
        user=tokyo_staff, data=jpeg_with_gps(), name="a.jpg", caption="日比谷の会場", action=rally
    )
    article = services.article_from_record(user=tokyo_staff, newsletter=issue, kind="action", record=rally)
    second = services.photo_add(user=tokyo_staff, data=png(), name="b.png", caption="デモ行進", article=article)
    return issue, [first, second]


def test_uploaded_photos_land_in_the_bucket_stripped(s3_media, issue_with_photos, settings):
    _issue, photos = issue_with_photos
    assert s3_media.keys() == sorted(p.image.name for p in photos)
    stored = s3_media.read(photos[0].image.name)
    assert Image.open(io.BytesIO(stored)).format == "JPEG"
    assert b"PhoneMaker" not in stored and b"GPS" not in stored
    assert not settings.MEDIA_ROOT.exists()


def test_the_pdf_prints_the_photos_read_from_the_bucket(s3_media, issue_with_photos, tokyo_staff, tokyo):
    issue, photos = issue_with_photos
    job = report_services.run_now(kind="newsletter", params={"newsletter": str(issue.pk)}, user=tokyo_staff)
    assert job.status == JobStatus.DONE, job.error
    assert not job.warnings, job.warnings  # both photos were read by their reference, from the bucket
    assert job.file.name in s3_media.keys()
    reader = PdfReader(io.BytesIO(s3_media.read(job.file.name)))
    assert len({image.name for page in reader.pages for image in page.images}) == 2
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "日比谷の会場" in text and "デモ行進" in text

    fetcher = documents.asset_fetcher(council=tokyo)
    assert fetcher.fetch(f"shaho-photo:{photos[1].pk}").read() == s3_media.read(photos[1].image.name)
    # The photo's own signed bucket URL is not something a document may fetch.
    signed = photos[1].image.url
    assert signed.startswith(s3_media.endpoint.url) and "X-Amz-Signature=" in signed
    with pytest.raises(ValueError):
        fetcher.fetch(signed)


def test_the_web_version_serves_photos_from_the_bucket_only_to_readers(
    client,
    s3_media,
    issue_with_photos,
    tokyo_staff,
    tokyo,
    kanagawa,
):
    issue, photos = issue_with_photos
    job = report_services.run_now(kind="newsletter", params={"newsletter": str(issue.pk)}, user=tokyo_staff)
    report_services.publish_job(job=job, audience=Audience.COUNCIL, user=tokyo_staff)
    photo_id = int(re.search(r"shaho-photo:(\d+)", job.web_html)[1])
    url = reverse("reports:newsletter_photo", args=[job.token, photo_id])
    served = next(p for p in photos if p.pk == photo_id)

    client.force_login(staff_of(local_council("13", name="渋谷社保協"), role=Role.MEMBER))
    answer = client.get(url)
    assert answer.status_code == 200 and answer.content == s3_media.read(served.image.name)

    client.force_login(staff_of(kanagawa, role=Role.MEMBER))
    assert client.get(url).status_code == 404

    # Gone from the bucket: not found, not a 500.
    s3_media.client.delete_object(Bucket=s3_media.name, Key=served.image.name)
    client.force_login(staff_of(tokyo, role=Role.MEMBER))
    assert client.get(url).status_code == 404
