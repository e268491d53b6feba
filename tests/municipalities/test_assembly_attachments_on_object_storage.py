"""An assembly petition's attachment goes through the storage API: with SHAHO_STORAGE=s3 it is in the bucket
(a real S3 endpoint on 127.0.0.1, moto's server: tests/storage_s3.py), never on the local disk."""

import datetime

import pytest
from django.core.files.base import ContentFile

from municipalities.assemblies import services
from municipalities.assemblies.models import AssemblyPetition, Season
from municipalities.models import Municipality

pytestmark = pytest.mark.django_db


def test_an_attachment_saved_with_its_petition_is_stored_in_the_bucket(s3_media, kanagawa_staff, settings):
    assembly = services.assembly_of(municipality=Municipality.objects.get(code="143413"))
    sitting = services.sitting_for(
        assembly=assembly,
        season=Season.DECEMBER,
        year=2023,
        starts_on=datetime.date(2023, 11, 28),
        ends_on=datetime.date(2023, 12, 15),
    )
    attachment = ContentFile(b"%PDF-1.7 chinjo", name="陳情書.pdf")
    petition = AssemblyPetition(assembly=assembly, sitting=sitting, title="国保の陳情", attachment=attachment)
    services.petition_save(user=kanagawa_staff, petition=petition)
    petition.refresh_from_db()
    assert petition.attachment.name.startswith("assemblies/2") and petition.attachment.name.endswith(".pdf")
    assert s3_media.keys() == [petition.attachment.name]
    assert s3_media.read(petition.attachment.name) == b"%PDF-1.7 chinjo"
    with petition.attachment.open("rb") as stream:
        assert stream.read() == b"%PDF-1.7 chinjo"
    assert not settings.MEDIA_ROOT.exists()
