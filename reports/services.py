"""Write side of reports: requesting a job (checked before it starts), rendering it, publishing it, sweeping.

Services never send tasks: they write rows and return them. Sending the render task once the row
is committed belongs to the task layer (`reports.tasks`), which the views and the admin call.

A job moves 待機中 → 作成中 → 完了 | 失敗. Every run of a job is an *attempt* (a number on the
row): a worker that dies leaves its attempt behind, a later attempt starts from the beginning,
and only the latest attempt may finish the job, so a job ends with one file whatever happened
to the workers in between. A job left 作成中 with no sign of life is requeued by the sweep
(up to REPORTS_MAX_ATTEMPTS) and otherwise marked 失敗 with the reason: never 作成中 forever.

The job row is also the outbox of its messages: `sent_at` says whether the message for its next
attempt was handed to the broker. The task layer claims a send (`claim_send`, one conditional UPDATE,
so two senders never both send), publishes, and on failure gives the claim back (`release_send`):
the job then waits 待機中 with 「順番待ち（処理サーバーに接続できません）」 until a sweep or a starting
worker sends it. A duplicate message is harmless: `start_attempt` lets one message per attempt run.
"""

import contextlib
import datetime
import errno
import hashlib
import json
import logging
import re
import time
from html import unescape

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import Case, F, Q, Value, When
from django.template.loader import render_to_string
from django.utils import timezone

from shaho.core.heartbeat import beating
from shaho.core.japanese import format_date
from shaho.core.report_kinds import document_date, get_kind
from shaho.core.roles import is_staff_user
from shaho.core.scoping import require_in_scope

from . import documents
from .models import ACTIVE_STATUSES, Audience, Chapter, JobStatus, Meeting, ReportJob
from .selectors import data_version

logger = logging.getLogger(__name__)

# Identical requests (same kind, parameters, council and requester, and the same data: nothing the kind reads
# changed in between) within this many seconds make one job: a double click, not a request after a correction.
DEDUPE_SECONDS = getattr(settings, "REPORTS_DEDUPE_SECONDS", 120)
# What a job 待機中 says while its message could not be handed to the broker (the sweep sends it later).
UNREACHABLE_STEP = "順番待ち（処理サーバーに接続できません）"
WAITING_STEP = "待機中"


# Read at each use (settings.py documents them), so a test or a drill can change them.
def default_stale_after():
    """A job 作成中 whose heartbeat is older than this is taken for dead by the sweep."""
    return datetime.timedelta(seconds=getattr(settings, "REPORTS_STALE_AFTER_SECONDS", 60))


def max_attempts():
    return getattr(settings, "REPORTS_MAX_ATTEMPTS", 3)


def resend_after():
    """A job handed to the broker but still 待機中 after this long is sent again (its message presumed lost)."""
    return datetime.timedelta(seconds=getattr(settings, "REPORTS_RESEND_AFTER_SECONDS", 1800))


def _dedupe_key(*, kind, params, council, user, data_version):
    raw = json.dumps(
        [kind, params, council.pk, getattr(user, "pk", None), data_version],
        sort_keys=True,
        ensure_ascii=False,
        default=str,
    )
    return hashlib.sha256(raw.encode()).hexdigest()


def validate_request(*, kind, params, user):
    """The cleaned request for `kind` with `params` (text values), or ValidationError with the reasons.

    Everything that can be refused is refused here, before a job exists: unknown kinds and parameters,
    things the user may not see, unknown placeholders, raw HTML in staff text, characters the font lacks.
    """
    if user is not None and not is_staff_user(user):
        raise PermissionDenied("報告書を作成できるのは事務局のアカウントだけです。")
    report_kind = get_kind(kind)
    request = report_kind.clean(params={k: v for k, v in params.items() if v not in (None, "")}, user=user)
    if user is not None:
        require_in_scope(user, request.council)
    return report_kind, request


def request_job(*, kind, params, user, reuse_recent=True):
    """(job, created): a new job 待機中 for `kind` with `params`, or the existing one when the same request was
    just made (created False). With `reuse_recent` off (making a document again because its file is gone), a
    finished job of the same request is not reused; one still waiting or running is.

    Raises ValidationError (with every reason) or PermissionDenied; no job is created then. Nothing is sent
    to a worker here: `reports.tasks.request_report` sends the render once the row is committed.
    """
    report_kind, request = validate_request(kind=kind, params=params, user=user)
    version = data_version(report_kind, user=user)
    key = _dedupe_key(kind=kind, params=request.params, council=request.council, user=user, data_version=version)
    since = timezone.now() - datetime.timedelta(seconds=DEDUPE_SECONDS)
    recent = ReportJob.objects.filter(dedupe_key=key, created_at__gte=since).exclude(status=JobStatus.FAILED)
    if not reuse_recent:
        recent = recent.filter(status__in=ACTIVE_STATUSES)
    recent = recent.order_by("-created_at").first()
    if recent is not None:
        return recent, False
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                kind=report_kind.name,
                title=request.title,
                format=request.format,
                params=request.params,
                council=request.council,
                requested_by=user,
                dedupe_key=key,
                as_of=document_date(request),
                data_version=version,
                step=WAITING_STEP,
                steps=[{"at": timezone.now().isoformat(), "progress": 0, "step": "依頼を受付"}],
            )
    except IntegrityError:
        # The same request won a race with this one: the database lets only one active job per key.
        return ReportJob.objects.filter(dedupe_key=key, status__in=ACTIVE_STATUSES).get(), False
    return job, True


class StaleAttempt(Exception):
    """This attempt is no longer the job's latest: another one took over, so it stops quietly."""


def _progress_recorder(job, attempt):
    def progress(percent, step):
        now = timezone.now()
        entry = {"at": now.isoformat(), "progress": percent, "step": step, "attempt": attempt}
        job.progress, job.step, job.heartbeat_at = percent, step, now
        job.steps = [*job.steps, entry]
        updated = ReportJob.objects.filter(pk=job.pk, attempt=attempt, status=JobStatus.RUNNING).update(
            progress=percent, step=step, heartbeat_at=now, steps=job.steps
        )
        if not updated:
            raise StaleAttempt

    return progress


# --- the outbox: one message per attempt, whoever sends it -----------------------------------------------


def jobs_to_send(*, now=None, limit=500):
    """Ids of the jobs 待機中 that need a message: never handed to the broker, or handed so long ago
    (`resend_after()`) that the message is presumed lost. Oldest first, at most `limit`."""
    now = now or timezone.now()
    waiting = ReportJob.objects.filter(status=JobStatus.QUEUED)
    waiting = waiting.filter(Q(sent_at__isnull=True) | Q(sent_at__lt=now - resend_after()))
    return list(waiting.order_by("created_at").values_list("pk", flat=True)[:limit])


def claim_send(*, job_id, now=None):
    """Claim the sending of `job_id`'s next attempt: (attempt to send, claimed_at), or None when it is not
    this caller's to send (already sent, started, finished, or another sender claimed it first).

    One conditional UPDATE decides, so of two senders racing (two sweeps, a sweep and the request that
    made the job) exactly one gets the row. The caller publishes and, if that fails, calls `release_send`.
    """
    now = now or timezone.now()
    unsent = Q(sent_at__isnull=True) | Q(sent_at__lt=now - resend_after())
    claimed = ReportJob.objects.filter(unsent, pk=job_id, status=JobStatus.QUEUED).update(
        sent_at=now,
        step=Case(When(step=UNREACHABLE_STEP, then=Value(WAITING_STEP)), default=F("step")),
    )
    if not claimed:
        return None
    # Nothing else changes a claimed job's attempt until its message arrives: this is the attempt to send.
    attempt = ReportJob.objects.filter(pk=job_id).values_list("attempt", flat=True).get()
    return attempt + 1, now


def release_send(*, job_id, claimed_at):
    """The message claimed at `claimed_at` could not be sent: the job waits, saying so, for the next sender."""
    ReportJob.objects.filter(pk=job_id, status=JobStatus.QUEUED, sent_at=claimed_at).update(
        sent_at=None, step=UNREACHABLE_STEP
    )


def mark_unreachable(*, job_ids):
    """Jobs still waiting for their first message say why: the broker could not be reached (one UPDATE)."""
    ReportJob.objects.filter(pk__in=job_ids, status=JobStatus.QUEUED, sent_at__isnull=True).update(
        step=UNREACHABLE_STEP
    )


def start_attempt(*, job_id, attempt, worker="", pid=None):
    """Claim `job_id` for `attempt`: the job becomes 作成中 with that attempt number, held by `worker` (a
    Celery node name) in process `pid`.

    Returns the job, or None when there is nothing to do (already finished, or this or a later attempt
    exists: a duplicate or redelivered message stops here).
    """
    with transaction.atomic():
        job = ReportJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.is_finished or job.attempt >= attempt:
            return None
        job.attempt = attempt
        job.status = JobStatus.RUNNING
        job.started_at = job.started_at or timezone.now()
        job.heartbeat_at = timezone.now()
        job.worker, job.worker_pid = (worker or "")[:200], pid
        job.save(update_fields=["attempt", "status", "started_at", "heartbeat_at", "worker", "worker_pid"])
        return job


def _heartbeat(job, attempt):
    """While the block runs, the job's heartbeat is written every REPORTS_HEARTBEAT_SECONDS
    (`shaho.core.heartbeat`): a long PDF layout makes no progress call for minutes."""

    def beat():
        try:
            ReportJob.objects.filter(pk=job.pk, attempt=attempt, status=JobStatus.RUNNING).update(
                heartbeat_at=timezone.now()
            )
        except DatabaseError:
            logger.warning("report job %s: heartbeat not written", job.pk, exc_info=True)

    interval = getattr(settings, "REPORTS_HEARTBEAT_SECONDS", 10)
    return beating(name=f"report-heartbeat-{job.pk}", interval=interval, beat=beat)


def render_job(*, job, attempt=None, timings=None):
    """Render `job` (already claimed by `start_attempt`, or run directly by the management command).

    Records each step with its progress in `job.steps`; on success stores the file with its size,
    page count and SHA-256 and marks the job 完了. A problem in the data or the text marks it 失敗 with
    the reason and re-raises. `timings`, if given, receives seconds per phase (benchmarks).
    """
    attempt = attempt or job.attempt
    progress = _progress_recorder(job, attempt)
    kind = get_kind(job.kind)
    clock = time.perf_counter()
    timings = timings if timings is not None else {}
    try:
        with _heartbeat(job, attempt):
            _render(job=job, attempt=attempt, kind=kind, progress=progress, timings=timings, clock=clock)
    except StaleAttempt:
        logger.info("report job %s: attempt %s superseded", job.pk, attempt)
        raise
    except Exception as exc:
        if _is_transient(exc):
            raise  # the task retries it
        mark_failed(job=job, attempt=attempt, reason=_reason(exc))
        raise
    return job


def _render(*, job, attempt, kind, progress, timings, clock):
    progress(5, "データを集計中")
    built = kind.build(params=job.params, user=job.requested_by, progress=progress)
    timings["data"] = time.perf_counter() - clock
    if built.content is None:
        progress(40, "HTMLを作成中")
        clock = time.perf_counter()
        context = {"generated_on": format_date(timezone.localdate()), **built.context}
        html = render_to_string(built.template, context)
        web_html = render_to_string(kind.web_template, context) if kind.web_template else ""
        timings["html"] = time.perf_counter() - clock
        _check_document_glyphs(html, built)
        progress(50, "PDFを組版中")
        clock = time.perf_counter()
        fetcher = documents.asset_fetcher(council=job.council)
        document = documents.layout(html, fetcher=fetcher)
        timings["layout"] = time.perf_counter() - clock
        if fetcher.refused:
            # Nothing was read; say so on the job, so staff learn that the document named something foreign.
            refused = "、".join(dict.fromkeys(u[:80] for u in fetcher.refused))
            built.warnings.append(f"文書が外部の資源を読み込もうとしたため拒否しました: {refused}")
        progress(85, "PDFを書き出し中")
        clock = time.perf_counter()
        pdf = documents.write_pdf(document, metadata=pdf_metadata(job, kind), archival=kind.archival)
        timings["write"] = time.perf_counter() - clock
        content, pages = pdf.content, pdf.page_count
        timings["html_source"] = html
    else:
        content, pages, web_html = built.content, None, ""
    progress(95, "保存中")
    _finish(job=job, attempt=attempt, content=content, pages=pages, warnings=built.warnings, web_html=web_html)


def pdf_metadata(job, kind):
    """What the PDF of `job` says about itself: its title, the council as author, the kind as subject, when."""
    return documents.Metadata(
        title=job.title,
        author=job.council.name,
        subject=str(kind.label),
        created=timezone.localtime(timezone.now()),
    )


def _check_document_glyphs(html, built):
    # Data (council names, addresses) is not refused, but characters the font lacks are reported on the job.
    text = re.sub(r"<style.*?</style>|<[^>]+>", "", html, flags=re.S)
    missing = documents.missing_glyphs(unescape(text))
    if missing:
        built.warnings.append(f"フォントにない文字があります: {documents.describe_characters(missing)}")


def _is_transient(exc):
    from django.db import InterfaceError, OperationalError

    return isinstance(exc, (OperationalError, InterfaceError))


# A file that cannot be written: the disk (or the user's quota) is full, or the directory is not writable.
_STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT}


def _reason(exc):
    if isinstance(exc, ValidationError):
        return "\n".join(exc.messages)
    if isinstance(exc, OSError) and exc.errno in _STORAGE_FULL:
        return (
            "保存先のディスクに空きがないため、ファイルを保存できませんでした。"
            "システム管理者に空きを作ってもらってから、「もう一度作成」を押してください。"
        )
    if isinstance(exc, OSError) and exc.errno is not None:
        return f"ファイルを保存できませんでした（{exc.strerror}）。システム管理者に連絡してください。"
    return f"{type(exc).__name__}: {exc}"


def file_missing(job):
    """Whether `job` is done but its file is gone from storage (deleted, a restore without files, a lost disk)."""
    return job.status == JobStatus.DONE and bool(job.file.name) and not job.file.storage.exists(job.file.name)


def _finish(*, job, attempt, content, pages, warnings, web_html=""):
    digest = hashlib.sha256(content).hexdigest()
    storage = ReportJob._meta.get_field("file").storage
    name = ReportJob._meta.get_field("file").generate_filename(job, f"report.{job.format}")
    try:
        name = storage.save(name, ContentFile(content))
    except OSError:
        # A disk that fills up mid-write leaves the part written: remove it (the name is random, so it is ours).
        with contextlib.suppress(OSError):
            storage.delete(name)
        raise
    now = timezone.now()
    with transaction.atomic():
        locked = ReportJob.objects.select_for_update().filter(pk=job.pk, attempt=attempt, status=JobStatus.RUNNING)
        previous = locked.values_list("file", flat=True).first()
        updated = locked.update(
            status=JobStatus.DONE,
            progress=100,
            step="完了",
            steps=[*job.steps, {"at": now.isoformat(), "progress": 100, "step": "完了", "attempt": attempt}],
            file=name,
            file_size=len(content),
            page_count=pages,
            sha256=digest,
            warnings=warnings,
            web_html=web_html,
            error="",
            finished_at=now,
            heartbeat_at=now,
        )
    if not updated:
        storage.delete(name)  # a later attempt owns the job: this file must not be left behind
        raise StaleAttempt
    if previous and previous != name:
        storage.delete(previous)
    job.refresh_from_db()


def mark_failed(*, job, attempt, reason):
    """Mark `job` 失敗 with `reason`, unless a later attempt has taken it over."""
    now = timezone.now()
    ReportJob.objects.filter(pk=job.pk, attempt=attempt).exclude(status=JobStatus.DONE).update(
        status=JobStatus.FAILED, error=reason, finished_at=now, heartbeat_at=now, step="失敗"
    )
    job.refresh_from_db()


def run_now(*, kind, params, user=None):
    """Validate and render synchronously, without Celery (management command, scripts, cron).

    Returns the finished job; raises ValidationError before anything is created for a bad request.
    """
    job, _created = request_job(kind=kind, params=params, user=user)
    if job.status == JobStatus.DONE:
        return job
    job = start_attempt(job_id=job.pk, attempt=job.attempt + 1) or job
    return render_job(job=job)


def rerun_job(*, job, user):
    """(job, created) for the same request as `job` (admin action, the job page's 「もう一度作成」), validated
    again as a fresh request. A finished job of the same request is not reused (its file may be gone); one
    waiting or running is, so a double click makes one job."""
    params = {k: str(v) for k, v in job.params.items()}
    return request_job(kind=job.kind, params=params, user=user, reuse_recent=False)


def publish_job(*, job, audience, user):
    """Publish a finished job to members: `audience` is Audience.COUNCIL or Audience.ALL (NONE withdraws it)."""
    require_in_scope(user, job.council)
    if audience == Audience.ALL and not (user.is_superuser or getattr(user, "is_national", False)):
        raise PermissionDenied("全会員への公開は中央事務局だけができます。")
    if audience != Audience.NONE and job.status != JobStatus.DONE:
        raise ValidationError("完了していない報告書は公開できません。")
    job.audience = audience
    job.published_at = timezone.now() if audience != Audience.NONE else None
    job.save(update_fields=["audience", "published_at"])
    return job


def _stopped_reason(attempts):
    return (
        f"作成が途中で止まりました（{attempts}回試行しましたが、処理サーバーが停止するなどして完了しませんでした）。"
        "「もう一度作成」で作り直せます。"
    )


def _requeue_or_fail(jobs, *, now):
    """Each job 作成中 in `jobs` (its holder is dead): back to 待機中 with its message unsent, for attempt n+1,
    or 失敗 with the reason once it has had `max_attempts()`. Returns (requeued jobs, number failed)."""
    requeued, failed = [], 0
    for job in jobs.only("pk", "attempt"):
        holder = ReportJob.objects.filter(pk=job.pk, attempt=job.attempt, status=JobStatus.RUNNING)
        if job.attempt >= max_attempts():
            failed += holder.update(
                status=JobStatus.FAILED, error=_stopped_reason(job.attempt), finished_at=now, step="失敗"
            )
            continue
        # Back to 待機中, unsent: the outbox sends attempt n+1; the dead attempt can no longer write.
        if holder.update(
            status=JobStatus.QUEUED, step="再試行待ち", heartbeat_at=now, sent_at=None, worker="", worker_pid=None
        ):
            job.refresh_from_db()
            requeued.append(job)
    return requeued, failed


def sweep_stale_jobs(*, now=None, stale_after=None):
    """Jobs 作成中 with no heartbeat for `stale_after` (default `default_stale_after()`): back to 待機中 for a new
    attempt, or 失敗 after `max_attempts()`.

    Returns (requeued jobs, number failed). The requeued jobs are left unsent: the task layer's outbox
    sender sends them (`reports.tasks.sweep_stale_jobs`, on the beat schedule every REPORTS_SWEEP_SECONDS).
    """
    now = now or timezone.now()
    cutoff = now - (stale_after or default_stale_after())
    return _requeue_or_fail(ReportJob.objects.filter(status=JobStatus.RUNNING, heartbeat_at__lt=cutoff), now=now)


def requeue_jobs_of_dead_holder(*, worker, is_alive, now=None):
    """Jobs 作成中 held by Celery node `worker` in a process that `is_alive(pid)` says is gone: requeued (or
    failed after the last attempt) at once, without waiting for their heartbeat to go stale.

    Called by a worker starting under the same node name as its dead predecessor. Returns (requeued, failed).
    """
    held = ReportJob.objects.filter(status=JobStatus.RUNNING, worker=worker, worker_pid__isnull=False)
    dead = [pk for pk, pid in held.values_list("pk", "worker_pid") if not is_alive(pid)]
    return _requeue_or_fail(ReportJob.objects.filter(pk__in=dead), now=now or timezone.now())


@transaction.atomic
def meeting_create(*, council, number, title, date, chapters=(), petitions=(), **fields):
    """Create a general meeting (総会) of `council` with its chapters, in order, and the petitions it reports.

    `chapters` are (title, Markdown body) pairs; `fields` the other Meeting fields (venue, theme,
    as_of). Raises ValidationError (field-keyed, Japanese); nothing is saved then.
    """
    meeting = Meeting(council=council, number=number, title=title, date=date, **fields)
    meeting.full_clean()
    meeting.save()
    for order, (chapter_title, body) in enumerate(chapters, start=1):
        chapter = Chapter(meeting=meeting, order=order, title=chapter_title, body=body)
        chapter.full_clean()
        chapter.save()
    meeting.petitions.set(petitions)
    return meeting
