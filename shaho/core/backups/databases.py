"""The database half of a backup, per engine: a consistent dump, its figures, a restore, scratch databases.

Everything here works on a `Target` (a Django DATABASES entry) through plain DB-API connections and
Debian's client tools, never through the ORM: a restore writes into a database Django has no alias for.

PostgreSQL: the figures and `pg_dump -Fc` read the same snapshot (a REPEATABLE READ transaction exports
it, `pg_dump --snapshot` uses it), so the manifest describes exactly what the dump holds while users go
on writing; pg_dump's ACCESS SHARE locks stop no insert or update, only DDL. SQLite: the online backup
API copies a consistent image of a live database (never a copy of the file), and the figures are read
from that copy.
"""

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass

from django.apps import apps

from .crypto import ArchiveError

ENGINES = {"django.db.backends.postgresql": "postgresql", "django.db.backends.sqlite3": "sqlite"}
ENGINE_LABELS = {"postgresql": "PostgreSQL", "sqlite": "SQLite"}


@dataclass(frozen=True)
class Target:
    """One database: its engine ("postgresql" or "sqlite") and its DATABASES entry."""

    settings: dict

    @property
    def engine(self):
        engine = ENGINES.get(self.settings["ENGINE"])
        if engine is None:
            raise ArchiveError(
                f"このデータベースエンジン（{self.settings['ENGINE']}）のバックアップには対応していません。"
            )
        return engine

    @property
    def name(self):
        return str(self.settings["NAME"])

    def renamed(self, name):
        return Target({**self.settings, "NAME": name})

    def connect(self):
        if self.engine == "sqlite":
            return sqlite3.connect(self.name)
        import psycopg2

        params = {"dbname": self.name}
        for key, param in (("USER", "user"), ("PASSWORD", "password"), ("HOST", "host"), ("PORT", "port")):
            if self.settings.get(key):
                params[param] = self.settings[key]
        return psycopg2.connect(**params)

    def client_env(self):
        """The environment for pg_dump/pg_restore: the connection in PG* variables, the password never on argv."""
        env = dict(os.environ)
        for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
            if self.settings.get(key):
                env[var] = str(self.settings[key])
        env["PGDATABASE"] = self.name
        return env


def engine_major(target, conn):
    """PostgreSQL's server major version (15), or SQLite's library major version (3)."""
    if target.engine == "postgresql":
        return conn.server_version // 10000
    return sqlite3.sqlite_version_info[0]


def table_names(target, cursor):
    if target.engine == "postgresql":
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
    else:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    return [row[0] for row in cursor.fetchall()]


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def row_counts(target, cursor):
    """{table: rows} for every table of the database."""
    counts = {}
    for table in table_names(target, cursor):
        cursor.execute(f"SELECT COUNT(*) FROM {_quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def ledger_checksums(target, cursor, tables):
    """Per petition drive: the tally ledger's entries, the sum of their counts and the highest id.

    Read by table name (the core layer imports no app); {} when the ledger's table is not there.
    """
    model = apps.get_model("petitions", "TallyEntry")
    table = model._meta.db_table
    if table not in tables:
        return {}
    drive, count, pk = (model._meta.get_field(name).column for name in ("petition", "count", "id"))
    cursor.execute(
        f"SELECT {_quote(drive)}, COUNT(*), COALESCE(SUM({_quote(count)}), 0), MAX({_quote(pk)}) "
        f"FROM {_quote(table)} GROUP BY {_quote(drive)} ORDER BY {_quote(drive)}"
    )
    return {str(row[0]): {"entries": row[1], "sum": int(row[2]), "max_id": row[3]} for row in cursor.fetchall()}


def applied_migrations(target, cursor, tables):
    if "django_migrations" not in tables:
        return []
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    return [[app, name] for app, name in cursor.fetchall()]


def figures(target, conn):
    """What the manifest records about a database and `--verify` compares: engine, tables, ledger, migrations."""
    cursor = conn.cursor()
    tables = row_counts(target, cursor)
    return {
        "engine": target.engine,
        "engine_major": engine_major(target, conn),
        "tables": tables,
        "ledger": ledger_checksums(target, cursor, tables),
        "migrations": applied_migrations(target, cursor, tables),
    }


def _run(command, env):
    binary = shutil.which(command[0])
    if binary is None:
        raise ArchiveError(f"{command[0]} が見つかりません（PostgreSQL のクライアント postgresql-client が必要です）。")
    completed = subprocess.run([binary, *command[1:]], env=env, capture_output=True, text=True, check=False)
    if completed.returncode != 0:
        raise ArchiveError(f"{command[0]} が失敗しました: {completed.stderr.strip()[-2000:]}")


def dump(target, path, *, on_dump_started=None):
    """Writes a consistent dump of `target` to `path` and returns its figures (read from the same snapshot)."""
    if target.engine == "sqlite":
        source = sqlite3.connect(target.name)
        copy = sqlite3.connect(path)
        try:
            source.backup(copy)
            copy.commit()
            return figures(target.renamed(str(path)), copy)
        finally:
            copy.close()
            source.close()
    conn = target.connect()
    try:
        conn.set_session(isolation_level="REPEATABLE READ", readonly=True)
        cursor = conn.cursor()
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        binary = shutil.which("pg_dump")
        if binary is None:
            raise ArchiveError("pg_dump が見つかりません（PostgreSQL のクライアント postgresql-client が必要です）。")
        process = subprocess.Popen(
            [binary, "-Fc", "--no-password", f"--snapshot={snapshot}", "-f", str(path)],
            env=target.client_env(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        if on_dump_started is not None:
            on_dump_started(process)
        _, errors = process.communicate()
        if process.returncode != 0:
            raise ArchiveError(f"pg_dump が失敗しました: {errors.strip()[-2000:]}")
        return figures(target, conn)
    finally:
        conn.rollback()
        conn.close()


def restore(target, path):
    """Loads a dump made by `dump` into `target` (checked empty beforehand): all of it or, on error, nothing."""
    if target.engine == "sqlite":
        source = sqlite3.connect(path)
        dest = sqlite3.connect(target.name)
        try:
            source.backup(dest)
        finally:
            dest.close()
            source.close()
        return
    _run(
        ["pg_restore", "--no-owner", "--no-acl", "--exit-on-error", "--single-transaction", "--no-password",
         "-d", target.name, str(path)],
        target.client_env(),
    )  # fmt: skip


def tables_with_rows(target):
    """[(table, rows)] for the tables of `target` that hold rows; [] for an empty (or new) database."""
    if target.engine == "sqlite" and not os.path.exists(target.name):
        return []
    conn = target.connect()
    try:
        return [(table, rows) for table, rows in row_counts(target, conn.cursor()).items() if rows]
    finally:
        conn.close()


def target_figures(target):
    conn = target.connect()
    try:
        return figures(target, conn)
    finally:
        conn.close()


def target_engine_major(target):
    if target.engine == "sqlite":
        return sqlite3.sqlite_version_info[0]
    conn = target.connect()
    try:
        return engine_major(target, conn)
    finally:
        conn.close()


def scratch_create(target, name):
    """A new, empty PostgreSQL database `name` beside `target` (for the drill and the tests)."""
    from psycopg2 import sql

    conn = target.connect()
    try:
        conn.autocommit = True
        # From template0: nothing of template1 comes along, and no session on template1 blocks it.
        conn.cursor().execute(sql.SQL("CREATE DATABASE {} TEMPLATE template0").format(sql.Identifier(name)))
    finally:
        conn.close()
    return target.renamed(name)


def scratch_drop(target, name):
    from psycopg2 import sql

    conn = target.connect()
    try:
        conn.autocommit = True
        conn.cursor().execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    finally:
        conn.close()
