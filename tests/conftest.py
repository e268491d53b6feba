"""Shared fixtures: a real database with Japan's registry loaded, as in production, and the people and councils
most tests need (Kanagawa's staff and an organizer of Kawasaki, Tokyo for the other prefecture, a running drive).

Fixtures here are the defaults; a test module that needs a different one defines its own under the same name.
"""

import importlib

import pytest
from django.apps import apps as django_apps
from django.core.management import call_command
from pytest_django.plugin import blocking_manager_key

from councils.models import Role
from tests import base_state, demo_snapshot, postgresql_template, sqlite_template
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory

# The real-process harness (its own PostgreSQL cluster, redis-server, gunicorn, Celery, Caddy, S3) of the drills and
# the production-shape test: one plugin for the session, so tests/drills/ and tests/production/ share one cluster.
# Fixtures shared by several folders: the drills' and the production shape's processes; the S3 server (moto) and
# buckets of the object-storage tests.
pytest_plugins = ["tests.harness.fixtures", "tests.storage_s3"]

KANAGAWA, TOKYO = "14", "13"
_TEMPLATE_COPIED = pytest.StashKey[bool]()


# --- the registry and the reference data: loaded once, and again after any test that empties the tables ----


def _load_registry():
    """Japan's registry, and the reference rows the migrations seed (the action kinds and themes)."""
    from campaigns.models import ActionKind
    from municipalities.models import Prefecture

    if not Prefecture.objects.exists():
        call_command("load_municipalities", verbosity=0)
    if not ActionKind.objects.exists():
        # A flush empties what the data migration wrote; its own function writes it again.
        importlib.import_module("campaigns.migrations.0003_reference_kinds_and_themes").forward(django_apps, None)


@pytest.fixture(scope="session")
def django_db_keepdb(request, django_db_modify_db_settings, django_db_blocker):
    # On SQLite, a copy of the migrated template (tests/sqlite_template.py) is "kept" for Django to reuse;
    # without one, this process builds it (and Django migrates as it always did).
    reuse = request.config.getvalue("reuse_db")
    if not reuse and postgresql_template.enabled():
        # On PostgreSQL, Django creates the test database from the migrated template when there is one
        # (tests/postgresql_template.py); otherwise this process keeps one after migrating.
        with django_db_blocker.unblock():
            postgresql_template.before_setup()
        return reuse
    if reuse or not sqlite_template.enabled():
        return reuse
    request.config.stash[_TEMPLATE_COPIED] = sqlite_template.take_template()
    return request.config.stash[_TEMPLATE_COPIED]


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker, request):
    # The registry is reference data every test can rely on; loaded once per run (or found in the template).
    with django_db_blocker.unblock():
        _load_registry()
        if sqlite_template.enabled():
            sqlite_template.keep_template()
        postgresql_template.after_setup()
        # What a transactional test's teardown puts back (tests/base_state.py), ids included.
        base_state.remember()
    base_state.install()
    yield
    if request.config.stash.get(_TEMPLATE_COPIED, False):
        with django_db_blocker.unblock():
            from django.db import connections

            connections.close_all()
            sqlite_template.remove_copy()


def _flushes_database(item):
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return (
        (marker is not None and marker.kwargs.get("transaction"))
        or "transactional_db" in fixtures
        or "live_server" in fixtures
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    # The one registry-reload hook. A transactional test (live server, real worker,
    # concurrent writers) empties every table when it ends; tests/base_state.py puts the
    # session's starting rows back (the registry among them, same ids). Where that is off
    # (SHAHO_TEST_FAST_FLUSH=0, or Django's own flush ran), load the registry again here,
    # rather than in each suite. pytest-django runs transactional tests last, so the
    # registry loaded at the start is there for the first one.
    yield
    if nextitem is not None and _flushes_database(item):
        blocker = item.config.stash[blocking_manager_key]
        with blocker.unblock():
            _load_registry()


# --- the demo (seed_demo), loaded from the run's snapshot -------------------------------------------------


class Demo:
    """What a demo module gets: the folder of the demo's files (MEDIA_ROOT for the module) and the seed's output."""

    def __init__(self, media, output):
        self.media, self.output = media, output


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The whole demo (`seed_demo`, SHAHO_DEMO_PASSWORD=tests.demo_snapshot.PASSWORD) for the module: seeded once
    per run and loaded in about a second (tests/demo_snapshot.py), rolled back after the module
    (tests/module_data.py); each test's changes are rolled back after it. MEDIA_ROOT holds its files."""
    media = tmp_path_factory.mktemp("demo-media")
    with demo_snapshot.for_the_module(django_db_blocker, media) as output:
        yield Demo(media, output)


# --- figures a test prints after the summary (the isolation walk's), also under pytest-xdist ------------


def pytest_runtest_logreport(report):
    # On the controller, reports from xdist workers carry the test's user_properties with them.
    for name, text in getattr(report, "user_properties", ()):
        if name == "printed at the end" and report.when == "call":
            _printed_lines.append(text)


_printed_lines = []


def pytest_terminal_summary(terminalreporter):
    for text in _printed_lines:
        for line in text.splitlines():
            terminalreporter.write_line(line)


# --- councils and people -------------------------------------------------------------


@pytest.fixture
def national(db):
    return national_council()


@pytest.fixture
def kanagawa(db):
    return prefectural_council(KANAGAWA)


@pytest.fixture
def tokyo(db):
    return prefectural_council(TOKYO)


@pytest.fixture
def kawasaki(kanagawa):
    """A local council under Kanagawa's."""
    return local_council(KANAGAWA, name="川崎社保協")


@pytest.fixture
def national_staff(national):
    return staff_of(national, role=Role.NATIONAL_STAFF)


@pytest.fixture
def kanagawa_staff(kanagawa):
    """Prefectural staff: Kanagawa's council and the councils below it."""
    return staff_of(kanagawa, role=Role.COUNCIL_STAFF)


@pytest.fixture
def tokyo_staff(tokyo):
    return staff_of(tokyo, role=Role.COUNCIL_STAFF)


@pytest.fixture
def organizer(kawasaki):
    """An organizer of Kawasaki: enters tallies for their own council only."""
    return staff_of(kawasaki, role=Role.ORGANIZER)


@pytest.fixture
def petition(db):
    """A national drive open from 2023-09-01 to 2030-06-30."""
    return PetitionDriveFactory(short_name="保険証残して", slug="hokensho")


@pytest.fixture
def last_seen_written_once(monkeypatch):
    """For query counts that compare two requests: the session notes "last seen" at most once a minute
    (shaho.core.access), and on a loaded machine building the rows between the two requests can take longer,
    so the session's write (three queries) would be counted as the page's. A timing, not a per-row query."""
    from shaho.core import access

    monkeypatch.setattr(access, "SEEN_RESOLUTION_SECONDS", 10**9)


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hasher():
    # Production's PBKDF2 takes about 0.4 s per password on this machine, and nearly every test makes an
    # account (UserFactory sets a password) or logs in: MD5 for the tests, Django's usual speed-up. The
    # production hashers stay listed after it, so a password stored with one of them still checks. Nothing
    # here tests the hash itself; a test that needs the real one overrides PASSWORD_HASHERS (settings fixture).
    from django.conf import settings
    from django.test.utils import override_settings

    md5 = "django.contrib.auth.hashers.MD5PasswordHasher"
    fast = override_settings(PASSWORD_HASHERS=[md5, *settings.PASSWORD_HASHERS])
    fast.enable()
    yield
    fast.disable()


@pytest.fixture(autouse=True)
def _tasks_in_the_test_thread(settings):
    # Without a broker, tasks run in a thread after the commit (shaho.core.tasks); a test sees the
    # eager run in its own thread instead. The tests of the thread itself switch it back on.
    settings.TASKS_EAGER_IN_THREAD = False


@pytest.fixture(autouse=True)
def _fresh_entry_choices():
    # The phone entry's lists live in the shared cache under a generation (petitions/entry_choices.py); the
    # cache outlives a test's rolled-back rows, and SQLite gives the next test's rows the same ids. A new
    # generation per test: no list read in one test is offered in another.
    from django.core.cache import cache

    from petitions.entry_choices import GENERATION_KEY

    cache.delete(GENERATION_KEY)


@pytest.fixture
def tasks_in_process(request):
    """Run tasks in-process, even in CI's pass with a broker: the tests that use it hold uncommitted rows.

    Tests marked `services` or `worker` hand committed rows to a real worker and keep the broker.
    """
    if request.node.get_closest_marker("services") or request.node.get_closest_marker("worker"):
        yield
        return
    from shaho.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous
