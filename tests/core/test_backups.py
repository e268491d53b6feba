"""Backups that restore and prove it, on the suite's own engine (SQLite in `make test`, PostgreSQL in CI step 4).

The demo (loaded from the run's snapshot, tests/demo_snapshot.py) plus 10,000 ledger entries are committed once
for the module (pg_dump and SQLite's backup API read committed data only, from connections of their own) and
one archive is written; each test restores
it, or a damaged copy, into a scratch database (PostgreSQL: a `<test db>_drill_…` database created and
dropped; SQLite: a temporary file) and a scratch storage. At the end the database goes back to the session's
starting rows, as after any transactional test (tests/base_state.py).
"""

import copy
import datetime
import io
import logging
import re
import shutil
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from consultations.models import CallRecord
from petitions.models import TallyEntry
from shaho.core.backups import databases, services
from shaho.core.backups.crypto import ArchiveError, key_from_text, key_generate
from shaho.core.backups.models import BackupRecord
from tests import base_state, demo_snapshot
from tests.required_services import require_postgresql

CANARY = "カナリア-CANARY-7f3a9e"
KEY_TEXT = key_generate()
KEY = key_from_text(KEY_TEXT)
EXTRA_ENTRIES = 10_000

# Each test runs in its own transaction as usual (what it writes through the ORM is rolled back); the
# backups read and restore through connections of their own, which see the module's committed rows.
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def source(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo, a canary in a call's free text and in a file, 10,000 more ledger entries, and one archive."""
    base = tmp_path_factory.mktemp("backups")
    media = base / "media"
    snapshot = demo_snapshot.prepared(django_db_blocker)  # the run's demo (seeded once), or None when off
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media):
        try:
            with transaction.atomic():  # committed: the backup reads through a connection of its own
                demo_snapshot.load_or_seed(snapshot, media)
            call = CallRecord.objects.order_by("pk").first()
            CallRecord.objects.filter(pk=call.pk).update(summary=f"{call.summary} {CANARY}")
            default_storage.save("reports/canary.txt", ContentFile(f"{CANARY}\n".encode()))
            model = TallyEntry.objects.order_by("pk").first()
            TallyEntry.objects.bulk_create(
                [
                    TallyEntry(
                        petition_id=model.petition_id,
                        council_id=model.council_id,
                        kind=model.kind,
                        count=1 + i % 9,
                        collected_on=datetime.date(2025, 1, 1) + datetime.timedelta(days=i % 300),
                        entered_by_id=model.entered_by_id,
                        source="一括",
                    )
                    for i in range(EXTRA_ENTRIES)
                ],
                batch_size=2000,
            )
            result = services.backup_write(path=base / "archive.shaho-backup", key=KEY)
            yield SimpleNamespace(base=base, media=media, result=result, manifest=result.manifest)
        finally:
            if base_state.remembered():
                base_state.restore()  # as after a transactional test: the session's starting rows, same ids
            else:
                from tests.conftest import _load_registry

                call_command("flush", interactive=False, verbosity=0)
                _load_registry()


@pytest.fixture
def unblocked(django_db_blocker):
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def scratch(unblocked):
    """An empty database (the engine of the suite) and an empty files storage."""
    with services.scratch_target() as target, tempfile.TemporaryDirectory() as files:
        yield SimpleNamespace(target=target, storage=FileSystemStorage(location=files), files=Path(files))


def damaged(source, tmp_path, change):
    data = bytearray(source.result.path.read_bytes())
    data = change(data)
    path = tmp_path / "damaged.shaho-backup"
    path.write_bytes(bytes(data))
    return path


def assert_restored_nothing(scratch):
    assert databases.tables_with_rows(scratch.target) == []
    assert services.storage_names(scratch.storage) == []
    if scratch.target.engine == "postgresql":
        conn = scratch.target.connect()
        try:
            assert databases.table_names(scratch.target, conn.cursor()) == []
        finally:
            conn.close()


# --- the round trip ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def restored(source, django_db_blocker):
    """The module's archive restored, with --verify, into a scratch database and storage (read-only for the tests)."""
    with (
        django_db_blocker.unblock(),
        services.scratch_target() as target,
        tempfile.TemporaryDirectory() as files,
    ):
        storage = FileSystemStorage(location=files)
        result = services.backup_restore(path=source.result.path, key=KEY, target=target, storage=storage, verify=True)
        yield SimpleNamespace(target=target, storage=storage, files=Path(files), result=result)


def test_backup_restore_verify_gives_identical_rows_checksums_and_files(source, restored, unblocked):
    manifest = source.manifest
    assert manifest["engine"] == connection.vendor
    assert sum(entry["entries"] for entry in manifest["ledger"].values()) >= EXTRA_ENTRIES
    assert manifest["tables"][TallyEntry._meta.db_table] >= EXTRA_ENTRIES
    assert manifest["tables"][CallRecord._meta.db_table] > 0
    assert "reports/canary.txt" in manifest["files"]
    assert any(name.startswith("photos/") for name in manifest["files"]), manifest["files"]  # newsletter photos
    assert any(name.startswith("reports/2") for name in manifest["files"])  # generated reports
    assert set(manifest["members"]) == {manifest["database"], *(f"files/{name}" for name in manifest["files"])}
    assert ["core", "0002_backup_record"] in manifest["migrations"]

    result = restored.result
    assert result.verified and result.differences == []
    found = databases.target_figures(restored.target)
    assert found["tables"] == manifest["tables"]
    assert found["ledger"] == manifest["ledger"]
    assert sorted(services.storage_names(restored.storage)) == sorted(manifest["files"])
    assert (restored.files / "reports/canary.txt").read_text() == f"{CANARY}\n"
    assert services.differences_text(result.differences).startswith("一致")
    print(
        f"\n{connection.vendor}: archive {source.result.size:,} bytes, {result.rows:,} rows, "
        f"backup {source.result.seconds:.1f} s, restore+verify {result.seconds:.1f} s"
    )


def test_verify_reports_each_difference_as_a_table(source, restored, unblocked):
    """Compared with a manifest that says otherwise (a row more, another ledger sum, another file hash)."""
    table = TallyEntry._meta.db_table
    manifest = copy.deepcopy(source.manifest)
    manifest["tables"][table] += 1
    drive = next(iter(manifest["ledger"]))
    manifest["ledger"][drive]["sum"] += 5
    manifest["members"]["files/reports/canary.txt"]["sha256"] = "0" * 64
    differences = services.restore_differences(manifest, target=restored.target, storage=restored.storage)
    assert [d.what for d in differences] == [
        f"表 {table} の行数",
        f"集約の記録（署名 id {drive}）の件数・合計・最大 id",
        "ファイル reports/canary.txt の SHA-256",
    ]
    assert differences[0].expected == differences[0].found + 1
    text = services.differences_text(differences)
    assert text.startswith("不一致 3件\n項目\tマニフェスト\t復元後")


# --- nothing readable, nothing restored from a damaged archive ------------------------------------------------------


def test_archive_bytes_hold_no_canary(source, unblocked, tmp_path):
    data = source.result.path.read_bytes()
    assert CANARY.encode() not in data
    assert CANARY.encode("utf-16-le") not in data
    # The same search finds the canary in an unencrypted archive (DEBUG only): it is a real search.
    with override_settings(DEBUG=True, MEDIA_ROOT=source.media):
        plain = services.backup_write(path=tmp_path / "plain.shaho-backup", encrypt=False)
    assert CANARY.encode() in plain.path.read_bytes()


def test_unencrypted_archive_is_refused_with_debug_off(source, unblocked, tmp_path):
    with override_settings(DEBUG=False), pytest.raises(ArchiveError, match="DEBUG がオフ"):
        services.backup_write(path=tmp_path / "plain.shaho-backup", encrypt=False)
    with override_settings(DEBUG=False), pytest.raises(CommandError, match="--no-encrypt は使えません"):
        call_command("backup", "--no-encrypt", "--output", str(tmp_path / "x"))
    assert list(tmp_path.iterdir()) == []


def test_one_changed_byte_is_refused_and_restores_nothing(source, scratch, tmp_path):
    def flip(data):
        data[len(data) // 2] ^= 0x01
        return data

    with pytest.raises(ArchiveError, match="壊れているか、書き換えられています"):
        services.backup_restore(path=damaged(source, tmp_path, flip), key=KEY, target=scratch.target,
                                storage=scratch.storage)  # fmt: skip
    assert_restored_nothing(scratch)


def test_a_wrong_key_is_refused_and_restores_nothing(source, scratch):
    with pytest.raises(ArchiveError, match="鍵が違います"):
        services.backup_restore(
            path=source.result.path, key=key_from_text(key_generate()), target=scratch.target, storage=scratch.storage
        )
    assert_restored_nothing(scratch)


@pytest.mark.parametrize("cut", [1, 17, 1024 * 1024])
def test_a_truncated_archive_is_refused_and_restores_nothing(source, scratch, tmp_path, cut):
    with pytest.raises(ArchiveError, match=r"途中で切れています|壊れているか"):
        services.backup_restore(path=damaged(source, tmp_path, lambda data: data[:-cut]), key=KEY,
                                target=scratch.target, storage=scratch.storage)  # fmt: skip
    assert_restored_nothing(scratch)


def test_bytes_after_the_end_are_refused(source, scratch, tmp_path):
    with pytest.raises(ArchiveError, match="余分なデータ"):
        services.archive_check(damaged(source, tmp_path, lambda data: data + b"\0"), key=KEY)


# --- refused targets and archives -----------------------------------------------------------------------------------


def test_a_database_with_rows_is_refused(source, unblocked, tmp_path):
    empty_files = FileSystemStorage(location=tmp_path)
    with pytest.raises(ArchiveError, match=r"すでにデータがあります：.*行"):
        services.backup_restore(path=source.result.path, key=KEY, storage=empty_files)
    # The command says the same, in Japanese, and names the database.
    with override_settings(SHAHO_BACKUP_KEY=KEY_TEXT), pytest.raises(CommandError, match="空のデータベースを指定"):
        call_command("restore", str(source.result.path))


def test_a_files_storage_with_files_is_refused(source, scratch):
    scratch.storage.save("reports/old.pdf", ContentFile(b"%PDF"))
    with pytest.raises(ArchiveError, match=re.escape("ファイル置き場が空ではありません（1件、例：reports/old.pdf）")):
        services.backup_restore(path=source.result.path, key=KEY, target=scratch.target, storage=scratch.storage)
    assert databases.tables_with_rows(scratch.target) == []


def test_an_archive_from_a_newer_version_is_refused_naming_the_migrations(source, scratch, monkeypatch):
    real = services.MigrationLoader

    class OlderCode:
        """This code as it was before the backups' migration."""

        def __init__(self, *args, **kwargs):
            self.disk_migrations = {
                key: value for key, value in real(None).disk_migrations.items() if key != ("core", "0002_backup_record")
            }

    monkeypatch.setattr(services, "MigrationLoader", OlderCode)
    with pytest.raises(ArchiveError, match=r"より新しい版.*core\.0002_backup_record"):
        services.backup_restore(path=source.result.path, key=KEY, target=scratch.target, storage=scratch.storage)
    assert_restored_nothing(scratch)


def test_an_archive_of_another_engine_is_refused(source, unblocked, tmp_path):
    if connection.vendor == "postgresql":
        other = databases.Target({"ENGINE": "django.db.backends.sqlite3", "NAME": str(tmp_path / "x.sqlite3")})
        expected = "アーカイブは PostgreSQL 15、復元先は SQLite です"
    else:
        other = databases.Target({"ENGINE": "django.db.backends.postgresql", "NAME": "backup_h_never_created"})
        expected = "アーカイブは SQLite 3、復元先は PostgreSQL です"
    with pytest.raises(ArchiveError, match=f"データベースの種類が違います：{expected}"):
        services.backup_restore(path=source.result.path, key=KEY, target=other,
                                storage=FileSystemStorage(location=tmp_path / "files"))  # fmt: skip


def test_an_archive_of_another_major_version_is_refused(source, scratch, monkeypatch):
    monkeypatch.setattr(databases, "target_engine_major", lambda target: source.manifest["engine_major"] + 1)
    with pytest.raises(ArchiveError, match="メジャーバージョンが違います"):
        services.backup_restore(path=source.result.path, key=KEY, target=scratch.target, storage=scratch.storage)


# --- the commands -------------------------------------------------------------------------------------------------


def test_backup_command_prints_time_and_size_and_checks_an_archive(source, unblocked, tmp_path):
    out = io.StringIO()
    with override_settings(SHAHO_BACKUP_KEY=KEY_TEXT, MEDIA_ROOT=source.media):
        call_command("backup", "--output", str(tmp_path / "cmd.shaho-backup"), stdout=out)
        assert "バックアップを作成しました" in out.getvalue()
        assert "所要時間" in out.getvalue() and "サイズ" in out.getvalue()
        out = io.StringIO()
        call_command("backup", "--verify", str(tmp_path / "cmd.shaho-backup"), stdout=out)
    assert "アーカイブは完全です" in out.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["cmd.shaho-backup"]  # no partial file left


# --- the schedule: retention, the drill, the record ------------------------------------------------------------------


def test_drill_restores_the_newest_archive_and_records_it(source, unblocked, tmp_path, caplog):
    destination = services.Destination(directory=tmp_path)
    older = tmp_path / services.archive_name(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    older.write_bytes(b"not an archive")
    shutil.copy(source.result.path, tmp_path / services.archive_name())
    with override_settings(SHAHO_BACKUP_KEY=KEY_TEXT):
        record = services.drill_run(destination=destination)
    assert record.verdict == BackupRecord.Verdict.OK, record.message
    assert record.archive != older.name and record.rows == sum(source.manifest["tables"].values())
    assert record.message.startswith("一致")

    # A damaged newest archive: the drill fails, says why, and logs an error.
    newest = tmp_path / destination.names()[-1]
    data = bytearray(newest.read_bytes())
    data[-100] ^= 0xFF
    newest.write_bytes(bytes(data))
    with override_settings(SHAHO_BACKUP_KEY=KEY_TEXT), caplog.at_level(logging.ERROR):
        record = services.drill_run(destination=destination)
    assert record.verdict == BackupRecord.Verdict.FAILED
    assert "書き換えられています" in record.message
    assert any(r.levelno == logging.ERROR and "Restore drill failed" in r.getMessage() for r in caplog.records)
    BackupRecord.objects.all().delete()


def test_scheduled_backup_without_a_key_is_recorded_as_failed(source, unblocked, tmp_path, caplog):
    with override_settings(SHAHO_BACKUP_KEY=""), caplog.at_level(logging.ERROR):
        record = services.backup_scheduled(destination=services.Destination(directory=tmp_path))
    assert record.verdict == BackupRecord.Verdict.FAILED
    assert "SHAHO_BACKUP_KEY が設定されていません" in record.message
    assert any("Backup failed" in r.getMessage() for r in caplog.records)
    with override_settings(SHAHO_BACKUP_KEY=KEY_TEXT, MEDIA_ROOT=source.media):
        record = services.backup_scheduled(destination=services.Destination(directory=tmp_path))
    assert record.verdict == BackupRecord.Verdict.OK and record.size > 0 and record.rows > EXTRA_ENTRIES
    BackupRecord.objects.all().delete()


# --- PostgreSQL: a backup stops no tally entry ---------------------------------------------------------------------


def test_pg_dump_running_stops_no_tally_entry(source, unblocked, tmp_path):
    """pg_dump is paused while it holds its locks; tally entries are inserted and committed meanwhile."""
    require_postgresql()
    import os
    import signal
    import time

    target = services.default_target()
    table = TallyEntry._meta.db_table
    model = TallyEntry.objects.order_by("pk").first()
    before = TallyEntry.objects.count()
    inserted = []

    def while_dumping(process):
        conn = target.connect()
        try:
            cursor = conn.cursor()
            deadline = time.monotonic() + 20
            while time.monotonic() < deadline:  # until pg_dump holds its lock on the ledger
                cursor.execute(
                    "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                    "WHERE a.application_name = 'pg_dump' AND l.relation = %s::regclass AND l.granted",
                    [table],
                )
                if cursor.fetchone()[0]:
                    break
                conn.commit()
                time.sleep(0.005)
            else:
                pytest.fail("pg_dump never locked the ledger")
            os.kill(process.pid, signal.SIGSTOP)
            try:
                cursor.execute("SET lock_timeout = '3s'")
                for i in range(50):
                    cursor.execute(
                        f'INSERT INTO "{table}" (petition_id, council_id, kind, count, collected_on, entered_by_id, '
                        "entered_at, source, note, correction_reason) "
                        "VALUES (%s, %s, %s, %s, %s, %s, now(), 'バックアップ中', '', '')",
                        [
                            model.petition_id,
                            model.council_id,
                            model.kind,
                            1,
                            datetime.date(2026, 1, 1),
                            model.entered_by_id,
                        ],
                    )
                    conn.commit()
                    inserted.append(i)
            finally:
                os.kill(process.pid, signal.SIGCONT)
        finally:
            conn.close()

    result = services.backup_write(path=tmp_path / "live.shaho-backup", key=KEY, on_dump_started=while_dumping)
    assert len(inserted) == 50
    assert TallyEntry.objects.count() == before + 50
    # The archive is the snapshot taken before the inserts: its figures and its dump agree on that.
    assert result.manifest["tables"][table] == before
    with services.scratch_target() as scratch, tempfile.TemporaryDirectory() as files:
        restored = services.backup_restore(path=result.path, key=KEY, target=scratch,
                                           storage=FileSystemStorage(location=files), verify=True)  # fmt: skip
        assert restored.differences == []
