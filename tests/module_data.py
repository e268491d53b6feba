"""Rows built once for a whole test module, and gone after it: for set-ups that cost seconds (the demo, a
federation with its caravans) and that every test of the module only reads or changes within itself.

    @pytest.fixture(scope="module")
    def demo(django_db_setup, django_db_blocker):
        with kept_for_the_module(django_db_blocker):
            yield run("seed_demo")

The rows are written in a transaction opened for the module; each test runs, as always, in its own
transaction inside it (pytest-django's, a savepoint here), so what a test changes is rolled back after it and
the next test finds the module's rows as they were built. At the end of the module the outer transaction is
rolled back: the next module finds the database as it was (the registry only). A class-scoped fixture may
open one inside a module's (rows for the tests of one class, on top of the module's).

Only for tests that run in a transaction (`django_db`, not `transaction=True`, not `live_server`): a
transactional test commits and empties tables. pytest-django runs those last, after every module's
fixtures of this kind are gone; `kept_for_the_module` refuses to open inside one.
"""

import contextlib

from django.db import connection, transaction


@contextlib.contextmanager
def kept_for_the_module(django_db_blocker):
    with django_db_blocker.unblock():
        if any(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks):
            raise RuntimeError("kept_for_the_module: inside a test's transaction; give the fixture module scope")
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
