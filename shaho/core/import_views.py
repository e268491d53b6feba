"""The import job's page, its status (polled by static/js/report_job.js) and its outcome file.

Each answers only for the jobs `import_jobs.jobs_for(user)` returns (the job's owner, and staff of the job's
council or above); any other job, or none, is a 404 alike.
"""

import logging

from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from . import import_jobs, imports
from .downloads import stored_file_response

logger = logging.getLogger(__name__)


def _job(request, token):
    return get_object_or_404(import_jobs.jobs_for(user=request.user).select_related("owner"), token=token)


def _step_text(job, figures):
    """What the page says beside 状態 while the job runs: the step, and rows done of the file's rows once read."""
    if job.is_finished:
        return ""
    if figures["total"] is None:
        return figures["step"]
    return f"{figures['step']}（{figures['done']:,} / {figures['total']:,}行）"


def _importer_title(job):
    try:
        importer = imports.importer_for(job.importer)
    except LookupError:
        return "取り込み"
    return f"{importer.what}の取り込み"


@login_required
def job(request, token):
    job = _job(request, token)
    figures = import_jobs.live(job)
    return render(
        request,
        "imports/job.html",
        {
            "job": job,
            "title": _importer_title(job),
            "figures": figures,
            "step_text": _step_text(job, figures),
            "error_lines": job.error.splitlines(),
            # Built by the importer with format_html (its own links, the rest escaped), as the old flash message was.
            "message": mark_safe(job.message) if job.message_is_html else job.message,
        },
    )


@login_required
def job_status(request, token):
    """Status, percent and rows done of total (the step's text); scoped exactly like the job's page."""
    job = _job(request, token)
    figures = import_jobs.live(job)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "progress": figures["percent"],
            "rows_done": figures["done"],
            "rows_total": figures["total"],
            "step": _step_text(job, figures),
            "steps": [],
            "error": job.error,
            "finished": job.is_finished,
            "outcome_url": reverse("imports:job_outcome", args=[job.token]) if job.outcome else "",
        }
    )


@login_required
def job_outcome(request, token):
    """Every row's outcome (行, 結果, the values, エラー) as the job left it, as CSV (UTF-8 with BOM)."""
    job = _job(request, token)
    stem = job.file_name.rsplit(".", 1)[0] or "取込"
    day = f"{job.created_at:%Y%m%d}"
    try:
        response = stored_file_response(
            job.outcome, filename=f"{stem}_取込結果_{day}.csv", ascii_fallback=f"import_outcome_{day}.csv"
        )
    except OSError as exc:
        logger.warning("import job %s: outcome %s cannot be opened: %s", job.pk, job.outcome.name, exc)
        raise Http404 from None
    response["Cache-Control"] = "private, no-store"
    return response
