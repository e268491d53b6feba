"""Celery tasks of the consultations: thin wrappers around services."""

from celery import shared_task

from . import services


@shared_task(name="consultations.purge_free_text")
def purge_free_text():
    """Beat (daily): empty the free text of calls past the retention period; returns the number purged.

    Idempotent: a duplicate run finds those calls already emptied and purges nothing more.
    """
    return services.free_text_purge().calls_purged
