"""The petitions API over the tally bench's 1,000,000 ledger entries, against its selectors (issue 21).

Target: the 集約一覧表 endpoint and the ledger endpoint (its first page and a deep page) answer within 1.5x of
the selector's own time on the same data in the same run, in a constant number of queries per page; a 304
costs one query at most.

Data: bench_tally_table.py's (1 national + 47 prefectural + 452 local councils, 20 drives, 1,000,000 entries,
built once in this bench's own database `bench_api`, reused while complete; `--rebuild` starts over).

Each side, median of --runs after a warm-up, the two alternating so they share the machine's load:

- 集約一覧表: GET /api/v1/petitions/drives/<id>/tally-table/?as_of=<last day> with a 事務局 token of Tokyo's
  prefectural council (the whole request through Django: middleware, token, rate limit, ETag, JSON) against
  `petitions.selectors.tally_table(...)` with its rows rendered to values (what the page does); the same for
  `?prefecture=13` (Tokyo's councils).
- the ledger: GET /api/v1/petitions/entries/?page_size=100 (first page) and &page=<90 % of the pages> (a deep
  page) against `petitions.selectors.ledger_entries(user=<Tokyo staff>)` paginated as any page of it must be:
  its count and its 100 rows (Django's Paginator).

The API's ledger pages read their rows as values (the serializer's columns) of the selector's queryset; the
selector's side builds its model instances, as the site's page does.

Also printed: the queries of each API answer, and the queries and time of a 304 (If-None-Match of the previous
answer): the fixed cost of a request (token, rate limit and usage log in the cache, the ETag's one query).
The token comes from the shared cache (CACHE_URL, Redis when set; else the process's memory) as in production;
the rate limit is raised for the run and the usage log's time-based flush is pushed back (it is one INSERT per
SHAHO_API_USE_BATCH uses, not per request).

    .venv/bin/python bench/bench_api.py [--rebuild] [--runs 21]
"""

import os
import secrets
import sys

from _common import Stopwatch, bench_arguments, choose_database, load, machine, median, setup_django, summary, verdict

TARGET_RATIO = 1.5
PAGE_SIZE = 100


def environment():
    """Production settings (DEBUG off), with what a measured client needs: its host, plain HTTP, no rate limit."""
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
    os.environ["SECURE_SSL_REDIRECT"] = "0"
    os.environ["SHAHO_API_RATE"] = "1000000/min,10000000/hour"
    os.environ.setdefault("SHAHO_API_TOKEN_PEPPER", secrets.token_urlsafe(32))
    os.environ["SHAHO_API_USE_FLUSH_SECONDS"] = "3600"


def ensure_data(db, rebuild):
    import bench_tally_table as tally

    setup_django(db, drop=rebuild)
    if tally.data_is_complete():
        print("reusing the data already built (--rebuild to start over)")
        return
    print("building the tally bench's data (first run, or --rebuild):", flush=True)
    from councils.models import Council

    if Council.objects.exists():
        setup_django(db, drop=True)
    tally.build(db)


def tokyo_staff_and_token():
    """A staff member of Tokyo's prefectural council (the page's reader) and a new 事務局 token of the council."""
    from django.contrib.auth import get_user_model

    from councils.models import Council, CouncilKind, Role
    from councils.services import user_create
    from shaho.core.api.models import ApiAccess
    from shaho.core.api.services import api_token_create

    tokyo = Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="13")
    staff = get_user_model().objects.filter(username="bench-api-tokyo-staff").first()
    if staff is None:
        staff = user_create(
            username="bench-api-tokyo-staff", password=secrets.token_urlsafe(16), council=tokyo, role=Role.COUNCIL_STAFF
        )
    _token, secret = api_token_create(council=tokyo, name="bench_api", user=staff, access=ApiAccess.STAFF)
    return staff, secret


class Counted:
    """with Counted() as c: ...; c.n: the queries sent (an execute wrapper: works with DEBUG off and across the
    test client's request signals, which reset Django's query log)."""

    def __enter__(self):
        from django.db import connection

        self.n = 0
        self._wrapper = connection.execute_wrapper(self)
        self._wrapper.__enter__()
        return self

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)

    def __exit__(self, *exc):
        self._wrapper.__exit__(*exc)


def alternate(a, b, runs, warmup=3):
    """(median ms of a, median ms of b), alternating which goes first."""
    for _ in range(warmup):
        a()
        b()
    ta, tb = [], []
    for i in range(runs):
        for side in ("a", "b") if i % 2 == 0 else ("b", "a"):
            with Stopwatch() as t:
                (a if side == "a" else b)()
            (ta if side == "a" else tb).append(t.ms)
    return median(ta), median(tb)


def main():
    args = bench_arguments(__doc__).parse_args()
    environment()
    db = choose_database("bench_api")
    print(f"bench_api: {db.shown}, load {load()}", flush=True)
    ensure_data(db, args.rebuild)

    from bench_tally_table import SLUG
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from petitions import selectors
    from petitions.models import PetitionDrive

    staff, secret = tokyo_staff_and_token()
    petition = PetitionDrive.objects.get(slug=SLUG.format(1))
    as_of = petition.ends_on
    client = Client()
    header = {"HTTP_AUTHORIZATION": f"Token {secret}"}

    def api(url):
        def call():
            response = client.get(url, **header)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            return response

        return call

    table_url = reverse("api:petition-tally-table", args=[petition.pk]) + f"?as_of={as_of}"
    pref_url = table_url + "&prefecture=13"
    ledger_url = reverse("api:petition-entry-list") + f"?page_size={PAGE_SIZE}"
    ledger = selectors.ledger_entries(user=staff)
    entries = ledger.count()
    deep = max(1, (entries // PAGE_SIZE) * 9 // 10)
    deep_url = f"{ledger_url}&page={deep}"

    def table_selector(prefecture=None):
        def call():
            from municipalities.models import Prefecture

            pref = Prefecture.objects.get(code="13") if prefecture else None
            table = selectors.tally_table(petition=petition, as_of=as_of, prefecture=pref)
            table.values()
            return table

        return call

    def ledger_selector(number):
        def call():
            page = Paginator(selectors.ledger_entries(user=staff), PAGE_SIZE).page(number)
            return list(page.object_list)

        return call

    # Same figures first: the API's total is the selector's.
    api_total = api(table_url)().json()[-1]
    selector_total = table_selector()().total
    same = (api_total["to_date"], api_total["submitted"]) == (selector_total.to_date, selector_total.submitted)
    first_ids = [r["id"] for r in api(ledger_url)().json()["results"]]
    same &= first_ids == [e.pk for e in ledger_selector(1)()]
    print(
        f"drive {petition.slug} as of {as_of}: total to date {selector_total.to_date:,}; Tokyo's ledger "
        f"{entries:,} entries ({-(-entries // PAGE_SIZE)} pages of {PAGE_SIZE}, deep page {deep}); "
        f"same figures as the selectors: {'yes' if same else 'NO'}"
    )

    cases = [
        ("集約一覧表 (national)", table_url, table_selector()),
        ("集約一覧表 (?prefecture=13)", pref_url, table_selector("13")),
        ("ledger first page", ledger_url, ledger_selector(1)),
        (f"ledger deep page {deep}", deep_url, ledger_selector(deep)),
    ]
    load_before = load()
    results = []
    for label, url, selector in cases:
        api(url)()  # the token in the cache, the usage log's minute noted
        with Counted() as queries:
            first = api(url)()
        with Counted() as not_modified:
            response = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"], **header)
        assert response.status_code == 304, (url, response.status_code)
        api_ms, selector_ms = alternate(api(url), selector, args.runs)

        def revalidate(url=url, etag=first["ETag"]):
            assert client.get(url, HTTP_IF_NONE_MATCH=etag, **header).status_code == 304

        fixed_ms, _ = alternate(revalidate, lambda: None, args.runs, warmup=1)
        results.append((label, api_ms, selector_ms, queries.n, not_modified.n, fixed_ms))

    from django.conf import settings

    print(f"machine: {machine()} (load before measuring {load_before})")
    print(f"shared cache (token, rate limit, usage log, ETag dates): {settings.CACHES['default']['BACKEND']}")
    ok_all = same
    for label, api_ms, selector_ms, queries, not_modified, fixed_ms in results:
        ratio = api_ms / selector_ms
        ok = ratio <= TARGET_RATIO and not_modified <= 1
        ok_all &= ok
        print(
            f"{label:30} API {api_ms:8.1f} ms  selector {selector_ms:8.1f} ms  ratio {ratio:.2f}  "
            f"{verdict(ratio <= TARGET_RATIO)} (<= {TARGET_RATIO}x)  queries per page {queries}  "
            f"304: {not_modified} quer{'y' if not_modified == 1 else 'ies'} {verdict(not_modified <= 1)} "
            f"in {fixed_ms:.1f} ms (the request's fixed cost: token, rate limit, usage log, fingerprint)"
        )
    if connection.vendor != "postgresql":
        print("note: the target is for PostgreSQL; on SQLite these figures are for information")
    summary(
        "issue 21 (petitions API vs selectors, 1M entries)",
        f"{verdict(ok_all)} "
        + "; ".join(f"{label} {a / s:.2f}x" for label, a, s, _q, _n, _f in results)
        + f" (target <= {TARGET_RATIO}x, 304 <= 1 query), {connection.vendor}, load {load()}",
    )
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
