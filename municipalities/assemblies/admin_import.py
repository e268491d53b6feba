"""The admin's import and export of a campaign's list of petitions to assemblies (xlsx/CSV, one row per municipality).

Upload → 確認 (every row checked, nothing written) → 取り込む (all rows or none). The uploaded bytes wait
as the user's own `PendingUpload` (named by an unguessable token) and are read and checked again on
commit; the export writes the same layout (`importing.assembly_export`).
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from shaho.core import intake
from shaho.core.downloads import file_response
from shaho.core.uploads import pending_upload_discard, pending_upload_get, pending_upload_store

from . import importing
from .selectors import campaign_choices, visible_campaign

ENCODING_CHOICES = [("", _("自動")), ("utf-8", "UTF-8"), ("cp932", "Shift_JIS（CP932）")]
PREVIEW_ROWS = 2000


class AssemblyImportForm(forms.Form):
    campaign = forms.ChoiceField(label=_("運動"))
    file = forms.FileField(label=_("ファイル"), help_text=_("Excel（xlsx）または CSV"))
    encoding = forms.ChoiceField(label=_("文字コード（CSV）"), choices=ENCODING_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = campaign_choices(user)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.SHAHO_IMPORT_MAX_FILE_BYTES:
            raise forms.ValidationError("ファイルが大きすぎます。")
        return upload


def _download(content, content_type, file_name, fallback):
    return file_response(content, filename=file_name, ascii_fallback=fallback, content_type=content_type)


class AssemblyImportAdminMixin:
    change_list_template = "municipalities/admin/assemblypetition_change_list.html"

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name="{}_{}_import".format(*info)),
            path(
                "import/outcome/",
                self.admin_site.admin_view(self.import_outcome_view),
                name="{}_{}_import_outcome".format(*info),
            ),
            path("export/", self.admin_site.admin_view(self.export_view), name="{}_{}_export".format(*info)),
            *super().get_urls(),
        ]

    def has_import_permission(self, request):
        return self.has_add_permission(request) and self.has_change_permission(request)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "has_import_permission": self.has_import_permission(request),
            "campaigns": campaign_choices(request.user),
        }
        return super().changelist_view(request, extra_context)

    def _context(self, request, **kwargs):
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "議会への陳情・請願をExcel・CSVから取り込む",
            "headers": importing.HEADERS,
            **kwargs,
        }

    def _campaign(self, request, value):
        try:
            return visible_campaign(value, user=request.user)
        except ValidationError:
            raise Http404 from None

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        if request.method == "POST" and "_commit" in request.POST:
            return self._commit(request)
        form = AssemblyImportForm(request.POST or None, request.FILES or None, user=request.user)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            data = upload.read()
            campaign = self._campaign(request, form.cleaned_data["campaign"])
            encoding = form.cleaned_data["encoding"] or None
            preview = importing.assembly_import_preview(
                campaign=campaign, data=data, filename=upload.name, user=request.user, encoding=encoding
            )
            token = ""
            if preview.rows:
                token = pending_upload_store(
                    owner=request.user,
                    importer=importing.IMPORTER,
                    file_name=upload.name,
                    data=data,
                    options={"campaign": campaign.slug, "encoding": encoding or ""},
                ).token
            return self._render_preview(request, preview, token)
        return render(request, "municipalities/admin/assembly_import.html", self._context(request, form=form))

    def _render_preview(self, request, preview, token):
        outcome = reverse("admin:municipalities_assemblypetition_import_outcome")
        return render(
            request,
            "municipalities/admin/assembly_import_preview.html",
            self._context(
                request,
                title="取り込む内容の確認",
                preview=preview,
                errors=preview.errors[:5000],
                rows=preview.rows[:PREVIEW_ROWS],
                token=token,
                outcome_url=f"{outcome}?{urlencode({'token': token})}" if token else "",
            ),
        )

    def _pending(self, request, token):
        upload = pending_upload_get(token=token, user=request.user, importer=importing.IMPORTER)
        if upload is None:
            return None
        try:
            campaign = visible_campaign(upload.options.get("campaign", ""), user=request.user)
        except ValidationError:
            return None
        return upload, campaign

    def _commit(self, request):
        pending = self._pending(request, request.POST.get("token", ""))
        if pending is None:
            messages.error(request, "確認したファイルが見つかりません。もう一度ファイルを選んでください。")
            return HttpResponseRedirect(request.path)
        upload, campaign = pending
        encoding = upload.options.get("encoding") or None
        try:
            created, changed, unchanged = importing.assembly_import_commit(
                campaign=campaign, data=upload.content, filename=upload.file_name, user=request.user, encoding=encoding
            )
        except importing.AssemblyImportRefused as exc:
            for message in exc.messages[:20]:
                messages.error(request, message)
            preview = importing.assembly_import_preview(
                campaign=campaign, data=upload.content, filename=upload.file_name, user=request.user, encoding=encoding
            )
            return self._render_preview(request, preview, request.POST.get("token", ""))
        pending_upload_discard(upload=upload)
        messages.success(
            request, f"{campaign}: 新規 {created}件・変更 {changed}件を取り込みました（変更なし {unchanged}件）。"
        )
        return HttpResponseRedirect(reverse("admin:municipalities_assemblypetition_changelist"))

    def import_outcome_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        pending = self._pending(request, request.GET.get("token", ""))
        if pending is None:
            raise Http404
        upload, campaign = pending
        preview = importing.assembly_import_preview(
            campaign=campaign,
            data=upload.content,
            filename=upload.file_name,
            user=request.user,
            encoding=upload.options.get("encoding") or None,
        )
        content, content_type, extension = intake.outcome_file(importing.outcome_table(preview))
        today = f"{timezone.localdate():%Y%m%d}"
        return _download(content, content_type, f"議会_取込結果_{today}.{extension}", f"assembly_outcome_{today}.csv")

    def export_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        campaign = self._campaign(request, request.GET.get("campaign", ""))
        file_format = "csv" if request.GET.get("format") == "csv" else "xlsx"
        content, content_type, extension = importing.assembly_export(
            campaign=campaign, user=request.user, file_format=file_format
        )
        today = f"{timezone.localdate():%Y%m%d}"
        return _download(
            content,
            content_type,
            f"議会_{campaign.slug}_{today}.{extension}",
            f"assembly_{campaign.slug}_{today}.{extension}",
        )
