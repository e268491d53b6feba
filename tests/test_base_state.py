"""After a transactional test the database is back where the session started, ids included (tests/base_state.py):
what the test wrote is gone, what it changed or deleted of the starting rows is back, and every table has the
row count and largest id the demo snapshot compares (tests/demo_snapshot.py), which Django's flush changed."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection

from councils.models import Council
from municipalities.models import Prefecture
from municipalities.registry.models import Municipality
from tests import base_state, demo_snapshot
from tests.conftest import _load_registry
from tests.councils.factories import prefectural_council
from tests.required_services import service_missing


def _shapes():
    """{table: [rows, largest id]} of every table: what the demo snapshot compares before it loads."""
    with connection.cursor() as cursor:
        tables = demo_snapshot._tables(cursor)
        return {t: demo_snapshot._shape(cursor, t, demo_snapshot._pk_column(cursor, t)) for t in tables}


def _starting_rows():
    return {
        model: list(model.objects.order_by("pk").values_list())
        for model in (ContentType, Permission, Prefecture, Municipality)
    }


@pytest.fixture
def remembered():
    if not base_state.remembered():
        service_missing("the fast flush is off (SHAHO_TEST_FAST_FLUSH=0) or the database is not PostgreSQL/SQLite")


@pytest.mark.django_db(transaction=True)
def test_restore_removes_what_a_test_wrote_and_puts_back_what_it_changed_with_the_same_ids(remembered):
    shapes, rows = _shapes(), _starting_rows()
    prefectural_council("14")
    kawasaki = Municipality.objects.get(code="141305")
    kawasaki.name = "書き換えた名前"
    kawasaki.save()
    Permission.objects.order_by("pk").first().delete()
    assert Council.objects.exists() and _starting_rows() != rows

    base_state.restore()

    assert not Council.objects.exists()
    assert _starting_rows() == rows
    assert _shapes() == shapes


@pytest.mark.django_db(transaction=True)
def test_djangos_flush_moved_the_ids_the_demo_snapshot_compares_and_restore_brings_them_back(remembered):
    shapes = _shapes()
    # What the teardown of a transactional test did before: Django's flush (post_migrate writes the content types
    # and permissions again) and the registry loaded again. New ids: a demo module after it missed its snapshot.
    call_command("flush", verbosity=0, interactive=False, reset_sequences=False)
    _load_registry()
    moved = {t for t, shape in _shapes().items() if shape != shapes[t]}
    assert {"auth_permission", "django_content_type"} <= moved, moved

    base_state.restore()

    assert _shapes() == shapes
