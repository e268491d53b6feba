"""A small federation for the home page's dashboard, with dates around today (the dashboard's date).

National, Kanagawa (with 川崎市社保協) and Tokyo (with a canary local council): one open national drive
with rounds and goals, last year's drive of the same kind, study sessions, a call-in day this year and
last year, actions coming up and a published report. Tokyo's rows carry canary names and numbers that
must never reach a Kanagawa page (TOKYO_CANARIES).
"""

import datetime
import uuid
from dataclasses import dataclass

from django.utils import timezone

from councils.models import Role
from petitions.models import PetitionDrive
from reports.models import Audience, JobStatus, ReportJob
from shaho.core.dashboard import add_years
from tests.campaigns.factories import action
from tests.consultations.factories import bulk_calls, national_day, responder, station
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, goal, record, with_rounds

KANAGAWA, TOKYO = "14", "13"
TOKYO_LOCAL = "東京カナリア区社保協"
TOKYO_ACTION = "東京カナリア宣伝"
TOKYO_COUNT = 4321
TOKYO_CANARIES = (TOKYO_LOCAL, TOKYO_ACTION, "4,321", "東京都社会保障推進協議会")


@dataclass
class World:
    today: datetime.date
    national: object
    kanagawa: object
    kawasaki: object
    tokyo: object
    tokyo_local: object
    national_staff: object
    kanagawa_staff: object
    kawasaki_organizer: object
    kawasaki_member: object
    tokyo_staff: object
    drive: PetitionDrive
    last_year: PetitionDrive


def days(n, today=None):
    return (today or timezone.localdate()) - datetime.timedelta(days=n)


def build_world():
    today = timezone.localdate()
    national = national_council()
    kanagawa = prefectural_council(KANAGAWA)
    tokyo = prefectural_council(TOKYO)
    kawasaki = local_council(KANAGAWA, name="川崎市社保協")
    tokyo_local = local_council(TOKYO, name=TOKYO_LOCAL)
    w = World(
        today=today,
        national=national,
        kanagawa=kanagawa,
        kawasaki=kawasaki,
        tokyo=tokyo,
        tokyo_local=tokyo_local,
        national_staff=staff_of(national, role=Role.NATIONAL_STAFF),
        kanagawa_staff=staff_of(kanagawa),
        kawasaki_organizer=staff_of(kawasaki, role=Role.ORGANIZER),
        kawasaki_member=staff_of(kawasaki, role=Role.MEMBER),
        tokyo_staff=staff_of(tokyo),
        drive=PetitionDriveFactory(
            title="社会保障拡充を求める請願署名",
            short_name="今年の署名",
            slug="drive-now",
            starts_on=days(60, today),
            ends_on=days(-120, today),
        ),
        last_year=PetitionDriveFactory(
            title="昨年の請願署名",
            short_name="昨年の署名",
            slug="drive-last",
            starts_on=add_years(days(60, today), -1),
            ends_on=add_years(days(-120, today), -1),
        ),
    )
    with_rounds(w.drive, days(-10, today), days(-90, today))
    goal(w.drive, national, 10_000)
    goal(w.drive, kanagawa, 1_000)
    goal(w.drive, kawasaki, 300)
    goal(w.drive, tokyo, 2_000)
    goal(w.drive, tokyo_local, 900)
    record(w.kanagawa_staff, w.drive, kawasaki, 100, collected_on=days(5, today))
    record(w.kanagawa_staff, w.drive, kanagawa, 50, collected_on=days(3, today))
    record(w.tokyo_staff, w.drive, tokyo_local, TOKYO_COUNT, collected_on=days(2, today), source="東京カナリア駅前")
    # Last year's drive: entered while it was open, then closed.
    record(w.kanagawa_staff, w.last_year, kawasaki, 40, collected_on=add_years(days(4, today), -1))
    record(w.tokyo_staff, w.last_year, tokyo_local, 7, collected_on=add_years(days(4, today), -1))
    w.last_year.status = PetitionDrive.Status.CLOSED
    w.last_year.save()
    return w


def add_study_sessions(w):
    action(
        w.kanagawa_staff, w.kawasaki, code="study", title="川崎の学習会", starts_on=days(1, w.today), onsite_count=20
    )
    action(w.tokyo_staff, w.tokyo_local, code="study", title="東京カナリア学習会", starts_on=days(1, w.today))


def add_upcoming(w, *, title="桜木町駅前宣伝"):
    action(
        w.kanagawa_staff,
        w.kawasaki,
        title=title,
        starts_on=days(-3, w.today),
        status="planned",
        place="桜木町駅前",
    )
    action(w.tokyo_staff, w.tokyo_local, title=TOKYO_ACTION, starts_on=days(-4, w.today), status="planned")


def add_call_days(w):
    this_year = national_day(days(20, w.today))
    last_year = national_day(add_years(days(20, w.today), -1))
    for day, kawasaki_calls, tokyo_calls in ((this_year, 12, 43), (last_year, 9, 21)):
        bulk_calls(responder(station(day, w.kawasaki)), kawasaki_calls)
        bulk_calls(responder(station(day, w.tokyo_local)), tokyo_calls)
    return this_year


def add_published_report(w, title="第65回総会議案（会員向け）"):
    return ReportJob.objects.create(
        kind="council_directory",
        title=title,
        council=w.kanagawa,
        requested_by=w.kanagawa_staff,
        dedupe_key=uuid.uuid4().hex,
        status=JobStatus.DONE,
        file="reports/test.pdf",
        finished_at=timezone.now(),
        audience=Audience.ALL,
        published_at=timezone.now(),
    )
