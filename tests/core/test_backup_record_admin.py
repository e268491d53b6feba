"""The backups' record in the admin (national staff only), the retention rule, and the archive's encryption."""

import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from shaho.core.backups import crypto, services
from shaho.core.backups.crypto import ArchiveError, DecryptingReader, EncryptingWriter
from shaho.core.backups.models import BackupRecord

CHANGELIST = "admin:core_backuprecord_changelist"


@pytest.fixture
def records(db):
    now = timezone.now()
    ok = BackupRecord.objects.create(
        kind=BackupRecord.Kind.DRILL, started_at=now, archive="shaho-20261206-030000.shaho-backup",
        size=12 * 1024 * 1024, rows=123_456, verdict=BackupRecord.Verdict.OK, duration=8.5, message="一致",
    )  # fmt: skip
    failed = BackupRecord.objects.create(
        kind=BackupRecord.Kind.BACKUP, started_at=now - datetime.timedelta(days=1),
        verdict=BackupRecord.Verdict.FAILED, duration=0.1, message="SHAHO_BACKUP_KEY が設定されていません。",
    )  # fmt: skip
    return ok, failed


def test_national_staff_see_backups_and_drills_with_failures_and_their_reason(client, national_staff, records):
    client.force_login(national_staff)
    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    body = response.content.decode()
    assert "バックアップと復元訓練" in body
    assert "shaho-20261206-030000.shaho-backup" in body and "123,456" in body and "12.0 MB" in body
    assert "失敗" in body and "SHAHO_BACKUP_KEY が設定されていません" in body
    assert "バックアップと復元訓練" in client.get(reverse("admin:index")).content.decode()
    # Read-only: nobody adds, changes or deletes a record.
    ok, _ = records
    assert client.get(reverse("admin:core_backuprecord_add")).status_code == 403
    assert client.post(reverse("admin:core_backuprecord_delete", args=[ok.pk]), {"post": "yes"}).status_code == 403
    assert BackupRecord.objects.filter(pk=ok.pk).exists()


def test_council_staff_cannot_see_the_backups(client, kanagawa_staff, records):
    client.force_login(kanagawa_staff)
    ok, _ = records
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(reverse("admin:core_backuprecord_change", args=[ok.pk])).status_code == 403
    assert "バックアップと復元訓練" not in client.get(reverse("admin:index")).content.decode()


# --- retention: the newest of each of the last 7 days, 4 weeks, 12 months ----------------------------------------


def _names(times):
    return [services.archive_name(t) for t in times]


def test_retention_keeps_seven_daily_four_weekly_twelve_monthly():
    tz = datetime.UTC
    start = datetime.datetime(2025, 1, 1, 18, 0, tzinfo=tz)
    # Two archives a day for 400 days.
    times = [start + datetime.timedelta(days=d, hours=h) for d in range(400) for h in (0, 3)]
    names = _names(times)
    keep = services.retention_keep(names, daily=7, weekly=4, monthly=12, tz=tz)
    kept = sorted(services.archive_time(n) for n in keep)
    last = times[-1]
    # The 7 newest days: their last archive each.
    assert [t for t in kept if t >= last - datetime.timedelta(days=6, hours=3)] == [
        last - datetime.timedelta(days=d) for d in range(6, -1, -1)
    ]
    months = {(t.year, t.month) for t in kept}
    assert len(months) == 12
    assert min(kept) >= last - datetime.timedelta(days=366)
    assert len(keep) <= 7 + 4 + 12
    assert not any(services.archive_time(n).hour == 18 and n in keep for n in names[-14:])  # the earlier one of a day


def test_retention_applies_to_a_directory(tmp_path, settings):
    settings.SHAHO_BACKUP_KEEP_DAILY, settings.SHAHO_BACKUP_KEEP_WEEKLY, settings.SHAHO_BACKUP_KEEP_MONTHLY = 2, 0, 0
    start = datetime.datetime(2026, 3, 1, 3, tzinfo=datetime.UTC)
    for name in _names([start + datetime.timedelta(days=d) for d in range(5)]):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not an archive: left alone")
    removed = services.retention_apply(services.Destination(directory=tmp_path))
    assert len(removed) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [*_names([start + datetime.timedelta(days=3), start + datetime.timedelta(days=4)]), "notes.txt"]
    )


# --- the encryption: streaming chunks, each authenticated, in order, to the last ---------------------------------


KEY = crypto.key_from_text(crypto.key_generate())


def _encrypt(data, chunk_size=16):
    raw = io.BytesIO()
    writer = EncryptingWriter(raw, KEY, chunk_size=chunk_size)
    writer.write(data)
    writer.close()
    return raw.getvalue()


def _decrypt(blob):
    reader = DecryptingReader(io.BytesIO(blob), KEY)
    data = reader.read()
    reader.drain()
    return data


def _chunks(blob):
    """(offset, length) of every chunk record after the header and key check."""
    offset, spans = crypto._HEADER.size + crypto._CHECK, []
    while offset < len(blob):
        _, length = crypto._CHUNK.unpack(blob[offset : offset + crypto._CHUNK.size])
        spans.append((offset, crypto._CHUNK.size + length))
        offset += crypto._CHUNK.size + length
    return spans


def test_round_trip_in_chunks_and_small_reads():
    data = bytes(range(256)) * 5
    blob = _encrypt(data)
    assert len(_chunks(blob)) == len(data) // 16
    reader = DecryptingReader(io.BytesIO(blob), KEY)
    assert b"".join(iter(lambda: reader.read(7), b"")) == data
    assert _decrypt(_encrypt(b"")) == b""


def test_reordered_dropped_or_relabelled_chunks_are_refused():
    blob = _encrypt(b"A" * 16 + b"B" * 16 + b"C" * 16 + b"D" * 5)
    (a0, al), (b0, bl), (c0, _), (d0, _) = _chunks(blob)
    head = blob[:a0]
    swapped = head + blob[b0 : b0 + bl] + blob[a0 : a0 + al] + blob[c0:]
    with pytest.raises(ArchiveError, match="1番目のブロックの検証に失敗"):
        _decrypt(swapped)
    dropped = head + blob[a0 : a0 + al] + blob[c0:]
    with pytest.raises(ArchiveError, match="2番目のブロック"):
        _decrypt(dropped)
    # The third chunk flagged as the last: its flag is authenticated too.
    relabelled = bytearray(head + blob[a0:d0])
    relabelled[c0] = 1
    with pytest.raises(ArchiveError, match="3番目のブロック"):
        _decrypt(bytes(relabelled))
    with pytest.raises(ArchiveError, match="途中で切れています"):
        _decrypt(blob[:d0])


def test_a_malformed_key_is_refused_with_a_message():
    with pytest.raises(ArchiveError, match="SHAHO_BACKUP_KEY が正しくありません"):
        crypto.key_from_text("short")


# --- the schedule ---------------------------------------------------------------------------------------------


def test_beat_runs_the_daily_backup_and_the_weekly_drill(settings):
    from shaho.celery import app

    schedule = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"core.backup_daily", "core.restore_drill"} <= set(schedule)
    assert schedule["core.backup_daily"].hour == {3} and len(schedule["core.backup_daily"].day_of_week) == 7
    assert schedule["core.restore_drill"].day_of_week == {0}
    assert {"core.backup_daily", "core.restore_drill"} <= set(app.tasks)


def test_the_daily_task_writes_an_archive_and_records_it(db, settings, tmp_path):
    from shaho.core import tasks

    settings.SHAHO_BACKUP_DIR, settings.MEDIA_ROOT = tmp_path / "archives", tmp_path / "media"
    settings.SHAHO_BACKUP_KEY = crypto.key_generate()
    record = BackupRecord.objects.get(pk=tasks.backup_daily())
    assert record.verdict == BackupRecord.Verdict.OK, record.message
    assert [p.name for p in (tmp_path / "archives").iterdir()] == [record.archive]
    assert record.size == (tmp_path / "archives" / record.archive).stat().st_size and record.rows > 0
