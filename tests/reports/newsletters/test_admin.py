"""The admin: a photo uploaded there is a managed image (no GPS), refused in Japanese when it is not an image;
a newsletter and its articles are written through the services, within the staff's scope."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from reports.newsletters import services
from reports.newsletters.models import Newsletter, Photo
from tests.campaigns.factories import action

from .photos import GPS_IFD, jpeg_with_gps

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_a_photo_uploaded_in_the_admin_keeps_no_location(client, tokyo_staff, tokyo):
    street = action(tokyo_staff, tokyo)
    client.force_login(tokyo_staff)
    answer = client.post(
        reverse("admin:reports_photo_add"),
        {
            "upload": SimpleUploadedFile("IMG_0001.JPG", jpeg_with_gps(), content_type="image/jpeg"),
            "action": street.pk,
            "caption": "駅前の宣伝",
            "audience": "members",
            "order": 0,
        },
    )
    assert answer.status_code == 302, answer.content.decode()[:2000]
    photo = Photo.objects.get()
    image = Image.open(io.BytesIO(photo.image.open("rb").read()))
    assert image.getexif().get_ifd(GPS_IFD) == {} and photo.council == tokyo and photo.uploaded_by == tokyo_staff


def test_a_file_that_is_not_an_image_is_refused_on_the_form(client, tokyo_staff, tokyo):
    client.force_login(tokyo_staff)
    answer = client.post(
        reverse("admin:reports_photo_add"),
        {
            "upload": SimpleUploadedFile("photo.jpg", b"%PDF-1.7 not a photo", content_type="image/jpeg"),
            "action": action(tokyo_staff, tokyo).pk,
            "caption": "説明",
            "audience": "members",
            "order": 0,
        },
    )
    assert answer.status_code == 200
    assert "画像「photo.jpg」は使えません" in answer.content.decode()
    assert not Photo.objects.exists()


def test_newsletter_admin_writes_articles_through_the_services(client, tokyo_staff, tokyo, kanagawa_staff):
    issue = services.newsletter_create(
        user=tokyo_staff, council=tokyo, title="東京社保協ニュース", number=1, date=datetime.date(2025, 10, 1),
        articles=[("総会", "第33回定期総会。")],
    )  # fmt: skip
    client.force_login(tokyo_staff)
    page = client.get(reverse("admin:reports_newsletter_change", args=[issue.pk]))
    assert page.status_code == 200 and "第33回定期総会。" in page.content.decode()
    client.force_login(kanagawa_staff)
    assert client.get(reverse("admin:reports_newsletter_change", args=[issue.pk])).status_code in (302, 404)
    assert Newsletter.objects.count() == 1
