"""Members download what is published to them; staff request reports and watch them being made."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from shaho.core.admin import is_staff_user

from . import selectors, services
from .forms import PublishForm, ReportRequestForm
from .kinds import all_kinds, get_kind


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
    """The file, after the permission check: 404 for anyone who may not have it (no public URL exists)."""
    job = get_object_or_404(selectors.downloadable_jobs(user=request.user), token=token)
    response = FileResponse(job.file.open("rb"), as_attachment=True, filename=job.download_name)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


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
    form = ReportRequestForm(request.POST or None, kind=report_kind, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        try:
            job = services.request_job(kind=report_kind.name, params=form.params(), user=request.user)
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
    return render(request, "reports/jobs.html", {"jobs": selectors.jobs_for_staff(user=request.user)[:100]})


def _staff_job(request, token):
    _staff_only(request.user)
    return get_object_or_404(selectors.jobs_for_staff(user=request.user), token=token)


@login_required
def job_detail(request, token):
    job = _staff_job(request, token)
    return render(
        request, "reports/job.html", {"job": job, "publish_form": PublishForm(initial={"audience": job.audience})}
    )


@login_required
def job_status(request, token):
    """Polled by the job page: status, progress and step; the download link once done."""
    job = _staff_job(request, token)
    data = {
        "status": job.status,
        "status_label": job.get_status_display(),
        "progress": job.progress,
        "step": job.step,
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
