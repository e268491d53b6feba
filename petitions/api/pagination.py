"""The ledger's pages: the foundation's pagination, with the count the ETag's query already made."""

import functools

from django.core.paginator import Paginator

from shaho.core.api.pagination import ApiPagination


class _CountedPaginator(Paginator):
    def __init__(self, object_list, per_page, *, count, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.__dict__["count"] = count  # Paginator.count is a cached_property: the known number, no COUNT query


class CountedPagination(ApiPagination):
    """`ApiPagination`, reusing `view.counted` (the rows of the filtered list, counted by the view's fingerprint
    query in the same request: petitions/api/versions.py `list_fingerprint`) instead of a second COUNT."""

    def paginate_queryset(self, queryset, request, view=None):
        counted = getattr(view, "counted", None)
        if counted is not None:
            self.django_paginator_class = functools.partial(_CountedPaginator, count=counted)
        return super().paginate_queryset(queryset, request, view)
