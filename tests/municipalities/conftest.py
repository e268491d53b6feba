import pytest

from tests import demo_snapshot

CARAVAN_STEPS = ["demo.federation", "demo.caravans"]


@pytest.fixture(scope="module")
def demo_caravans(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo federation (councils, accounts) and the demo caravans, loaded once for a module from the run's
    snapshot of those two steps (tests/demo_snapshot.py) and rolled back after; the seed's output.

    Tests that use it also take `db` (each runs in a savepoint inside this transaction).
    """
    media = tmp_path_factory.mktemp("demo-caravans-media")
    with demo_snapshot.for_the_module(django_db_blocker, media, steps=CARAVAN_STEPS) as output:
        yield output
