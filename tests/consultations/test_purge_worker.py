"""The retention purge run by a real Celery worker (PostgreSQL + Redis), as the beat schedule sends it.

With SHAHO_REQUIRE_SERVICES=1 (CI's second pass) it must pass; without a broker and worker it is skipped.
"""

import datetime
import time

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from consultations import tasks
from consultations.models import CallRecord, PurgeRun
from tests.councils.factories import prefectural_council
from tests.required_services import REQUIRED, service_missing

from . import factories

pytestmark = [pytest.mark.services]


def _require_worker():
    from shaho.celery import app

    if not settings.CELERY_BROKER_URL:
        service_missing("CELERY_BROKER_URL is not set: the purge would run in-process")
    if connection.vendor != "postgresql":
        service_missing(f"the database is {connection.vendor}: a worker process needs PostgreSQL")
    deadline = time.monotonic() + (30 if REQUIRED else 3)
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return
    service_missing("no Celery worker answered a ping")


@pytest.mark.django_db(transaction=True)
def test_the_worker_purges_free_text_past_retention_and_keeps_the_counts(transactional_db):
    _require_worker()
    kanagawa = prefectural_council("14")
    old_day = factories.national_day(datetime.date(2019, 11, 11))
    new_day = factories.national_day(timezone.localdate() - datetime.timedelta(days=10))
    old = factories.call(factories.responder(factories.station(old_day, kanagawa)), summary="古い相談", minutes=40)
    new = factories.call(factories.responder(factories.station(new_day, kanagawa)), summary="新しい相談")
    result = tasks.purge_free_text.apply_async(ignore_result=False)  # results are ignored unless asked for
    assert result.get(timeout=60) == 1
    old.refresh_from_db(), new.refresh_from_db()
    assert old.summary == "" and old.text_purged_at is not None and old.duration_minutes == 40
    assert new.summary == "新しい相談"
    assert CallRecord.objects.count() == 2
    assert PurgeRun.objects.get().calls_purged == 1
