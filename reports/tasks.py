"""Celery tasks: thin. They load the job and call the services; retries live in the decorators.

This is also where a request becomes a message: the views and the admin call `request_report`
(the service writes the job row, the task is sent once that row is committed). The services
never import this module, so the arrows point one way: views/admin → tasks → services.

The job row is the outbox (reports.services: `claim_send`, `release_send`): every message for a
render is sent through `send_pending_job`, which claims the send with one conditional UPDATE,
publishes within the bounded timeouts of settings (CELERY_BROKER_TRANSPORT_OPTIONS) and, when the
broker cannot be reached, leaves the job 待機中 saying 「順番待ち（処理サーバーに接続できません）」. The
request still answers at once. The beat sweep and every worker at start-up send what is left.
"""

import logging
import os

from celery.signals import worker_ready
from django.conf import settings
from django.db import InterfaceError, OperationalError, connections, transaction

from shaho.celery import app
from shaho.core.tasks import TransactionAwareTask

from . import services
from .models import ReportJob

logger = logging.getLogger(__name__)


class ReportTask(TransactionAwareTask):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        # Retries exhausted on a transient error: the job must not stay 作成中.
        job = ReportJob.objects.filter(pk=args[0]).first()
        if job is not None and not job.is_finished:
            services.mark_failed(job=job, attempt=job.attempt, reason=f"{type(exc).__name__}: {exc}")


@app.task(
    bind=True,
    base=ReportTask,
    name="reports.render_report",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    retry_backoff=True,
    max_retries=3,
)
def render_report(self, job_id, attempt):
    """Render report job `job_id` as `attempt` (+ the Celery retries of this message).

    Idempotent by the job row: a duplicate or redelivered message finds the attempt taken and stops.
    """
    job = services.start_attempt(
        job_id=job_id, attempt=attempt + self.request.retries, worker=self.request.hostname or "", pid=os.getpid()
    )
    # What the job's log line names (shaho.core.logs.job_finished, with LOG_FORMAT=json).
    self.request.log_fields = {"job_id": job_id, "attempt": attempt + self.request.retries}
    if job is not None:
        self.request.log_fields["kind"] = job.kind
    if job is None:
        # Finished already, or this or a later attempt owns it (a duplicate message): this message stops. If
        # the owner was a process of this very worker that is gone (a pool process killed mid-render; Celery
        # hands its message back, and here it is), the job is requeued now and attempt n+1 sent, rather than
        # after its heartbeat goes stale.
        if self.request.hostname:
            requeued, _failed = services.requeue_jobs_of_dead_holder(worker=self.request.hostname, is_alive=_pid_alive)
            queue = (self.request.delivery_info or {}).get("routing_key")
            for dead in requeued:
                send_pending_job(dead.pk, queue=queue)
        return "skipped"
    try:
        services.render_job(job=job)
    except services.StaleAttempt:
        return "superseded"
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        return "failed"  # recorded on the job by render_job; nothing for Celery to retry
    return "done"


def send_pending_job(job_id, *, queue=None):
    """Send the render of `job_id`'s next attempt if it is this caller's to send (claimed in the job row).

    Returns True when a message was handed to the broker (or run in-process), None when it was not this
    caller's to send (another sender had it, or it no longer waits), False when the broker could not be
    reached: the job then waits, saying so, for the next sweep.
    """
    claim = services.claim_send(job_id=job_id)
    if claim is None:
        return None
    attempt, claimed_at = claim
    options = {"queue": queue} if queue else {}
    if app.conf.task_always_eager:
        render_report.send_now(args=[job_id, attempt], **options)  # in-process: its errors are the job's
        return True
    try:
        render_report.send_now(args=[job_id, attempt], **options)
    except Exception:
        # Unreachable broker (kombu's OperationalError within the bounded timeouts) or any other reason the
        # message did not leave: the job row keeps the request; the sweep sends it later.
        logger.warning("report job %s: not sent to the broker, left for the sweep", job_id, exc_info=True)
        services.release_send(job_id=job_id, claimed_at=claimed_at)
        return False
    return True


def send_render(*, job, queue=None):
    """Send the render of `job`'s next attempt once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: send_pending_job(job.pk, queue=queue))


def send_pending_jobs(*, queue=None):
    """Send every job committed but not handed to the broker (or whose message is presumed lost): the number sent.

    Exactly one message per job, however many senders run at once (`services.claim_send`).
    """
    sent, waiting = 0, services.jobs_to_send()
    for position, job_id in enumerate(waiting):
        outcome = send_pending_job(job_id, queue=queue)
        if outcome is False:
            # The broker is unreachable: the others wait too, saying so, without a timeout each.
            services.mark_unreachable(job_ids=waiting[position + 1 :])
            break
        sent += bool(outcome)
    return sent


def request_report(*, kind, params, user):
    """Validate and record the request (`services.request_job`), and send its render after the commit.

    Returns the job: a new one, or the one the same request made a moment ago (sent nothing then).
    Raises what the service raises (ValidationError with every reason, PermissionDenied). A broker that
    cannot be reached raises nothing: the job waits in the outbox, saying so.
    """
    job, created = services.request_job(kind=kind, params=params, user=user)
    if created:
        send_render(job=job)
    return job


def rerun_report(*, job, user):
    """The same request as `job`, validated again as a fresh one, and sent."""
    new, created = services.rerun_job(job=job, user=user)
    if created:
        send_render(job=new)
    return new


def requeue_stale_jobs(*, stale_after=None, queue=None):
    """Sweep (`services.sweep_stale_jobs`) and send what waits, the requeued jobs first: (requeued, failed)."""
    requeued, failed = services.sweep_stale_jobs(stale_after=stale_after)
    for job in requeued:
        send_pending_job(job.pk, queue=queue)
    send_pending_jobs(queue=queue)
    return len(requeued), failed


@app.task(name="reports.sweep_stale_jobs")
def sweep_stale_jobs():
    """Beat (every REPORTS_SWEEP_SECONDS): requeue or fail jobs left 作成中 by a dead worker, and send every
    job committed but never handed to the broker. Idempotent: a second run finds nothing left to do."""
    requeued, failed = requeue_stale_jobs()
    return {"requeued": requeued, "failed": failed}


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process: alive
    # A killed pool process whose parent died with it is a zombie until whoever adopted it reaps it (a container's
    # init may never do so): it answers signal 0, but it is dead and holds nothing.
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            state = stat.read().rpartition(b")")[2].split()[0]
    except (OSError, IndexError):
        return True  # no /proc (not Linux): signal 0 said it exists
    return state not in (b"Z", b"X")


def recover_at_start(*, worker, queue=None):
    """A worker starting as node `worker`: requeue the jobs its dead predecessor (same node name, a process
    that no longer exists) held, then send every job that waits. Returns (requeued, failed, sent)."""
    requeued, failed = services.requeue_jobs_of_dead_holder(worker=worker, is_alive=_pid_alive)
    sent = send_pending_jobs(queue=queue)
    return len(requeued), failed, sent


def _queue_of(consumer):
    """The queue a starting worker sends waiting jobs to: none (each job to its routed queue, `reports`:
    settings.CELERY_TASK_ROUTES) when the worker reads any of the project's queues, whichever; only a worker
    reading queues of its own (a test's private queue) sends them to its first one."""
    try:
        names = list(consumer.app.amqp.queues.consume_from)
    except Exception:
        return None
    known = set(getattr(settings, "SHAHO_QUEUES", ())) | {consumer.app.conf.task_default_queue}
    return None if not names or known & set(names) else names[0]


@worker_ready.connect
def _recover_when_the_worker_is_ready(sender=None, **kwargs):
    worker = getattr(sender, "hostname", "") or ""
    try:
        requeued, failed, sent = recover_at_start(worker=worker, queue=_queue_of(sender))
    except Exception:
        # The database may not be there yet (CI starts the worker before the test database exists); the
        # beat sweep does the same work a moment later. A worker must start whatever happens here.
        logger.warning("worker %s: jobs not recovered at start-up", worker, exc_info=True)
        return
    finally:
        connections.close_all()
    logger.info("worker %s ready: %s jobs requeued, %s failed, %s sent", worker, requeued, failed, sent)
