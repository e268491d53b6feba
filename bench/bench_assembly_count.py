"""A campaign's national count of assembly adoptions over 50,000 petitions, against hand-written SQL (issue 11).

Target: with 50,000 assembly petitions over 1,741 municipalities and 5 years (20 regular sittings
each), a campaign's national count per prefecture and per sitting is computed in a constant number
of queries and under 100 ms, beside a hand-written SQL query of the same figures (ratio printed).

Builds (once; reused while complete, `--rebuild` starts over) in its own database: Japan's registry,
the federation (national + 47 prefectural councils), 8 campaigns, one assembly per municipality
(1,741 when the registry's 行政区 are left out) and per prefecture, 20 sittings each (2021–2025),
50,000 petitions (campaign shares 1/rank, so the measured one is the largest, ~37%), outcomes
drawn 45% adopted, and an 意見書 for 90% of the adoptions. Bulk inserts, then ANALYZE.

Measures `municipalities.assemblies.selectors.assembly_count(campaign=...)` (the function the admin's
全国集計, the `assembly_summary` PDF and the policy draft's figures call), with its queries counted at
two data sizes (the whole campaign, and one year of it), against four SQL statements grouping the
same rows; checks both give the same numbers; median of --runs after a warm-up, alternating.

    .venv/bin/python bench/bench_assembly_count.py [--rebuild] [--runs 21]
"""

import argparse
import datetime
import random
import sys

from _common import Stopwatch, build_federation, choose_database, load, machine, median, setup_django, summary, verdict

PETITIONS = 50_000
CAMPAIGNS = 8
YEARS = range(2021, 2026)
SEASONS = ("03", "06", "09", "12")
SLUG = "bench-assembly-{:02d}"
TARGET_MS = 100


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true", help="drop the benchmark database and build it again")
    parser.add_argument("--runs", type=int, default=21)
    parser.add_argument("--warmup", type=int, default=3)
    return parser.parse_args()


def data_is_complete():
    from municipalities.models import AssemblyPetition

    return AssemblyPetition.objects.filter(campaign__slug__startswith="bench-assembly-").count() == PETITIONS


def build():
    from django.db import connection, transaction

    from campaigns.models import Campaign
    from municipalities.models import Assembly, AssemblyPetition, Municipality, OpinionStatement, Prefecture, Sitting

    rng = random.Random(11)
    national, _prefectural, _local = build_federation(local_councils=0)
    with Stopwatch() as t, transaction.atomic():
        campaigns = [
            Campaign.objects.get_or_create(
                slug=SLUG.format(i + 1),
                defaults={
                    "name": f"ベンチ運動{i + 1}",
                    "starts_on": datetime.date(2021, 1, 1),
                    "lead_council": national,
                },
            )[0]
            for i in range(CAMPAIGNS)
        ]
        municipalities = list(Municipality.objects.exclude(kind=Municipality.Kind.WARD).order_by("code"))
        Assembly.objects.bulk_create(
            [Assembly(municipality=m, prefecture_id=m.prefecture_id) for m in municipalities]
            + [Assembly(prefecture=p) for p in Prefecture.objects.all()],
            batch_size=2000,
        )
        assemblies = list(Assembly.objects.all())
        sittings = []
        for a in assemblies:
            for year in YEARS:
                for season in SEASONS:
                    start = datetime.date(year, int(season), 1)
                    sittings.append(
                        Sitting(assembly=a, season=season, year=year, starts_on=start, ends_on=start.replace(day=25))
                    )
        Sitting.objects.bulk_create(sittings, batch_size=5000)
        sittings_of = {}
        for s in Sitting.objects.all().only("pk", "assembly_id", "starts_on"):
            sittings_of.setdefault(s.assembly_id, []).append(s)
        weights = [1 / (rank + 1) for rank in range(CAMPAIGNS)]
        outcomes = ["adopted"] * 40 + ["spirit"] * 5 + ["rejected"] * 30 + ["continued"] * 10 + ["pending"] * 15
        petitions = []
        for _ in range(PETITIONS):
            a = rng.choice(assemblies)
            s = rng.choice(sittings_of[a.pk])
            outcome = rng.choice(outcomes)
            day = s.starts_on + datetime.timedelta(days=10)
            decided = outcome not in ("pending", "continued")
            petitions.append(
                AssemblyPetition(
                    assembly_id=a.pk, sitting_id=s.pk, campaign=rng.choices(campaigns, weights)[0], title="ベンチ陳情",
                    submitted_on=s.starts_on, committee_on=day, committee_outcome=outcome,
                    outcome=outcome, decided_on=day if decided else None,
                )
            )  # fmt: skip
        AssemblyPetition.objects.bulk_create(petitions, batch_size=5000)
        adopted = AssemblyPetition.objects.filter(outcome__in=("adopted", "spirit")).values_list(
            "pk", "assembly_id", "campaign_id", "decided_on"
        )
        OpinionStatement.objects.bulk_create(
            [
                OpinionStatement(
                    assembly_id=a, petition_id=p, campaign_id=c, title="ベンチ意見書", status="adopted", adopted_on=d
                )
                for p, a, c, d in adopted
                if rng.random() < 0.9
            ],
            batch_size=5000,
        )
    print(f"  built in {t.seconds:.1f} s", flush=True)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")


BASELINE = [
    # adopting municipalities and prefectural assemblies per prefecture
    """
    SELECT p.code, COUNT(DISTINCT CASE WHEN a.municipality_id IS NOT NULL THEN a.id END),
           COUNT(DISTINCT CASE WHEN a.municipality_id IS NULL THEN a.id END)
    FROM municipalities_assemblypetition ap
    JOIN municipalities_assembly a ON a.id = ap.assembly_id
    JOIN municipalities_prefecture p ON p.id = a.prefecture_id
    WHERE ap.campaign_id = %s AND ap.outcome IN ('adopted', 'partly', 'spirit') {period}
    GROUP BY p.code
    """,
    # statements sent per prefecture
    """
    SELECT p.code, COUNT(*)
    FROM municipalities_opinionstatement o
    JOIN municipalities_assembly a ON a.id = o.assembly_id
    JOIN municipalities_prefecture p ON p.id = a.prefecture_id
    WHERE o.campaign_id = %s AND o.status = 'adopted' {statement_period}
    GROUP BY p.code
    """,
    # adopting assemblies per sitting
    """
    SELECT s.year, s.season, COUNT(DISTINCT ap.assembly_id)
    FROM municipalities_assemblypetition ap
    JOIN municipalities_sitting s ON s.id = ap.sitting_id
    WHERE ap.campaign_id = %s AND ap.outcome IN ('adopted', 'partly', 'spirit') {period}
    GROUP BY s.year, s.season
    """,
    # statements sent per sitting (of the petition they came from)
    """
    SELECT s.year, s.season, COUNT(*)
    FROM municipalities_opinionstatement o
    JOIN municipalities_assemblypetition ap ON ap.id = o.petition_id
    JOIN municipalities_sitting s ON s.id = ap.sitting_id
    WHERE o.campaign_id = %s AND o.status = 'adopted' {statement_period}
    GROUP BY s.year, s.season
    """,
]


def baseline(campaign, start, end):
    from django.db import connection

    period = " AND ap.decided_on BETWEEN %s AND %s" if start else ""
    statement_period = " AND o.adopted_on BETWEEN %s AND %s" if start else ""
    extra = [start, end] if start else []
    out = []
    with connection.cursor() as cur:
        for sql in BASELINE:
            cur.execute(sql.format(period=period, statement_period=statement_period), [campaign.pk, *extra])
            out.append(cur.fetchall())
    municipalities = {code: m for code, m, _p in out[0]}
    statements = dict(out[1])
    sittings = {f"{y}-{s}": (n, 0) for y, s, n in out[2]}
    for y, s, n in out[3]:
        sittings[f"{y}-{s}"] = (sittings.get(f"{y}-{s}", (0, 0))[0], n)
    prefectures = sum(1 for _code, m, p in out[0] if m or p)
    return sum(municipalities.values()), prefectures, sum(statements.values()), sittings


def ours(campaign, start, end):
    from municipalities.assemblies.selectors import assembly_count

    count = assembly_count(campaign=campaign, start=start, end=end)
    return (
        count.municipalities,
        count.prefecture_count,
        count.statements,
        {s.key: (s.assemblies, s.statements) for s in count.sittings},
    )


def queries_of(campaign, start, end):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        ours(campaign, start, end)
    return len(captured.captured_queries)


def main():
    args = parse_args()
    db = choose_database("bench_assemblies")
    setup_django(db, drop=args.rebuild)
    from campaigns.models import Campaign

    print(f"database {db.shown}; {machine()}")
    if not data_is_complete():
        print("building the data…", flush=True)
        build()
    campaign = Campaign.objects.get(slug=SLUG.format(1))
    year = (datetime.date(2024, 4, 1), datetime.date(2025, 3, 31))
    n_all, n_year = queries_of(campaign, None, None), queries_of(campaign, *year)
    constant = n_all == n_year == 4
    same = ours(campaign, None, None) == baseline(campaign, None, None) and ours(campaign, *year) == baseline(
        campaign, *year
    )
    for _ in range(args.warmup):
        ours(campaign, None, None)
        baseline(campaign, None, None)
    mine, theirs = [], []
    for _ in range(args.runs):
        with Stopwatch() as t:
            ours(campaign, None, None)
        mine.append(t.ms)
        with Stopwatch() as t:
            baseline(campaign, None, None)
        theirs.append(t.ms)
    ms, base_ms = median(mine), median(theirs)
    ratio = ms / base_ms if base_ms else float("inf")
    m, p, s, sittings = ours(campaign, None, None)
    print(
        f"campaign {campaign.slug}: {p} prefectures, {m:,} municipalities, {s:,} statements, {len(sittings)} sittings"
    )
    print(f"queries: {n_all} (whole campaign), {n_year} (one fiscal year)")
    print(f"selector assembly_count: median {ms:6.1f} ms (min {min(mine):.1f}, max {max(mine):.1f}, {args.runs} runs)")
    print(f"hand-written SQL (4):    median {base_ms:6.1f} ms (min {min(theirs):.1f}, max {max(theirs):.1f})")
    print(f"ratio selector / SQL:    {ratio:.2f}x")
    fast = ms < TARGET_MS
    summary(
        "issue 11 (a campaign's national count, 50,000 assembly petitions)",
        f"{verdict(fast and constant and same)} {ms:.1f} ms vs SQL {base_ms:.1f} ms = {ratio:.2f}x, "
        f"{n_all} queries at both sizes, same numbers: {verdict(same)} (target < {TARGET_MS} ms), "
        f"load {load()}",
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
