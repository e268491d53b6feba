"""Every admin add page and the heaviest change page of each model, on the demo data (issue 16).

Target: every admin add and change page under 300 ms and 100 KB on the demo data, for national
staff. The heaviest change page of a model is its row with the most inline and summarised rows
(`tests/admin_pages.py`, shared with tests/core/test_admin_pages_on_the_demo.py): the caravan with
the most targets, the national council with its 66 councils below. Each figure is the median of
--runs requests after one untimed one, through Django's test client (the whole admin view, template
rendering included); the queries of the last request are counted. The demo data (`seed_demo`) is
made once in the bench's own database (`bench_admin_pages`); the baseline is the admin's index page.

    .venv/bin/python bench/bench_admin_pages.py [--runs 3] [--only caravan]
"""

import argparse
import io
import logging
import os
import sys

from _common import Stopwatch, choose_database, load, machine, median, setup_django, summary, verdict

TARGET_MS = 300
TARGET_BYTES = 100_000


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="timed requests of each page (median reported)")
    parser.add_argument("--only", default="", help="only pages whose label or URL contains this")
    return parser.parse_args()


def measure(client, url, runs):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # untimed: the first request fills the per-process caches
    times = []
    for _ in range(runs):
        with CaptureQueriesContext(connection) as queries, Stopwatch() as t:
            response = client.get(url)
        times.append(t.ms)
    return median(times), response.status_code, len(response.content), len(queries)


def main():
    args = parse_args()
    db = choose_database("bench_admin_pages")
    print(f"bench_admin_pages: {db.shown}, load {load()}", flush=True)
    setup_django(db)
    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from councils.models import Role, User
    from tests.admin_pages import admin_pages

    if not User.objects.filter(role=Role.NATIONAL_STAFF, council__isnull=False).exists():
        os.environ.setdefault("SHAHO_DEMO_PASSWORD", "bench-admin-pages-2026")
        with Stopwatch() as t:
            call_command("seed_demo", stdout=io.StringIO())
        print(f"demo data made in {t.seconds:.0f} s", flush=True)

    settings.ALLOWED_HOSTS = ["*"]
    settings.OTP_REQUIRED = False  # the pages are measured, not the second factor
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the 403s of pages without an add form
    user = User.objects.filter(role=Role.NATIONAL_STAFF, council__isnull=False).order_by("pk").first()
    client = Client()
    client.force_login(user)
    base_ms, _, base_size, _ = measure(client, reverse("admin:index"), args.runs)
    print(f"{user.username}: the admin index (baseline) {base_ms:.0f} ms, {base_size / 1000:.0f} KB\n", flush=True)

    rows = []
    for label, url in admin_pages():
        if args.only and args.only not in label and args.only not in url:
            continue
        ms, status, size, queries = measure(client, url, args.runs)
        if status != 200:
            continue  # no add form here (the ledger, the access log), or national staff's own redirect
        rows.append((label, url, ms, size, queries))
        over = ms >= TARGET_MS or size >= TARGET_BYTES
        print(
            f"  {ms:6.0f} ms {size / 1000:6.1f} KB {queries:3} queries  {label:28} {url}{'  <-- over' if over else ''}"
        )

    slow = [r for r in rows if r[2] >= TARGET_MS]
    heavy = [r for r in rows if r[3] >= TARGET_BYTES]
    worst_ms = max(rows, key=lambda r: r[2])
    worst_kb = max(rows, key=lambda r: r[3])
    print(f"\nmachine: {machine()}")
    print(f"{len(rows)} pages; over {TARGET_MS} ms: {len(slow)}; over {TARGET_BYTES // 1000} KB: {len(heavy)}")
    print(f"slowest {worst_ms[2]:.0f} ms ({worst_ms[0]}), heaviest {worst_kb[3] / 1000:.1f} KB ({worst_kb[0]})")
    summary(
        f"issue 16 (every admin add and change page < {TARGET_MS} ms and < {TARGET_BYTES // 1000} KB, demo data)",
        f"{verdict(not slow and not heavy)} slowest {worst_ms[2]:.0f} ms, heaviest {worst_kb[3] / 1000:.1f} KB, "
        f"{len(slow)} slow and {len(heavy)} heavy of {len(rows)}, {db.vendor}, load {load()}",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
