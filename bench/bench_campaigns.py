"""Study-session counts and a council's iCalendar feed over 20,000 actions (issue 9), each beside hand-written SQL.

Targets, in PostgreSQL with 20,000 actions and 200,000 participation rows:
- the national study-session count for a year (`campaigns.selectors.study_session_count`) in a
  constant number of queries and under 100 ms;
- the per-prefecture table (`study_sessions_by_prefecture`) likewise;
- a council's iCalendar feed (`campaigns.feeds.council_feed`: the query, the events, the bytes) under 200 ms.
Each is measured beside a hand-written SQL query of the same figure in the same run; the ratio is printed
and the numbers are checked to agree.

Builds (once; reused while complete, `--rebuild` starts over) in its own database: the registry, 1 national
+ 47 prefectural + 300 local councils, 20,000 actions over two years (a third study sessions, the rest of
the other kinds; a tenth of them in the year ahead, for the feed), 10 participation rows each, loaded with
bulk_create, then ANALYZE.

    .venv/bin/python bench/bench_campaigns.py [--rebuild] [--runs 21]
"""

import datetime
import sys

from _common import (
    bench_arguments,
    build_federation,
    choose_database,
    machine,
    report_against_sql,
    setup_django,
    sql_rows,
    timed,
)

ACTIONS = 20_000
ROWS_PER_ACTION = 10
LOCAL_COUNCILS = 300
START = datetime.date(2024, 4, 1)


def build():
    from django.db import connection, transaction

    from campaigns.models import Action, ActionKind, Participation
    from councils.models import Council

    if Action.objects.count() >= ACTIONS and Participation.objects.count() >= ACTIONS * ROWS_PER_ACTION:
        return
    national, prefectural, local = build_federation(local_councils=LOCAL_COUNCILS)
    councils = [national, *prefectural.values(), *local]
    kinds = list(ActionKind.objects.order_by("order"))
    study = next(k for k in kinds if k.code == "study")
    today = datetime.date.today()
    with transaction.atomic():
        Participation.objects.all().delete()
        Action.objects.all().delete()
        actions = []
        for i in range(ACTIONS):
            if i % 10 == 0:  # the coming year, for the feeds
                day = today + datetime.timedelta(days=(i * 7) % 365)
            else:
                day = START + datetime.timedelta(days=(i * 13) % 730)
            kind = study if i % 3 == 0 else kinds[i % len(kinds)]
            start = datetime.time(9 + i % 10, 0) if i % 4 else None
            actions.append(
                Action(
                    kind=kind,
                    title=f"行動{i}",
                    starts_on=day,
                    start_time=start,
                    organiser=councils[i % len(councils)],
                    onsite_count=10 + i % 50,
                    online_count=i % 7,
                    place="会場",
                )
            )
        Action.objects.bulk_create(actions, batch_size=2000)
        rows = [
            Participation(action=a, organisation_name=f"団体{j}", count=1 + (j + a.pk) % 5, order=j)
            for a in actions
            for j in range(ROWS_PER_ACTION)
        ]
        Participation.objects.bulk_create(rows, batch_size=5000)
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    print(f"built {Action.objects.count():,} actions, {Participation.objects.count():,} rows,"
          f" {Council.objects.count()} councils")  # fmt: skip


NATIONAL_SQL = """
SELECT COUNT(*), COALESCE(SUM(COALESCE(a.onsite_count, 0) + COALESCE(a.online_count, 0)), 0)
FROM campaigns_action a JOIN campaigns_actionkind k ON k.id = a.kind_id
WHERE k.is_study_session AND a.status = 'held' AND a.starts_on BETWEEN %s AND %s
"""
TABLE_SQL = """
SELECT c.prefecture_id, COUNT(*), COALESCE(SUM(COALESCE(a.onsite_count, 0) + COALESCE(a.online_count, 0)), 0)
FROM campaigns_action a JOIN campaigns_actionkind k ON k.id = a.kind_id JOIN councils_council c ON c.id = a.organiser_id
WHERE k.is_study_session AND a.status = 'held' AND a.starts_on BETWEEN %s AND %s
GROUP BY c.prefecture_id
"""
FEED_SQL = """
SELECT a.id, a.title, a.starts_on, a.start_time, a.ends_on, a.end_time, a.place, k.name, c.name
FROM campaigns_action a JOIN campaigns_actionkind k ON k.id = a.kind_id JOIN councils_council c ON c.id = a.organiser_id
WHERE a.status <> 'cancelled' AND a.starts_on BETWEEN %s AND %s
  AND (a.organiser_id = ANY(%s) OR c.path LIKE %s)
ORDER BY a.starts_on, a.start_time, a.id
"""


def main():
    args = bench_arguments(__doc__).parse_args()
    db = choose_database("bench_campaigns")
    setup_django(db, drop=args.rebuild)
    build()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from campaigns import feeds, selectors
    from councils.models import Council, CouncilKind

    print(f"machine: {machine()}; database {db.shown}")
    start, end = START, START.replace(year=START.year + 1) - datetime.timedelta(days=1)

    def sql(query, params):
        return sql_rows((query, params))[0]

    results = []
    # 1. the national count
    with CaptureQueriesContext(connection) as q:
        selectors.study_session_count(start=start, end=end)
    ours_ms, ours = timed(lambda: selectors.study_session_count(start=start, end=end), args.runs)
    base_ms, base = timed(lambda: sql(NATIONAL_SQL, [start, end]), args.runs)
    assert (ours.sessions, ours.attendance) == tuple(base[0]), (ours, base)
    results.append(("national study-session count", ours_ms, base_ms, len(q), 100))
    # 2. the per-prefecture table
    with CaptureQueriesContext(connection) as q:
        selectors.study_sessions_by_prefecture(start=start, end=end)
    ours_ms, rows = timed(lambda: selectors.study_sessions_by_prefecture(start=start, end=end), args.runs)
    base_ms, base = timed(lambda: sql(TABLE_SQL, [start, end]), args.runs)
    assert sum(r.sessions for r in rows) == sum(b[1] for b in base)
    results.append(("per-prefecture table", ours_ms, base_ms, len(q), 100))
    # 3. a prefectural council's feed (its own, the national council's and its local councils' actions)
    council = Council.objects.filter(kind=CouncilKind.PREFECTURAL, prefecture__code="13").first()
    window = feeds.feed_window()
    above = [int(pk) for pk in council.path.strip("/").split("/") if pk]
    with CaptureQueriesContext(connection) as q:
        body = feeds.council_feed(council=council, base_url="https://shaho.example/")
    ours_ms, body = timed(lambda: feeds.council_feed(council=council, base_url="https://shaho.example/"), args.runs)
    base_ms, base = timed(lambda: sql(FEED_SQL, [window[0], window[1], above, council.path + "%"]), args.runs)
    events = body.count(b"BEGIN:VEVENT")
    results.append((f"feed of {council.name} ({events} events, {len(body):,} bytes)", ours_ms, base_ms, len(q), 200))

    return report_against_sql("campaigns", results)


if __name__ == "__main__":
    sys.exit(main())
