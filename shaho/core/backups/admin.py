"""The backups' and drills' record in the admin: national staff only, read-only."""

from django.contrib import admin
from django.utils.html import format_html

from ..admin import NationalOnlyAdmin, ReadOnlyAdminMixin
from .models import BackupRecord


@admin.register(BackupRecord)
class BackupRecordAdmin(ReadOnlyAdminMixin, NationalOnlyAdmin):
    list_display = [
        "started_at",
        "kind",
        "archive",
        "size_display",
        "rows_display",
        "verdict_display",
        "duration_display",
        "message_short",
    ]
    list_filter = ["kind", "verdict"]
    search_fields = ["archive", "message"]
    date_hierarchy = "started_at"
    ordering = ["-started_at"]
    fields = ["kind", "started_at", "archive", "size", "rows", "verdict", "duration", "message"]
    readonly_fields = fields

    @admin.display(description="サイズ", ordering="size")
    def size_display(self, obj):
        if obj.size is None:
            return "—"
        return f"{obj.size / 1024 / 1024:,.1f} MB"

    @admin.display(description="行数", ordering="rows")
    def rows_display(self, obj):
        return "—" if obj.rows is None else f"{obj.rows:,}"

    @admin.display(description="結果", ordering="verdict")
    def verdict_display(self, obj):
        failed = obj.verdict == BackupRecord.Verdict.FAILED
        return format_html("<strong>{}</strong>", obj.get_verdict_display()) if failed else obj.get_verdict_display()

    @admin.display(description="所要時間", ordering="duration")
    def duration_display(self, obj):
        return "—" if obj.duration is None else f"{obj.duration:,.1f} 秒"

    @admin.display(description="メッセージ")
    def message_short(self, obj):
        first = obj.message.splitlines()[0] if obj.message else ""
        return first[:120]
