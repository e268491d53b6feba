"""API tokens and their use log in the admin: scoped (a council's staff see their councils' tokens, national staff
all), read-only except the 「失効させる」 action (api_token_revoke). Tokens are made, renamed and given an expiry on
/account/api-tokens/ (the secret is shown once there); the admin never shows a secret or its hash."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.html import format_html

from ..admin import ReadOnlyAdminMixin, ScopedAdmin
from . import services
from .models import ApiToken, ApiTokenUse


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = [
        "name",
        "display_prefix",
        "council",
        "access",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_select_related = ["council"]
    list_filter = ["access", "council"]
    search_fields = ["name", "key"]
    ordering = ["-created_at", "-pk"]
    fields = [
        "name",
        "display_prefix",
        "council",
        "access",
        "created_by",
        "created_at",
        "expires_at",
        "allowed_addresses",
        "revoked_at",
        "revoked_by",
        "last_used_at",
        "uses_link",
    ]
    readonly_fields = fields
    actions = ["revoke"]

    @admin.display(description="トークン")
    def display_prefix(self, obj):
        return obj.display_prefix

    @admin.display(description="利用記録")
    def uses_link(self, obj):
        url = reverse("admin:core_apitokenuse_changelist") + f"?token__id__exact={obj.pk}"
        return format_html('<a href="{}">このトークンの利用記録</a>', url)

    @admin.action(description="選んだトークンを失効させる")
    def revoke(self, request, queryset):
        done = 0
        for token in queryset:
            try:
                services.api_token_revoke(token=token, user=request.user)
                done += 1
            except PermissionDenied as exc:
                self.message_user(request, f"「{token.name}」: {exc}", messages.ERROR)
        if done:
            self.message_user(request, f"{done}件のトークンを失効させました。", messages.SUCCESS)


@admin.register(ApiTokenUse)
class ApiTokenUseAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["used_at", "token", "council", "method", "endpoint", "status", "address"]
    list_select_related = ["token", "council"]
    list_filter = ["status", "method"]
    search_fields = ["endpoint", "path", "token__name", "token__key"]
    ordering = ["-used_at", "-pk"]
    date_hierarchy_from_range = True
    date_hierarchy = "used_at"
    fields = ["used_at", "token", "council", "method", "endpoint", "path", "status", "address"]
    readonly_fields = fields
