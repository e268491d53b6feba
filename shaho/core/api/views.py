"""The base classes every app's `api/views.py` builds on (docs/api.md: "How to add an endpoint").

- `ScopedReadOnlyViewSet`: list and detail of a model. Define `base_queryset()` (select_related, annotations);
  the rows are `restrict(base_queryset(), request.user)`, the token's principal: what a staff member (or a
  member, for a 会員向け token) of its council sees. Read only: GET/HEAD/OPTIONS, every write method is 405.
  Lists: pages of ≤ 100 in a total order, ETag/304, `?modified_since=` when `modified_since_field` is set,
  `?format=csv|xlsx`.
- `ScopedReadOnlyAPIView`: one GET answer that is not a model's list (a table at a date, a census): define
  `get_data(request)`; it gets ETag/304 over `version_models` and the same renderers.

Both log every use (`usage.py`), count the rate limit (`throttling.py`) and answer errors as JSON
(`exceptions.py`) whatever format was asked for.
"""

from rest_framework import generics, mixins, viewsets
from rest_framework.response import Response

from shaho.core.access import client_ip
from shaho.core.scoping import restrict

from . import usage
from .conditional import ConditionalMixin, parse_modified_since
from .pagination import total_order
from .renderers import JSONRenderer

READ_METHODS = ["get", "head", "options"]


class ApiViewMixin(ConditionalMixin):
    """What every API view shares: read-only methods, errors as JSON, the usage log, a file name for exports."""

    http_method_names = READ_METHODS
    export_name = "data"  # the CSV/xlsx file name (without extension) and the xlsx sheet's title

    def finalize_response(self, request, response, *args, **kwargs):
        if response.status_code >= 400:
            # An error is JSON whatever ?format= asked for (a spreadsheet of an error helps nobody).
            request.accepted_renderer = JSONRenderer()
            request.accepted_media_type = JSONRenderer.media_type
        response = super().finalize_response(request, response, *args, **kwargs)
        fmt = getattr(getattr(request, "accepted_renderer", None), "format", "json")
        if response.status_code == 200 and fmt in ("csv", "xlsx"):
            response["Content-Disposition"] = f'attachment; filename="{self.export_name}.{fmt}"'
        self._log_use(request, response)
        return response

    def _log_use(self, request, response):
        raw = getattr(request, "_request", request)
        if not raw.META.get("HTTP_AUTHORIZATION"):
            return  # nobody to log it for (a request without a token is refused with 401)
        match = getattr(raw, "resolver_match", None)
        usage.record_use(
            token_key=getattr(raw, "api_token_key", None),
            method=raw.method,
            endpoint=match.view_name if match else "",
            path=raw.get_full_path(),
            status=response.status_code,
            address=client_ip(raw),
        )


class ScopedReadOnlyViewSet(ApiViewMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """List and detail of a model's rows within the token's scope (see the module docstring)."""

    modified_since_field = None  # e.g. "entered_at": adds ?modified_since= (ISO 8601) to the list

    def base_queryset(self):
        raise NotImplementedError(f"{type(self).__name__} must define base_queryset()")

    def get_queryset(self):
        return restrict(self.base_queryset(), self.request.user)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if self.modified_since_field and self.action == "list":
            value = self.request.query_params.get("modified_since")
            if value:
                queryset = queryset.filter(**{f"{self.modified_since_field}__gte": parse_modified_since(value)})
        return total_order(queryset)

    def list(self, request, *args, **kwargs):
        return self.conditional(request, lambda: super(ScopedReadOnlyViewSet, self).list(request, *args, **kwargs))


class ScopedReadOnlyAPIView(ApiViewMixin, generics.GenericAPIView):
    """One read-only answer computed by a selector (see the module docstring). Define `get_data(request)`
    returning serialised data (a dict, or a list of rows: a table that CSV/xlsx render) and `version_models`."""

    pagination_class = None

    def get_data(self, request):
        raise NotImplementedError(f"{type(self).__name__} must define get_data(request)")

    def get_version_models(self):
        if self.version_models is None:
            raise NotImplementedError(f"{type(self).__name__} must list version_models (what its answer reads)")
        return list(self.version_models)

    def get(self, request, *args, **kwargs):
        return self.conditional(request, lambda: Response(self.get_data(request)))
