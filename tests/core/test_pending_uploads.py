"""Pending uploads are rows with an expiry: only their owner gets them back, and expired ones are purged."""

import datetime
import io

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from councils.models import Role
from shaho.core.models import PendingUpload
from shaho.core.uploads import pending_upload_get, pending_upload_store, pending_uploads_purge
from tests.councils.factories import prefectural_council, staff_of

pytestmark = pytest.mark.django_db
DATA = "社保協,筆数,日付\r\n川崎社保協,1,2025-12-07\r\n".encode()


@pytest.fixture
def owner():
    return staff_of(prefectural_council("14"), role=Role.COUNCIL_STAFF)


def test_the_owner_gets_the_bytes_back_by_an_unguessable_token(owner):
    upload = pending_upload_store(owner=owner, importer="petitions.tally", file_name="集約.csv", data=DATA)
    assert len(upload.token) >= 40 and upload.council_id == owner.council_id
    assert upload.expires_at - upload.created_at == datetime.timedelta(hours=settings.SHAHO_PENDING_UPLOAD_HOURS)
    again = pending_upload_get(token=upload.token, user=owner, importer="petitions.tally")
    assert again.content == DATA and again.file_name == "集約.csv"


def test_nobody_else_and_no_other_importer_and_nothing_expired(owner):
    upload = pending_upload_store(owner=owner, importer="petitions.tally", file_name="a.csv", data=DATA)
    colleague = staff_of(owner.council, role=Role.COUNCIL_STAFF)  # same council, still not the owner
    assert pending_upload_get(token=upload.token, user=colleague, importer="petitions.tally") is None
    assert pending_upload_get(token=upload.token, user=owner, importer="municipalities.government") is None
    later = upload.expires_at + datetime.timedelta(seconds=1)
    assert pending_upload_get(token=upload.token, user=owner, importer="petitions.tally", now=later) is None
    assert pending_upload_get(token="x" * 43, user=owner, importer="petitions.tally") is None


def test_a_damaged_row_is_not_returned(owner):
    upload = pending_upload_store(owner=owner, importer="petitions.tally", file_name="a.csv", data=DATA)
    PendingUpload.objects.filter(pk=upload.pk).update(content=DATA + b"x")
    assert pending_upload_get(token=upload.token, user=owner, importer="petitions.tally") is None


def test_expired_uploads_are_purged_by_the_command_and_the_beat_task(owner):
    now = timezone.now()
    old = pending_upload_store(
        owner=owner, importer="petitions.tally", file_name="old.csv", data=DATA, now=now - datetime.timedelta(days=2)
    )
    fresh = pending_upload_store(owner=owner, importer="petitions.tally", file_name="new.csv", data=DATA)
    out = io.StringIO()
    call_command("purge_pending_uploads", stdout=out)
    assert "1件削除" in out.getvalue()
    assert not PendingUpload.objects.filter(pk=old.pk).exists() and PendingUpload.objects.filter(pk=fresh.pk).exists()
    assert pending_uploads_purge(now=fresh.expires_at) == 1

    from shaho.core.tasks import purge_pending_uploads

    entry = settings.CELERY_BEAT_SCHEDULE["core-purge-pending-uploads"]
    assert entry["task"] == purge_pending_uploads.name == "core.purge_pending_uploads"
    assert purge_pending_uploads.apply().get() == 0
