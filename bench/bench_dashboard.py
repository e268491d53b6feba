"""The national staff's home dashboard at national scale (issue 17), beside hand-written SQL for the same figures.

Target, on PostgreSQL with 1,000,000 ledger entries and 20,000 actions with 200,000 participation rows
(`--scale 1`): the national dashboard (every registered panel of the NATIONAL audience, through
`councils.selectors.home_summary`, the function the home page renders) in a number of queries that does not
grow with the data, under 150 ms, its figures within 2x of hand-written SQL computing the same figures (the
open drives and their rounds, per-day sums for their lines and last year's, per-prefecture sums, goals, study
sessions per prefecture, coverage per prefecture and per municipality with the councils' names, caravans
answered / visited per prefecture and per municipality, the assembly adoptions per municipality, the last
call-in day's stations against the year before, the upcoming actions). The SQL skips what the dashboard skips
(no caravan this 年度, no assembly campaign: their maps are not computed).

The dashboard's time is printed split: drawing (every SVG chart of shaho.core.charts and map of
municipalities.registry.maps, timed by wrapping them; a municipality map's registry query counts as drawing)
and figures (the rest: the queries, whose time is printed too, and the Python around them, including the
page's table cells); the ratio to the SQL is the figures'. Outside the timing the script checks that the
lines, the coverage and the caravans per prefecture equal the SQL's rows.

Builds (once per scale; reused while complete, `--rebuild` starts over) in its own database `bench_dashboard`:
the registry, 1 national + 47 prefectural + 452 local councils; 4 open national drives with 3 rounds and
goals (national, prefectural, half the local councils) and last year's 4 drives of the same kinds; the ledger
(scale x 1,000,000 entries, 70% to the open drives, loaded with COPY on PostgreSQL); scale x 20,000 actions
with 10 participation rows each (a third study sessions, a tenth planned in the next 60 days); 10 national
call-in days x 50 stations x 20 calls; this 年度's caravans (one a prefecture, every municipality targeted,
a half answered, a third visited). Then ANALYZE.

    .venv/bin/python bench/bench_dashboard.py [--scale 0.2] [--rebuild] [--runs 11]

The lines and the ranking read the tally summary (petitions.TallyNationalDaily, TallyDaily,
TallyCouncilTotal), kept by the ledger's triggers; so does the SQL baseline. The script checks, outside the
timing, that the summary equals the ledger (each open drive's total, and tally_summary_differences()).
A database built before the summary existed is summed by the migration's backfill when it migrates.

Prints the query count at this scale and at a tenth of it is not measured here (tests/councils/test_home.py
asserts equal counts at two sizes); the count printed is the dashboard's.
"""

import argparse
import datetime
import io
import random
import sys

from _common import Stopwatch, build_federation, choose_database, machine, median, setup_django, summary, timed, verdict

LOCAL_COUNCILS = 452
OPEN_DRIVES = 4
TARGET_MS = 150
TARGET_RATIO = 2.0


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.2, help="1 = 1,000,000 entries and 20,000 actions")
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=11)
    return parser.parse_args()


def _years(date, n):
    try:
        return date.replace(year=date.year + n)
    except ValueError:
        return date.replace(year=date.year + n, day=28)


def build(db, scale, today):
    from django.db import connection, transaction

    from campaigns.models import Action, ActionKind, Participation
    from consultations.models import (
        CallerType,
        CallRecord,
        CareLevel,
        ConsultationDay,
        ConsultationKind,
        Profession,
        Responder,
        Station,
    )
    from councils.models import Role, User
    from councils.services import user_set_role
    from petitions.models import CollectionRound, PetitionDrive, PetitionGoal, TallyEntry

    entries = int(1_000_000 * scale)
    actions_n = int(20_000 * scale)
    if (
        TallyEntry.objects.count() == entries
        and Action.objects.count() == actions_n
        and PetitionDrive.objects.filter(status="open").count() == OPEN_DRIVES
    ):
        return User.objects.get(username="bench-national")
    rng = random.Random(17)
    national, prefectural, local = build_federation(local_councils=LOCAL_COUNCILS)
    councils = [national, *prefectural.values(), *local]
    with transaction.atomic():
        CallRecord.objects.all().delete()
        Responder.objects.all().delete()
        Station.objects.all().delete()
        ConsultationDay.objects.all().delete()
        Participation.objects.all().delete()
        Action.objects.all().delete()
        TallyEntry.objects.all().delete()
        PetitionGoal.objects.all().delete()
        CollectionRound.objects.all().delete()
        PetitionDrive.objects.all().delete()
        user = User.objects.filter(username="bench-national").first()
        if user is None:
            user = User(username="bench-national")
            user.set_unusable_password()
            user = user_set_role(user=user, role=Role.NATIONAL_STAFF, council=national)
        kinds = [PetitionDrive.Kind.NATIONAL_ASSEMBLY, PetitionDrive.Kind.MINISTRY, PetitionDrive.Kind.LOCAL]
        kinds.append(PetitionDrive.Kind.ORGANISATIONAL)
        drives = []
        for i, kind in enumerate(kinds):
            starts, ends = today - datetime.timedelta(days=300), today + datetime.timedelta(days=60)
            for year, status in ((0, "open"), (-1, "closed")):
                drive = PetitionDrive.objects.create(
                    title=f"ベンチ署名{i}（{today.year + year}年）",
                    short_name=f"署名{i}-{today.year + year}",
                    slug=f"bench-{i}-{today.year + year}",
                    kind=kind,
                    organiser=national,
                    starts_on=_years(starts, year),
                    ends_on=_years(ends, year),
                    status=status,
                )
                for n, days in enumerate((100, 250, 350), start=1):
                    CollectionRound.objects.create(
                        petition=drive,
                        number=n,
                        name=f"第{n}次集約",
                        deadline=drive.starts_on + datetime.timedelta(days),
                    )
                goals = [PetitionGoal(petition=drive, council=national, goal=entries * 20)]
                goals += [
                    PetitionGoal(petition=drive, council=c, goal=rng.randint(5, 60) * 1000)
                    for c in prefectural.values()
                ]
                goals += [PetitionGoal(petition=drive, council=c, goal=rng.randint(1, 30) * 100) for c in local[::2]]
                PetitionGoal.objects.bulk_create(goals)
                drives.append(drive)
    _load_ledger(db, drives, councils, entries, user, today, rng)
    with transaction.atomic():
        kinds = list(ActionKind.objects.order_by("order"))
        study = next(k for k in kinds if k.code == "study")
        actions = []
        for i in range(actions_n):
            planned = i % 10 == 0
            day = (
                today + datetime.timedelta(days=i % 60) if planned else today - datetime.timedelta(days=(i * 13) % 730)
            )
            actions.append(
                Action(
                    kind=study if i % 3 == 0 else kinds[i % len(kinds)],
                    title=f"行動{i}",
                    starts_on=day,
                    start_time=datetime.time(9 + i % 10, 0) if i % 4 else None,
                    organiser=councils[i % len(councils)],
                    onsite_count=10 + i % 50,
                    online_count=i % 7,
                    place="会場",
                    status=Action.Status.PLANNED if planned else Action.Status.HELD,
                )
            )
        Action.objects.bulk_create(actions, batch_size=2000)
        Participation.objects.bulk_create(
            [
                Participation(action=a, organisation_name=f"団体{j}", count=1 + (j + a.pk) % 5, order=j)
                for a in actions
                for j in range(10)
            ],
            batch_size=5000,
        )
        for k in range(10):
            day = ConsultationDay.objects.create(
                kind=ConsultationKind.CALL_IN_DAY,
                title="介護・認知症なんでも無料電話相談",
                date=_years(today - datetime.timedelta(days=20), -k),
                starts_at=datetime.time(10),
                ends_at=datetime.time(16),
                council=national,
            )
            stations = Station.objects.bulk_create([Station(day=day, council=c) for c in councils[1:51]])
            responders = Responder.objects.bulk_create(
                [Responder(station=s, user=user, profession=Profession.CARE_MANAGER) for s in stations]
            )
            at = datetime.datetime.combine(day.date, datetime.time(12), tzinfo=datetime.UTC)
            CallRecord.objects.bulk_create(
                [
                    CallRecord(
                        station=r.station,
                        responder=r,
                        started_at=at,
                        duration_minutes=10 + j,
                        caller_type=CallerType.FAMILY,
                        care_level=CareLevel.CARE_1,
                        created_by=user,
                        created_at=at,
                    )
                    for r in responders
                    for j in range(rng.randint(10, 30))
                ],
                batch_size=5000,
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
    print(
        f"built {TallyEntry.objects.count():,} entries, {Action.objects.count():,} actions,"
        f" {Participation.objects.count():,} participation rows, {CallRecord.objects.count():,} calls"
    )
    return user


def ensure_caravans(today):
    """This 年度's caravans, one a prefecture (its prefectural council's), targeting every municipality
    (wards not): a half answered, a third visited. Added once to a database built before they were."""
    from django.db import transaction

    from councils.models import Council
    from municipalities.caravans.models import Caravan, CaravanTarget
    from municipalities.models import Municipality
    from shaho.core.japanese import fiscal_year

    year = fiscal_year(today)
    if Caravan.objects.filter(fiscal_year=year).exists():
        return
    by_prefecture = {}
    for m in Municipality.objects.filter(Municipality.valid_on(today)).exclude(kind="ward").order_by("code"):
        by_prefecture.setdefault(m.prefecture_id, []).append(m)
    councils = dict(Council.objects.filter(kind="prefectural").values_list("prefecture_id", "pk"))
    with transaction.atomic():
        for prefecture_id, municipalities in by_prefecture.items():
            caravan = Caravan.objects.create(
                council_id=councils[prefecture_id], prefecture_id=prefecture_id, fiscal_year=year, title="ベンチ"
            )
            CaravanTarget.objects.bulk_create(
                CaravanTarget(
                    caravan=caravan,
                    municipality=m,
                    answered_on=datetime.date(year, 7, 1) if i % 2 else None,
                    visited_on=datetime.date(year, 10, 1) if i % 3 == 0 else None,
                )
                for i, m in enumerate(municipalities)
            )


def _load_ledger(db, drives, councils, total, user, today, rng):
    """`total` entries day by day over each drive's period up to today (the previous drives over theirs)."""
    from django.db import connection, transaction

    from petitions.models import PetitionDrive, SignatureKind

    open_drives = [d for d in drives if d.status == "open"]
    closed = [d for d in drives if d.status != "open"]
    council_ids = [c.pk for c in councils]
    columns = (
        "petition_id, council_id, kind, count, collected_on, source, note, entered_by_id, entered_at, correction_reason"
    )

    @transaction.atomic
    def flush(rows):
        if db.vendor == "postgresql":
            buf = io.StringIO()
            buf.writelines(f"{p}\t{c}\t{k}\t{m}\t{d}\t\t\t{user.pk}\t{d} 12:00+09\t\n" for p, c, k, m, d in rows)
            buf.seek(0)
            with connection.cursor() as cur:
                cur.cursor.copy_expert(f"COPY petitions_tallyentry ({columns}) FROM STDIN", buf)
        else:
            with connection.cursor() as cur:
                cur.executemany(
                    f"INSERT INTO petitions_tallyentry ({columns}) VALUES (%s, %s, %s, %s, %s, '', '', %s, %s, '')",
                    [(p, c, k, m, d, user.pk, f"{d} 03:00:00") for p, c, k, m, d in rows],
                )

    rows = []
    for i in range(total):
        drive = rng.choice(open_drives) if i % 10 < 7 else rng.choice(closed)
        span = (
            min(drive.ends_on, _years(today, drive.starts_on.year - open_drives[0].starts_on.year)) - drive.starts_on
        ).days
        day = drive.starts_on + datetime.timedelta(days=rng.randint(0, max(span, 0)))
        if drive.kind == PetitionDrive.Kind.ORGANISATIONAL:
            kind = SignatureKind.ORGANISATIONAL.value if i % 10 else SignatureKind.INDIVIDUAL.value
        else:
            kind = SignatureKind.WEB.value if i % 10 == 0 else SignatureKind.INDIVIDUAL.value
        rows.append((drive.pk, rng.choice(council_ids), kind, rng.randint(1, 120), day))
        if len(rows) >= 100_000:
            flush(rows)
            rows = []
    if rows:
        flush(rows)


# --- the hand-written SQL of the same figures -------------------------------------------------------

VALID_ON = (
    """(m.valid_from IS NULL OR m.valid_from <= %(today)s) AND (m.valid_until IS NULL OR m.valid_until > %(today)s)"""
)
VALID_ON_FY = VALID_ON.replace("%(today)s", "%(fy_start)s")
# The councils existing today with their kind on the day (the latest stage begun, else the first).
COUNCILS_ON = """WITH on_day AS (
    SELECT c.id, c.name, c.sort_key, COALESCE(
        (SELECT s.kind FROM councils_councilstage s WHERE s.council_id = c.id AND s.since <= %(today)s
         ORDER BY s.since DESC LIMIT 1),
        (SELECT s.kind FROM councils_councilstage s WHERE s.council_id = c.id ORDER BY s.since LIMIT 1)) AS kind
    FROM councils_council c
    WHERE (c.founded_on IS NULL OR c.founded_on <= %(today)s)
      AND (c.dissolved_on IS NULL OR c.dissolved_on > %(today)s))"""


class Only(str):
    """A query run only when the group's query number `index` found rows, as the dashboard skips it (the
    caravans' municipality map without a caravan this 年度, the adoption map without a campaign)."""

    def __new__(cls, index, query):
        self = super().__new__(cls, query)
        self.index = index
        return self


CARAVAN_TARGETS = """WITH targets AS (
    SELECT t.municipality_id AS mid, m.parent_id AS pid, t.answered_on, t.visited_on
    FROM municipalities_caravantarget t JOIN municipalities_caravan c ON c.id = t.caravan_id
    JOIN municipalities_municipality m ON m.id = t.municipality_id WHERE c.fiscal_year = %(fy)s),
hit AS (  -- a municipality's own targets, its wards' (a city visited ward by ward), its city's (a ward)
    SELECT mid AS id, answered_on, visited_on FROM targets
    UNION ALL SELECT pid, answered_on, visited_on FROM targets WHERE pid IS NOT NULL
    UNION ALL SELECT w.id, t.answered_on, t.visited_on FROM targets t
        JOIN municipalities_municipality w ON w.parent_id = t.mid)"""
CURRENT_CAMPAIGN = """WITH current AS (
    SELECT c.id FROM campaigns_campaign c
    WHERE EXISTS (SELECT 1 FROM municipalities_assemblypetition ap WHERE ap.campaign_id = c.id)
    ORDER BY (c.starts_on <= %(today)s AND (c.ends_on IS NULL OR c.ends_on >= %(today)s)) DESC, c.starts_on DESC, c.id
    LIMIT 1)"""

SQL = {
    "open drives and rounds": [
        """SELECT d.id, d.kind, d.starts_on, d.ends_on, d.organiser_id FROM petitions_petitiondrive d
           WHERE d.status = 'open' AND d.starts_on <= %(today)s AND d.ends_on >= %(today)s""",
        """SELECT r.petition_id, r.name, r.deadline FROM petitions_collectionround r
           JOIN petitions_petitiondrive d ON d.id = r.petition_id
           WHERE d.status = 'open' AND d.starts_on <= %(today)s AND d.ends_on >= %(today)s ORDER BY r.deadline""",
        """SELECT d.id, d.kind, d.organiser_id, d.starts_on FROM petitions_petitiondrive d
           WHERE d.status <> 'open' AND d.starts_on >= %(two_years_ago)s""",
    ],
    "lines (per day)": [
        """SELECT t.petition_id, t.collected_on, SUM(t.total) FROM petitions_tallynationaldaily t
           JOIN petitions_petitiondrive d ON d.id = t.petition_id
           WHERE d.starts_on >= %(two_years_ago)s
             AND (t.kind IN ('individual', 'web') AND d.kind <> 'organisational'
                  OR t.kind = 'organisational' AND d.kind = 'organisational')
           GROUP BY t.petition_id, t.collected_on""",
    ],
    "ranking (per prefecture)": [
        """SELECT t.petition_id, c.prefecture_id, SUM(t.total) FROM petitions_tallycounciltotal t
           JOIN councils_council c ON c.id = t.council_id JOIN petitions_petitiondrive d ON d.id = t.petition_id
           WHERE d.status = 'open' AND d.starts_on <= %(today)s AND d.ends_on >= %(today)s
             AND (t.kind IN ('individual', 'web') AND d.kind <> 'organisational'
                  OR t.kind = 'organisational' AND d.kind = 'organisational')
           GROUP BY t.petition_id, c.prefecture_id""",
        """SELECT g.petition_id, g.council_id, c.kind, c.prefecture_id, g.goal FROM petitions_petitiongoal g
           JOIN councils_council c ON c.id = g.council_id JOIN petitions_petitiondrive d ON d.id = g.petition_id
           WHERE d.status = 'open' AND d.starts_on <= %(today)s AND d.ends_on >= %(today)s""",
        "SELECT id, name, code FROM municipalities_prefecture ORDER BY code",
    ],
    "study sessions (per prefecture)": [
        """SELECT c.prefecture_id, COUNT(*), COALESCE(SUM(COALESCE(a.onsite_count, 0) + COALESCE(a.online_count, 0)), 0)
           FROM campaigns_action a JOIN campaigns_actionkind k ON k.id = a.kind_id
           JOIN councils_council c ON c.id = a.organiser_id
           WHERE k.is_study_session AND a.status = 'held' AND a.starts_on BETWEEN %(fy_start)s AND %(today)s
           GROUP BY c.prefecture_id""",
        """SELECT c.prefecture_id, g.goal FROM campaigns_studygoal g JOIN councils_council c ON c.id = g.council_id
           WHERE g.year = %(fy)s""",
    ],
    "last call-in day": [
        """SELECT s.council_id, s.day_id, (SELECT COUNT(*) FROM consultations_callrecord r WHERE r.station_id = s.id)
           FROM consultations_station s WHERE s.day_id IN (
             (SELECT id FROM consultations_consultationday WHERE kind = 'call_in_day' AND date <= %(today)s
              ORDER BY date DESC LIMIT 1),
             (SELECT id FROM consultations_consultationday WHERE kind = 'call_in_day' AND date <= %(year_ago)s
              ORDER BY date DESC LIMIT 1))""",
    ],
    "coverage (per prefecture, per municipality)": [
        # Per prefecture: municipalities (wards not counted) with a local council in them or in one of their wards.
        COUNCILS_ON
        + """, local AS (SELECT cm.municipality_id AS mid, m.parent_id AS pid
                          FROM on_day k JOIN councils_council_municipalities cm ON cm.council_id = k.id
                          JOIN municipalities_municipality m ON m.id = cm.municipality_id WHERE k.kind = 'local')
        SELECT p.code, p.name, COUNT(*),
               COUNT(*) FILTER (WHERE m.id IN (SELECT mid FROM local) OR m.id IN (SELECT pid FROM local))
        FROM municipalities_municipality m JOIN municipalities_prefecture p ON p.id = m.prefecture_id
        WHERE """
        + VALID_ON
        + """ AND m.kind <> 'ward' GROUP BY p.code, p.name ORDER BY p.code""",
        # Per municipality (wards too): covered by a local council / only a 準備会, by the same rule.
        COUNCILS_ON
        + """, links AS (SELECT cm.municipality_id AS mid, m.parent_id AS pid, k.kind
                          FROM on_day k JOIN councils_council_municipalities cm ON cm.council_id = k.id
                          JOIN municipalities_municipality m ON m.id = cm.municipality_id
                          WHERE k.kind IN ('local', 'preparatory'))
        SELECT m.code, m.name, m.kind, par.code, p.code, p.name,
               m.id IN (SELECT mid FROM links WHERE kind = 'local')
                 OR m.id IN (SELECT pid FROM links WHERE kind = 'local')
                 OR m.parent_id IN (SELECT mid FROM links WHERE kind = 'local'),
               m.id IN (SELECT mid FROM links WHERE kind = 'preparatory')
                 OR m.id IN (SELECT pid FROM links WHERE kind = 'preparatory')
                 OR m.parent_id IN (SELECT mid FROM links WHERE kind = 'preparatory')
        FROM municipalities_municipality m JOIN municipalities_prefecture p ON p.id = m.prefecture_id
        LEFT JOIN municipalities_municipality par ON par.id = m.parent_id
        WHERE """
        + VALID_ON
        + " ORDER BY m.code",
        # The council names on each municipality's row.
        COUNCILS_ON
        + """ SELECT m.code, k.name FROM on_day k JOIN councils_council_municipalities cm ON cm.council_id = k.id
        JOIN municipalities_municipality m ON m.id = cm.municipality_id WHERE k.kind IN ('local', 'preparatory')
        ORDER BY k.sort_key, k.id""",
    ],
    "caravans (per prefecture, per municipality)": [
        # Municipalities existing on April 1 targeted this 年度 (a city through its wards too): answered, visited.
        CARAVAN_TARGETS
        + """ SELECT p.code, p.name, COUNT(*), COUNT(*) FILTER (WHERE x.answered), COUNT(*) FILTER (WHERE x.visited),
               COUNT(*) FILTER (WHERE x.answered AND x.visited)
        FROM (SELECT m.id, m.prefecture_id, bool_or(t.answered_on IS NOT NULL) AS answered,
                     bool_or(t.visited_on IS NOT NULL) AS visited
              FROM municipalities_municipality m JOIN hit t ON t.id = m.id
              WHERE m.kind <> 'ward' AND """
        + VALID_ON_FY
        + """ GROUP BY m.id, m.prefecture_id) x
        JOIN municipalities_prefecture p ON p.id = x.prefecture_id GROUP BY p.code, p.name ORDER BY p.code""",
        Only(
            0,
            CARAVAN_TARGETS
            + """ SELECT m.code, m.name, m.kind, p.name,
               bool_or(t.answered_on IS NOT NULL), bool_or(t.visited_on IS NOT NULL)
        FROM municipalities_municipality m JOIN hit t ON t.id = m.id
        JOIN municipalities_prefecture p ON p.id = m.prefecture_id WHERE """
            + VALID_ON_FY
            + " GROUP BY m.code, m.name, m.kind, p.name ORDER BY m.code",
        ),
        # Each caravan with a questionnaire: targets and answered; the targets still waiting for an answer.
        """SELECT c.id, p.name, co.name, COUNT(t.id) FILTER (WHERE t.municipality_id IS NOT NULL),
               COUNT(t.id) FILTER (WHERE t.answered_on IS NOT NULL)
        FROM municipalities_caravan c JOIN municipalities_prefecture p ON p.id = c.prefecture_id
        JOIN councils_council co ON co.id = c.council_id LEFT JOIN municipalities_caravantarget t ON t.caravan_id = c.id
        WHERE c.fiscal_year = %(fy)s AND c.questionnaire_id IS NOT NULL GROUP BY c.id, p.name, co.name""",
        Only(
            2,
            """SELECT p.name, m.name, c.questionnaire_id, t.questionnaire_sent_on FROM municipalities_caravantarget t
        JOIN municipalities_caravan c ON c.id = t.caravan_id JOIN municipalities_prefecture p ON p.id = c.prefecture_id
        JOIN municipalities_municipality m ON m.id = t.municipality_id
        WHERE c.fiscal_year = %(fy)s AND c.questionnaire_id IS NOT NULL AND t.answered_on IS NULL
        ORDER BY p.code, m.code, t.id""",
        ),
    ],
    "assembly adoptions (per municipality)": [
        CURRENT_CAMPAIGN + " SELECT id FROM current",
        Only(
            0,
            CURRENT_CAMPAIGN
            + """ SELECT m.code, MAX(CASE WHEN ap.outcome IN ('adopted', 'partly') THEN 3
                                  WHEN ap.outcome = 'spirit' THEN 2
                                  WHEN ap.outcome IN ('pending', 'continued') THEN 1 ELSE 0 END),
               COUNT(*), COUNT(*) FILTER (WHERE ap.outcome IN ('adopted', 'partly', 'spirit'))
        FROM municipalities_assemblypetition ap JOIN municipalities_assembly a ON a.id = ap.assembly_id
        JOIN municipalities_municipality m ON m.id = a.municipality_id
        WHERE ap.campaign_id = (SELECT id FROM current) GROUP BY m.code""",
        ),
        Only(
            0,
            CURRENT_CAMPAIGN
            + """ SELECT m.code, COUNT(*) FROM municipalities_opinionstatement s
        JOIN municipalities_assembly a ON a.id = s.assembly_id
        JOIN municipalities_municipality m ON m.id = a.municipality_id
        WHERE s.campaign_id = (SELECT id FROM current) AND s.status = 'adopted' GROUP BY m.code""",
        ),
        Only(
            0,
            """SELECT m.code, m.name, m.kind, par.code, p.code, p.name FROM municipalities_municipality m
        JOIN municipalities_prefecture p ON p.id = m.prefecture_id LEFT JOIN municipalities_municipality par
        ON par.id = m.parent_id WHERE """
            + VALID_ON
            + " ORDER BY m.code",
        ),
    ],
    "upcoming actions": [
        """SELECT a.id, a.title, a.starts_on, a.start_time, a.place, k.name, c.name FROM campaigns_action a
           JOIN campaigns_actionkind k ON k.id = a.kind_id JOIN councils_council c ON c.id = a.organiser_id
           WHERE a.status <> 'cancelled' AND a.starts_on BETWEEN %(today)s AND %(in_30_days)s
           ORDER BY a.starts_on, a.start_time, a.id LIMIT 10""",
    ],
}


PETITIONS_SQL = ("open drives and rounds", "lines (per day)", "ranking (per prefecture)")


def run_sql(params, labels=None):
    from django.db import connection

    out = {}
    with connection.cursor() as cur:
        for label, queries in SQL.items():
            if labels is not None and label not in labels:
                continue
            out[label] = []
            for query in queries:
                if isinstance(query, Only) and not out[label][query.index]:
                    out[label].append([])  # the dashboard skips it too (no caravan, no campaign)
                    continue
                cur.execute(str(query), params)
                out[label].append(cur.fetchall())
    return out


class DrawingClock:
    """Time spent drawing SVG (every chart of shaho.core.charts and map of municipalities.registry.maps),
    accumulated while installed; the figures' time is the rest. A map of municipalities reads the registry
    (one query), counted as drawing."""

    CHARTS = ("bar_chart", "line_chart", "paired_bar_chart", "stacked_bar", "small_multiples")
    MAPS = ("japan_map", "tile_map", "prefecture_map", "japan_municipality_map")

    def __init__(self):
        self.ms = 0.0
        self._depth = 0
        self._saved = []

    def _wrap(self, function):
        import time

        def timed_drawing(*args, **kwargs):
            self._depth += 1
            start = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                self._depth -= 1
                if not self._depth:
                    self.ms += (time.perf_counter() - start) * 1000

        return timed_drawing

    def __enter__(self):
        from municipalities.registry import maps
        from shaho.core import charts

        for module, names in ((charts, self.CHARTS), (maps, self.MAPS)):
            for name in names:
                self._saved.append((module, name, getattr(module, name)))
                setattr(module, name, self._wrap(getattr(module, name)))
        return self

    def __exit__(self, *exc):
        for module, name, function in self._saved:
            setattr(module, name, function)
        self._saved = []


def timed_split(function, runs):
    """Medians of (whole, drawing, figures = whole - drawing, the figures' time waiting on the database)."""
    import time

    from django.db import connection

    whole, drawing, figures, database = [], [], [], []
    waited = [0.0]

    def on_database(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            if not clock._depth:  # a map's registry query is the drawing's
                waited[0] += (time.perf_counter() - start) * 1000

    with DrawingClock() as clock, connection.execute_wrapper(on_database):
        for _ in range(runs):
            clock.ms, waited[0] = 0.0, 0.0
            with Stopwatch() as t:
                function()
            whole.append(t.ms)
            drawing.append(clock.ms)
            figures.append(t.ms - clock.ms)
            database.append(waited[0])
    return median(whole), median(drawing), median(figures), median(database)


def main():
    args = parse_args()
    db = choose_database("bench_dashboard")
    setup_django(db, drop=args.rebuild)
    import django.utils.timezone as tz

    today = tz.localdate()
    user = build(db, args.scale, today)
    ensure_caravans(today)
    from django.db import connection
    from django.db.models import Sum
    from django.test import RequestFactory
    from django.test.utils import CaptureQueriesContext

    from councils.selectors import home_summary
    from councils.views import home
    from petitions.models import TallyEntry
    from shaho.core.dashboard import fiscal_year_start

    print(f"machine: {machine()}; database {db.shown}; scale {args.scale} ({TallyEntry.objects.count():,} entries)")
    fy_start = fiscal_year_start(today)
    params = {
        "today": today,
        "two_years_ago": _years(today, -2),
        "year_ago": _years(today, -1),
        "in_30_days": today + datetime.timedelta(days=30),
        "fy_start": fy_start,
        "fy": fy_start.year,
    }
    home_summary(user=user)  # warm: imports, the registry, content types
    with CaptureQueriesContext(connection) as q:
        summary_context = home_summary(user=user)
    queries = len(q)
    panels = [(p["key"], len(p["pictures"])) for p in summary_context["panels"]]
    ours_ms, ctx = timed(lambda: home_summary(user=user), args.runs)
    split_ms, drawing_ms, figures_ms, database_ms = timed_split(lambda: home_summary(user=user), args.runs)
    request = RequestFactory().get("/")
    request.user = user
    page_ms, response = timed(lambda: home(request), args.runs)
    base_ms, base = timed(lambda: run_sql(params), args.runs)

    # The tally's panels alone (the lines, the ranking) against the SQL of the same figures alone: the
    # like-for-like part of the ratio (the whole page also draws figures the SQL does not compute).
    from shaho.core import dashboard
    from shaho.core.dashboard import NATIONAL

    def petitions_panels():
        context = dashboard.context_for(user)
        return [
            spec.function(context)
            for spec in dashboard.registered()
            if spec.key.startswith("petitions.") and context.audience in spec.audiences
        ]

    with CaptureQueriesContext(connection) as pq:
        petitions_panels()
    tally_ms, _ = timed(petitions_panels, args.runs)
    tally_sql_ms, _ = timed(lambda: run_sql(params, PETITIONS_SQL), args.runs)
    panel_ms = {}
    for spec in dashboard.registered():
        if NATIONAL in spec.audiences:
            # A fresh context each time: nothing cached from the previous run (drive_figures is per page).
            panel_ms[spec.key], _ = timed(lambda spec=spec: spec.function(dashboard.context_for(user)), 5)

    # The numbers agree: each open drive's last point is the SQL's per-day sum, summed.
    per_day = {}
    for petition_id, _day, n in base["lines (per day)"][0]:
        per_day[petition_id] = per_day.get(petition_id, 0) + n
    wrong = 0
    for panel in ctx["panels"]:
        if panel["key"] != "petitions.progress":
            continue
        for shown in panel["pictures"]:
            slug = shown["picture"].key.removeprefix("progress-")
            from petitions.models import PetitionDrive

            drive = PetitionDrive.objects.get(slug=slug)
            drawn = [row[1] for row in shown["picture"].table.rows if row[1] is not None][-1]
            if drawn != per_day.get(drive.pk):
                print(f"WRONG: {slug} line ends at {drawn}, SQL {per_day.get(drive.pk)}")
                wrong += 1
    # The coverage and the caravans too: the selectors the panels call against the SQL's rows.
    from councils.selectors import municipality_coverage, municipality_coverage_map
    from municipalities.caravans.selectors import caravan_progress

    coverage_sql = base["coverage (per prefecture, per municipality)"]
    shown_rows, _national = municipality_coverage(date=today)
    if [(r.prefecture_code, r.total, r.covered) for r in shown_rows] != [(r[0], r[2], r[3]) for r in coverage_sql[0]]:
        print("WRONG: coverage per prefecture differs from the SQL")
        wrong += 1
    statuses = [(r[0], "local" if r[6] else "preparatory" if r[7] else "none") for r in coverage_sql[1]]
    if [(m.code, m.status) for m in municipality_coverage_map(date=today)] != statuses:
        print("WRONG: coverage per municipality differs from the SQL")
        wrong += 1
    progress = caravan_progress(user=user, fiscal_year=fy_start.year)
    caravans = [(p.code, p.targets, p.answered, p.visited, p.both) for p in progress]
    if caravans != [(r[0], *r[2:]) for r in base["caravans (per prefecture, per municipality)"][0]]:
        print("WRONG: caravans per prefecture differ from the SQL")
        wrong += 1
    # And the summary both sides read equals the ledger (outside the timing): each open drive's total
    # summed from the entries themselves, and the whole summary row by row (tally_summary --check).
    from petitions.models import PetitionDrive
    from petitions.summary import tally_summary_differences

    for drive in PetitionDrive.objects.filter(status="open"):
        ledger_total = TallyEntry.objects.filter(petition=drive, kind__in=drive.counted_kinds).aggregate(
            n=Sum("count")
        )["n"]
        if ledger_total != per_day.get(drive.pk):
            print(f"WRONG: {drive.slug} summary says {per_day.get(drive.pk)}, the ledger {ledger_total}")
            wrong += 1
    with Stopwatch() as check:
        differences = tally_summary_differences()
    print(f"summary against the ledger: {len(differences)} differences ({check.ms:.0f} ms to compare)")
    wrong += len(differences)
    ratio = ours_ms / base_ms
    figures_ratio = figures_ms / base_ms
    ok = ours_ms < TARGET_MS and figures_ratio <= TARGET_RATIO
    print(f"panels: {', '.join(f'{k}×{n}' for k, n in panels)}")
    print(
        f"national dashboard (home_summary): {ours_ms:.1f} ms in {queries} queries; whole page {page_ms:.1f} ms"
        f" ({len(response.content):,} bytes); hand-written SQL {base_ms:.1f} ms"
        f" ({sum(len(v) for v in SQL.values())} queries); ratio {ratio:.2f}"
    )
    print(
        f"  of which figures {figures_ms:.1f} ms ({database_ms:.1f} ms of it in the database)"
        f" and drawing (SVG charts and maps) {drawing_ms:.1f} ms"
        f" (medians of {args.runs}, whole {split_ms:.1f} ms); figures / SQL {figures_ratio:.2f};"
        f" target: whole < {TARGET_MS} ms and figures ≤ {TARGET_RATIO}x the SQL: {verdict(ok)}"
    )
    for label, label_queries in SQL.items():
        ms, _ = timed(lambda label=label: run_sql(params, [label]), 5)
        print(f"  SQL {label}: {ms:.1f} ms ({len(label_queries)} queries)")
    print(
        f"the tally's panels (petitions.*): {tally_ms:.1f} ms in {len(pq)} queries; their SQL {tally_sql_ms:.1f} ms"
        f" ({sum(len(SQL[k]) for k in PETITIONS_SQL)} queries); ratio {tally_ms / tally_sql_ms:.2f}"
    )
    print("each panel alone (median of 5): " + ", ".join(f"{k} {v:.1f} ms" for k, v in panel_ms.items()))
    summary(
        "dashboard",
        f"{ours_ms:.0f} ms ({figures_ms:.0f} figures + {drawing_ms:.0f} drawing), {queries} queries,"
        f" figures {figures_ratio:.2f}x the SQL ({ratio:.2f}x with the drawing): {verdict(ok)}",
    )
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
