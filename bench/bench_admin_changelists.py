"""Every admin changelist, its search and its filters over the tally bench's ledger (issue 16).

Target: with the 1,000,000 ledger entries of bench_tally_table.py on PostgreSQL, every
admin changelist answers in under 300 ms for national staff and for prefectural staff
(Tokyo's, the largest prefecture), and so do its search (a name that matches many rows,
and one that matches none) and each of its filters (the first choice of each).

Uses bench_tally_table's data and database (`bench_tally`), built by its code when missing.
`--entries 200000` builds a smaller ledger in its own database (`bench_admin_200000`) for a
machine that cannot spare the time; the figures say which size they are for. Requests go
through Django's test client (the whole admin view, template rendering included, without
a network); each figure is the median of --runs after one untimed request. The baseline is
the admin's index page (no list at all), measured in the same run.

    .venv/bin/python bench/bench_admin_changelists.py [--entries N] [--runs 3] [--only tallyentry]
"""

import argparse
import logging
import re
import sys
from html import unescape

import bench_tally_table as tally
from _common import Stopwatch, choose_database, load, machine, median, setup_django, summary, verdict

TARGET_MS = 300
SEARCH_MANY = "東京"  # two characters: the councils' names (Tokyo's 16 councils), not a trigram
SEARCH_PLACE = "桜木町駅"  # a place typed on one entry in thirty
SEARCH_NONE = "該当なしの語"
SEARCH_NUMBER = "4242"  # an entry's number
# Where the entries were collected, typed on one entry in three (the tally bench leaves them empty).
PLACES = [
    "桜木町駅前宣伝", "新宿駅西口", "東京駅丸の内口", "横浜駅西口", "大阪梅田", "札幌大通", "名古屋栄", "集会で",
    "職場で", "戸別訪問",
]  # fmt: skip
FILTER_BLOCK = re.compile(r"<details data-filter-title=.*?</details>", re.S)
HREF = re.compile(r'<a href="(\?[^"]*)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entries", type=int, default=tally.ENTRIES, help="ledger size (default: the tally bench's)")
    parser.add_argument("--runs", type=int, default=3, help="timed requests of each page (median reported)")
    parser.add_argument("--only", default="", help="only changelists whose model name contains this")
    return parser.parse_args()


def type_places():
    """One entry in three gets the place it was collected at, as staff type them (once; idempotent)."""
    from django.db import connection
    from django.db.models import Case, IntegerField, Value, When
    from django.db.models.functions import Mod

    from petitions.models import TallyEntry

    if TallyEntry.objects.exclude(source="").exists():
        return
    entries = TallyEntry.objects.annotate(third=Mod("id", 3, output_field=IntegerField())).filter(third=0)
    place = Case(*(When(id__endswith=str(i), then=Value(p)) for i, p in enumerate(PLACES)))
    entries.filter(corrects__isnull=True).update(source=place)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # a third of the rows rewritten: fresh statistics, the GIN lists merged
            cursor.execute("VACUUM ANALYZE petitions_tallyentry")
    print("  places typed on one entry in three", flush=True)


def users():
    from councils.models import Council, CouncilKind, Role
    from councils.services import user_create

    national = Council.objects.get(kind=CouncilKind.NATIONAL)
    tokyo = Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="13")
    made = {}
    for username, council, role in (
        ("bench-admin-national", national, Role.NATIONAL_STAFF),
        ("bench-admin-tokyo", tokyo, Role.COUNCIL_STAFF),
    ):
        from django.contrib.auth import get_user_model

        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            user = user_create(username=username, password="bench-admin-pass-2026", council=council, role=role)
        made[username] = user
    return made


def filter_links(html):
    """The first choice of each filter in the changelist's side panel (its first link is 「すべて」)."""
    links = []
    for block in FILTER_BLOCK.findall(html):
        hrefs = [unescape(h) for h in HREF.findall(block)]
        if len(hrefs) > 1:
            title = re.search(r'data-filter-title="([^"]*)"', block).group(1)
            links.append((unescape(title), hrefs[1]))
    return links


def timed(client, url, runs):
    client.get(url)  # untimed: the first request warms the caches, as a staff member's second click would
    times, status, size = [], None, 0
    for _ in range(runs):
        with Stopwatch() as t:
            response = client.get(url)
        times.append(t.ms)
        status, size = response.status_code, len(response.content)
    return median(times), status, size


def main():
    args = parse_args()
    tally.ENTRIES = args.entries
    name = "bench_tally" if args.entries == 1_000_000 else f"bench_admin_{args.entries}"
    db = choose_database(name)
    print(f"bench_admin_changelists: {db.shown}, {args.entries:,} ledger entries, load {load()}", flush=True)
    setup_django(db)
    if not tally.data_is_complete():
        from councils.models import Council

        print("building the tally bench's data:", flush=True)
        if Council.objects.exists():
            setup_django(db, drop=True)
        tally.build(db)
    type_places()

    from django.conf import settings
    from django.contrib import admin
    from django.test import Client
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["*"]
    settings.OTP_REQUIRED = False  # the pages are measured, not the second factor (required with DEBUG=0)
    logging.getLogger("django.request").setLevel(logging.CRITICAL)  # the 403s of national-only lists
    rows = []
    for username, user in users().items():
        client = Client()
        client.force_login(user)
        base_ms, _, _ = timed(client, reverse("admin:index"), args.runs)
        print(f"\n{username}: the admin index (baseline) {base_ms:.0f} ms", flush=True)
        for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
            if args.only and args.only not in model._meta.model_name:
                continue
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
            response = client.get(url)
            if response.status_code != 200:
                continue  # national staff's only
            pages = [("一覧", url)]
            if admin.site._registry[model].search_fields:
                terms = [SEARCH_MANY, SEARCH_NONE]
                if model._meta.model_name == "tallyentry":
                    terms += [SEARCH_PLACE, SEARCH_NUMBER]
                pages += [(f"検索「{term}」", f"{url}?q={term}") for term in terms]
            pages += [(f"絞り込み「{title}」", url + href) for title, href in filter_links(response.content.decode())]
            for what, page in pages:
                ms, status, size = timed(client, page, args.runs)
                rows.append((username, model._meta.model_name, what, ms, status))
                flag = "" if ms < TARGET_MS and status == 200 else "  <-- over" if status == 200 else f"  <-- {status}"
                print(f"  {ms:7.0f} ms {size / 1000:6.0f} KB  {model._meta.model_name:22} {what}{flag}", flush=True)

    slow = [r for r in rows if r[3] >= TARGET_MS]
    errors = [r for r in rows if r[4] != 200]
    worst = max(rows, key=lambda r: r[3])
    ledger = [r for r in rows if r[1] == "tallyentry"]
    print(f"\nmachine: {machine()}")
    print(f"{len(rows)} pages; over {TARGET_MS} ms: {len(slow)}; worst {worst[3]:.0f} ms ({' '.join(worst[:3])})")
    for r in ledger:
        print(f"  ledger {r[0]:22} {r[2]:28} {r[3]:6.0f} ms")
    summary(
        f"issue 16 (every admin changelist, search and filter < {TARGET_MS} ms, {args.entries:,} entries)",
        f"{verdict(not slow and not errors)} worst {worst[3]:.0f} ms, {len(slow)} of {len(rows)} over, "
        f"{len(errors)} errors, {db.vendor}, load {load()}",
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
