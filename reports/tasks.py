"""Celery tasks: thin. They load the job and call the services; retries live in the decorators."""

from celery import Task
from django.db import InterfaceError, OperationalError

from shaho.celery import app

from . import services
from .models import ReportJob


class ReportTask(Task):
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


@app.task(name="reports.sweep_stale_jobs")
def sweep_stale_jobs():
    """Beat: requeue or fail jobs left 作成中 by a dead worker."""
    requeued, failed = services.sweep_stale_jobs()
    return {"requeued": requeued, "failed": failed}
