"""Admin base classes: every staff page goes through the one scoping function."""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .roles import STAFF_ROLES
from .scoping import restrict, sees_everything


def is_staff_user(user):
    return bool(
        user.is_active and (user.is_superuser or (user.is_staff and getattr(user, "role", None) in STAFF_ROLES))
    )


def scoped_choices(db_field, request, kwargs):
    """Form-field kwargs whose choices are limited to the related rows the user may see."""
    related = db_field.remote_field.model
    if "queryset" not in kwargs and hasattr(related, "scope_filter"):
        kwargs["queryset"] = restrict(related._default_manager.all(), request.user)
    return kwargs


class ScopedAdmin(SimpleHistoryAdmin):
    """Rows, choices, autocomplete results and history limited to the user's councils.

    `national_only = True` keeps a model (reference data, blocks) editable by
    national staff only; council staff may still view it where `scope_filter` allows.
    """

    national_only = False
    list_per_page = 50
    show_full_result_count = False

    # --- rows -------------------------------------------------------------
    def get_queryset(self, request):
        return restrict(super().get_queryset(request), request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **scoped_choices(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **scoped_choices(db_field, request, kwargs))

    # --- permissions: by role, not by hand-assigned model permissions ------
    def has_module_permission(self, request):
        return is_staff_user(request.user)

    def has_view_permission(self, request, obj=None):
        return is_staff_user(request.user)

    def _may_write(self, request):
        if not is_staff_user(request.user):
            return False
        return sees_everything(request.user) or not self.national_only

    def has_add_permission(self, request):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        return self._may_write(request)

    def has_delete_permission(self, request, obj=None):
        return self._may_write(request)

    # --- history: never fall back to rows outside the scope ---------------
    def _require_in_scope(self, request, object_id):
        pk_name = self.model._meta.pk.attname
        if not self.get_queryset(request).filter(**{pk_name: unquote(object_id)}).exists():
            raise Http404

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Out of scope and missing look the same: 404, not Django's redirect with a message.
        self._require_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ScopedInline(admin.TabularInline):
    """Inline whose foreign-key choices are scoped like the parent admin's."""

    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **scoped_choices(db_field, request, kwargs))

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return restrict(qs, request.user) if hasattr(qs.model, "scope_filter") else qs

    def has_view_permission(self, request, obj=None):
        return is_staff_user(request.user)

    def has_add_permission(self, request, obj=None):
        return is_staff_user(request.user)

    def has_change_permission(self, request, obj=None):
        return is_staff_user(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_staff_user(request.user)
