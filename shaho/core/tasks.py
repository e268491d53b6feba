"""Periodic upkeep of the shared rows (Celery beat: see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from .uploads import pending_uploads_purge


@shared_task(name="core.purge_pending_uploads")
def purge_pending_uploads():
    return pending_uploads_purge()
