import io

import pytest
from django.db import transaction


@pytest.fixture(scope="module")
def demo_caravans(django_db_setup, django_db_blocker):
    """The demo federation (councils, accounts) and the demo caravans, made once for a module and rolled back after.

    Tests that use it also take `db` (each runs in a savepoint inside this transaction).
    """
    from demo import caravans, federation

    with django_db_blocker.unblock(), transaction.atomic():
        federation.seed(stdout=io.StringIO())
        out = io.StringIO()
        caravans.seed(stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
