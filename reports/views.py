"""Members download what is published to them; staff request reports and watch them being made."""

import datetime
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shaho.core.japanese import format_datetime
from shaho.core.report_kinds import all_kinds, get_kind, kind_label
from shaho.core.roles import is_staff_user

from . import selectors, services, tasks
from .downloads import job_file_response
from .forms import PublishForm, ReportRequestForm

logger = logging.getLogger(__name__)


def _staff_only(user):
    if not is_staff_user(user):
        raise Http404


@login_required
def downloads(request):
    """The reports published to the member's council and to all members, newest first."""
    reports = selectors.published_reports(user=request.user)[:200]
    return render(request, "reports/downloads.html", {"reports": reports, "is_staff": is_staff_user(request.user)})


@login_required
def download(request, token):
    """The file, after the permission check: 404 for anyone who may not have it (no public URL exists).

    A file that is gone from storage (deleted, a restore without the files, a lost disk) is a page saying so,
    with 「もう一度作成する」 for staff who may request it (410), never a 500.
    """
    job = get_object_or_404(selectors.downloadable_jobs(user=request.user), token=token)
    response = job_file_response(job)
    if response is None:
        return _file_missing(request, job)
    return response


def _file_missing(request, job):
    staff_job = (
        selectors.jobs_for_staff(user=request.user).filter(pk=job.pk).exists() if is_staff_user(request.user) else False
    )
    return render(
        request,
        "reports/file_missing.html",
        {"job": job, "kind_label": kind_label(job.kind), "may_rerun": staff_job},
        status=410,
    )


@login_required
def new_report(request, kind=None):
    _staff_only(request.user)
    if kind is None:
        return render(request, "reports/new.html", {"kinds": all_kinds()})
    try:
        report_kind = get_kind(kind)
    except ValidationError:
        raise Http404 from None
    # A link may fill the form in (the tally table's 「PDFを作成」: ?petition=…&date=…&format=pdf).
    form = ReportRequestForm(request.POST or None, kind=report_kind, user=request.user, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            # The job row is written and the render sent after the commit: the browser is redirected to the
            # job page at once and watches the steps there (tasks.request_report).
            job = tasks.request_report(kind=report_kind.name, params=form.params(), user=request.user)
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("reports:job", token=job.token)
    return render(request, "reports/new_kind.html", {"kind": report_kind, "form": form})


@login_required
def jobs(request):
    _staff_only(request.user)
    jobs = list(selectors.jobs_for_staff(user=request.user)[:100])
    # A download button only where the download answers: the same selector as the download view.
    downloadable = set(
        selectors.downloadable_jobs(user=request.user).filter(pk__in=[j.pk for j in jobs]).values_list("pk", flat=True)
    )
    return render(request, "reports/jobs.html", {"jobs": jobs, "downloadable": downloadable})


def _staff_job(request, token):
    _staff_only(request.user)
    return get_object_or_404(selectors.jobs_for_staff(user=request.user), token=token)


@login_required
def job_detail(request, token):
    job = _staff_job(request, token)
    return render(
        request,
        "reports/job.html",
        {
            "job": job,
            "file_missing": services.file_missing(job),
            "kind_label": kind_label(job.kind),
            "steps": _step_rows(job),
            "publish_form": PublishForm(initial={"audience": job.audience}),
        },
    )


# The steps that end a job are its status, shown once beside 状態, not again in the list of steps.
_FINAL_STEPS = {"完了", "失敗"}


def _step_rows(job):
    """The job's steps as shown on its page: time (Asia/Tokyo), step, progress; a step repeated is shown once."""
    rows = []
    for entry in job.steps or []:
        if entry.get("step") in _FINAL_STEPS or (rows and rows[-1]["step"] == entry.get("step")):
            continue
        at = entry.get("at")
        rows.append(
            {
                "at": format_datetime(datetime.datetime.fromisoformat(at)) if at else "",
                "step": entry.get("step", ""),
                "progress": entry.get("progress", 0),
            }
        )
    return rows


@login_required
def job_status(request, token):
    """Polled by the job page (static/js/report_job.js): status, progress, the steps so far; the link once done.

    Scoped exactly like the job page: another council's job is a 404, as is any job for a non-staff user.
    """
    job = _staff_job(request, token)
    data = {
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": job.progress,
        "step": "" if job.is_finished else job.step,
        "steps": _step_rows(job),
        "error": job.error,
        "finished": job.is_finished,
    }
    if job.status == "done":
        data.update(
            download_url=reverse("reports:download", args=[job.token]),
            file_size=job.file_size,
            page_count=job.page_count,
        )
    return JsonResponse(data)


@login_required
@require_POST
def job_rerun(request, token):
    """「もう一度作成」 on the page of a failed job, or of one whose file is gone (and on the download's page then):
    the same request, validated again as a fresh one, and sent. A double click makes one job."""
    job = _staff_job(request, token)
    try:
        new = tasks.rerun_report(job=job, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("reports:job", token=job.token)
    messages.success(request, "同じ内容でもう一度作成を依頼しました。")
    return redirect("reports:job", token=new.token)


@login_required
@require_POST
def job_publish(request, token):
    job = _staff_job(request, token)
    form = PublishForm(request.POST)
    if form.is_valid():
        try:
            services.publish_job(job=job, audience=form.cleaned_data["audience"], user=request.user)
            messages.success(request, "公開範囲を変更しました。")
        except (ValidationError, PermissionDenied) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    return redirect("reports:job", token=job.token)
