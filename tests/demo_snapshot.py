"""The demo, seeded once per run and kept as a snapshot that each demo module loads in a second or less.

`seed_demo` takes 30–50 s (every row through the services, `full_clean` and history), and a dozen modules
need its data: seeding in each cost CI several minutes, twice (SQLite, then PostgreSQL). Instead, the first
process that needs a demo (per list of steps) seeds it once — into a scratch copy of its own test database,
never into the test database itself — and keeps what changed: on SQLite the scratch database file itself, on
PostgreSQL each changed table as `COPY` text; with the files the seed wrote (the newsletters' photos and PDFs).
A demo module then loads it inside its module transaction (tests/module_data.py), so it is rolled back after
the module like a seeded demo was:

- SQLite: each changed table is emptied and filled with the snapshot file's rows, read by a plain sqlite3
  connection and written through the test connection's own (values go back exactly as stored, in the open
  transaction, where ATTACH is not allowed); AUTOINCREMENT's counters follow the inserted ids by themselves.
- PostgreSQL: `DELETE FROM t` then `COPY t FROM STDIN` per changed table, then every loaded table's sequence
  is set past its largest id (Django's `sequence_reset_sql`), so rows the tests create get new ids.

The snapshot is named by a hash of everything that shapes it (the sources of every app and of the demo,
the templates and static files, every migration, the registry's data, the requirements), the steps, the
database engine and the date (the demo writes "now" into a few rows). A file lock makes a second process
(another xdist worker) wait while the first builds it, then load it. The unchanged tables are compared (row
count and largest id) with the snapshot's at each load: a test database that does not start where the
snapshot started (a registry loaded again after a transactional test) is seeded for real instead, and says so.
`SHAHO_DEMO_SNAPSHOT=0` turns it off (every demo module seeds, as before). The snapshots live in the temporary
directory and are never committed. The tests of `seed_demo` itself (tests/councils/test_demo*.py) still seed.
"""

import contextlib
import datetime
import fcntl
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tempfile
import warnings
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction
from django.test.utils import override_settings

from demo import STEPS
from tests import sqlite_template
from tests.module_data import kept_for_the_module

ROOT = sqlite_template.ROOT
# The one password of the demo's accounts in the tests (SHAHO_DEMO_PASSWORD while seeding).
PASSWORD = "demo-password-2025"
SHAPING_DIRS = ["shaho", "councils", "municipalities", "petitions", "campaigns", "consultations", "reports"]
SHAPING_DIRS += ["demo", "templates", "static", "locale"]
SQLITE_NAME = "demo.sqlite3"
# The steps of the site's pages without the documents (tests/test_links_work.py, tests/demo/test_scaled_figures.py).
SITE_STEPS = ["demo.federation", "demo.petitions", "demo.campaigns", "demo.caravans", "demo.consultations"]


def enabled():
    return os.environ.get("SHAHO_DEMO_SNAPSHOT", "1").strip() != "0" and connection.vendor in {"sqlite", "postgresql"}


def _shaping_files():
    files = set(sqlite_template._shaping_files())
    for folder in SHAPING_DIRS:
        files.update(p for p in (ROOT / folder).rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    files.add(ROOT / "requirements-dev.txt")
    files.add(Path(__file__))
    return sorted(files)


def snapshot_dir(steps):
    digest = hashlib.sha256()
    for path in _shaping_files():
        digest.update(os.path.relpath(path, ROOT).encode())
        digest.update(path.read_bytes())
    digest.update(repr((list(steps), connection.vendor, datetime.date.today().isoformat(), PASSWORD)).encode())
    return Path(tempfile.gettempdir()) / f"shaho-demo-{connection.vendor}-{digest.hexdigest()[:16]}"


def seed(steps, *, stdout=None):
    """Run `seed_demo` for `steps` (every step by default) into the current database; its output."""
    from demo.management.commands import seed_demo as command

    out = stdout or io.StringIO()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SHAHO_DEMO_PASSWORD", PASSWORD)
        patch.setattr(command, "STEPS", list(steps))
        call_command("seed_demo", stdout=out)
    return out.getvalue()


# --- the tables, their counts and fingerprints ------------------------------------------------------


def _tables(cursor):
    return sorted(t.name for t in connection.introspection.get_table_list(cursor) if t.type == "t")


def _pk_column(cursor, table):
    return connection.introspection.get_primary_key_column(cursor, table)


def _shape(cursor, table, pk):
    """[rows, largest primary key] of `table`: what the loader compares for a table it does not load."""
    quote = connection.ops.quote_name
    cursor.execute(f"SELECT COUNT(*), {f'MAX({quote(pk)})' if pk else 'NULL'} FROM {quote(table)}")
    count, top = cursor.fetchone()
    return [count, None if top is None else str(top)]


# --- building ---------------------------------------------------------------------------------------


@contextlib.contextmanager
def _connected_to(name):
    """The default connection, pointed at the database `name` for the block (no transaction open)."""
    test_name = connection.settings_dict["NAME"]
    connection.close()
    connection.settings_dict["NAME"] = name
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["NAME"] = test_name


def _seed_into(name, steps, media):
    with (
        _connected_to(name),
        override_settings(MEDIA_ROOT=str(media), TASKS_EAGER_IN_THREAD=False),
        transaction.atomic(),
    ):
        return seed(steps)


def _build_sqlite(partial, steps, media):
    test_name = connection.settings_dict["NAME"]
    scratch = partial / SQLITE_NAME
    connection.close()
    source, target = sqlite3.connect(test_name), sqlite3.connect(scratch)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    output = _seed_into(str(scratch), steps, media)
    db = sqlite3.connect(scratch)
    try:
        db.execute("PRAGMA journal_mode=DELETE")  # one file, read by every loader
        db.execute("ATTACH DATABASE ? AS base", [test_name])
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        changed = []
        for table in names:
            if table == "sqlite_sequence":
                continue
            differs = db.execute(
                f'SELECT EXISTS (SELECT * FROM main."{table}" EXCEPT SELECT * FROM base."{table}")'
                f' OR EXISTS (SELECT * FROM base."{table}" EXCEPT SELECT * FROM main."{table}")'
            ).fetchone()[0]
            if differs:
                changed.append(table)
    finally:
        db.close()
    return changed, output


def _build_postgresql(partial, steps, media):
    test_name = connection.settings_dict["NAME"]
    scratch = f"{test_name}_demo_{os.getpid()}"
    quote = connection.ops.quote_name
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {quote(scratch)}")
        cursor.execute(f"CREATE DATABASE {quote(scratch)} TEMPLATE {quote(test_name)}")
    try:
        output = _seed_into(scratch, steps, media)
        fingerprints = {}
        for name in (test_name, scratch):
            with _connected_to(name), connection.cursor() as cursor:
                fingerprints[name] = {}
                for table in _tables(cursor):
                    cursor.execute(
                        f"SELECT COUNT(*), md5(COALESCE(string_agg(x::text, '|' ORDER BY x::text), '')) "
                        f"FROM {quote(table)} x"
                    )
                    fingerprints[name][table] = cursor.fetchone()
        changed = [t for t, f in fingerprints[scratch].items() if fingerprints[test_name].get(t) != f]
        with _connected_to(scratch), connection.cursor() as cursor:
            for table in changed:
                with open(partial / f"{table}.copy", "w", encoding="utf-8") as f:
                    cursor.cursor.copy_expert(f"COPY {quote(table)} TO STDOUT", f)
    finally:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"DROP DATABASE IF EXISTS {quote(scratch)}")
    return changed, output


def _build(path, steps):
    partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    media = partial / "media"
    media.mkdir()
    build = _build_sqlite if connection.vendor == "sqlite" else _build_postgresql
    changed, output = build(partial, steps, media)
    with connection.cursor() as cursor:
        kept = {}
        for table in _tables(cursor):
            if table not in changed:
                pk = _pk_column(cursor, table)
                kept[table] = [pk, *_shape(cursor, table, pk)]
    manifest = {"steps": list(steps), "changed": changed, "unchanged": kept, "output": output}
    (partial / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    partial.replace(path)


def ensure(steps):
    """The snapshot's folder for `steps`, built by this process if no other has built it."""
    path = snapshot_dir(steps)
    with open(f"{path}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one builds, the others wait and load
        if not (path / "manifest.json").exists():
            _build(path, steps)
    return path


# --- loading ----------------------------------------------------------------------------------------


def _mismatch(manifest):
    with connection.cursor() as cursor:
        for table, (pk, *shape) in manifest["unchanged"].items():
            here = _shape(cursor, table, pk)
            if here != shape:
                return f"{table}: {here} here, {shape} in the snapshot"
    return None


def _load_sqlite(path, manifest):
    # Read with a plain sqlite3 connection (no type converters) and written through the test connection's own
    # DB-API connection: every value goes back exactly as SQLite stored it, in the open transaction.
    quote = connection.ops.quote_name
    connection.ensure_connection()
    target = connection.connection
    source = sqlite3.connect(f"file:{path / SQLITE_NAME}?mode=ro", uri=True)
    try:
        for table in manifest["changed"]:
            rows = source.execute(f"SELECT * FROM {quote(table)}")
            marks = ", ".join("?" * len(rows.description))
            target.execute(f"DELETE FROM {quote(table)}")
            target.executemany(f"INSERT INTO {quote(table)} VALUES ({marks})", rows)
    finally:
        source.close()


def _load_postgresql(path, manifest):
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in manifest["changed"]:
            cursor.execute(f"DELETE FROM {quote(table)}")
            with open(path / f"{table}.copy", encoding="utf-8") as f:
                cursor.cursor.copy_expert(f"COPY {quote(table)} FROM STDIN", f)
        loaded = set(manifest["changed"])
        models = [m for m in apps.get_models(include_auto_created=True) if m._meta.db_table in loaded]
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def load(snapshot, media):
    """Put the snapshot's rows in the database, in the transaction open now (a module's, or a test's), and its
    files in `media`; its seed's output. Seeds for real when the database does not start where the snapshot
    did (see the module's docstring)."""
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    shutil.copytree(snapshot / "media", media, dirs_exist_ok=True)
    mismatch = _mismatch(manifest)
    if mismatch:
        warnings.warn(f"demo snapshot not used ({mismatch}): seeding the demo", stacklevel=2)
        with override_settings(MEDIA_ROOT=str(media)):
            return seed(manifest["steps"])
    (_load_sqlite if connection.vendor == "sqlite" else _load_postgresql)(snapshot, manifest)
    return manifest["output"]


def load_or_seed(snapshot, media, steps=STEPS):
    """`load` when there is a snapshot (`prepared`), `seed` otherwise: in the transaction open now."""
    if snapshot is None:
        with override_settings(MEDIA_ROOT=str(media)):
            return seed(steps)
    return load(snapshot, media)


def prepared(django_db_blocker, steps=STEPS):
    """The snapshot of `steps` (built now if needed: call it outside any transaction), or None when off."""
    with django_db_blocker.unblock():
        if not enabled() or connection.in_atomic_block:
            return None
        return ensure(steps)


@contextlib.contextmanager
def for_the_module(django_db_blocker, media, steps=STEPS):
    """The demo of `steps` in the database for the block, rolled back after it (tests/module_data.py), with the
    files it wrote in `media` (MEDIA_ROOT for the block). Yields the output of its seed."""
    snapshot = prepared(django_db_blocker, steps)
    with override_settings(MEDIA_ROOT=str(media)), kept_for_the_module(django_db_blocker):
        yield seed(steps) if snapshot is None else load(snapshot, media)
