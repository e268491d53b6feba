"""Shared fixtures: a real database with Japan's registry loaded, as in production."""

import pytest
from django.core.management import call_command
from pytest_django.plugin import blocking_manager_key


def _load_registry():
    call_command("load_municipalities", verbosity=0)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The registry is reference data every test can rely on; loaded once per run.
    with django_db_blocker.unblock():
        _load_registry()


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
    # A transactional test (live server, real worker) empties every table when it ends;
    # put the registry back before the next test, once, here rather than in each suite.
    yield
    if nextitem is not None and _flushes_database(item):
        blocker = item.config.stash[blocking_manager_key]
        with blocker.unblock():
            _load_registry()


@pytest.fixture(autouse=True)
def _tasks_in_the_test_thread(settings):
    # Without a broker, tasks run in a thread after the commit (shaho.core.tasks); a test sees the
    # eager run in its own thread instead. The tests of the thread itself switch it back on.
    settings.TASKS_EAGER_IN_THREAD = False
