"""core: its part of the query-count test (tests/test_query_counts.py): the backups' record."""

import datetime

from django.utils import timezone

from shaho.core.backups.models import BackupRecord


def _backup_records(world, k):
    now = timezone.now()
    BackupRecord.objects.bulk_create(
        BackupRecord(
            kind=BackupRecord.Kind.BACKUP if i % 2 else BackupRecord.Kind.DRILL,
            started_at=now - datetime.timedelta(days=i),
            archive=f"shaho-{i}.shaho-backup",
            size=1024 * i,
            rows=1000 + i,
            verdict=BackupRecord.Verdict.OK,
            duration=1.5,
            message="一致",
        )
        for i in range(k)
    )


BUILDERS = {BackupRecord: _backup_records}

# The backups and drills are national staff's only.
NATIONAL_ONLY = {BackupRecord}
