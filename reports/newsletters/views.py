"""Members read a published newsletter on the web (a phone first); staff start articles from records and
export an issue's articles as text.

The web version is the job's snapshot (ReportJob.web_html, made with the PDF). Its photos are named
`shaho-photo:<id>` there; the page turns each into this view's own URL, which serves a photo only to
someone who may download the job, only when the snapshot names it, and only of the job's council or
a council below it.
"""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe

from councils.models import Council
from shaho.core.roles import is_staff_user

from .. import selectors as report_selectors
from . import exports, selectors, services
from .forms import DigestForm
from .models import Photo

_REFERENCE_RE = re.compile(r'src="shaho-photo:(\d+)"')


def _published_newsletter(request, token):
    jobs = report_selectors.downloadable_jobs(user=request.user).filter(kind="newsletter").exclude(web_html="")
    return get_object_or_404(jobs.select_related("council"), token=token)


@login_required
def read(request, token):
    job = _published_newsletter(request, token)
    html = _REFERENCE_RE.sub(
        lambda m: f'src="{reverse("reports:newsletter_photo", args=[job.token, int(m[1])])}"', job.web_html
    )
    breadcrumbs = [("報告書・資料", reverse("reports:downloads")), (job.title, None)]
    return render(
        request, "reports/newsletters/read.html", {"job": job, "issue": mark_safe(html), "breadcrumbs": breadcrumbs}
    )


@login_required
def photo(request, token, photo_id):
    job = _published_newsletter(request, token)
    if f'src="shaho-photo:{photo_id}"' not in job.web_html:
        raise Http404
    below = Council.objects.filter(path__startswith=job.council.path)
    found = get_object_or_404(Photo.objects.filter(council__in=below), pk=photo_id)
    try:  # read through the storage (the disk or the bucket); a photo gone from it is not found, not a 500
        with found.image.open("rb") as handle:
            data = handle.read()
    except OSError:
        raise Http404 from None
    response = HttpResponse(data, content_type="image/jpeg" if found.extension == "jpg" else "image/png")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _staff_newsletter(request, pk):
    if not is_staff_user(request.user):
        raise Http404
    newsletter = selectors.newsletter_for(pk=pk, user=request.user)
    if newsletter is None:
        raise Http404
    return newsletter


@login_required
def from_record(request, pk):
    """Choose an action, a talk, a consultation day or a questionnaire: a new article begins with its facts."""
    newsletter = _staff_newsletter(request, pk)
    choices = selectors.record_choices(user=request.user, date=newsletter.date)
    if request.method == "POST":
        kind, _, number = request.POST.get("record", "").partition(":")
        record = selectors.record_for(kind=kind, pk=number, user=request.user)
        if record is None:
            messages.error(request, "選んだ記録はありません（または見る権限がありません）。")
        else:
            try:
                article = services.article_from_record(
                    user=request.user, newsletter=newsletter, kind=kind, record=record
                )
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, f"記事「{article.title}」を記録から作りました。本文を書き足してください。")
                return redirect("admin:reports_newsletter_change", newsletter.pk)
    return render(request, "reports/newsletters/from_record.html", {"newsletter": newsletter, "choices": choices})


@login_required
def export(request, pk, fmt):
    newsletter = _staff_newsletter(request, pk)
    if fmt not in ("md", "txt"):
        raise Http404
    try:
        text = exports.newsletter_text(newsletter, user=request.user, markdown=fmt == "md")
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("admin:reports_newsletter_change", newsletter.pk)
    response = HttpResponse(text, content_type=f"text/{'markdown' if fmt == 'md' else 'plain'}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="newsletter-{newsletter.pk}.{fmt}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def digest(request):
    """A prefectural council compiles its local councils' articles of a period into one issue: it picks the
    articles and their order (a number beside each), then the issue is made by `digest_compile`."""
    if not is_staff_user(request.user):
        raise Http404
    councils = selectors.digest_councils(user=request.user)
    if not councils:
        raise Http404
    if request.method == "POST":
        data = request.POST
    else:
        # A link may fill part of the form in: what it leaves out keeps the form's defaults.
        defaults = {"title": DigestForm.base_fields["title"].initial}
        if councils.count() == 1:
            defaults["council"] = str(councils.first().pk)
        data = {**defaults, **request.GET.dict()} if request.GET else None
    form = DigestForm(data, councils=councils)
    candidates = []
    if form.is_valid():
        council, start, end = form.cleaned_data["council"], form.cleaned_data["start"], form.cleaned_data["end"]
        candidates = list(services.digest_candidates(council=council, start=start, end=end)[:300])
        if request.method == "POST":
            picked = [a.pk for a in candidates if request.POST.get(f"pick-{a.pk}")]
            chosen = sorted((_order(request.POST.get(f"order-{pk}")), pk) for pk in picked)
            try:
                made = services.digest_compile(
                    user=request.user, council=council, title=form.cleaned_data["title"],
                    number=form.cleaned_data["number"], date=form.cleaned_data["date"], start=start, end=end,
                    articles=[pk for _order, pk in chosen],
                )  # fmt: skip
            except (ValidationError, PermissionDenied) as exc:
                messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
            else:
                messages.success(request, f"{made}を{len(chosen)}本の記事で作りました。")
                return redirect("admin:reports_newsletter_change", made.pk)
    return render(request, "reports/newsletters/digest.html", {"form": form, "candidates": candidates})


def _order(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 10**6  # no number: after the numbered ones, in the list's order
