"""A call-in day's live totals beside last year's, against hand-written SQL; saving a call (issue 12).

Targets (PostgreSQL): with 10 years of national days, 50 stations a day and 5,000 calls a day
(50,000 calls), a day's totals with the previous year beside them in a constant number of queries
and under 100 ms, printed beside a hand-written SQL query of the same figures (ratio); saving a call
under 50 ms at the server (the call form's POST through the whole middleware stack, and the service).

Builds once in its own database (`bench_consultations`; reused while complete, `--rebuild` starts
over): the federation (47 prefectural + 3 local councils = 50 stations), 10 days (2016–2025 on
11 November), one responder per station, 5,000 calls a day with one or two categories, inserted in
batches, then ANALYZE. Measures `consultations.selectors.day_totals(day=…)` (what the live page,
the xlsx and the report call) against SQL grouping the same calls; checks both give the same numbers.

    .venv/bin/python bench/bench_consultations.py [--rebuild] [--runs 21]
"""

import argparse
import datetime
import os
import sys
import uuid

from _common import Stopwatch, build_federation, choose_database, machine, median, setup_django, summary, verdict

YEARS = list(range(2016, 2026))
STATIONS = 50
CALLS_PER_DAY = 5_000
TARGET_MS = 100
TARGET_SAVE_MS = 50
CATEGORY_NAMES = ["利用料・費用", "介護離職", "施設入所・待機", "認知症", "家族関係", "ケアマネ・ヘルパーへの不満"]


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=21)
    return parser.parse_args()


def build():
    from django.db import connection, transaction
    from django.utils import timezone

    from consultations.models import (
        CallerType,
        CallRecord,
        CareLevel,
        Category,
        ConsultationDay,
        ConsultationKind,
        Responder,
        Station,
    )
    from councils.models import Role, User
    from councils.services import user_set_role

    national, prefectural, locals_ = build_federation(local_councils=3)
    councils = [*prefectural.values(), *locals_][:STATIONS]
    if ConsultationDay.objects.count() == len(YEARS) and CallRecord.objects.count() == len(YEARS) * CALLS_PER_DAY:
        return national
    categories = [
        Category.objects.get_or_create(name=name, defaults={"order": i})[0] for i, name in enumerate(CATEGORY_NAMES)
    ]
    users = []
    for i, council in enumerate(councils):
        user = User.objects.filter(username=f"bench-soudan-{i}").first()
        if user is None:
            user = User(username=f"bench-soudan-{i}")
            user.set_unusable_password()
            user = user_set_role(user=user, role=Role.MEMBER, council=council)
        users.append(user)
    callers, levels = [c for c, _ in CallerType.choices], [c for c, _ in CareLevel.choices]
    through = CallRecord.categories.through
    for year in YEARS:
        print(f"  building {year}…", flush=True)
        with transaction.atomic():
            day = ConsultationDay.objects.create(
                kind=ConsultationKind.CALL_IN_DAY, title="介護・認知症なんでも無料電話相談",
                date=datetime.date(year, 11, 11), starts_at=datetime.time(10), ends_at=datetime.time(16),
                council=national, published=True,
            )  # fmt: skip
            stations = Station.objects.bulk_create([Station(day=day, council=c, line_count=3) for c in councils])
            responders = Responder.objects.bulk_create(
                [Responder(station=s, user=u, profession="care_manager") for s, u in zip(stations, users, strict=True)]
            )
            start = timezone.make_aware(datetime.datetime(year, 11, 11, 10))
            calls = [
                CallRecord(
                    station=stations[i % STATIONS],
                    responder=responders[i % STATIONS],
                    line=1 + i % 3,
                    started_at=start + datetime.timedelta(seconds=(i * 4) % 21600),
                    duration_minutes=5 + (i * 7) % 70,
                    caller_type=callers[i % len(callers)],
                    care_level=levels[(i * 3) % len(levels)],
                    follow_up=i % 6 == 0,
                    summary="相談内容",
                    created_by=users[i % STATIONS],
                    created_at=start,
                    submission_token=uuid.uuid4(),
                )
                for i in range(CALLS_PER_DAY)
            ]
            calls = CallRecord.objects.bulk_create(calls, batch_size=1000)
            links = [through(callrecord=c, category=categories[c.pk % len(categories)]) for c in calls]
            links += [through(callrecord=c, category=categories[(c.pk + 3) % len(categories)]) for c in calls[::2]]
            through.objects.bulk_create(links, batch_size=2000)
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return national


HAND_SQL = """
WITH days AS (SELECT id FROM consultations_consultationday WHERE id IN (%(day)s, %(prev)s)),
calls AS (
  SELECT c.id, s.day_id, s.council_id, c.caller_type, c.care_level, c.duration_minutes, c.follow_up
  FROM consultations_callrecord c JOIN consultations_station s ON s.id = c.station_id
  WHERE s.day_id IN (SELECT id FROM days)
)
SELECT 'station', day_id::text, council_id::text, count(*) FROM calls GROUP BY day_id, council_id
UNION ALL
SELECT 'caller', day_id::text, caller_type, count(*) FROM calls GROUP BY day_id, caller_type
UNION ALL
SELECT 'level', day_id::text, care_level, count(*) FROM calls GROUP BY day_id, care_level
UNION ALL
SELECT 'long', day_id::text, '', count(*) FILTER (WHERE duration_minutes >= 30) FROM calls GROUP BY day_id
UNION ALL
SELECT 'category', calls.day_id::text, l.category_id::text, count(*)
  FROM calls JOIN consultations_callrecord_categories l ON l.callrecord_id = calls.id
  GROUP BY calls.day_id, l.category_id
"""


def hand_written(day, prev):
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(HAND_SQL % {"day": int(day.pk), "prev": int(prev.pk)})
        return cur.fetchall()


def count_queries(function):
    from django.db import connection

    seen = []

    def wrapper(execute, sql, params, many, context):
        seen.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        result = function()
    return result, len(seen)


def measure_save(day, runs):
    from django.conf import settings
    from django.test import Client
    from django.urls import reverse

    from consultations import services
    from consultations.models import CallRecord, Responder, Station

    settings.OTP_REQUIRED = False  # the bench logs in without a device; the check is one query at most
    station = Station.objects.filter(day=day).order_by("pk").first()
    responder = Responder.objects.filter(station=station).select_related("user").first()
    client = Client(HTTP_HOST="localhost")
    client.force_login(responder.user)
    url = reverse("consultations:call_new", args=[station.pk])
    client.get(url)
    times, service_times = [], []
    started = CallRecord.objects.count()
    for i in range(runs + 1):
        data = {
            "line": "1", "responder": str(responder.pk), "started_at": "12:30", "duration_minutes": "35",
            "caller_type": "family", "caller_relation": "child", "age_band": "85_plus", "sex": "female",
            "care_level": "care_5", "summary": f"ベンチ {i}", "submission_token": str(uuid.uuid4()),
        }  # fmt: skip
        with Stopwatch() as t:
            response = client.post(url, data)
        if response.status_code != 302:
            sys.exit(f"the call form refused the bench's call: {response.status_code}")
        if i:
            times.append(t.ms)
        with Stopwatch() as t:
            services.call_record(
                user=responder.user, station=station, responder=responder,
                started_at=services.started_at_on(day, datetime.time(12, 30)), duration_minutes=20,
                caller_type="self", summary="ベンチ", submission_token=uuid.uuid4(),
            )  # fmt: skip
        if i:
            service_times.append(t.ms)
    made = CallRecord.objects.count() - started
    CallRecord.objects.filter(summary__startswith="ベンチ").delete()
    if made != 2 * (runs + 1):
        sys.exit(f"expected {2 * (runs + 1)} calls, {made} were recorded")
    return median(times), median(service_times)


def main():
    args = parse_args()
    os.environ.setdefault("ALLOWED_HOSTS", "localhost")
    db = choose_database("bench_consultations")
    setup_django(db, drop=args.rebuild)
    from consultations.models import CallRecord, ConsultationDay
    from consultations.selectors import day_totals, previous_day

    build()
    print(f"database: {db.shown}; {machine()}")
    day = ConsultationDay.objects.order_by("-date").first()
    prev = previous_day(day)
    calls = CallRecord.objects.count()
    print(f"days: {ConsultationDay.objects.count()}, calls: {calls:,}, measured: {day.date} against {prev.date}")

    totals, queries = count_queries(lambda: day_totals(day=day))
    _, queries_again = count_queries(lambda: day_totals(day=day))
    rows = hand_written(day, prev) if db.vendor == "postgresql" else []
    if rows:
        hand_total = sum(n for kind, d, _k, n in rows if kind == "station" and int(d) == day.pk)
        hand_prev = sum(n for kind, d, _k, n in rows if kind == "station" and int(d) == prev.pk)
        hand_long = sum(n for kind, d, _k, n in rows if kind == "long" and int(d) == day.pk)
        if (hand_total, hand_prev, hand_long) != (totals.total.count, totals.total.last_year, totals.long_calls.count):
            sys.exit(f"different figures: SQL {(hand_total, hand_prev, hand_long)} vs selector "
                     f"{(totals.total.count, totals.total.last_year, totals.long_calls.count)}")  # fmt: skip
    ours, theirs = [], []
    for i in range(args.runs + 1):
        with Stopwatch() as t:
            day_totals(day=day)
        if i:
            ours.append(t.ms)
        if rows:
            with Stopwatch() as t:
                hand_written(day, prev)
            if i:
                theirs.append(t.ms)
    ms = median(ours)
    print(f"day_totals: {queries} queries (again: {queries_again}), median {ms:.1f} ms over {args.runs} runs")
    print(f"  {totals.total.text()}, {len(totals.stations)} stations, {totals.long_share}% over 30 minutes")
    if theirs:
        print(f"hand-written SQL: median {median(theirs):.1f} ms; ratio {ms / median(theirs):.2f}x")
    save_ms, service_ms = measure_save(day, max(11, args.runs))
    print(f"saving a call: form POST median {save_ms:.1f} ms (service alone {service_ms:.1f} ms)")
    ratio = f", {ms / median(theirs):.2f}x hand SQL" if theirs else ""
    ok = ms < TARGET_MS and queries == queries_again
    summary("totals", f"{verdict(ok)} {ms:.1f} ms, {queries} queries (target < {TARGET_MS} ms, constant){ratio}")
    summary("save", f"{verdict(save_ms < TARGET_SAVE_MS)} {save_ms:.1f} ms (target < {TARGET_SAVE_MS} ms)")


if __name__ == "__main__":
    main()
