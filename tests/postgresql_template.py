"""On PostgreSQL, a migrated test database with the registry kept as a template database, copied for every later
test database (each xdist worker's, the worker-marked run's test_test).

Migrating and loading the registry costs each PostgreSQL test database about 16 s here, and CI creates three.
The first run migrates as always, loads the registry, then keeps a copy (`CREATE DATABASE … TEMPLATE`) named by
the same hash as the SQLite template (tests/sqlite_template.py: every migration, the registry's data and
loader, the pinned requirements), so a template never stands in for migrations it has not run. Later test
databases are created from it (Django's TEST["TEMPLATE"]) and `migrate` finds nothing to apply.
`SHAHO_TEST_DB_TEMPLATE=0` turns it off. A file lock makes a second process wait while the first builds it.
"""

import fcntl
import os
import tempfile
from pathlib import Path

from django.db import connections

from tests import sqlite_template

_state = {"lock": None, "build": False, "name": None}


def enabled():
    database = connections["default"].settings_dict
    return database["ENGINE"] == "django.db.backends.postgresql" and (
        os.environ.get("SHAHO_TEST_DB_TEMPLATE", "1").strip() != "0"
    )


def template_name():
    digest = sqlite_template.template_path().stem.rsplit("-", 1)[-1]
    return f"shaho_test_template_{digest}"


def _exists(cursor, name):
    cursor.execute("SELECT 1 FROM pg_catalog.pg_database WHERE datname = %s", [name])
    return cursor.fetchone() is not None


def before_setup():
    """Called before Django creates the test database: create it from the template when there is one;
    otherwise note that this process builds the template (the lock is held until `after_setup`)."""
    name = template_name()
    lock = open(Path(tempfile.gettempdir()) / f"{name}.lock", "w")
    fcntl.flock(lock, fcntl.LOCK_EX)
    _state.update(lock=lock, name=name)
    connection = connections["default"]
    with connection._nodb_cursor() as cursor:
        found = _exists(cursor, name)
    if found:
        connection.settings_dict.setdefault("TEST", {})["TEMPLATE"] = name
    else:
        _state["build"] = True


def after_setup():
    """After the test database is migrated and holds the registry: keep it as the template (when this process
    builds it), then let the next process go on."""
    if _state["lock"] is None:
        return
    try:
        if _state["build"]:
            connection = connections["default"]
            test_database = connection.settings_dict["NAME"]
            connection.close()  # CREATE DATABASE … TEMPLATE needs no session on the source
            with connection._nodb_cursor() as cursor:
                if not _exists(cursor, _state["name"]):
                    quote = connection.ops.quote_name
                    cursor.execute(f"CREATE DATABASE {quote(_state['name'])} TEMPLATE {quote(test_database)}")
    finally:
        fcntl.flock(_state["lock"], fcntl.LOCK_UN)
        _state["lock"].close()
        _state.update(lock=None, build=False)


def build():
    """Make the template now, if there is none, in a test database of its own (dropped after): what the first
    PostgreSQL test run would do, done ahead by .ci/run while the SQLite suite runs, so that no xdist worker of
    step 4 migrates (about 37 s) while the other waits for it. Prints what it did."""
    from django.test.utils import setup_databases, teardown_databases

    from tests.conftest import _load_registry

    if not enabled():
        print("postgresql_template: not PostgreSQL, or SHAHO_TEST_DB_TEMPLATE=0: nothing to build")
        return
    connection = connections["default"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = f"test_{connection.settings_dict['NAME']}_template"
    before_setup()
    if not _state["build"]:
        print(f"postgresql_template: {_state['name']} is there already")
        after_setup()
        return
    databases = setup_databases(verbosity=0, interactive=False, aliases={"default"}, serialized_aliases=set())
    try:
        _load_registry()
        name = _state["name"]
        after_setup()
        print(f"postgresql_template: {name} built")
    finally:
        teardown_databases(databases, verbosity=0)


if __name__ == "__main__":
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shaho.settings")
    django.setup()
    build()
