from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.urls import reverse
from django.utils.html import format_html

from shaho.core import blocks, figures
from shaho.core.admin import ScopedAdmin
from shaho.core.admin import ScopedInline as _ScopedTabular

from . import services, tasks
from .forms import ChapterForm
from .models import Audience, Chapter, Meeting, ReportJob


class ChapterInline(_ScopedTabular):
    model = Chapter
    form = ChapterForm
    fields = ["order", "title", "body"]
    template = "admin/edit_inline/stacked.html"


@admin.register(Meeting)
class MeetingAdmin(ScopedAdmin):
    list_display = ["number", "title", "date", "venue", "council"]
    list_select_related = ["council"]
    search_fields = ["title", "venue", "theme"]
    list_filter = ["council"]
    autocomplete_fields = ["council"]
    inlines = [ChapterInline]
    actions = ["make_policy_draft"]
    change_form_template = "admin/reports/meeting/change_form.html"

    def render_change_form(self, request, context, *args, **kwargs):
        # The help under the chapters lists what a chapter may insert, from the registries themselves.
        context.update(chapter_figures=figures.known_placeholders(), chapter_blocks=blocks.known_blocks())
        return super().render_change_form(request, context, *args, **kwargs)

    @admin.action(description="方針案（PDF）を作成する")
    def make_policy_draft(self, request, queryset):
        for meeting in queryset:
            # number@council: exactly this meeting, even when another council numbers its meetings alike
            _request(self, request, kind="policy_draft", params={"meeting": f"{meeting.number}@{meeting.council_id}"})


def _request(model_admin, request, *, kind, params):
    try:
        job = tasks.request_report(kind=kind, params=params, user=request.user)
    except (ValidationError, PermissionDenied) as exc:
        model_admin.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)
        return None
    url = reverse("reports:job", args=[job.token])
    model_admin.message_user(
        request, format_html('「{}」を受け付けました: <a href="{}">進捗を見る</a>', job.title, url)
    )
    return job


@admin.register(ReportJob)
class ReportJobAdmin(ScopedAdmin):
    list_display = [
        "title",
        "kind",  # shown as its Japanese label: ReportJob.kind has the registry's choices
        "council",
        "state",
        "progress",
        "requested_by",
        "created_at",
        "size",
        "page_count",
        "audience",
    ]
    list_select_related = ["council", "requested_by"]
    list_filter = ["status", "kind", "audience"]
    search_fields = ["title", "kind", "council__name"]
    date_hierarchy = "created_at"
    readonly_fields = [
        "token",
        "kind",
        "title",
        "format",
        "params",
        "council",
        "requested_by",
        "as_of",
        "data_version",
        "status",
        "progress",
        "step",
        "steps",
        "attempt",
        "created_at",
        "started_at",
        "finished_at",
        "heartbeat_at",
        "sent_at",
        "worker",
        "worker_pid",
        "file_link",
        "file_size",
        "page_count",
        "sha256",
        "warnings",
        "error",
        "published_at",
    ]
    fields = [*readonly_fields[:-1], "audience", "published_at"]
    actions = ["rerun", "publish_council", "publish_all", "unpublish"]

    def has_add_permission(self, request):
        return False  # jobs are requested on the report page, which validates the request first

    def has_delete_permission(self, request, obj=None):
        return False

    change_list_template = "admin/reports/reportjob/change_list.html"

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "title": "報告書の作成（新規作成は「報告書を作成」ページから）",
            "new_report_url": reverse("reports:new"),
        }
        return super().changelist_view(request, extra_context)

    def add_view(self, request, form_url="", extra_context=None):
        return redirect("reports:new")

    @admin.display(description="状態", ordering="status")
    def state(self, obj):
        # A job that waits says why (「順番待ち（処理サーバーに接続できません）」), as its page does.
        if obj.is_finished or not obj.step or obj.step == obj.get_status_display():
            return obj.get_status_display()
        return f"{obj.get_status_display()}：{obj.step}"

    @admin.display(description="ファイル")
    def file_link(self, obj):
        if not obj.file:
            return "—"
        return format_html('<a href="{}">ダウンロード</a>', reverse("reports:download", args=[obj.token]))

    @admin.display(description="サイズ", ordering="file_size")
    def size(self, obj):
        return filesizeformat(obj.file_size) if obj.file_size else ""

    def save_model(self, request, obj, form, change):
        # The audience is the only editable field; publishing goes through the service's checks.
        try:
            services.publish_job(job=obj, audience=obj.audience, user=request.user)
        except (ValidationError, PermissionDenied) as exc:
            self.message_user(request, " ".join(getattr(exc, "messages", [str(exc)])), messages.ERROR)

    @admin.action(description="同じ内容で作成し直す")
    def rerun(self, request, queryset):
        for job in queryset:
            try:
                new = tasks.rerun_report(job=job, user=request.user)
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{job}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
                continue
            self.message_user(request, f"「{new.title}」を受け付けました（{new.get_status_display()}）。")

    def _publish(self, request, queryset, audience):
        done = 0
        for job in queryset:
            try:
                services.publish_job(job=job, audience=audience, user=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(request, f"{job}: {' '.join(getattr(exc, 'messages', [str(exc)]))}", messages.ERROR)
        if done:
            self.message_user(request, f"{done}件の公開範囲を変更しました。")

    @admin.action(description="社保協の会員に公開する")
    def publish_council(self, request, queryset):
        self._publish(request, queryset, Audience.COUNCIL)

    @admin.action(description="全会員に公開する")
    def publish_all(self, request, queryset):
        self._publish(request, queryset, Audience.ALL)

    @admin.action(description="非公開に戻す")
    def unpublish(self, request, queryset):
        self._publish(request, queryset, Audience.NONE)


# The newsletters sub-package registers its own admins (Newsletter, Photo).
from .newsletters import admin as _newsletters_admin  # noqa: E402, F401
