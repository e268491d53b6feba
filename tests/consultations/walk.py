"""consultations: its part of the isolation walk (tests/test_isolation_walk.py).

Consultation days, stations, responders, call records, free-text reads and the public totals.

The engine gathers CANARY_RECIPES (scoped model → its Tokyo row), URL_CASES (URL pattern → Case),
ADD_TWEAKS / ADD_IMPOSSIBLE (admin add forms) and after_planting(t) from every tests/<app>/walk.py.
"""

import datetime
import uuid

from consultations.models import CallRecord, ConsultationDay, FreeTextRead, Responder, Station
from tests.api.walk_cases import api_cases
from tests.walk_kit import Case, D, r


def _tokyo_consultation_day(t):
    return ConsultationDay.objects.create(
        kind="living", title="w", date=D(2024, 1, 15), starts_at=datetime.time(10), ends_at=datetime.time(16),
        council=t.tokyo,
    )  # fmt: skip


def _tokyo_call(t):
    started = datetime.datetime(2024, 1, 15, 11, 0, tzinfo=datetime.UTC)
    return CallRecord.objects.create(
        station=t[Station], responder=t[Responder], started_at=started, duration_minutes=35, caller_type="family",
        created_by=t.tokyo_staff, created_at=started,
    )  # fmt: skip


def _call_form_data(t):
    return {
        "line": "1", "responder": str(t[Responder].pk), "started_at": "11:00", "duration_minutes": "20",
        "caller_type": "self", "age_band": "unknown", "sex": "unknown", "care_level": "unknown",
        "summary": "walk", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip


CANARY_RECIPES = {
    # A Tokyo station's call: its summary, advice and referral are canaries like every other text.
    ConsultationDay: _tokyo_consultation_day,
    Station: lambda t: Station.objects.create(day=t[ConsultationDay], council=t.tokyo, line_count=2),
    Responder: lambda t: Responder.objects.create(station=t[Station], user=t.tokyo_staff, profession="care_manager"),
    CallRecord: _tokyo_call,
    FreeTextRead: lambda t: FreeTextRead.objects.create(
        call=t[CallRecord], user=t.tokyo_staff, read_at=t[CallRecord].started_at, purpose="detail"
    ),
}


URL_CASES = {
    # consultations: Tokyo's day, station and call open for nobody of Kanagawa (tests/consultations/
    # test_free_text_walk.py walks the free text for national staff and Kanagawa's own station too)
    "consultations:days": Case(urls=lambda t: [r("consultations:days")]),
    "consultations:day": Case(
        objects=lambda t: [
            r("consultations:day", t[ConsultationDay].pk),
            r("consultations:day", t[ConsultationDay].pk, fragment=1),
        ]
    ),
    "consultations:day_xlsx": Case(objects=lambda t: [r("consultations:day_xlsx", t[ConsultationDay].pk)]),
    "consultations:station": Case(objects=lambda t: [r("consultations:station", t[Station].pk)]),
    "consultations:call_new": Case(
        objects=lambda t: [r("consultations:call_new", t[Station].pk)],
        posts=lambda t: [(r("consultations:call_new", t[Station].pk), _call_form_data(t))],
    ),
    "consultations:call": Case(objects=lambda t: [r("consultations:call", t[CallRecord].pk)]),
    "consultations:call_edit": Case(
        objects=lambda t: [r("consultations:call_edit", t[CallRecord].pk)],
        posts=lambda t: [(r("consultations:call_edit", t[CallRecord].pk), _call_form_data(t))],
    ),
    "consultations:read_log": Case(urls=lambda t: [r("consultations:read_log")]),
    "consultations:retention": Case(
        urls=lambda t: [r("consultations:retention")], posts=lambda t: [(r("consultations:retention"), {"years": "1"})]
    ),
    "public_consultations:days": Case(urls=lambda t: [r("public_consultations:days")]),
    "public_consultations:day": Case(objects=lambda t: [r("public_consultations:day", t[ConsultationDay].pk)]),
}


ADD_TWEAKS = {
    Station: lambda t: {"council": str(t.tokyo_local.pk)},  # one station per council and day
}


# The read API's endpoints of this app (tests/api/walk_cases.py; requested with a Kanagawa token header).
URL_CASES.update(api_cases("api:consultation"))
