"""The admin's import page for tally files: upload → 確認 (dry run, every row) → 取り込む (all or nothing).

Mixed into the TallyEntry admin. The uploaded bytes wait between the two steps as a
`shaho.core.models.PendingUpload` row (owner, importer, expiry) named by an unguessable
token; the commit step and the outcome download get them back only for the same user,
re-read them and re-check every row, so nothing the browser sends back is trusted
except the choice to go ahead.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from shaho.core import intake
from shaho.core.downloads import file_response
from shaho.core.roles import may_record
from shaho.core.scoping import restrict, scope_for
from shaho.core.uploads import pending_upload_discard, pending_upload_get, pending_upload_store

from . import importing
from .models import PetitionDrive

# A page lists at most this many rows and errors; every row's outcome is a CSV/xlsx download.
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
        limit = settings.SHAHO_IMPORT_MAX_FILE_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"ファイルが大きすぎます（{limit // (1024 * 1024)}MB まで）。")
        return upload


def _download(content, content_type, file_name, fallback):
    return file_response(content, filename=file_name, ascii_fallback=fallback, content_type=content_type)


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
        return self.has_view_permission(request) and may_record(request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, extra_context)

    def _import_context(self, request, **kwargs):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "Excel・CSVから取り込む",
            "headers": importing.TEMPLATE_HEADERS,
            "limits": intake.Limits.from_settings(),
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
                token = pending_upload_store(
                    owner=request.user,
                    importer=importing.IMPORTER,
                    file_name=upload.name,
                    data=data,
                    options={"petition": petition.pk, "encoding": encoding},
                ).token
            return self._render_preview(request, preview, token)
        return render(request, "petitions/admin/import.html", self._import_context(request, form=form))

    def _render_preview(self, request, preview, token, replace=False):
        errors = preview.errors
        outcome_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import_outcome")
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
            outcome_csv_url=f"{outcome_url}?{urlencode({'token': token})}" if token else "",
            outcome_xlsx_url=f"{outcome_url}?{urlencode({'token': token, 'format': 'xlsx'})}" if token else "",
            replace=replace,
            earlier=preview.earlier_description,
            table_url=reverse("petitions:national", args=[preview.petition.slug]),
        )
        return render(request, "petitions/admin/import_preview.html", context)

    def _pending(self, request, token):
        """(upload, petition) of the user's own pending upload named by `token`, or None."""
        upload = pending_upload_get(token=token, user=request.user, importer=importing.IMPORTER)
        if upload is None:
            return None
        petition = restrict(PetitionDrive.objects.all(), request.user).filter(pk=upload.options.get("petition")).first()
        if petition is None:
            return None
        return upload, petition

    def _preview_of(self, request, upload, petition):
        return importing.tally_import_preview(
            petition=petition,
            data=upload.content,
            filename=upload.file_name,
            user=request.user,
            encoding=upload.options.get("encoding") or None,
        )

    def _import_commit(self, request):
        token = request.POST.get("token", "")
        pending = self._pending(request, token)
        if pending is None:
            messages.error(request, "確認したファイルが見つかりません。もう一度ファイルを選んでください。")
            return HttpResponseRedirect(request.path)
        upload, petition = pending
        replace = request.POST.get("replace") == "1"
        try:
            batch = importing.tally_import_commit(
                petition=petition,
                data=upload.content,
                filename=upload.file_name,
                user=request.user,
                replace=replace,
                encoding=upload.options.get("encoding") or None,
            )
        except importing.TallyImportRefused as exc:
            for message in exc.messages[:20]:
                messages.error(request, message)
            return self._render_preview(request, self._preview_of(request, upload, petition), token, replace=replace)
        pending_upload_discard(upload=upload)
        table_url = reverse("petitions:national", args=[petition.slug])
        messages.success(
            request,
            format_html(
                '{}として取り込みました。{} <a href="{}">{}の集約一覧表を見る</a>',
                importing.describe_batch(batch),
                batch.note,
                table_url,
                petition.short_name or petition.title,
            ),
        )
        return HttpResponseRedirect(reverse("admin:petitions_importbatch_change", args=[batch.pk]))

    def import_outcome_view(self, request):
        """Every row's outcome of an upload this user checked, as CSV (or xlsx with ?format=xlsx)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        pending = self._pending(request, request.GET.get("token", ""))
        if pending is None:
            raise Http404
        upload, petition = pending
        preview = self._preview_of(request, upload, petition)
        file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        content, content_type, extension = importing.tally_import_outcome(preview, file_format=file_format)
        stem = upload.file_name.rsplit(".", 1)[0] or "取込"
        today = f"{timezone.localdate():%Y%m%d}"
        return _download(
            content, content_type, f"{stem}_取込結果_{today}.{extension}", f"tally_import_outcome_{today}.{extension}"
        )

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.GET.get("format") == "csv":
            data = importing.tally_import_template_csv(user=request.user)
            return _download(data, None, "集約取込ひな形.csv", "tally_import_template.csv")
        data = importing.tally_import_template_xlsx(user=request.user, councils=scope_for(request.user))
        return _download(data, None, "集約取込ひな形.xlsx", "tally_import_template.xlsx")
