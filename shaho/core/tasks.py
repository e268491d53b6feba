"""The base class of the project's Celery tasks: a task is sent only once the transaction that asked for it commits.

Modelled on pretix's `TransactionAwareTask` (src/pretix/base/services/tasks.py): `apply_async`
inside a transaction waits for the commit, so a worker never looks for a row that is not there
yet, and a rolled-back request sends nothing. Services never send tasks; the task layer does.

Without a broker (`make run`, CELERY_TASK_ALWAYS_EAGER) Celery would run the task in the request's
own thread, holding the browser for as long as the job takes. With TASKS_EAGER_IN_THREAD on
(the default when there is no broker) the task runs instead in a thread of its own after the
commit, so the response goes out at once and the page polls for progress, as it does with a
worker. Tests keep it off (tests/conftest.py) so an eager task runs where the test can see it.

Also here: the periodic upkeep of the shared rows (Celery beat: CELERY_BEAT_SCHEDULE in settings).
"""

import threading

from celery import Task, shared_task
from django.conf import settings
from django.db import close_old_connections, connections, transaction

from .uploads import pending_uploads_purge


def _run_in_thread(task, args, kwargs, options):
    try:
        close_old_connections()
        Task.apply_async(task, args=args, kwargs=kwargs, **options)
    finally:
        # A thread's connections are its own: close them, or each job leaves one open.
        connections.close_all()


class TransactionAwareTask(Task):
    """A task sent on commit (at once outside a transaction); in-process runs go to a thread when configured."""

    abstract = True

    def apply_async(self, args=None, kwargs=None, **options):
        transaction.on_commit(lambda: self.send_now(args, kwargs, **options))

    def send_now(self, args=None, kwargs=None, **options):
        """Send at once, not waiting for a commit: for a caller that already runs after one (an outbox sender).

        Raises what publishing raises (kombu's OperationalError when the broker cannot be reached, within
        the bounded timeouts of settings.CELERY_BROKER_TRANSPORT_OPTIONS); the caller decides what a
        message that could not be sent means.
        """
        if self.app.conf.task_always_eager and getattr(settings, "TASKS_EAGER_IN_THREAD", False):
            thread = threading.Thread(
                target=_run_in_thread, args=(self, args, kwargs, options), name=f"task-{self.name}", daemon=True
            )
            thread.start()
            return None
        return super().apply_async(args=args, kwargs=kwargs, **options)


@shared_task(name="core.purge_pending_uploads")
def purge_pending_uploads():
    """Beat (hourly): delete expired pending uploads. Idempotent: a duplicate run finds nothing left to delete."""
    return pending_uploads_purge()


class RecordedFailure(Exception):
    """A periodic run that failed and was recorded (a BackupRecord saying why): raised so that beat's task
    and a cluster's CronJob (`manage.py periodic`, non-zero exit) fail too, instead of passing quietly."""


@shared_task(name="core.backup_daily")
def backup_daily():
    """The daily backup to SHAHO_BACKUP_DIR (or its storage), then the retention rule; recorded either way.

    Returns the record's pk; raises RecordedFailure (after recording) when the backup failed."""
    from .backups.services import backup_scheduled

    record = backup_scheduled()
    if record.verdict == record.Verdict.FAILED:
        raise RecordedFailure(f"バックアップに失敗しました（記録 {record.pk}）: {record.message}")
    return record.pk


@shared_task(name="core.restore_drill")
def restore_drill():
    """The weekly restore drill of the newest archive; recorded either way.

    Returns the record's pk; raises RecordedFailure (after recording) when the drill failed."""
    from .backups.services import drill_run

    record = drill_run()
    if record.verdict == record.Verdict.FAILED:
        raise RecordedFailure(f"復元訓練に失敗しました（記録 {record.pk}）: {record.message}")
    return record.pk


@shared_task(name="core.flush_api_uses")
def flush_api_uses():
    """Beat (every SHAHO_API_USE_FLUSH_SECONDS): write the buffered API uses to the log. Idempotent."""
    from .api.usage import flush

    return flush()


# --- imports: the commit of a checked upload, on the `imports` queue ---------------------------------------


@shared_task(bind=True, base=TransactionAwareTask, name="core.run_import", acks_late=True, reject_on_worker_lost=True)
def run_import(self, job_id, attempt):
    """Commit import job `job_id` as `attempt` (`shaho.core.import_jobs.run_job`). Idempotent by the job row: a
    duplicate or redelivered message finds the attempt taken (or the job finished) and stops."""
    from . import import_jobs

    job = import_jobs.start_attempt(job_id=job_id, attempt=attempt, worker=self.request.hostname or "")
    if job is None:
        return "skipped"
    try:
        job = import_jobs.run_job(job=job, attempt=attempt)
    except import_jobs.StaleAttempt:
        return "superseded"
    return job.status


def send_import(*, job):
    """Send the run of `job`'s next attempt: at once when tasks run eagerly in this very thread (its connection sees
    the row uncommitted), else once the current transaction commits (a worker, or the in-process thread of
    `make run`, reads the row from another connection)."""
    args = [job.pk, job.attempt + 1]
    if run_import.app.conf.task_always_eager and not getattr(settings, "TASKS_EAGER_IN_THREAD", False):
        run_import.send_now(args=args)
    else:
        run_import.apply_async(args=args)


def request_import(*, upload, user, importer, target, options):
    """The job committing `upload` (made once per upload: `import_jobs.job_for_upload`), its run sent if new."""
    from . import import_jobs

    job, created = import_jobs.job_for_upload(
        upload=upload, user=user, importer=importer, target=target, options=options
    )
    if created:
        send_import(job=job)
    return job


@shared_task(name="core.sweep_import_jobs")
def sweep_import_jobs():
    """Beat (every REPORTS_SWEEP_SECONDS): import jobs whose worker died go back to the queue for another attempt
    (or fail saying nothing was saved), and jobs waiting on a message lost with the broker are sent again.
    Idempotent: a duplicate message is skipped by the job's attempt number."""
    from . import import_jobs

    requeued, failed = import_jobs.sweep_stale_jobs()
    resent = 0
    for job in [*requeued, *import_jobs.jobs_waiting()]:
        try:
            run_import.send_now(args=[job.pk, job.attempt + 1])
            resent += 1
        except Exception:
            break  # the broker cannot be reached: the next sweep tries again
    return {"requeued": len(requeued), "failed": failed, "sent": resent}
