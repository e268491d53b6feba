"""The 電話相談 集計 PDF holds no free text; the policy-draft figures; the retention purge."""

import datetime
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from consultations import services
from consultations.models import CallRecord, Coordinator, PurgeRun
from councils.models import Role
from reports import services as report_services
from shaho.core.figures import PlaceholderContext, resolve
from tests.councils.factories import staff_of

from . import factories

pytestmark = pytest.mark.django_db
D = datetime.date


def _pdf_text(job):
    job.file.open("rb")
    try:
        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(job.file.read())).pages)
    finally:
        job.file.close()


def test_the_summary_pdf_prints_counts_and_never_the_planted_text(kanagawa, national_staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    day = factories.national_day(D(2019, 11, 11))
    responder = factories.responder(factories.station(day, kanagawa))
    for _ in range(3):
        factories.call(responder, summary="PLANTEDSUMMARY", advice="PLANTEDADVICE", referral="PLANTEDREFERRAL")
    last_year = factories.responder(factories.station(factories.national_day(D(2018, 11, 11)), kanagawa))
    factories.bulk_calls(last_year, 2, summary="PLANTEDLASTYEAR")
    job = report_services.run_now(kind="consultation_summary", params={"date": "2019-11-11"}, user=national_staff)
    assert job.status == "done", job.error
    text = _pdf_text(job)
    flat = text.replace("\n", "").replace(" ", "")
    assert "神奈川" in text and "3件（昨年2件）" in flat
    assert "PLANTED" not in text


def test_kanagawa_staff_cannot_make_the_national_summary(kanagawa, kanagawa_staff):
    from django.core.exceptions import ValidationError

    from shaho.core.report_kinds import get_kind

    day = factories.national_day(D(2019, 11, 11))
    factories.station(day, kanagawa)
    kind = get_kind("consultation_summary")
    with pytest.raises(ValidationError, match="中央事務局"):
        kind.clean(params={"date": "2019-11-11"}, user=kanagawa_staff)


def test_the_policy_draft_prints_24_prefectures_and_252_calls(national):
    from tests.councils.factories import prefectural_council

    day = factories.national_day(D(2019, 11, 11))
    codes = [f"{n:02d}" for n in range(1, 25)]
    calls = 0
    for i, code in enumerate(codes):
        responder = factories.responder(factories.station(day, prefectural_council(code)))
        n = 10 + (i % 3) if i < 23 else 252 - calls
        factories.bulk_calls(responder, n, minutes=5)
        calls += n
    text = resolve(
        "{{ consultation.prefectures }}県で相談件数は{{ consultation.calls }}件", PlaceholderContext(date=D(2020, 9, 1))
    )
    assert text == "24県で相談件数は252件"


def _old_and_new_calls(kanagawa):
    old_day = factories.national_day(D(2019, 11, 11))
    new_day = factories.national_day(timezone.localdate() - datetime.timedelta(days=30))
    old = factories.call(
        factories.responder(factories.station(old_day, kanagawa)), summary="古い相談", advice="古い助言"
    )
    new = factories.call(factories.responder(factories.station(new_day, kanagawa)), summary="新しい相談")
    return old, new


def test_the_purge_empties_old_free_text_keeps_counts_and_is_logged(kanagawa):
    old, new = _old_and_new_calls(kanagawa)
    run = services.free_text_purge()
    old.refresh_from_db(), new.refresh_from_db()
    assert (old.summary, old.advice, old.referral) == ("", "", "") and old.text_purged_at is not None
    assert old.duration_minutes == 20 and old.care_level == "care_5"
    assert new.summary == "新しい相談"
    assert (run.calls_purged, run.retention_years) == (1, 3)
    assert services.free_text_purge().calls_purged == 0 and PurgeRun.objects.count() == 2


def test_a_purged_call_cannot_get_its_text_back(kanagawa, national_staff):
    from django.core.exceptions import ValidationError
    from django.db import IntegrityError, transaction

    old, _new = _old_and_new_calls(kanagawa)
    services.free_text_purge()
    old.refresh_from_db()
    coordinator = staff_of(national_staff.council, role=Role.NATIONAL_STAFF, username="coord2")
    Coordinator.objects.create(user=coordinator)
    with pytest.raises(ValidationError, match="書き戻せません"):
        services.call_update(user=coordinator, call=old, summary="復元")
    with pytest.raises(IntegrityError), transaction.atomic():
        CallRecord.objects.filter(pk=old.pk).update(summary="復元")


def test_the_coordinator_sets_the_retention_and_others_cannot(kanagawa, national_staff):
    from django.core.exceptions import PermissionDenied

    coordinator = staff_of(national_staff.council, role=Role.NATIONAL_STAFF, username="coord3")
    Coordinator.objects.create(user=coordinator)
    with pytest.raises(PermissionDenied):
        services.retention_set(user=national_staff, years=10)
    services.retention_set(user=coordinator, years=10)
    _old_and_new_calls(kanagawa)
    assert services.free_text_purge().calls_purged == 0  # 2019 is within 10 years
