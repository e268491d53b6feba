"""Staff pages for the consultations: days, stations and their responders; calls read-only, counts' fields only.

What a call's admin shows is derived from consultations.privacy: its statistical fields only, in the
list, the form and the search. Free text is read on the site's call page, where each read is logged.
Days, stations, responders and coordinators are written through `services` on the shared base
(shaho.core.admin.ServiceAdmin: `row_check` / `row_save` / `row_delete`, `coordinator_*`).
"""

from django.contrib import admin
from django.http import Http404

from shaho.core.admin import (
    NationalOnlyAdmin,
    ReadOnlyAdminMixin,
    ScopedAdmin,
    ServiceAdmin,
    ServiceAdminMixin,
    ServiceInline,
)
from shaho.core.scoping import in_scope

from . import services
from .models import CallRecord, Category, ConsultationDay, Coordinator, Responder, Station
from .privacy import personal_fields, statistical_fields


def _owns(request, council_id):
    return in_scope(request.user, council_id)


@admin.register(ConsultationDay)
class ConsultationDayAdmin(ServiceAdmin):
    services, service_noun = services, "row"
    list_display = ["date", "title", "kind", "council", "published"]
    list_select_related = ["council"]
    list_filter = ["kind", "published"]
    search_fields = ["title", "theme"]
    date_hierarchy = "date"

    def has_change_permission(self, request, obj=None):
        # A council with a station on the national day sees it, but only the organiser's staff change it.
        return super().has_change_permission(request, obj) and (obj is None or _owns(request, obj.council_id))

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and (obj is None or _owns(request, obj.council_id))


class ResponderInline(ServiceInline):
    services, service_noun = services, "row"
    model = Responder
    autocomplete_fields = ["user", "organisation"]


@admin.register(Station)
class StationAdmin(ServiceAdmin):
    services, service_noun = services, "row"
    list_display = ["council", "day", "line_count"]
    list_select_related = ["council", "day"]
    list_filter = ["day"]
    search_fields = ["council__name", "day__title"]
    autocomplete_fields = ["council"]
    inlines = [ResponderInline]


@admin.register(CallRecord)
class CallRecordAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """Calls as counts are made of them: the fields marked statistical, never the free text."""

    list_display = ["number", "station", "started_at", "duration_minutes", "caller_type", "care_level", "follow_up"]
    list_select_related = ["station__council", "station__day"]
    list_filter = ["care_level", "caller_type", "follow_up", "station__day"]
    search_fields = ["station__council__name"]
    fields = statistical_fields()
    readonly_fields = statistical_fields()
    exclude = personal_fields()

    @admin.display(description="番号", ordering="pk")
    def number(self, obj):
        return obj.pk

    # Calls keep no history table (an old summary would outlive its purge): the admin's own log instead.
    def history_view(self, request, object_id, extra_context=None):
        self._require_in_scope(request, object_id)
        return admin.ModelAdmin.history_view(self, request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        raise Http404


@admin.register(Category)
class CategoryAdmin(NationalOnlyAdmin):
    list_display = ["name", "order", "active"]
    list_editable = ["order", "active"]
    search_fields = ["name"]


@admin.register(Coordinator)
class CoordinatorAdmin(ServiceAdminMixin, NationalOnlyAdmin):
    """National staff appoint the coordinators; the appointment and its end are kept in the history."""

    services, service_noun = services, "coordinator"

    list_display = ["user", "appointed_by", "appointed_at", "note"]
    list_select_related = ["user", "appointed_by"]
    autocomplete_fields = ["user"]
