"""Shared fixtures: a real database with Japan's registry loaded once per test run."""

import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    # The registry is reference data every test can rely on, as in production.
    with django_db_blocker.unblock():
        call_command("load_municipalities", verbosity=0)
