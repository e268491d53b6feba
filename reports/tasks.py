"""Celery tasks: thin. They load the job and call the services; retries live in the decorators.

This is also where a request becomes a message: the views and the admin call `request_report`
(the service writes the job row, the task is sent once that row is committed). The services
never import this module, so the arrows point one way: views/admin → tasks → services.
"""

from django.db import InterfaceError, OperationalError

from shaho.celery import app
from shaho.core.tasks import TransactionAwareTask

from . import services
from .models import ReportJob


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
    """Render report job `job_id` as `attempt` (+ the Celery retries of this message)."""
    job = services.start_attempt(job_id=job_id, attempt=attempt + self.request.retries)
    if job is None:
        return "skipped"  # finished already, or a later attempt owns it (a redelivered message)
    try:
        services.render_job(job=job)
    except services.StaleAttempt:
        return "superseded"
    except (OperationalError, InterfaceError):
        raise
    except Exception:
        return "failed"  # recorded on the job by render_job; nothing for Celery to retry
    return "done"


def send_render(*, job, queue=None):
    """Send the render of `job`'s next attempt, once the current transaction commits."""
    options = {"queue": queue} if queue else {}
    render_report.apply_async(args=[job.pk, job.attempt + 1], **options)


def request_report(*, kind, params, user):
    """Validate and record the request (`services.request_job`), and send its render after the commit.

    Returns the job: a new one, or the one the same request made a moment ago (sent nothing then).
    Raises what the service raises (ValidationError with every reason, PermissionDenied).
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
    """Sweep (`services.sweep_stale_jobs`) and send a new attempt of each requeued job: (requeued, failed)."""
    requeued, failed = services.sweep_stale_jobs(stale_after=stale_after)
    for job in requeued:
        send_render(job=job, queue=queue)
    return len(requeued), failed


@app.task(name="reports.sweep_stale_jobs")
def sweep_stale_jobs():
    """Beat: requeue or fail jobs left 作成中 by a dead worker."""
    requeued, failed = requeue_stale_jobs()
    return {"requeued": requeued, "failed": failed}
