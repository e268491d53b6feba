"""A migrated SQLite test database, built once and copied for every later run and every xdist worker.

Running the migrations on SQLite is most of a run's set-up (about 40 s on an idle machine, several minutes
on a loaded one: SQLite rebuilds a table for most schema changes), and each xdist worker would pay it
again. The first process to need it migrates and loads the registry as before, then keeps a copy — the
template — named by a hash of everything that shapes it: every migration of the project, the registry's
data and loader, and the pinned requirements (third-party migrations). Any change to those makes a new
name, so a template never stands in for migrations it has not run. Later processes copy the template and
let Django check it (`migrate` finds nothing to apply). `SHAHO_TEST_DB_TEMPLATE=0` turns it off; the
template lives in the temporary directory and is never committed.

PostgreSQL is not concerned: there each run creates and migrates its own databases as before.
"""

import fcntl
import hashlib
import importlib
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
_state = {"lock": None, "build": False}


def enabled():
    database = settings.DATABASES["default"]
    return (
        database["ENGINE"] == "django.db.backends.sqlite3"
        and os.environ.get("SHAHO_TEST_DB_TEMPLATE", "1").strip() != "0"
        and not database.get("TEST", {}).get("NAME", "").startswith(":memory:")
    )


def _shaping_files():
    files = [p for p in ROOT.rglob("migrations/*.py") if ".venv" not in p.parts]
    files += [p for p in ROOT.rglob("data/*") if ".venv" not in p.parts and p.suffix in {".csv", ".json"}]
    files += [ROOT / "requirements.txt"]
    # The registry's loader, wherever it lives: the command and the module of the function it calls.
    command = importlib.import_module("municipalities.management.commands.load_municipalities")
    files.append(Path(command.__file__))
    loader = getattr(command, "registry_load", None)
    if loader is not None:
        files.append(Path(importlib.import_module(loader.__module__).__file__))
    return sorted(set(files))


def template_path():
    digest = hashlib.sha256()
    for path in _shaping_files():
        digest.update(str(path.relative_to(ROOT)).encode())
        digest.update(path.read_bytes())
    return Path(tempfile.gettempdir()) / f"shaho-test-template-{digest.hexdigest()[:16]}.sqlite3"


def test_database_name():
    return settings.DATABASES["default"]["TEST"]["NAME"]


def take_template():
    """Copy the template to this process's test database and return True; or return False, holding the
    lock, when this process must build it (see `keep_template`)."""
    template = template_path()
    lock = open(f"{template}.lock", "w")  # held until the template is kept
    fcntl.flock(lock, fcntl.LOCK_EX)  # a worker building it makes the others wait, then they copy it
    if template.exists():
        _remove(test_database_name())
        shutil.copyfile(template, test_database_name())
        fcntl.flock(lock, fcntl.LOCK_UN)
        lock.close()
        return True
    _state.update(lock=lock, build=True)
    return False


def keep_template():
    """After this process migrated and loaded the registry: keep a copy as the template, release the lock."""
    if not _state["build"]:
        return
    from django.db import connection

    template = template_path()
    partial = template.with_suffix(f".{os.getpid()}.partial")
    connection.close()
    source, target = sqlite3.connect(test_database_name()), sqlite3.connect(partial)
    try:
        source.backup(target)  # a consistent copy, the WAL included
    finally:
        source.close()
        target.close()
    partial.replace(template)
    lock = _state["lock"]
    fcntl.flock(lock, fcntl.LOCK_UN)
    lock.close()
    _state.update(lock=None, build=False)


def remove_copy():
    """The copied test database is this process's alone: gone at the end of the run (Django keeps it)."""
    _remove(test_database_name())


def _remove(name):
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{name}{suffix}").unlink(missing_ok=True)
