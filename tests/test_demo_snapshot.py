"""The demo snapshot (tests/demo_snapshot.py) stands in for `seed_demo`: every row it kept is loaded, rows made
after the load get new ids, the files the demo wrote are in MEDIA_ROOT, a changed source names a new snapshot,
and a database that does not start where the snapshot started is noticed."""

import json
import sqlite3

import pytest
from django.apps import apps
from django.db import connection

from campaigns.models import Action
from councils.models import Council
from municipalities.registry.models import Municipality
from reports.models import Photo, ReportJob
from tests import demo_snapshot
from tests.councils.factories import local_council
from tests.required_services import service_missing

pytestmark = pytest.mark.django_db


def _snapshot_counts():
    snapshot = demo_snapshot.snapshot_dir(demo_snapshot.STEPS)
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    if connection.vendor == "sqlite":
        with sqlite3.connect(snapshot / demo_snapshot.SQLITE_NAME) as db:
            return {t: db.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0] for t in manifest["changed"]}
    counts = {}
    for table in manifest["changed"]:
        with open(snapshot / f"{table}.copy", encoding="utf-8") as f:
            counts[table] = sum(1 for _ in f)
    return counts


def test_every_row_the_demo_made_is_loaded(demo):
    if not demo_snapshot.enabled():
        service_missing("the demo snapshot is off (SHAHO_DEMO_SNAPSHOT=0): the demo was seeded")
    expected = _snapshot_counts()
    assert len(expected) > 50 and expected["councils_council"] > 400 and expected["campaigns_action"] > 1000
    with connection.cursor() as cursor:
        for table, count in expected.items():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table)}")
            assert cursor.fetchone()[0] == count, table


def test_rows_made_after_the_load_get_new_ids(demo):
    top = {model: model._default_manager.order_by("-pk").values_list("pk", flat=True)[0] for model in (Council,)}
    history = Council.history.model.objects.order_by("-history_id").values_list("history_id", flat=True)[0]
    council = local_council("14", name="スナップショット後の地域社保協")
    assert council.pk > top[Council]
    assert Council.history.model.objects.filter(id=council.pk).get().history_id > history
    action = Action.objects.order_by("pk").first()
    action.pk = None
    action.title = "読み込み後の行動"
    action.save()
    assert action.pk > Action.objects.exclude(pk=action.pk).order_by("-pk").values_list("pk", flat=True)[0]


def test_the_files_the_demo_wrote_are_in_media_root(demo):
    photos = list(Photo.objects.all())
    jobs = list(ReportJob.objects.exclude(file=""))
    assert len(photos) >= 2 and len(jobs) >= 2
    for field in [p.image for p in photos] + [j.file for j in jobs]:
        assert field.storage.exists(field.name), field.name
        assert field.path.startswith(str(demo.media))


def test_a_changed_source_names_a_new_snapshot(monkeypatch, tmp_path):
    source = tmp_path / "seed_step.py"
    source.write_text("COUNT = 1\n")
    files = demo_snapshot._shaping_files
    monkeypatch.setattr(demo_snapshot, "_shaping_files", lambda: [*files(), source])
    first = demo_snapshot.snapshot_dir(demo_snapshot.STEPS)
    source.write_text("COUNT = 2\n")
    assert demo_snapshot.snapshot_dir(demo_snapshot.STEPS) != first
    assert demo_snapshot.snapshot_dir(["demo.federation"]) != demo_snapshot.snapshot_dir(demo_snapshot.STEPS)


def test_a_database_that_does_not_start_where_the_snapshot_did_is_noticed(demo):
    if not demo_snapshot.enabled():
        service_missing("the demo snapshot is off (SHAHO_DEMO_SNAPSHOT=0): the demo was seeded")
    snapshot = demo_snapshot.snapshot_dir(demo_snapshot.STEPS)
    manifest = json.loads((snapshot / "manifest.json").read_text(encoding="utf-8"))
    assert demo_snapshot._mismatch(manifest) is None
    municipality = Municipality.objects.order_by("pk").first()
    municipality.pk, municipality.code = None, "999999"
    municipality.save()
    assert "municipalit" in demo_snapshot._mismatch(manifest)
    assert apps.get_model("municipalities", "Municipality")._meta.db_table in manifest["unchanged"]
