"""Backups with the files on object storage and the archives in a bucket of their own (SHAHO_BACKUP_S3_BUCKET,
SHAHO_BACKUP_STORAGE=backups), against a real S3 endpoint on 127.0.0.1 (moto's server: tests/storage_s3.py).

The scheduled backup reads the files through the storage API from the media bucket and writes its archive to
the backups bucket; a restore takes the archive from there into an empty database and an empty bucket, and the
verification finds every row count and every file's SHA-256 as the manifest says; the weekly drill does the same.
"""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.test import override_settings
from storages.backends.s3 import S3Storage

from shaho.core.backups import services
from shaho.core.backups.crypto import key_generate
from shaho.core.backups.models import BackupRecord
from shaho.settings import s3_storage_options

pytestmark = pytest.mark.django_db
KEY_TEXT = key_generate()


def test_a_backup_to_the_bucket_restores_from_it_into_an_empty_bucket(s3_media, s3_backups, s3_server):
    photo = default_storage.save("photos/2026/12/canary.jpg", ContentFile(b"\xff\xd8 photo bytes " * 1000))
    report = default_storage.save("reports/2026/12/canary.pdf", ContentFile(b"%PDF-1.7 report bytes"))
    assert s3_media.keys() == sorted([photo, report])

    with override_settings(SHAHO_BACKUP_KEY=KEY_TEXT):
        record = services.backup_scheduled()
    assert record.verdict == BackupRecord.Verdict.OK, record.message
    assert "storage backups" in record.message
    # The archive is in the backups bucket, and only there: not among the files it backs up.
    assert s3_backups.keys() == [record.archive]
    assert record.archive not in s3_media.keys() and record.size == len(s3_backups.read(record.archive))
    assert services.Destination.configured().names() == [record.archive]

    # Restore from the bucket into an empty database and an empty media bucket.
    empty_bucket = s3_server.new_bucket("shaho-restored")
    restored_files = S3Storage(**s3_storage_options(bucket=empty_bucket))
    destination = services.Destination.configured()
    with (
        override_settings(SHAHO_BACKUP_KEY=KEY_TEXT),
        destination.local_copy(record.archive) as local,
        services.scratch_target() as target,
    ):
        result = services.backup_restore(path=local, target=target, storage=restored_files, verify=True)
    assert result.verified and result.differences == [], services.differences_text(result.differences)
    assert sorted(result.manifest["files"]) == sorted([photo, report])
    with restored_files.open(photo, "rb") as stream:
        assert stream.read() == b"\xff\xd8 photo bytes " * 1000

    # A restore into a bucket that holds files is refused, naming one.
    with (
        override_settings(SHAHO_BACKUP_KEY=KEY_TEXT),
        destination.local_copy(record.archive) as local,
        services.scratch_target() as target,
        pytest.raises(services.ArchiveError, match="ファイル置き場が空ではありません"),
    ):
        services.backup_restore(path=local, target=target, storage=restored_files)

    # The weekly drill reads the newest archive from the bucket too.
    with override_settings(SHAHO_BACKUP_KEY=KEY_TEXT):
        drill = services.drill_run()
    assert drill.verdict == BackupRecord.Verdict.OK, drill.message
    assert drill.archive == record.archive and drill.message.startswith("一致")
    assert storages["backups"].bucket_name == s3_backups.name
