"""Import jobs: the commit of a checked upload, run by a worker (`core.run_import`, queue `imports`) with progress.

The preview step stays in the request (it only reads); 「取り込む」 makes one `ImportJob` per pending upload
(`job_for_upload`: the upload's token is unique on the job, so a double submit finds the same job) and the
task layer (`shaho.core.tasks`) sends its run once the row is committed. A job moves 待機中 → 実行中 → 完了 |
失敗; each run is an *attempt* (a number on the row) and only the latest attempt may finish the job.

All or nothing: the importer's commit (its rows), the job's 完了 with its counts, and the removal of the pending
upload are one transaction. A job is 完了 exactly when its rows are in; a worker that dies mid-commit leaves
no row and the job 実行中, which the sweep (`sweep_stale_jobs`) sends again or, after the last attempt, marks
失敗 saying that nothing was saved.

Progress while that transaction runs cannot be a row the transaction writes (nobody else would see it before
the commit), and on SQLite a second connection cannot write while the import holds the database's one write
lock. So the live figures (rows checked of the file's rows, the step, a heartbeat) go to the cache, keyed by
the job's UUID and carrying the attempt: Redis when CACHE_URL is set (web and workers share it), the
process's memory under `make run` (where the task runs in a thread of the web process). The job row keeps
the figures at the start and the end; on PostgreSQL a heartbeat thread also writes the row's `heartbeat_at`
from its own connection.
"""

import contextlib
import datetime
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.safestring import SafeData

from . import imports, intake
from .heartbeat import beating
from .models import ImportJob, PendingUpload
from .roles import is_staff_user
from .scoping import scope_for, sees_everything

logger = logging.getLogger(__name__)

Status = ImportJob.Status

WAITING, READING, CHECKING, SAVING = "待機中", "ファイルを読み込み中", "行を確認・書き込み中", "結果を保存中"
NOTHING_SAVED = "何も保存していません。"


# The job heartbeat and the sweep use the report jobs' settings (settings.py: REPORTS_HEARTBEAT_SECONDS,
# REPORTS_STALE_AFTER_SECONDS, REPORTS_MAX_ATTEMPTS), read at each use so a test can change them.
def heartbeat_seconds():
    return getattr(settings, "REPORTS_HEARTBEAT_SECONDS", 10)


def stale_after():
    return datetime.timedelta(seconds=getattr(settings, "REPORTS_STALE_AFTER_SECONDS", 60))


def max_attempts():
    return getattr(settings, "REPORTS_MAX_ATTEMPTS", 3)


# --- who sees a job -------------------------------------------------------------------------------------


def jobs_for(*, user):
    """The import jobs `user` may see: their own, and as staff those of the councils in their scope (their
    council and below; everything for national staff). Nobody else's: a member never sees another's job."""
    if not user or not user.is_authenticated or not user.is_active:
        return ImportJob.objects.none()
    if sees_everything(user):
        return ImportJob.objects.all()
    visible = Q(owner=user)
    if is_staff_user(user):
        visible |= Q(council__in=scope_for(user))
    return ImportJob.objects.filter(visible)


# --- making a job -------------------------------------------------------------------------------------------


def job_for_upload(*, upload, user, importer, target, options):
    """(job, created): the job committing `upload` (a PendingUpload of `user` for `importer`) into `target` with
    `options` ({name: True}), or the one already made for the same upload (a second 「取り込む」), created False;
    after a failed job of the same upload, a new one.

    Nothing is sent here: `shaho.core.tasks.send_import` sends the run once the row is committed.
    """
    existing = ImportJob.objects.filter(upload_token=upload.token).first()
    if existing is not None and existing.status != Status.FAILED:
        return existing, False
    if existing is not None:
        # A refused commit (a bad row, a file imported before without 置き換える) saved nothing and kept the upload:
        # sent again from its preview (with 置き換える ticked, say), it is a new job. The failed one keeps its page.
        ImportJob.objects.filter(pk=existing.pk, status=Status.FAILED).update(
            upload_token=f"{existing.pk}:{upload.token}"[:64]
        )
    try:
        with transaction.atomic():
            job = ImportJob.objects.create(
                upload_token=upload.token,
                upload=upload,
                owner=user,
                council_id=getattr(user, "council_id", None),
                importer=importer.key,
                target=importer.target_value(target),
                target_name=str(target)[:255] if target is not None else "",
                file_name=upload.file_name,
                options=options,
                step=WAITING,
            )
    except IntegrityError:
        # The same upload's other submit won the race: the unique token lets one job in.
        return ImportJob.objects.get(upload_token=upload.token), False
    return job, True


# --- live progress -----------------------------------------------------------------------------------------


def _cache_key(job):
    # By the job's UUID, not its id: an id can come again (a restored database, a rolled-back test), a UUID not.
    return f"shaho:import-job:{job.token}"


class Progress:
    """The live figures of one attempt, in the cache: rows checked of the file's rows, the step, a heartbeat.

    `intake` calls `reading()` and `rows_read(n)` around reading the file and `tick()` for every row checked
    (through its Deadline). Writes are at most one every `every` rows or `seconds`, so the cost stays per batch.
    """

    def __init__(self, job, attempt, *, every=200, seconds=0.5):
        self.job_id, self.key, self.attempt = job.pk, _cache_key(job), attempt
        self.every, self.seconds = every, seconds
        self.done, self.total, self.step = 0, None, READING
        self._last_write, self._unwritten = 0.0, 0

    def snapshot(self):
        return {
            "attempt": self.attempt,
            "done": self.done,
            "total": self.total,
            "step": self.step,
            "at": timezone.now().isoformat(),
        }

    def write(self):
        self._last_write, self._unwritten = time.monotonic(), 0
        try:
            cache.set(self.key, self.snapshot(), timeout=24 * 3600)
        except Exception:  # a cache that cannot be reached costs the live figures, never the import
            logger.warning("import job %s: progress not written", self.job_id, exc_info=True)

    def reading(self):
        self.done, self.total, self.step = 0, None, READING
        self.write()

    def rows_read(self, total):
        # Reading ticks too (the reader checks its deadline once a row); from here on, a tick is a row checked.
        self.done, self.total, self.step = 0, total, CHECKING
        self.write()

    def tick(self):
        if self.total is None:
            return  # still reading: the file's rows are not known yet
        if self.done < self.total:
            self.done += 1
        self._unwritten += 1
        if self._unwritten >= self.every or (
            self._unwritten & 63 == 0 and time.monotonic() - self._last_write >= self.seconds
        ):
            self.write()

    def saving(self):
        self.done = self.total or 0
        self.step = SAVING
        self.write()

    def beat(self):
        """The heartbeat thread's cache write: the same figures with a fresh time."""
        self.write()


def live(job):
    """The job's figures as shown: {status, step, done, total, percent}; while it runs, from the cache."""
    done, total, step = job.rows_done, job.rows_total, job.step
    if job.status == Status.RUNNING:
        figures = cache.get(_cache_key(job)) or {}
        if figures.get("attempt") == job.attempt:
            done, total, step = figures["done"], figures["total"], figures["step"]
    if job.status == Status.DONE:
        percent = 100
    else:
        percent = min(99, done * 100 // total) if total else 0
    return {"done": done, "total": total, "step": step, "percent": percent}


def _cache_heartbeat(job):
    figures = cache.get(_cache_key(job)) or {}
    if figures.get("attempt") != job.attempt or not figures.get("at"):
        return None
    return datetime.datetime.fromisoformat(figures["at"])


def _heartbeat(job, attempt, progress):
    """While the block runs, a beat every `heartbeat_seconds()` (`shaho.core.heartbeat`): the cache always, and on
    PostgreSQL the row's `heartbeat_at` from the thread's own connection (SQLite has one writer, held by the
    import)."""
    on_postgresql = connection.vendor == "postgresql"

    def beat():
        progress.beat()
        if on_postgresql:
            try:
                ImportJob.objects.filter(pk=job.pk, attempt=attempt, status=Status.RUNNING).update(
                    heartbeat_at=timezone.now()
                )
            except DatabaseError:
                logger.warning("import job %s: heartbeat not written", job.pk, exc_info=True)

    return beating(name=f"import-heartbeat-{job.pk}", interval=heartbeat_seconds(), beat=beat)


# --- running a job -----------------------------------------------------------------------------------------


class StaleAttempt(Exception):
    """This attempt is no longer the job's latest (the sweep took it for dead and sent another): it stops."""


def start_attempt(*, job_id, attempt, worker=""):
    """Claim `job_id` for `attempt` (the attempt after the job's last): 実行中, held by `worker`.

    Returns the job, or None when there is nothing to do (finished, or this attempt is not the next one: a
    duplicate or redelivered message). One conditional UPDATE decides.
    """
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=Status.QUEUED, attempt=attempt - 1).update(
        status=Status.RUNNING,
        attempt=attempt,
        step=READING,
        started_at=now,
        heartbeat_at=now,
        worker=(worker or "")[:200],
    )
    if not claimed:
        return None
    return ImportJob.objects.select_related("owner", "upload").get(pk=job_id)


def _save_outcome(job, importer, preview):
    """The outcome file (every row with its status and errors) saved through the default storage; its name.

    CSV (UTF-8 with BOM, as the preview's default download): it holds any cell a file can hold, where an xlsx
    refuses control characters that a CSV upload may carry.
    """
    if preview is None or not (preview.rows or preview.general_errors):
        return ""
    content, _content_type, extension = importer.outcome(preview, file_format="csv")
    field = ImportJob._meta.get_field("outcome")
    return field.storage.save(field.generate_filename(job, f"import_outcome.{extension}"), ContentFile(content))


def _delete_file(name):
    if name:
        with contextlib.suppress(OSError):
            ImportJob._meta.get_field("outcome").storage.delete(name)


def _counts(preview):
    if preview is None:
        return {}
    counts = preview.counts()
    return {
        "count_new": counts[imports.NEW],
        "count_changed": counts[imports.CHANGED],
        "count_unchanged": counts[imports.UNCHANGED],
        "count_errors": len(preview.error_rows),
        "rows_total": len(preview.rows),
        "rows_done": len(preview.rows),
    }


def mark_failed(*, job, attempt, reason, preview=None, importer=None):
    """Mark `job` 失敗 with `reason` (Japanese), with the checked rows' counts and outcome file when there are some."""
    name = _save_outcome(job, importer, preview) if importer is not None else ""
    now = timezone.now()
    updated = (
        ImportJob.objects.filter(pk=job.pk, attempt=attempt)
        .exclude(status=Status.DONE)
        .update(
            status=Status.FAILED,
            step="失敗",
            error=reason,
            outcome=name,
            finished_at=now,
            heartbeat_at=now,
            **_counts(preview),
        )
    )
    if not updated:
        _delete_file(name)
    job.refresh_from_db()


def run_job(*, job, attempt):
    """Commit `job`'s upload as `attempt` (claimed by `start_attempt`): every row and 完了, or nothing and 失敗.

    A refused file (a bad row, the same file imported before) marks the job 失敗 with the errors, each naming its
    row, and keeps the outcome file; so does anything unexpected (logged). Raises StaleAttempt when a later
    attempt took the job over (nothing of this one is kept).
    """
    upload = PendingUpload.objects.filter(pk=job.upload_id).first() if job.upload_id else None
    if upload is None:
        mark_failed(
            job=job,
            attempt=attempt,
            reason="確認したファイルが見つかりません（有効期限が切れたか削除されました）。"
            + NOTHING_SAVED
            + "もう一度ファイルを選んでください。",
        )
        return job
    upload.content = bytes(upload.content)
    try:
        importer = imports.importer_for(job.importer)
    except LookupError as exc:
        mark_failed(job=job, attempt=attempt, reason=f"{exc}{NOTHING_SAVED}")
        return job
    target = None
    if importer.target_label:
        # Checked again as the owner now: a target that left their scope (or was removed) is not imported into.
        target = importer.target_get(job.owner, job.target)
        if target is None:
            mark_failed(
                job=job,
                attempt=attempt,
                reason=f"{importer.target_label}「{job.target_name}」が見つからないか、権限の範囲の外です。{NOTHING_SAVED}",
            )
            return job
    progress = Progress(job, attempt)
    checked = []
    progress_token = intake.progress.set(progress)
    checked_token = imports._checked.set(checked)
    outcome = ""
    try:
        with _heartbeat(job, attempt, progress), transaction.atomic():
            result, message = importer.commit(
                data=upload.content,
                filename=upload.file_name,
                user=job.owner,
                target=target,
                encoding=upload.options.get("encoding") or None,
                options=job.options,
            )
            preview = checked[-1] if checked else None
            progress.saving()
            outcome = _save_outcome(job, importer, preview)
            now = timezone.now()
            done_url = importer.redirect_after(result, target) if target is not None else ""
            finished = ImportJob.objects.filter(pk=job.pk, attempt=attempt, status=Status.RUNNING).update(
                status=Status.DONE,
                step="完了",
                message=str(message or ""),
                message_is_html=isinstance(message, SafeData),
                done_url=done_url or "",
                outcome=outcome,
                error="",
                finished_at=now,
                heartbeat_at=now,
                **_counts(preview),
            )
            if not finished:
                raise StaleAttempt
            # The bytes are not needed once their rows are in: gone with the same commit.
            PendingUpload.objects.filter(pk=upload.pk).delete()
    except StaleAttempt:
        _delete_file(outcome)
        logger.info("import job %s: attempt %s superseded", job.pk, attempt)
        raise
    except imports.ImportRefused as exc:
        _delete_file(outcome)
        preview = exc.preview or (checked[-1] if checked else None)
        lines = intake.error_lines(preview.errors, 20) if preview is not None and preview.errors else exc.messages
        mark_failed(
            job=job,
            attempt=attempt,
            reason=f"取り込めませんでした。{NOTHING_SAVED}\n" + "\n".join(lines),
            preview=preview,
            importer=importer,
        )
    except Exception as exc:
        _delete_file(outcome)
        logger.exception("import job %s: attempt %s failed", job.pk, attempt)
        mark_failed(
            job=job,
            attempt=attempt,
            reason=f"取り込みの途中でエラーが起きたため中止しました（{type(exc).__name__}）。{NOTHING_SAVED}"
            "システム管理者に連絡してください。",
        )
    finally:
        intake.progress.reset(progress_token)
        imports._checked.reset(checked_token)
    job.refresh_from_db()
    return job


# --- the sweep ---------------------------------------------------------------------------------------------


def _stopped_reason(attempts):
    return (
        f"取り込みが途中で止まりました（{attempts}回試行しましたが、処理サーバーが停止するなどして終わりませんでした）。"
        f"{NOTHING_SAVED}もう一度ファイルを選んで取り込んでください。"
    )


def sweep_stale_jobs(*, now=None):
    """Jobs 実行中 with no sign of life for `stale_after()` (neither the row's heartbeat nor the cache's): back to
    待機中 for attempt n+1, or 失敗 saying nothing was saved after `max_attempts()`. A dead attempt wrote nothing
    (its rows and 完了 are one transaction), so running the file again is safe.

    Returns (requeued jobs, number failed); the task layer sends the requeued ones.
    """
    now = now or timezone.now()
    cutoff = now - stale_after()
    requeued, failed = [], 0
    for job in ImportJob.objects.filter(status=Status.RUNNING, heartbeat_at__lt=cutoff):
        beat = _cache_heartbeat(job)
        if beat is not None and beat >= cutoff:
            continue  # alive: its heartbeat is in the cache (SQLite, where the row cannot be written meanwhile)
        holder = ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, status=Status.RUNNING)
        if job.attempt >= max_attempts():
            failed += holder.update(
                status=Status.FAILED, step="失敗", error=_stopped_reason(job.attempt), finished_at=now
            )
            continue
        if holder.update(status=Status.QUEUED, step="再試行待ち", heartbeat_at=now, worker=""):
            job.refresh_from_db()
            requeued.append(job)
    return requeued, failed


def jobs_waiting(*, older_than=None, now=None):
    """Jobs 待機中 since before `older_than` ago (a message lost with its broker): the sweep sends them again."""
    now = now or timezone.now()
    return list(
        ImportJob.objects.filter(status=Status.QUEUED, created_at__lt=now - (older_than or stale_after())).order_by(
            "created_at"
        )[:500]
    )
