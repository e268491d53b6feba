"""`seed_demo` with every step, twice: the second run makes nothing new anywhere and prints no password.

Apart from tests/councils/test_demo.py, whose tests share one seed of the federation step
(tests/module_data.py): this one needs every step. Its first run is the run's demo snapshot
(tests/demo_snapshot.py: `seed_demo` into an empty database, its rows and its output kept); the second runs
here, for real, on those rows.
"""

from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command

from councils.models import User
from demo import federation as demo_federation

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_password_from_the_environment(monkeypatch):
    monkeypatch.delenv(demo_federation.PASSWORD_ENV, raising=False)


def run(command, **options):
    out = StringIO()
    call_command(command, stdout=out, **options)
    return out.getvalue()


def row_counts():
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_seed_demo_twice_creates_nothing_new_and_does_not_reprint_passwords(demo):
    first = demo.output
    counts = row_counts()

    second = run("seed_demo")

    assert row_counts() == counts
    # history too: one row per account (the five demo accounts and the consultation responders' accounts)
    assert counts["councils.HistoricalCouncil"] > 0 and counts["councils.HistoricalUser"] == User.objects.count()
    assert User.objects.filter(username__in=["admin", "chuo", "kanagawa", "organizer", "member"]).count() == 5
    assert "パスワード" in first and "一度しか表示しません" in first
    assert "一度しか表示しません" not in second
    assert "アカウント chuo: 既にあります" in second
