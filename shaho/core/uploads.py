"""Pending uploads: the bytes of a checked file, kept until the user commits it (or it expires).

The preview step stores the upload and hands the page an unguessable token; the commit
step (and the outcome download) gets the bytes back only for the same user, the same
importer and before the expiry, and re-checks every row. Nothing else the browser sends
back is trusted.
"""

import datetime
import hashlib
import secrets

from django.conf import settings
from django.utils import timezone

from .models import PendingUpload


def pending_upload_store(*, owner, importer, file_name, data, options=None, now=None):
    """Keep `data` for `owner`'s next step of `importer`; returns the PendingUpload (its `token` names it)."""
    now = now or timezone.now()
    return PendingUpload.objects.create(
        token=secrets.token_urlsafe(32),
        owner=owner,
        council_id=getattr(owner, "council_id", None),
        importer=importer,
        file_name=(file_name or "")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        content=data,
        options=options or {},
        created_at=now,
        expires_at=now + datetime.timedelta(hours=settings.SHAHO_PENDING_UPLOAD_HOURS),
    )


def pending_upload_get(*, token, user, importer, now=None):
    """The user's own unexpired upload for `importer` named by `token`, or None (any other case reads the same).

    The bytes are checked against the stored SHA-256, so a damaged row is never imported.
    """
    if not token or len(token) > 64 or not user or not user.is_authenticated:
        return None
    upload = PendingUpload.objects.filter(
        token=token, owner=user, importer=importer, expires_at__gt=now or timezone.now()
    ).first()
    if upload is None:
        return None
    upload.content = bytes(upload.content)  # memoryview on PostgreSQL
    if hashlib.sha256(upload.content).hexdigest() != upload.sha256:
        return None
    return upload


def pending_upload_discard(*, upload):
    PendingUpload.objects.filter(pk=upload.pk).delete()


def pending_uploads_purge(*, now=None):
    """Delete every expired upload; returns how many."""
    deleted, _ = PendingUpload.objects.filter(expires_at__lte=now or timezone.now()).delete()
    return deleted
