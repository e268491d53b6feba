from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.db.models import Count
from django.utils.translation import gettext_lazy as _

from shaho.core.admin import (
    RowsSummaryMixin,
    ScopedAdmin,
    ServiceAdmin,
    ServiceInline,
    rows_summary,
    save_formset_through_services,
)
from shaho.core.japanese import format_date

from . import services
from .forms import CouncilForm
from .models import Council, CouncilStage, Membership, Officer, Organisation, Role, User

# Access follows the account's role and council (shaho.core.scoping), not hand-made groups.
admin.site.unregister(Group)


class RowAdmin(ServiceAdmin):
    """Organisations, memberships and officers: written by `services.row_check` / `row_save` / `row_delete`."""

    services = services
    service_noun = "row"


class RowInline(ServiceInline):
    services = services
    service_noun = "row"


class StageInline(RowInline):
    model = CouncilStage
    fields = ["since", "kind", "note"]


class MembershipInline(RowInline):
    model = Membership
    autocomplete_fields = ["organisation"]
    fields = ["organisation", "since", "until"]


class OfficerInline(RowInline):
    model = Officer
    autocomplete_fields = ["organisation"]
    fields = ["role", "person_name", "organisation", "term_start", "term_end"]


@admin.register(Council)
class CouncilAdmin(RowsSummaryMixin, ScopedAdmin):
    form = CouncilForm
    # explicit: Meta.ordering is dropped from the GROUP BY of the children count. JIS prefecture code
    # order, then local councils by municipality code (the key councils.services keeps).
    ordering = ["sort_key", "pk"]
    list_display = [
        "name",
        "kind",
        "prefecture",
        "block",
        "parent",
        "status",
        "founded_on",
        "dissolved_on",
        "n_children",
    ]
    list_select_related = ["prefecture__block", "parent"]
    list_filter = ["kind", "status", "prefecture__block", "prefecture"]
    search_fields = ["name", "short_name", "municipalities__name"]
    autocomplete_fields = ["parent", "prefecture", "municipalities"]
    # The councils below it (the national council's 66) are a table of links, not a read-only inline.
    inlines = [StageInline, OfficerInline, MembershipInline]
    summary_relations = ["children"]
    fieldsets = [
        (None, {"fields": ["name", "short_name", "kind", "parent", "prefecture", "status"]}),
        (_("活動地域"), {"fields": ["municipalities"]}),
        (_("結成・解散"), {"fields": ["founded_on", "dissolved_on"]}),
        (_("連絡先"), {"fields": ["postal_code", "address", "phone", "fax", "email", "website", "note"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_n_children=Count("children", distinct=True))

    def row_summaries(self, request, obj):
        children = rows_summary(
            request,
            obj,
            "children",
            title=_("下部の社保協（地域社保協・準備会）"),
            headers=[_("名称"), _("種別"), _("状態"), _("結成日"), _("解散日")],
            cells=lambda c: [
                c.name,
                c.get_kind_display(),
                c.get_status_display(),
                format_date(c.founded_on),
                format_date(c.dissolved_on),
            ],
            order=["sort_key", "pk"],
        )
        return [children] if children.count else []

    def save_model(self, request, obj, form, change):
        """Through the services (CouncilForm.save): the tree path, the sort key and the stages follow the change."""
        saved = form.save(commit=True)
        if not change:  # the inlines were built on `obj`: give it the new row
            obj.pk = saved.pk
            obj.refresh_from_db()
            obj._state.adding = False

    def save_related(self, request, form, formsets, change):
        # The municipalities were set by the service (save_model); only the inlines are left to save.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        # Stages, officers and memberships through the services, as on every ServiceAdmin.
        save_formset_through_services(request.user, formset)

    @admin.display(description=_("ブロック"), ordering="prefecture__block__order")
    def block(self, obj):
        return obj.prefecture.block if obj.prefecture_id else ""

    @admin.display(description=_("下部組織数"), ordering="_n_children")
    def n_children(self, obj):
        return obj._n_children


@admin.register(Organisation)
class OrganisationAdmin(RowAdmin):
    list_display = ["name", "short_name", "level", "category", "prefecture", "parent", "home_council"]
    list_select_related = ["prefecture", "parent", "home_council"]
    list_filter = ["level", "category", "prefecture__block", "prefecture"]
    search_fields = ["name", "short_name"]
    autocomplete_fields = ["parent", "prefecture", "home_council"]
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(RowAdmin):
    list_display = ["organisation", "council", "since", "until"]
    list_select_related = ["organisation", "council"]
    list_filter = ["council__kind", "council__prefecture"]
    search_fields = ["organisation__name", "council__name"]
    autocomplete_fields = ["organisation", "council"]


@admin.register(Officer)
class OfficerAdmin(RowAdmin):
    list_display = ["person_name", "role", "council", "organisation", "term_start", "term_end"]
    list_select_related = ["council", "organisation"]
    list_filter = ["role", "council__kind", "council__prefecture"]
    search_fields = ["person_name", "council__name", "organisation__name"]
    autocomplete_fields = ["council", "organisation"]


@admin.register(User)
class UserAdmin(ScopedAdmin, DjangoUserAdmin):
    list_display = ["username", "display_name", "council", "role", "is_active", "last_login"]
    list_select_related = ["council"]
    list_filter = ["role", "is_active", "council__kind", "council__prefecture"]
    search_fields = ["username", "display_name", "email", "council__name"]
    autocomplete_fields = ["council"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("所属と役割"), {"fields": ["council", "role", "is_active"]}),
        (_("個人情報"), {"fields": ["display_name", "email"]}),
        (_("記録"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "password1", "password2", "council", "role", "display_name", "email"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def save_model(self, request, obj, form, change):
        """Through the service: admin access (is_staff) follows the role."""
        services.user_set_role(user=obj, role=obj.role, council=obj.council)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        # Council staff may not grant national staff rights.
        if "role" in form.base_fields and not request.user.is_national:
            form.base_fields["role"].choices = [
                c for c in form.base_fields["role"].choices if c[0] != Role.NATIONAL_STAFF
            ]
        return form
