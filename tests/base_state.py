"""After a transactional test, the database goes back to the state the session started from, ids included.

A transactional test (live server, real worker, concurrent writers) commits, so pytest-django empties the
database after it with Django's `flush`: on PostgreSQL one `TRUNCATE` of every table (about 300), which makes
new files for each and took 2–4 s here, then `post_migrate` writes the content types and permissions again
with new ids, and tests/conftest.py loads the registry again (new ids too). About 60 transactional tests paid
that in CI's PostgreSQL run (5–10 s of teardown each), and the new ids made every later demo module of the
process miss its snapshot (tests/demo_snapshot.py compares the tables it does not load) and seed for real.

Instead, the rows of the session's start (after migrating and loading the registry: the content types,
permissions, the sites row, the registry, the reference kinds) are kept in memory once, and after each
transactional test every table is emptied with `DELETE` in one transaction and those rows are put back as
they were (PostgreSQL: `COPY`; SQLite: the stored values through the test connection). Sequences are left
alone, as Django's flush leaves them (`reset_sequences=False`): ids only grow. The ContentType cache is
cleared, as `post_migrate` would.

Only the default database, and only for the plain case (no `available_apps`, no `serialized_rollback`):
anything else gets Django's own flush. `SHAHO_TEST_FAST_FLUSH=0` turns it off (Django's flush, then the
registry reloaded by tests/conftest.py).
"""

import io
import os
import sqlite3

from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.test import testcases

_state = {"vendor": None, "tables": None, "rows": None}


def enabled():
    return os.environ.get("SHAHO_TEST_FAST_FLUSH", "1").strip() != "0"


def _connection():
    return connections[DEFAULT_DB_ALIAS]


def _table_names(connection):
    # What Django's flush empties: every table of an installed model that exists (no views).
    return sorted(connection.introspection.django_table_names(only_existing=True, include_views=False))


def _sqlite_file(connection):
    name = connection.settings_dict["NAME"]
    if not name or name == ":memory:" or name.startswith("file:") or "mode=memory" in str(name):
        return None
    return str(name)


def remember():
    """Keep the rows every table holds now (the session's start). Call once the test database is set up."""
    connection = _connection()
    if not enabled() or connection.vendor not in {"postgresql", "sqlite"}:
        return
    if connection.vendor == "sqlite" and _sqlite_file(connection) is None:
        return
    tables = _table_names(connection)
    quote = connection.ops.quote_name
    rows = {}
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in tables:
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {quote(table)})")
                if cursor.fetchone()[0]:
                    buffer = io.StringIO()
                    cursor.cursor.copy_expert(f"COPY {quote(table)} TO STDOUT", buffer)
                    rows[table] = buffer.getvalue()
    else:
        # A plain sqlite3 connection (no type converters): the values go back exactly as SQLite stored them.
        source = sqlite3.connect(f"file:{_sqlite_file(connection)}?mode=ro", uri=True)
        try:
            for table in tables:
                found = source.execute(f"SELECT * FROM {quote(table)}").fetchall()
                if found:
                    rows[table] = found
        finally:
            source.close()
    _state.update(vendor=connection.vendor, tables=tables, rows=rows)


def remembered():
    return _state["rows"] is not None


def restore():
    """Empty every table and put the session's starting rows back (one transaction)."""
    from django.contrib.contenttypes.models import ContentType

    connection = _connection()
    quote = connection.ops.quote_name
    tables, rows = _state["tables"], _state["rows"]
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Django's foreign keys are DEFERRABLE INITIALLY DEFERRED: checked at the commit, when every
                # table is back to a consistent state, whatever the order here.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                cursor.execute("; ".join(f"DELETE FROM {quote(t)}" for t in tables))
                for table, text in rows.items():
                    cursor.cursor.copy_expert(f"COPY {quote(table)} FROM STDIN", io.StringIO(text))
        else:
            connection.ensure_connection()
            target = connection.connection
            for table in tables:
                target.execute(f"DELETE FROM {quote(table)}")
            for table, found in rows.items():
                marks = ", ".join("?" * len(found[0]))
                target.executemany(f"INSERT INTO {quote(table)} VALUES ({marks})", found)
    ContentType.objects.clear_cache()


_django_fixture_teardown = testcases.TransactionTestCase._fixture_teardown


def _fixture_teardown(self):
    plain = self.available_apps is None and not self.serialized_rollback
    names = self._databases_names(include_mirrors=False)
    if not (plain and remembered() and list(names) == [DEFAULT_DB_ALIAS]):
        return _django_fixture_teardown(self)
    restore()


def install():
    """Put the fast flush in place of Django's for transactional tests (TestCase keeps its rollback)."""
    if enabled():
        testcases.TransactionTestCase._fixture_teardown = _fixture_teardown
