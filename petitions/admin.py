"""Staff pages for petitions. Writes go through services (`row_check` / `row_save` / `row_delete` on the shared
ServiceAdmin); the ledger is read-only here."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from shaho.core.admin import KeysFirstPaginator, ReadOnlyAdminMixin, ScopedAdmin, ServiceAdmin, ServiceInline
from shaho.core.admin_import import ImportAdminMixin
from shaho.core.japanese import format_date, format_datetime
from shaho.core.scoping import in_scope, sees_everything

from . import importing, selectors, services
from .models import CollectionRound, ImportBatch, PetitionDrive, PetitionGoal, PetitionItem, Submission, TallyEntry


class RowAdmin(ServiceAdmin):
    """Every write through `services.row_check` / `row_save` / `row_delete` (the shared ServiceAdmin)."""

    services = services
    service_noun = "row"


class RowInline(ServiceInline):
    services = services
    service_noun = "row"


class PetitionItemInline(RowInline):
    model = PetitionItem


class CollectionRoundInline(RowInline):
    model = CollectionRound


@admin.register(PetitionDrive)
class PetitionDriveAdmin(RowAdmin):
    list_display = ["short_name", "title", "kind", "status", "starts_on", "ends_on", "organiser", "table_link"]
    list_select_related = ["organiser"]
    list_filter = ["status", "kind"]
    search_fields = ["title", "short_name", "slug"]
    autocomplete_fields = ["cosponsors", "campaign"]
    inlines = [PetitionItemInline, CollectionRoundInline]

    @admin.display(description="集約一覧表")
    def table_link(self, obj):
        return format_html('<a href="{}">表示</a>', reverse("petitions:national", args=[obj.slug]))

    def _owns(self, request, obj):
        # A national drive is edited by national staff; a council's drive by staff whose scope holds that council.
        return obj is None or in_scope(request.user, obj.organiser_id)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns(request, obj)


@admin.register(PetitionGoal)
class PetitionGoalAdmin(RowAdmin):
    list_display = ["petition", "council", "goal"]
    list_select_related = ["petition", "council"]
    list_filter = ["petition"]
    search_fields = ["council__name", "petition__short_name"]
    autocomplete_fields = ["council"]


class ReadOnlyLedgerAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    """The ledger is append-only: nothing is added, changed or deleted from the admin."""

    history_page = False  # rows never change, so there is no history to show; the list is the history


@admin.register(TallyEntry)
class TallyEntryAdmin(ImportAdminMixin, ReadOnlyLedgerAdmin):
    importer = importing.TALLIES
    target_field = "petition"
    change_list_template = "petitions/admin/tallyentry_change_list.html"
    # Ten columns that fit a 1366 px screen; the round follows from the date (and is a filter).
    list_display = [
        "collected_on",
        "petition",
        "council",
        "organisation",
        "kind",
        "count",
        "corrects_label",
        "entered_by",
        "entered_at",
        "correct_link",
    ]
    list_select_related = ["petition", "council", "organisation", "corrects", "entered_by"]
    list_filter = ["petition", "kind", "collected_on"]
    # Searched by `selectors.ledger_search` (names and numbers by id, typed text through trigram indexes).
    search_fields = ["council__name", "source", "note", "correction_reason"]
    search_help_text = "社保協・集めた団体の名前、記録の番号、3文字以上なら場所・備考・訂正の理由からも探します。"
    date_hierarchy = "collected_on"
    date_hierarchy_from_range = True  # a million rows: the date bar's years from two index lookups
    paginator = KeysFirstPaginator  # a million rows: the page's 50 keys first, then their rows with their joins

    def get_search_results(self, request, queryset, search_term):
        return selectors.ledger_search(queryset, search_term), False

    @admin.display(description="訂正元", ordering="corrects")
    def corrects_label(self, obj):
        # Which entry a correction corrects, in a few characters: its date and its count.
        if not obj.corrects_id:
            return ""
        original = obj.corrects
        return f"{format_date(original.collected_on)}の{original.count:,}{original.unit}"

    @admin.display(description="訂正")
    def correct_link(self, obj):
        if obj.corrects_id:
            return ""
        return format_html('<a href="{}">訂正する</a>', reverse("petitions:correct", args=[obj.pk]))


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyLedgerAdmin):
    list_display = ["created", "file_name", "petition", "row_count", "status", "created_by", "table_link"]
    list_select_related = ["petition", "created_by"]
    readonly_fields = ["created", "table_link"]

    @admin.display(description="取込日時", ordering="created_at")
    def created(self, obj):
        return format_datetime(obj.created_at)  # 2025年12月7日 14:00, Asia/Tokyo

    @admin.display(description="集約一覧表")
    def table_link(self, obj):
        # From an import's result to the table it changed.
        return format_html('<a href="{}">表示</a>', reverse("petitions:national", args=[obj.petition.slug]))

    list_filter = ["status", "petition"]
    search_fields = ["file_name", "sha256"]


@admin.register(Submission)
class SubmissionAdmin(RowAdmin):
    list_display = ["submitted_on", "petition", "council", "count", "submitted_to", "event"]
    list_select_related = ["petition", "council"]
    list_filter = ["petition"]
    search_fields = ["council__name", "event", "submitted_to"]
    autocomplete_fields = ["council", "action"]
    exclude = ["entered_by", "entered_at"]

    def has_change_permission(self, request, obj=None):
        # Handed-in counts are recorded once; a wrong one is for national staff to fix.
        return super().has_change_permission(request, obj) and (obj is None or sees_everything(request.user))

    def has_delete_permission(self, request, obj=None):
        return False
