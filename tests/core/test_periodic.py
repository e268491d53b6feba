"""`manage.py periodic <name>`: every entry of CELERY_BEAT_SCHEDULE runs through it on the test database, doing
its real work, as a cluster's CronJob runs it instead of beat (deploy/k8s/base/cronjobs.yaml)."""

import datetime
import io
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import timezone

from consultations.models import CallRecord, PurgeRun
from reports import services as report_services
from reports.models import JobStatus, ReportJob
from shaho.core import periodic
from shaho.core.backups import crypto
from shaho.core.backups.models import BackupRecord
from shaho.core.models import PendingUpload
from shaho.core.uploads import pending_upload_store
from tests.consultations import factories as consultation_factories
from tests.councils.factories import prefectural_council, staff_of
from tests.reports import factories as report_factories
from tests.required_services import service_missing

# The entries' tasks run in-process, as the command runs them, even in CI's pass with a broker (the rows are not
# committed: a worker would not see them).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("tasks_in_process")]

# Each entry of the schedule and the test below that runs it through the command.
RUN_BY = {
    "reports-sweep-stale-jobs": "test_the_sweep_requeues_a_stale_report_job_and_the_retry_completes",
    "core-purge-pending-uploads": "test_the_upload_purge_deletes_the_expired_upload_only",
    "consultations-purge-free-text": "test_the_free_text_purge_empties_calls_past_retention_only",
    "core-backup-daily": "test_the_backup_writes_an_archive_and_the_drill_restores_it",
    "core-restore-drill-weekly": "test_the_backup_writes_an_archive_and_the_drill_restores_it",
    "core-flush-api-uses": "test_the_api_use_flush_writes_the_buffered_uses",
    "core-sweep-import-jobs": "test_the_import_sweep_sends_a_dead_workers_import_again_and_it_completes",
}


def periodic_run(name):
    out = io.StringIO()
    call_command("periodic", name, stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) == 1, lines  # one log line per run
    return lines[0]


def test_every_entry_of_the_schedule_has_a_test_that_runs_it():
    assert set(settings.CELERY_BEAT_SCHEDULE) == set(RUN_BY)
    assert all(name in globals() for name in RUN_BY.values())


def test_the_list_names_every_entry_with_its_task_and_cron_string():
    out = io.StringIO()
    call_command("periodic", "--list", stdout=out)
    rows = [line.split("\t") for line in out.getvalue().splitlines()]
    assert [row[0] for row in rows] == list(settings.CELERY_BEAT_SCHEDULE)
    listed = {row[0]: row for row in rows}
    assert listed["core-backup-daily"][1:] == ["core.backup_daily", "crontab 0 3 * * *", "cron 0 3 * * *"]
    assert listed["reports-sweep-stale-jobs"][2:] == ["15 秒ごと", "cron * * * * *"]


def test_an_unknown_name_fails_in_japanese_listing_the_names():
    with pytest.raises(CommandError) as raised:
        call_command("periodic", "core-backup-nightly")
    message = str(raised.value)
    assert "定期処理「core-backup-nightly」は CELERY_BEAT_SCHEDULE にありません" in message
    assert all(name in message for name in settings.CELERY_BEAT_SCHEDULE)


def test_the_command_line_exits_non_zero_for_an_unknown_name():
    completed = subprocess.run(
        [sys.executable, "manage.py", "periodic", "no-such-entry"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "shaho.settings"},
    )  # fmt: skip
    assert completed.returncode == 1
    assert "定期処理「no-such-entry」" in completed.stderr and "core-backup-daily" in completed.stderr


@pytest.mark.parametrize(
    ("schedule", "cron"),
    [
        (15.0, "* * * * *"),
        (60, "* * * * *"),
        (300, "*/5 * * * *"),
        (3600.0, "0 * * * *"),
        (6 * 3600, "0 */6 * * *"),
        (86400.0, "0 0 * * *"),
        (datetime.timedelta(days=7), "0 0 * * 0"),
    ],
)
def test_intervals_become_cron_strings_of_the_same_period(schedule, cron):
    assert periodic.cron_for(schedule) == cron


def test_an_interval_cron_cannot_repeat_is_refused():
    with pytest.raises(periodic.NoCronEquivalent, match="7000 秒ごと"):
        periodic.cron_for(7000)


# --- each entry, doing its real work -----------------------------------------------------------------------------


def test_the_sweep_requeues_a_stale_report_job_and_the_retry_completes(
    settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    councils = report_factories.federation()
    job, _ = report_services.request_job(
        kind="council_directory", params={"prefecture": "14"}, user=staff_of(councils["kanagawa"])
    )
    report_services.start_attempt(job_id=job.pk, attempt=1)  # a worker claimed it, then died
    ReportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    with django_capture_on_commit_callbacks(execute=True):
        line = periodic_run("reports-sweep-stale-jobs")
    assert line.startswith("定期処理 reports-sweep-stale-jobs（reports.sweep_stale_jobs）: 完了")
    assert "'requeued': 1" in line
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.attempt == 2


def test_the_import_sweep_sends_a_dead_workers_import_again_and_it_completes(settings, tmp_path):
    from petitions.importing import IMPORTER, TALLIES
    from petitions.models import TallyEntry
    from shaho.core import import_jobs
    from shaho.core.models import ImportJob
    from tests.petitions.factories import PetitionDriveFactory

    settings.MEDIA_ROOT = tmp_path
    staff = staff_of(prefectural_council("14"))
    petition = PetitionDriveFactory(slug="sweep")
    data = "社保協,団体,種別,筆数,日付,備考\r\n神奈川県社会保障推進協議会,,個人,7,2025-12-07,\r\n".encode()
    upload = pending_upload_store(owner=staff, importer=IMPORTER, file_name="sweep.csv", data=data)
    job, _ = import_jobs.job_for_upload(upload=upload, user=staff, importer=TALLIES, target=petition, options={})
    import_jobs.start_attempt(job_id=job.pk, attempt=1)  # a worker claimed it, then died
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - datetime.timedelta(hours=1))
    line = periodic_run("core-sweep-import-jobs")
    assert line.startswith("定期処理 core-sweep-import-jobs（core.sweep_import_jobs）: 完了")
    assert "'requeued': 1" in line
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE and job.attempt == 2
    assert TallyEntry.objects.filter(petition=petition).count() == 1


def test_the_upload_purge_deletes_the_expired_upload_only():
    owner = staff_of(prefectural_council("14"))
    old = pending_upload_store(
        owner=owner, importer="petitions.tally", file_name="old.csv", data=b"a,b\r\n",
        now=timezone.now() - datetime.timedelta(days=2),
    )  # fmt: skip
    fresh = pending_upload_store(owner=owner, importer="petitions.tally", file_name="new.csv", data=b"a,b\r\n")
    line = periodic_run("core-purge-pending-uploads")
    assert "完了" in line and line.endswith("結果 1")
    assert list(PendingUpload.objects.values_list("pk", flat=True)) == [fresh.pk]
    assert old.pk != fresh.pk


def test_the_free_text_purge_empties_calls_past_retention_only():
    kanagawa = prefectural_council("14")
    f = consultation_factories
    old = f.call(f.responder(f.station(f.national_day(datetime.date(2019, 11, 11)), kanagawa)), summary="古い相談")
    recent_day = f.national_day(timezone.localdate() - datetime.timedelta(days=10))
    new = f.call(f.responder(f.station(recent_day, kanagawa)), summary="新しい相談")
    line = periodic_run("consultations-purge-free-text")
    assert line.endswith("結果 1")
    old.refresh_from_db(), new.refresh_from_db()
    assert old.summary == "" and old.text_purged_at is not None
    assert new.summary == "新しい相談" and CallRecord.objects.count() == 2
    assert PurgeRun.objects.get().calls_purged == 1


def test_the_backup_writes_an_archive_and_the_drill_restores_it(settings, tmp_path):
    settings.SHAHO_BACKUP_DIR, settings.MEDIA_ROOT = tmp_path / "archives", tmp_path / "media"
    settings.SHAHO_BACKUP_KEY = crypto.key_generate()
    line = periodic_run("core-backup-daily")
    backup = BackupRecord.objects.get(kind=BackupRecord.Kind.BACKUP)
    assert backup.verdict == BackupRecord.Verdict.OK, backup.message
    assert line.endswith(f"結果 {backup.pk}")
    assert [p.name for p in (tmp_path / "archives").iterdir()] == [backup.archive]

    line = periodic_run("core-restore-drill-weekly")
    drill = BackupRecord.objects.get(kind=BackupRecord.Kind.DRILL)
    assert drill.verdict == BackupRecord.Verdict.OK, drill.message
    assert drill.archive == backup.archive and drill.rows == backup.rows and drill.message.startswith("一致")
    assert line.endswith(f"結果 {drill.pk}")


def test_a_failed_backup_is_recorded_and_fails_the_command_in_one_line(settings, tmp_path):
    settings.SHAHO_BACKUP_DIR, settings.SHAHO_BACKUP_KEY = tmp_path, ""
    with pytest.raises(CommandError) as raised:
        call_command("periodic", "core-backup-daily")
    line = str(raised.value)
    assert "\n" not in line
    assert line.startswith("定期処理 core-backup-daily（core.backup_daily）: 失敗")
    assert "RecordedFailure" in line and "SHAHO_BACKUP_KEY が設定されていません" in line
    record = BackupRecord.objects.get()
    assert record.verdict == BackupRecord.Verdict.FAILED and f"記録 {record.pk}" in line
    assert list(tmp_path.iterdir()) == []


def test_a_drill_with_no_archive_fails_the_command(settings, tmp_path):
    settings.SHAHO_BACKUP_DIR = tmp_path
    with pytest.raises(CommandError, match="復元するアーカイブがありません"):
        call_command("periodic", "core-restore-drill-weekly")
    assert BackupRecord.objects.get().verdict == BackupRecord.Verdict.FAILED


# --- a cluster's backups: to a bucket of their own (deploy/k8s: SHAHO_BACKUP_STORAGE=backups) -----------------


def _s3_or_missing():
    try:
        import boto3
        import moto
        import storages.backends.s3  # noqa: F401  (django-storages, issue 22's storage part)
    except ImportError as error:
        service_missing(f"needs django-storages and moto for the backups bucket: {error}")
    return boto3, moto


def test_the_backups_storage_is_configured_from_the_environment():
    env = {**os.environ, "SHAHO_BACKUP_S3_BUCKET": "site-backups", "SHAHO_S3_ENDPOINT_URL": "https://s3.test.invalid"}
    code = "from django.conf import settings; print(settings.STORAGES['backups'])"
    completed = subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
        env={**env, "DJANGO_SETTINGS_MODULE": "shaho.settings"},
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr
    assert "'BACKEND': 'storages.backends.s3.S3Storage'" in completed.stdout
    assert "'bucket_name': 'site-backups'" in completed.stdout
    assert "'endpoint_url': 'https://s3.test.invalid'" in completed.stdout
    assert "backups" not in settings.STORAGES  # unset here: compose and `make run` keep the directory


def test_the_backup_and_the_drill_use_the_backups_bucket(settings, tmp_path, monkeypatch):
    boto3, moto = _s3_or_missing()
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, "testing")
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="site-backups")
        settings.STORAGES = {
            **settings.STORAGES,
            "backups": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": "site-backups", "region_name": "us-east-1", "file_overwrite": False},
            },
        }
        settings.SHAHO_BACKUP_STORAGE, settings.SHAHO_BACKUP_DIR = "backups", tmp_path / "unused"
        settings.MEDIA_ROOT, settings.SHAHO_BACKUP_KEY = tmp_path / "media", crypto.key_generate()
        periodic_run("core-backup-daily")
        backup = BackupRecord.objects.get(kind=BackupRecord.Kind.BACKUP)
        assert backup.verdict == BackupRecord.Verdict.OK, backup.message
        listed = boto3.client("s3", region_name="us-east-1").list_objects_v2(Bucket="site-backups")["Contents"]
        assert [(o["Key"], o["Size"]) for o in listed] == [(backup.archive, backup.size)]
        assert not (tmp_path / "unused").exists()  # nothing kept on the pod's disk

        periodic_run("core-restore-drill-weekly")
        drill = BackupRecord.objects.get(kind=BackupRecord.Kind.DRILL)
        assert drill.verdict == BackupRecord.Verdict.OK, drill.message
        assert drill.archive == backup.archive and drill.rows == backup.rows


def test_the_api_use_flush_writes_the_buffered_uses():
    from shaho.core.api import usage
    from shaho.core.api.models import ApiTokenUse
    from shaho.core.api.services import api_token_create

    kanagawa = prefectural_council("14")
    token, _secret = api_token_create(council=kanagawa, name="県のサイト", user=staff_of(kanagawa))
    usage.flush()  # nothing left over from another test
    for status in (200, 304):
        usage.record_use(
            token_key=token.key, method="GET", endpoint="api:council-list", path="/api/v1/councils/",
            status=status, address="192.0.2.10",
        )  # fmt: skip
    line = periodic_run("core-flush-api-uses")
    # Without a broker the first use may already have been written by record_use (the buffer was old): the command
    # writes what is left, and between them both rows are in.
    assert "完了" in line and line[-1] in "12"
    uses = ApiTokenUse.objects.filter(token=token).order_by("status")
    assert [(u.status, u.endpoint, u.council_id) for u in uses] == [
        (200, "api:council-list", kanagawa.pk),
        (304, "api:council-list", kanagawa.pk),
    ]
