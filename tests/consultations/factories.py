"""Consultation days, stations, responders and calls for tests (calls through consultations.services)."""

import datetime
import itertools

from django.utils import timezone

from consultations import services
from consultations.models import (
    CallerType,
    CallRecord,
    CareLevel,
    Category,
    ConsultationDay,
    ConsultationKind,
    Profession,
    Responder,
    Station,
)
from councils import services as council_services
from councils.models import Role, User
from tests.councils.factories import national_council

D = datetime.date
_serial = itertools.count(1)


def category(name="利用料・費用"):
    return Category.objects.get_or_create(name=name, defaults={"order": next(_serial)})[0]


DEFAULT_DAY = D(2023, 11, 11)


def national_day(date=DEFAULT_DAY, *, published=False, council=None):
    return ConsultationDay.objects.create(
        kind=ConsultationKind.CALL_IN_DAY, title="介護・認知症なんでも無料電話相談", date=date,
        starts_at=datetime.time(10), ends_at=datetime.time(16), council=council or national_council(),
        published=published,
    )  # fmt: skip


def station(day, council, *, lines=3):
    return Station.objects.create(day=day, council=council, line_count=lines)


def responder(station, user=None, *, profession=Profession.CARE_MANAGER):
    if user is None:
        # An account without a usable password: hashing one costs more than the rest of a test.
        user = User(username=f"soudan{next(_serial)}")
        user.set_unusable_password()
        council_services.user_set_role(user=user, role=Role.MEMBER, council=station.council)
    return Responder.objects.create(station=station, user=user, profession=profession)


def call(responder, *, summary="", advice="", referral="", minutes=20, at=None, categories=(), **fields):
    day = responder.station.day
    started = at or timezone.make_aware(datetime.datetime.combine(day.date, datetime.time(12, 10)))
    return services.call_record(
        user=responder.user, station=responder.station, responder=responder, started_at=started,
        duration_minutes=minutes, caller_type=fields.pop("caller_type", CallerType.FAMILY),
        care_level=fields.pop("care_level", CareLevel.CARE_5), categories=categories,
        summary=summary, advice=advice, referral=referral, **fields,
    ).call  # fmt: skip


def bulk_calls(responder, n, *, minutes=20, categories=(), summary=""):
    """`n` calls in one insert (for figures: totals do not care how a row was written)."""
    day = responder.station.day
    started = timezone.make_aware(datetime.datetime.combine(day.date, datetime.time(11, 0)))
    calls = CallRecord.objects.bulk_create(
        [
            CallRecord(
                station=responder.station,
                responder=responder,
                started_at=started,
                duration_minutes=minutes,
                caller_type=CallerType.FAMILY,
                care_level=CareLevel.CARE_5,
                summary=summary,
                created_by=responder.user,
                created_at=started,
            )
            for _ in range(n)
        ]
    )
    if categories:
        through = CallRecord.categories.through
        through.objects.bulk_create([through(callrecord=c, category=cat) for c in calls for cat in categories])
    return calls
