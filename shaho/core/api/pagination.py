"""Pages of at most 100 rows in a stable total order.

`{"count": …, "next": url|null, "previous": url|null, "results": [...]}`, `?page=` and `?page_size=` (≤ 100).
The order is total (pretix's TotalOrderingFilter idea): whatever a view or `?ordering=` sorts by, the primary key
comes last, so no row appears on two pages or on none while a client walks them.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework.filters import OrderingFilter
from rest_framework.pagination import PageNumberPagination

MAX_PAGE_SIZE = 100


def total_order(queryset):
    """`queryset` ordered as it was (or by its model's Meta.ordering), with the primary key last."""
    ordering = list(queryset.query.order_by) or list(queryset.model._meta.ordering or [])
    names = {str(o).lstrip("-") for o in ordering}
    pk_names = {"pk", queryset.model._meta.pk.name, queryset.model._meta.pk.attname}
    if not names & pk_names:
        ordering.append("pk")
    return queryset.order_by(*ordering)


class TotalOrderingFilter(OrderingFilter):
    """`?ordering=` among a view's `ordering_fields`, the primary key appended as the last tie-breaker."""

    ordering_description = _("並べ替える項目（カンマ区切り、先頭に - で降順）。最後は常にIDの順。")

    def filter_queryset(self, request, queryset, view):
        return total_order(super().filter_queryset(request, queryset, view))


class ApiPagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    page_query_description = _("ページ番号（1から）")
    page_size_query_description = _("1ページの件数（最大100）")
    invalid_page_message = _("そのページはありません。")

    def get_paginated_response_schema(self, schema):
        described = super().get_paginated_response_schema(schema)
        described["properties"]["count"]["description"] = "全件数"
        described["properties"]["next"]["description"] = "次のページのURL"
        described["properties"]["previous"]["description"] = "前のページのURL"
        return described
