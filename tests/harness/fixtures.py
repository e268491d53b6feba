"""The harness of the drills (tests/drills/) and the production-shape test (tests/production/): one PostgreSQL
cluster of their own for the session, migrated once, with the rows of tests/harness/rows.py; redis-server,
gunicorn, Celery workers, Caddy and the S3 server started by each test as it needs them. A pytest plugin,
registered for the whole suite by tests/conftest.py (`pytest_plugins`), so both folders share one cluster.

Everything runs as real processes on 127.0.0.1 on free ports, never on the machine's own PostgreSQL (5432) or
Redis (6379), and is killed, process group by process group, when the session ends. Logs stay under
$SHAHO_CI_LOG_DIR/drills (else <tmp>/shaho-ci/drills); a failed drill prints the tails of the logs it used.
The drills do not use pytest-django's test database: they read their own cluster with psycopg2.
"""

import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pytest

from tests import sqlite_template
from tests.required_services import service_missing

from . import processes
from .processes import LOG_DIR


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.drill_failed = report.failed


class DrillSite:
    """The session's cluster, its database "shaho", the rows made once, and a scratch directory per drill."""

    def __init__(self, workdir):
        self.workdir = Path(workdir)
        self.cluster = processes.Cluster(self.workdir / "pg")
        self.database = "shaho"
        self.rows = {}

    @property
    def database_url(self):
        return self.cluster.url(self.database)

    def env(self, *, media_root, broker_url="", **extra):
        return processes.django_env(
            database_url=self.database_url, media_root=media_root, broker_url=broker_url, **extra
        )

    def query(self, sql, params=()):
        return self.cluster.query(self.database, sql, params)

    def scalar(self, sql, params=()):
        return self.query(sql, params)[0][0]


def _migrate(site, env):
    """Migrate the drills' database and load the registry, or restore the dump an earlier session kept of exactly
    that (named by the hash of every migration, the registry and the pinned requirements, as the test database
    templates are: tests/sqlite_template.py). Migrating takes 30-40 s here, restoring a few."""
    digest = sqlite_template.template_path().stem.rsplit("-", 1)[-1]
    dump = Path(tempfile.gettempdir()) / f"shaho-drills-{digest}.dump"
    if dump.exists():
        restored = subprocess.run(
            [processes.PG_BIN / "pg_restore", "--no-owner", "-d", site.database_url, dump], capture_output=True
        )
        if restored.returncode == 0:
            return f"restored from {dump.name}"
        site.cluster.query("postgres", f"DROP DATABASE {site.database}")  # a damaged dump: migrate after all
        site.cluster.query("postgres", f"CREATE DATABASE {site.database}")
    processes.manage(env, "migrate", "--verbosity=0")
    processes.manage(env, "load_municipalities", "--verbosity=0")
    partial = dump.with_suffix(f".{os.getpid()}.tmp")
    kept = subprocess.run([processes.PG_BIN / "pg_dump", "-Fc", "-f", partial, site.database_url], capture_output=True)
    if kept.returncode == 0:
        partial.replace(dump)
    return "migrated"


@pytest.fixture(scope="session")
def drill_site():
    missing = processes.missing_binaries()
    if missing:
        service_missing(f"the drills need {', '.join(missing)} (apt-get install postgresql redis-server)")
    if LOG_DIR.exists():
        shutil.rmtree(LOG_DIR, ignore_errors=True)
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="shaho-drills-"))
    workdir.chmod(0o755)
    site = DrillSite(workdir)
    clock = time.monotonic()
    try:
        site.cluster.init()
        site.cluster.query("postgres", f"CREATE DATABASE {site.database}")
        env = site.env(media_root=workdir / "media")
        how = _migrate(site, env)
        site.rows = processes.rows(env, "federation", organizers=20)
        print(f"drills: cluster on port {site.cluster.port} {how} in {time.monotonic() - clock:.1f} s")
        yield site
    finally:
        processes.kill_all()
        site.cluster.stop("immediate")
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture
def drill(drill_site, request, tmp_path):
    """Per drill: its media directory and its processes (killed at the end); log tails printed if it failed."""
    media = tmp_path / "media"
    media.mkdir()
    before = len(processes._started)
    yield drill_site, media
    started = processes._started[before:]
    if getattr(request.node, "drill_failed", False):
        for process in started:
            print(processes.log_tail(process.log))
        print(processes.log_tail(drill_site.cluster.log, lines=30))
    for process in reversed(started):
        process.stop(timeout=5)
        processes._started.remove(process)


@pytest.fixture
def figures(request):
    """figures(n, **values): the drill's one line, printed now, in the summary at the end, and into figures.txt."""

    def say(number, **values):
        label = f"DRILL {number}" if isinstance(number, int) else number  # figures("PRODUCTION", …)
        line = f"{label}: " + " ".join(f"{k}={v}" for k, v in values.items())
        print(line)
        request.node.user_properties.append(("printed at the end", line))
        with open(LOG_DIR / "figures.txt", "a", encoding="utf-8") as f:
            f.write(line + "\n")
        return line

    return say
