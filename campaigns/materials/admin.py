"""Staff pages for materials: the publisher's materials with their orders per prefecture, the ordering council's
orders with their lines and what is still to be paid, the lines to ship, receive and settle, and 普及.

Every write goes through campaigns.materials.services (`row_check` / `row_save` / `row_delete` on the shared
ServiceAdmin base; the states through `order_line_advance`). Totals come from the selectors: the lists
annotate each row with subqueries over the rows the user may see, so a page is a constant number of queries.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.http import urlencode

from shaho.core.admin import RowsSummary, RowsSummaryMixin, ServiceAdmin, ServiceInline
from shaho.core.admin_import import ImportAdminMixin
from shaho.core.scoping import in_scope, restrict

from . import importing, selectors, services
from .models import Distribution, Material, Order, OrderLine

State = OrderLine.State


def _yen_label(value):
    return f"{selectors.whole_yen(value):,}円"


def _sum_of_lines(user, outer, *, money=False, **filters):
    """A subquery: the copies (with `money`, the yen) of the order lines `user` may see hanging off the outer row."""
    lines = restrict(OrderLine.objects.filter(**{outer: OuterRef("pk")}, **filters), user)
    total = Sum(selectors.line_amount(), output_field=selectors.MONEY) if money else Sum("quantity")
    subquery = Subquery(lines.order_by().values(outer).annotate(n=total).values("n")[:1])
    return Coalesce(subquery, Value(0), output_field=selectors.MONEY) if money else Coalesce(subquery, 0)


class _OwnedAdmin(ServiceAdmin):
    """Only staff whose scope holds the owning council change a row (a national material is everyone's to read)."""

    services = services
    service_noun = "row"
    owner_field = "council_id"

    def _owns(self, request, obj):
        return obj is None or in_scope(request.user, getattr(obj, self.owner_field))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns(request, obj)


@admin.register(Material)
class MaterialAdmin(RowsSummaryMixin, _OwnedAdmin):
    owner_field = "publisher_id"
    list_display = ["name", "kind", "publisher", "price", "stock", "ordered", "shipped", "distributed", "due"]
    list_select_related = ["publisher"]
    # Only the councils that publish something (national staff would otherwise scroll past every council).
    list_filter = ["kind", ("publisher", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["name", "slug", "note"]
    autocomplete_fields = ["campaign", "petition_drive"]
    fields = [
        "name", "slug", "kind", "publisher", ("unit_price", "tax", "unit"), "campaign", "petition_drive", "stock",
        "published_on", "note",
    ]  # fmt: skip

    def get_queryset(self, request):
        user = request.user
        distributed = restrict(Distribution.objects.filter(material=OuterRef("pk")), user)
        return (
            super()
            .get_queryset(request)
            .annotate(
                ordered_total=_sum_of_lines(user, "order__material"),
                shipped_total=_sum_of_lines(user, "order__material", state__in=selectors.SHIPPED_STATES),
                due_total=_sum_of_lines(user, "order__material", money=True, state__in=selectors.UNSETTLED),
                distributed_total=Coalesce(
                    Subquery(distributed.order_by().values("material").annotate(n=Sum("quantity")).values("n")[:1]),
                    0,
                ),
            )
        )

    @admin.display(description="単価")
    def price(self, obj):
        return obj.price_label

    @admin.display(description="注文")
    def ordered(self, obj):
        return f"{obj.ordered_total:,}{obj.unit}"

    @admin.display(description="発送済")
    def shipped(self, obj):
        return f"{obj.shipped_total:,}{obj.unit}"

    @admin.display(description="普及")
    def distributed(self, obj):
        return f"{obj.distributed_total:,}{obj.unit}"

    @admin.display(description="未精算")
    def due(self, obj):
        return _yen_label(obj.due_total)

    def row_summaries(self, request, obj):
        by_prefecture = selectors.totals_by_prefecture(user=request.user, material=obj)
        unit = obj.unit
        rows = [
            ("", [t.label, f"{t.ordered:,}{unit}", f"{t.shipped:,}{unit}", f"{t.distributed:,}{unit}",
                  _yen_label(t.amount), _yen_label(t.due)])
            for t in [*by_prefecture.rows, by_prefecture.total]
        ]  # fmt: skip
        list_url = reverse("admin:campaigns_order_changelist") + f"?material__id__exact={obj.pk}"
        return [
            RowsSummary(
                title="都道府県別の注文と普及",
                headers=["都道府県", "注文", "発送済", "普及", "金額", "未精算"],
                rows=rows,
                count=len(by_prefecture.rows),
                list_url=list_url,
                numeric=(1, 2, 3, 4, 5),
            )
        ]


class OrderLineInline(ServiceInline):
    model = OrderLine
    services = services
    service_noun = "row"
    fields = ["recipient_council", "recipient_organisation", "quantity", "state", "note"]
    readonly_fields = ["state"]
    extra = 1


@admin.register(Order)
class OrderAdmin(ImportAdminMixin, _OwnedAdmin):
    importer = importing.ORDERS
    change_list_template = "admin/campaigns/order/change_list.html"
    list_display = ["number_label", "ordered_on", "material", "council", "ordered", "amount", "due", "invoice"]
    list_select_related = ["material", "material__publisher", "council"]
    list_filter = ["material", ("council", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["material__name", "council__name", "note"]
    date_hierarchy = "ordered_on"
    fields = ["material", "council", "ordered_on", "unit_price", "tax", "note"]
    readonly_fields = ["unit_price", "tax"]
    inlines = [OrderLineInline]

    def get_queryset(self, request):
        user = request.user
        return (
            super()
            .get_queryset(request)
            .annotate(
                ordered_total=_sum_of_lines(user, "order"),
                amount_total=_sum_of_lines(user, "order", money=True),
                due_total=_sum_of_lines(user, "order", money=True, state__in=selectors.UNSETTLED),
            )
        )

    def changelist_view(self, request, extra_context=None):
        # The ordering council's side: what its own orders still owe (one query).
        council = request.user.council if request.user.council_id else None
        extra = {"amount_due": None}
        if council is not None:
            extra = {"due_council": council, "amount_due": selectors.amount_due(user=request.user, council=council)}
        return super().changelist_view(request, extra_context={**extra, **(extra_context or {})})

    @admin.display(description="番号", ordering="pk")
    def number_label(self, obj):
        return obj.number

    @admin.display(description="数量")
    def ordered(self, obj):
        return f"{obj.ordered_total:,}{obj.material.unit}"

    @admin.display(description="金額")
    def amount(self, obj):
        return _yen_label(obj.amount_total)

    @admin.display(description="未精算")
    def due(self, obj):
        return _yen_label(obj.due_total)

    @admin.display(description="納品書・請求書")
    def invoice(self, obj):
        url = reverse("reports:new_kind", args=["material_invoice"]) + "?" + urlencode({"order": obj.number})
        return format_html('<a href="{}">PDF を作る</a>', url)


@admin.register(OrderLine)
class OrderLineAdmin(ServiceAdmin):
    services = services
    service_noun = "row"
    list_display = ["order_number", "material", "ordering_council", "recipient", "quantity", "state",
                    "shipped_on", "received_on", "settled_on"]  # fmt: skip
    list_select_related = ["order__material", "order__council", "recipient_council", "recipient_organisation"]
    list_filter = ["state", "order__material"]
    search_fields = ["recipient_council__name", "recipient_organisation__name", "note"]
    fields = ["order", "recipient_council", "recipient_organisation", "quantity", "ordered_on", "state",
              "shipped_on", "received_on", "settled_on", "note"]  # fmt: skip
    readonly_fields = ["state", "shipped_on", "received_on", "settled_on"]
    autocomplete_fields = ["order"]
    actions = ["mark_shipped", "mark_received", "mark_settled"]

    @admin.display(description="注文番号", ordering="order")
    def order_number(self, obj):
        return obj.order.number

    @admin.display(description="資料")
    def material(self, obj):
        return obj.order.material

    @admin.display(description="注文した社保協")
    def ordering_council(self, obj):
        return obj.order.council

    @admin.display(description="宛先")
    def recipient(self, obj):
        return obj.recipient_label

    def _advance(self, request, queryset, state):
        done, refused = 0, []
        for line in queryset.select_related("order__material"):
            try:
                services.order_line_advance(user=request.user, line=line, state=state, on=timezone.localdate())
            except ValidationError as exc:
                refused.append(f"{line}: {' '.join(exc.messages)}")
                continue
            done += 1
        self.message_user(request, f"{done}件を{State(state).label}にしました。", messages.SUCCESS)
        for message in refused[:10]:
            self.message_user(request, message, messages.WARNING)

    @admin.action(description="発送済にする（発行の社保協）")
    def mark_shipped(self, request, queryset):
        self._advance(request, queryset, State.SHIPPED)

    @admin.action(description="受領にする（注文した社保協）")
    def mark_received(self, request, queryset):
        self._advance(request, queryset, State.RECEIVED)

    @admin.action(description="精算済にする（発行の社保協）")
    def mark_settled(self, request, queryset):
        self._advance(request, queryset, State.SETTLED)


@admin.register(Distribution)
class DistributionAdmin(ServiceAdmin):
    services = services
    service_noun = "row"
    list_display = ["distributed_on", "material", "council", "organisation", "quantity", "corrects",
                    "correction_reason", "entered_by", "entered_at"]  # fmt: skip
    list_select_related = ["material", "council", "organisation", "entered_by", "corrects"]
    list_filter = ["material"]
    search_fields = ["note", "council__name", "organisation__name"]
    fields = ["material", "council", "organisation", "quantity", "distributed_on", "note"]

    def get_readonly_fields(self, request, obj=None):
        # A count is corrected by a new record (services.distribution_correct), never changed: only its note is.
        return [f for f in self.fields if f != "note"] if obj is not None else []

    def has_delete_permission(self, request, obj=None):
        return False
