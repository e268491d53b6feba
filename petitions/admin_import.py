"""The admin's import page for tally files: upload → 確認 (dry run, every row) → 取り込む (all or nothing).

Mixed into the TallyEntry admin. The uploaded bytes wait between the two steps
in MEDIA_ROOT/tmp/tally_import under a random name that only this session
knows; the commit step reads those bytes again and re-checks every row, so
nothing the browser sends back is trusted except the choice to go ahead.
"""

import datetime
import re
import secrets
from pathlib import Path

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone

from shaho.core.scoping import restrict, scope_for

from . import importing, services
from .models import PetitionDrive

SESSION_KEY = "tally_imports"
TMP_DIR_NAME = "tmp/tally_import"
TOKEN_PATTERN = re.compile(r"^[0-9a-f]{32}$")
TMP_MAX_AGE = datetime.timedelta(days=1)
# A page lists at most this many rows and errors; every row's outcome is a CSV download.
PREVIEW_PAGE_ROWS = 2000
PREVIEW_PAGE_ERRORS = 5000
ENCODING_CHOICES = [("", "自動"), ("utf-8", "UTF-8"), ("cp932", "Shift_JIS（CP932）")]


class TallyImportForm(forms.Form):
    petition = forms.ModelChoiceField(label="署名", queryset=PetitionDrive.objects.none())
    file = forms.FileField(label="ファイル", help_text="Excel（xlsx）または CSV")
    encoding = forms.ChoiceField(
        label="文字コード（CSV）",
        choices=ENCODING_CHOICES,
        required=False,
        help_text="ふつうは「自動」のままで読めます",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["petition"].queryset = restrict(
            PetitionDrive.objects.filter(status=PetitionDrive.Status.OPEN), user
        ).order_by("-starts_on", "title")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_FILE_BYTES:
            raise forms.ValidationError(
                f"ファイルが大きすぎます（{importing.MAX_FILE_BYTES // (1024 * 1024)}MB まで）。"
            )
        return upload


def _tmp_dir():
    directory = Path(settings.MEDIA_ROOT) / TMP_DIR_NAME
    directory.mkdir(parents=True, exist_ok=True)
    return directory


def _store_upload(request, data, *, file_name, petition, encoding):
    """Keep the bytes for the commit step; returns the token naming them in this session."""
    directory = _tmp_dir()
    cutoff = timezone.now().timestamp() - TMP_MAX_AGE.total_seconds()
    for old in directory.glob("*.upload"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_hex(16)
    (directory / f"{token}.upload").write_bytes(data)
    pending = request.session.get(SESSION_KEY, {})
    pending[token] = {
        "file_name": file_name,
        "petition": petition.pk,
        "encoding": encoding,
        "sha256": importing.content_sha256(data),
    }
    request.session[SESSION_KEY] = pending
    return token


def _load_upload(request, token):
    """(bytes, metadata) of an upload this session stored, or None."""
    if not token or not TOKEN_PATTERN.match(token):
        return None
    meta = request.session.get(SESSION_KEY, {}).get(token)
    file = _tmp_dir() / f"{token}.upload"
    if meta is None or not file.exists():
        return None
    data = file.read_bytes()
    if importing.content_sha256(data) != meta["sha256"]:
        return None
    return data, meta


def _forget_upload(request, token):
    (_tmp_dir() / f"{token}.upload").unlink(missing_ok=True)
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending


class TallyImportAdminMixin:
    """Adds `import/` (upload, preview, commit) and `import/template/` to a TallyEntry admin."""

    change_list_template = "petitions/admin/tallyentry_change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "import/outcome/",
                self.admin_site.admin_view(self.import_outcome_view),
                name="{}_{}_import_outcome".format(*info),
            ),
            path(
                "import/template/",
                self.admin_site.admin_view(self.import_template_view),
                name="{}_{}_import_template".format(*info),
            ),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return self.has_view_permission(request) and services.user_may_record(request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def _import_context(self, request, **kwargs):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Excel・CSVから取り込む",
            "headers": importing.TEMPLATE_HEADERS,
            **kwargs,
        }

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "_commit" in request.POST:
            return self._import_commit(request)
        form = TallyImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            petition = form.cleaned_data["petition"]
            encoding = form.cleaned_data["encoding"]
            preview = importing.tally_import_preview(
                petition=petition, data=data, filename=upload.name, user=request.user, encoding=encoding or None
            )
            # Kept for the commit step and the full outcome download; a file with errors is never committed.
            token = ""
            if preview.rows:
                token = _store_upload(request, data, file_name=upload.name, petition=petition, encoding=encoding)
            return self._render_preview(request, preview, token)
        return render(request, "petitions/admin/import.html", self._import_context(request, form=form))

    def _render_preview(self, request, preview, token, replace=False):
        errors = preview.errors
        context = self._import_context(
            request,
            title="取り込む内容の確認",
            preview=preview,
            errors=errors,
            shown_errors=errors[:PREVIEW_PAGE_ERRORS],
            more_errors=max(0, len(errors) - PREVIEW_PAGE_ERRORS),
            shown_rows=preview.rows[:PREVIEW_PAGE_ROWS],
            more_rows=max(0, len(preview.rows) - PREVIEW_PAGE_ROWS),
            token=token,
            replace=replace,
            earlier=importing.describe_batch(preview.earlier_batch) if preview.earlier_batch else "",
        )
        return render(request, "petitions/admin/import_preview.html", context)

    def _import_commit(self, request):
        token = request.POST.get("token", "")
        loaded = _load_upload(request, token)
        if loaded is None:
            messages.error(request, "確認したファイルが見つかりません。もう一度ファイルを選んでください。")
            return HttpResponseRedirect(request.path)
        data, meta = loaded
        petition = restrict(PetitionDrive.objects.all(), request.user).filter(pk=meta["petition"]).first()
        if petition is None:
            raise PermissionDenied
        replace = request.POST.get("replace") == "1"
        try:
            batch = importing.tally_import_commit(
                petition=petition,
                data=data,
                filename=meta["file_name"],
                user=request.user,
                replace=replace,
                encoding=meta["encoding"] or None,
            )
        except importing.TallyImportRefused as exc:
            for message in exc.messages[:20]:
                messages.error(request, message)
            preview = importing.tally_import_preview(
                petition=petition,
                data=data,
                filename=meta["file_name"],
                user=request.user,
                encoding=meta["encoding"] or None,
            )
            return self._render_preview(request, preview, token, replace=replace)
        _forget_upload(request, token)
        messages.success(request, f"{importing.describe_batch(batch)}として取り込みました。{batch.note}")
        return HttpResponseRedirect(reverse("admin:petitions_importbatch_change", args=[batch.pk]))

    def import_outcome_view(self, request):
        """Every row's outcome of an upload this session checked, as CSV."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        loaded = _load_upload(request, request.GET.get("token", ""))
        if loaded is None:
            raise Http404
        data, meta = loaded
        petition = restrict(PetitionDrive.objects.all(), request.user).filter(pk=meta["petition"]).first()
        if petition is None:
            raise PermissionDenied
        preview = importing.tally_import_preview(
            petition=petition,
            data=data,
            filename=meta["file_name"],
            user=request.user,
            encoding=meta["encoding"] or None,
        )
        response = HttpResponse(importing.tally_import_outcome_csv(preview), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = 'attachment; filename="tally_import_outcome.csv"'
        return response

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.GET.get("format") == "csv":
            data = importing.tally_import_template_csv(user=request.user)
            response = HttpResponse(data, content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = 'attachment; filename="tally_import_template.csv"'
            return response
        data = importing.tally_import_template_xlsx(user=request.user, councils=scope_for(request.user))
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="tally_import_template.xlsx"'
        return response
