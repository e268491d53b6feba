"""The login records and locks in the admin, for national staff only.

django-axes' own admin is switched off (AXES_ENABLE_ADMIN = False): it follows Django's model
permissions, which this project does not hand out; here the role decides. Deleting a lock
(or the 「ロックを解除する」 action) lets that user name and address log in again at once.
"""

from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings
from django.contrib import admin, messages
from django.utils import timezone

from .admin import NationalOnlyAdmin, ReadOnlyAdminMixin


class NationalRecordsAdmin(ReadOnlyAdminMixin, NationalOnlyAdmin):
    """Visible to national staff and superusers; records nobody adds or edits by hand."""

    list_per_page = 100
    show_full_result_count = False


@admin.register(AccessAttempt)
class LoginLockAdmin(NationalRecordsAdmin):
    list_display = ["username", "ip_address", "failures_since_start", "locked", "attempt_time", "path_info"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    ordering = ["-attempt_time"]
    actions = ["unlock"]
    fields = ["username", "ip_address", "user_agent", "path_info", "failures_since_start", "attempt_time"]
    readonly_fields = fields

    @admin.display(description="ロック中", boolean=True)
    def locked(self, obj):
        # This row alone (Axes also adds up the rows of one user name or one address).
        recent = obj.attempt_time >= timezone.now() - settings.AXES_COOLOFF_TIME
        return recent and obj.failures_since_start >= settings.AXES_FAILURE_LIMIT

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @admin.action(description="選んだ記録のロックを解除する", permissions=["delete"])
    def unlock(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(request, f"{count}件のロックを解除しました。", messages.SUCCESS)


@admin.register(AccessLog)
class LoginLogAdmin(NationalRecordsAdmin):
    list_display = ["username", "ip_address", "attempt_time", "logout_time", "path_info", "user_agent"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    ordering = ["-attempt_time"]
    fields = ["username", "ip_address", "user_agent", "path_info", "attempt_time", "logout_time"]
    readonly_fields = fields


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(NationalRecordsAdmin):
    list_display = ["username", "ip_address", "attempt_time", "locked_out", "path_info", "user_agent"]
    list_filter = ["locked_out"]
    search_fields = ["username", "ip_address"]
    date_hierarchy = "attempt_time"
    ordering = ["-attempt_time"]
    fields = ["username", "ip_address", "user_agent", "path_info", "attempt_time", "locked_out"]
    readonly_fields = fields


class AuthenticatorAdmin(NationalRecordsAdmin):
    """Accounts' authenticator apps: national staff remove one when its phone is lost.

    The account then enrols again at its next login (or goes without, where allowed).
    No key is shown.
    """

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__display_name"]
    ordering = ["user__username"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields
    actions = ["remove"]

    def has_delete_permission(self, request, obj=None):
        return self.has_module_permission(request)

    @admin.action(description="選んだ認証アプリを削除する（再設定が必要になります）", permissions=["delete"])
    def remove(self, request, queryset):
        count, _ = queryset.delete()
        self.message_user(request, f"{count}件の認証アプリを削除しました。", messages.SUCCESS)


def register():
    """Called from CoreConfig.ready(), after the admin's autodiscovery."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    # django-otp's own device admin shows keys and follows model permissions: replaced.
    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)
    # django-otp's labels are plain English strings (no catalogue can reach them); the admin
    # reads these, migrations read Meta's original attributes, so no migration follows.
    meta = TOTPDevice._meta
    meta.verbose_name = meta.verbose_name_plural = "認証アプリ（二要素認証）"
    labels = {"user": "アカウント", "name": "名前", "confirmed": "設定済み", "created_at": "登録日時",
              "last_used_at": "最後に使った日時"}  # fmt: skip
    for name, label in labels.items():
        meta.get_field(name).verbose_name = label
    admin.site.register(TOTPDevice, AuthenticatorAdmin)
