"""Shared helpers for the benchmarks: which database, Django set-up, the federation, timing and reporting.

Each benchmark owns a database named after it (bench_tally, bench_http): it writes
a lot of rows there and may drop it, so it never touches the development or test
databases. The server comes from the environment:

- BENCH_DATABASE_URL, used as given (its database name must start with "bench");
- else DATABASE_URL's PostgreSQL server with the benchmark's own database name;
- else PostgreSQL at 127.0.0.1:5432 (user postgres) when it answers;
- else SQLite in the temporary directory (figures for information only: the targets are for PostgreSQL).
"""

import argparse
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaho.settings")

DEFAULT_SERVER = "postgres://postgres@127.0.0.1:5432/postgres"


@dataclass
class Database:
    url: str
    name: str
    vendor: str  # "postgresql" or "sqlite"

    @property
    def shown(self):
        """The URL without a password, for the report."""
        parts = urlsplit(self.url)
        if not parts.netloc:
            return self.url
        netloc = parts.netloc.rsplit("@", 1)[-1]
        user = parts.username
        return urlunsplit(parts._replace(netloc=f"{user}@{netloc}" if user else netloc))


def _is_postgres(url):
    return urlsplit(url).scheme in ("postgres", "postgresql", "pgsql")


def _with_name(url, name):
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def _reachable(url):
    import psycopg2

    try:
        psycopg2.connect(_with_name(url, "postgres"), connect_timeout=3).close()
    except psycopg2.Error:
        return False
    return True


def choose_database(name):
    """The database this benchmark writes to (see the module docstring)."""
    explicit = os.environ.get("BENCH_DATABASE_URL")
    if explicit:
        if _is_postgres(explicit):
            db_name = urlsplit(explicit).path.lstrip("/")
            vendor = "postgresql"
        else:
            db_name = Path(urlsplit(explicit).path).stem
            vendor = "sqlite"
        if not db_name.startswith("bench"):
            sys.exit(f"BENCH_DATABASE_URL names {db_name!r}: a benchmark database's name must start with 'bench'.")
        return Database(explicit, db_name, vendor)
    server = os.environ.get("DATABASE_URL", "")
    if server and _is_postgres(server):
        return Database(_with_name(server, name), name, "postgresql")
    if not server and _reachable(DEFAULT_SERVER):
        return Database(_with_name(DEFAULT_SERVER, name), name, "postgresql")
    path = Path(tempfile.gettempdir()) / "shaho-bench" / f"{name}.sqlite3"
    path.parent.mkdir(exist_ok=True)
    return Database(f"sqlite:///{path}", name, "sqlite")


def _admin_connection(db):
    import psycopg2

    conn = psycopg2.connect(_with_name(db.url, "postgres"), connect_timeout=5)
    conn.autocommit = True
    return conn


def create_database(db, *, drop=False):
    """Create the benchmark's database if missing; with `drop`, start from an empty one."""
    if db.vendor == "sqlite":
        path = Path(urlsplit(db.url).path)
        if drop and path.exists():
            path.unlink()
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    conn = _admin_connection(db)
    try:
        with conn.cursor() as cur:
            if drop:
                cur.execute(f'DROP DATABASE IF EXISTS "{db.name}" WITH (FORCE)')
            cur.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db.name])
            if cur.fetchone() is None:
                cur.execute(f'CREATE DATABASE "{db.name}"')
    finally:
        conn.close()


def setup_django(db, *, drop=False):
    """Point Django at `db`, create and migrate it, and load Japan's registry once."""
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()
    create_database(db, drop=drop)
    os.environ["DATABASE_URL"] = db.url
    # As in production: no query log kept in memory, no debug pages.
    os.environ.setdefault("DEBUG", "0")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(40))
    import django

    django.setup()
    from django.core.management import call_command

    from municipalities.models import Prefecture

    call_command("migrate", verbosity=0, interactive=False)
    if not Prefecture.objects.exists():
        call_command("load_municipalities", verbosity=0)


def load():
    """The 1, 5 and 15 minute load averages, as printed in every report."""
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def machine():
    """One line: cores, load, database server."""
    from django.db import connection

    server = connection.vendor
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SHOW server_version")
            server = f"PostgreSQL {cur.fetchone()[0]}"
    elif connection.vendor == "sqlite":
        import sqlite3

        server = f"SQLite {sqlite3.sqlite_version}"
    return f"{os.cpu_count()} cores, load {load()}, {server}"


def percentile(values, p):
    """The p-th percentile (0–100), nearest rank."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def median(values):
    return statistics.median(values)


class Stopwatch:
    """with Stopwatch() as t: ...; t.ms"""

    def __enter__(self):
        self.start = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.seconds = time.perf_counter() - self.start
        self.ms = self.seconds * 1000


def verdict(ok):
    return "PASS" if ok else "FAIL"


def summary(target, text):
    """The one line per target that `make bench` readers look for."""
    print(f"SUMMARY {target}: {text}")


def bench_arguments(doc, *, runs=21):
    """The parser every benchmark starts from: its description (the docstring's first paragraph), `--rebuild`
    (start from an empty database) and `--runs` (how many timed runs a median is taken of). Add more to it."""
    parser = argparse.ArgumentParser(description=doc.split("\n\n")[0])
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--runs", type=int, default=runs)
    return parser


def timed(function, runs):
    """(median milliseconds of `runs` calls of `function`, the last call's result)."""
    times, result = [], None
    for _ in range(runs):
        with Stopwatch() as t:
            result = function()
        times.append(t.ms)
    return median(times), result


def sql_rows(*queries):
    """The rows of each hand-written (query, params), in one cursor: the baseline a benchmark measures beside."""
    from django.db import connection

    out = []
    with connection.cursor() as cur:
        for query, params in queries:
            cur.execute(query, params)
            out.append(cur.fetchall())
    return out


def report_against_sql(target, results):
    """Print each (label, ours ms, hand-written SQL ms, queries, target ms) with its ratio and verdict, then the
    SUMMARY line; the exit status (0 when every figure is under its target)."""
    ok_all = True
    for label, ours_ms, base_ms, queries, target_ms in results:
        ok = ours_ms < target_ms
        ok_all &= ok
        print(f"{label}: {ours_ms:.1f} ms in {queries} queries; hand-written SQL {base_ms:.1f} ms;"
              f" ratio {ours_ms / base_ms:.2f}; target < {target_ms} ms: {verdict(ok)}")  # fmt: skip
    summary(target, "PASS" if ok_all else "FAIL")
    return 0 if ok_all else 1


# --- the federation -------------------------------------------------------

NATIONAL_NAME = "中央社会保障推進協議会"


def build_federation(*, local_councils):
    """The national council, one prefectural council per prefecture and `local_councils` local ones.

    Local councils are spread over the prefectures in proportion to their
    municipalities (Tokyo and Hokkaido get many, Tottori few), at least one each.
    Written through councils.services so paths, sort keys and stages are as in production. Idempotent:
    councils already there are kept. Returns (national, {prefecture pk: prefectural}, [local]).
    """
    from django.db import transaction
    from django.db.models import Count

    from councils.models import Council, CouncilKind
    from councils.services import council_create
    from municipalities.models import Prefecture

    with transaction.atomic():
        national = Council.objects.filter(kind=CouncilKind.NATIONAL).first()
        if national is None:
            national = council_create(kind=CouncilKind.NATIONAL, name=NATIONAL_NAME)
        prefectures = list(Prefecture.objects.annotate(n=Count("municipalities")).order_by("code"))
        prefectural = {c.prefecture_id: c for c in Council.objects.filter(kind=CouncilKind.PREFECTURAL)}
        for p in prefectures:
            if p.pk not in prefectural:
                name = f"{p.name}社会保障推進協議会"
                prefectural[p.pk] = council_create(
                    kind=CouncilKind.PREFECTURAL, name=name, parent=national, prefecture=p
                )
        existing = list(Council.objects.filter(kind=CouncilKind.LOCAL).order_by("pk"))
        if len(existing) < local_councils:
            total = sum(p.n for p in prefectures) or len(prefectures)
            spare = local_councils - len(prefectures)
            quota = {p.pk: 1 + (spare * p.n) // total for p in prefectures}
            have = {}
            for c in existing:
                have[c.prefecture_id] = have.get(c.prefecture_id, 0) + 1
            wanted = local_councils - len(existing)
            # Round-robin over prefectures still under quota, then over all, until enough.
            while wanted > 0:
                for p in prefectures:
                    if wanted == 0:
                        break
                    n = have.get(p.pk, 0)
                    if n >= quota[p.pk] and any(have.get(q.pk, 0) < quota[q.pk] for q in prefectures):
                        continue
                    c = council_create(
                        kind=CouncilKind.LOCAL,
                        name=f"{p.name}第{n + 1}地域社保協",
                        parent=prefectural[p.pk],
                        prefecture=p,
                    )
                    existing.append(c)
                    have[p.pk] = n + 1
                    wanted -= 1
    return national, prefectural, existing[:local_councils]


# --- the document benches: the demo in a temporary SQLite database --------------------------------------------


def demo_sqlite_setup():
    """A temporary SQLite database and MEDIA_ROOT, tasks in-process, Django set up: the document benches
    (bench_newsletter, bench_policy_draft, bench_tally_pdf) build the demo there. Returns the folder."""
    work = Path(tempfile.mkdtemp(prefix="shaho-bench-"))
    os.environ["DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["MEDIA_ROOT"] = str(work / "media")
    os.environ.pop("CELERY_BROKER_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaho.settings")
    os.environ.setdefault("SHAHO_DEMO_PASSWORD", "bench-password-2025")
    import django

    django.setup()
    return work


def build_demo():
    """Migrate, load the registry and seed the demo, quietly."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("load_municipalities", verbosity=0)
    with open(os.devnull, "w") as devnull:
        call_command("seed_demo", stdout=devnull)
