"""The admin's pages of the one import flow (`shaho.core.imports`): upload → 確認 → 取り込む → 結果.

Mixed into a ModelAdmin with `importer = <the app's Importer>`; it adds `import/`, `import/outcome/`,
`import/template/` and `export/` (named `<app>_<model>_import…`, `<app>_<model>_export`) and renders one template pair,
`admin/import.html` and `admin/import_preview.html`. The uploaded bytes wait between the steps as the
user's own `PendingUpload` named by an unguessable token; the commit and the outcome download get them
back only for the same user and importer, re-read and re-check every row: nothing else the browser
sends back is trusted except the choice to go ahead. The commit itself is a job (`shaho.core.import_jobs`,
task `core.run_import` on the `imports` queue): 取り込む redirects to the job's page, which shows the rows
going through and, at the end, the outcome and its file.

The permission rule is one: the user may view the model in the admin and `importer.may_import(user)`.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode

from . import intake
from .downloads import file_response
from .imports import PREVIEW_ERRORS, PREVIEW_ROWS
from .models import ImportJob
from .tasks import request_import
from .uploads import pending_upload_get, pending_upload_store

ENCODING_CHOICES = [("", "自動"), ("utf-8", "UTF-8"), ("cp932", "Shift_JIS（CP932）")]


class ImportForm(forms.Form):
    target = forms.ChoiceField(label="取込先")
    file = forms.FileField(label="ファイル", help_text="Excel（xlsx）または CSV")
    encoding = forms.ChoiceField(
        label="文字コード（CSV）",
        choices=ENCODING_CHOICES,
        required=False,
        help_text="ふつうは「自動」のままで読めます",
    )

    def __init__(self, *args, importer, user, **kwargs):
        super().__init__(*args, **kwargs)
        if importer.target_label:
            self.fields["target"].label = importer.target_label
            self.fields["target"].choices = importer.target_choices(user)
        else:
            del self.fields["target"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.SHAHO_IMPORT_MAX_FILE_BYTES
        if upload.size > limit:
            raise forms.ValidationError(f"ファイルが大きすぎます（{limit // (1024 * 1024)}MB まで）。")
        return upload


def download(content, content_type, file_name, fallback):
    return file_response(content, filename=file_name, ascii_fallback=fallback, content_type=content_type)


class ImportAdminMixin:
    importer = None  # an imports.Importer
    # The form field that names the target, as the upload page posts it (kept for the forms staff know).
    target_field = "target"

    def _import_url_name(self, suffix):
        return f"{self.opts.app_label}_{self.opts.model_name}_{suffix}"

    def get_urls(self):
        view = self.admin_site.admin_view
        urls = [
            path("import/", view(self.import_view), name=self._import_url_name("import")),
            path("import/outcome/", view(self.import_outcome_view), name=self._import_url_name("import_outcome")),
        ]
        if self.importer.has_template:
            urls.append(
                path("import/template/", view(self.import_template_view), name=self._import_url_name("import_template"))
            )
        if self.importer.has_export:
            urls.append(path("export/", view(self.import_export_view), name=self._import_url_name("export")))
        return [*urls, *super().get_urls()]

    def has_import_permission(self, request):
        return self.has_view_permission(request) and self.importer.may_import(request.user)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
            "import_targets": self.importer.target_choices(request.user) if self.importer.target_label else [],
        }
        return super().changelist_view(request, extra_context)

    def _import_context(self, request, **kwargs):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": self.importer.title,
            "importer": self.importer,
            "limits": intake.Limits.from_settings(),
            "import_url": reverse(f"admin:{self._import_url_name('import')}"),
            **kwargs,
        }

    def _form_data(self, request):
        """The POST with the target under `target` (the upload forms used to name it petition / campaign)."""
        if request.method != "POST":
            return None
        data = request.POST.copy()
        if self.target_field != "target" and self.target_field in data:
            data["target"] = data[self.target_field]
        return data

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "_commit" in request.POST:
            return self._import_commit(request)
        form = ImportForm(
            self._form_data(request),
            request.FILES or None,
            importer=self.importer,
            user=request.user,
            initial={"target": request.GET.get(self.target_field, "")},
        )
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            target = None
            if self.importer.target_label:
                target = self.importer.target_get(request.user, form.cleaned_data["target"])
                if target is None:
                    raise Http404
            encoding = form.cleaned_data["encoding"] or ""
            preview = self.importer.preview(
                data=data, filename=upload.name, user=request.user, target=target, encoding=encoding or None
            )
            token = ""
            if preview.rows:  # kept for the commit and the outcome download
                token = pending_upload_store(
                    owner=request.user,
                    importer=self.importer.key,
                    file_name=upload.name,
                    data=data,
                    options={"target": self.importer.target_value(target), "encoding": encoding},
                ).token
            return self._render_preview(request, preview, token)
        return render(request, "admin/import.html", self._import_context(request, form=form))

    def _render_preview(self, request, preview, token, chosen=()):
        outcome = reverse(f"admin:{self._import_url_name('import_outcome')}")
        errors = preview.errors
        context = self._import_context(
            request,
            title="取り込む内容の確認",
            preview=preview,
            errors=errors,
            shown_errors=errors[:PREVIEW_ERRORS],
            more_errors=max(0, len(errors) - PREVIEW_ERRORS),
            shown_rows=[(row, self.importer.outcome_values(row)) for row in preview.rows[:PREVIEW_ROWS]],
            more_rows=max(0, len(preview.rows) - PREVIEW_ROWS),
            token=token,
            outcome_csv_url=f"{outcome}?{urlencode({'token': token})}" if token else "",
            outcome_xlsx_url=f"{outcome}?{urlencode({'token': token, 'format': 'xlsx'})}" if token else "",
            offered=[(name, label, name in chosen) for name, label in self.importer.options if name in preview.offers],
            done_url=self.importer.done_url(preview.target) if preview.target is not None else "",
        )
        return render(request, "admin/import_preview.html", context)

    def _pending(self, request, token):
        """(upload, target) of the user's own pending upload named by `token`, or None."""
        upload = pending_upload_get(token=token, user=request.user, importer=self.importer.key)
        if upload is None:
            return None
        target = None
        if self.importer.target_label:
            target = self.importer.target_get(request.user, upload.options.get("target", ""))
            if target is None:
                return None
        return upload, target

    def _preview_of(self, request, upload, target):
        return self.importer.preview(
            data=upload.content,
            filename=upload.file_name,
            user=request.user,
            target=target,
            encoding=upload.options.get("encoding") or None,
        )

    def _import_commit(self, request):
        """「取り込む」: one job per checked upload (a second submit finds the same job), run on the `imports` queue;
        the browser goes to the job's page and watches the rows go through."""
        token = request.POST.get("token", "")
        pending = self._pending(request, token)
        if pending is None:
            # Imported already (the upload goes with its rows' commit): the same job again, not an error.
            done = ImportJob.objects.filter(upload_token=token, owner=request.user, importer=self.importer.key)
            done = done.first() if token else None
            if done is not None:
                return HttpResponseRedirect(reverse("imports:job", args=[done.token]))
            messages.error(request, "確認したファイルが見つかりません。もう一度ファイルを選んでください。")
            return HttpResponseRedirect(request.path)
        upload, target = pending
        chosen = {name for name, _label in self.importer.options if request.POST.get(name) == "1"}
        job = request_import(
            upload=upload, user=request.user, importer=self.importer, target=target, options=dict.fromkeys(chosen, True)
        )
        return HttpResponseRedirect(reverse("imports:job", args=[job.token]))

    def import_outcome_view(self, request):
        """Every row's outcome of an upload this user checked, as CSV (or xlsx with ?format=xlsx)."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        pending = self._pending(request, request.GET.get("token", ""))
        if pending is None:
            raise Http404
        upload, target = pending
        preview = self._preview_of(request, upload, target)
        file_format = "xlsx" if request.GET.get("format") == "xlsx" else "csv"
        content, content_type, extension = self.importer.outcome(preview, file_format=file_format)
        stem = upload.file_name.rsplit(".", 1)[0] or "取込"
        today = f"{timezone.localdate():%Y%m%d}"
        return download(
            content, content_type, f"{stem}_取込結果_{today}.{extension}", f"import_outcome_{today}.{extension}"
        )

    def _target_from_get(self, request):
        if not self.importer.target_label:
            return None
        target = self.importer.target_get(request.user, request.GET.get(self.target_field) or request.GET.get("target"))
        if target is None:
            raise Http404
        return target

    def import_template_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
        made = self.importer.template(user=request.user, target=None, file_format=file_format)
        if made is None:
            raise Http404
        content, content_type, extension = made
        return download(
            content, content_type, f"{self.importer.what}取込ひな形.{extension}", f"import_template.{extension}"
        )

    def import_export_view(self, request):
        """The records in the import's layout with their 番号: edit and import back."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        target = self._target_from_get(request)
        file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
        content, content_type, extension = self.importer.export(
            user=request.user, target=target, file_format=file_format
        )
        today = f"{timezone.localdate():%Y%m%d}"
        return download(
            content, content_type, f"{self.importer.what}_{today}.{extension}", f"export_{today}.{extension}"
        )
