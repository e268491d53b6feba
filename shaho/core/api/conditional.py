"""Conditional requests on list endpoints: `ETag`, `Last-Modified`, `304 Not Modified`, and `?modified_since=`.

The ETag is a hash of the request (path and query, the token's council and access level, the API and code
version) and of `shaho.core.versions.rows_version(view.version_models, user=request.user)`: one query over
the tables the endpoint reads, as the token may see them. `Last-Modified` is the time this ETag was first
served (kept in the shared cache), so `If-Modified-Since` with the time of a previous answer gets a 304 as long
as nothing it reads has changed. A 304 costs that one query: the token comes from the cache, the rate limit
counts in the cache, the usage log is buffered (`usage.py`).
"""

import datetime
import hashlib

from django.conf import settings
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.http import http_date, parse_http_date_safe
from rest_framework import exceptions, status
from rest_framework.response import Response

from shaho.core.versions import rows_version

from . import shared

API_VERSION = "1"
SEEN_SECONDS = 30 * 24 * 3600


def _etag_matches(header, etag):
    if not header:
        return False
    if header.strip() == "*":
        return True
    wanted = etag.removeprefix("W/")
    return any(part.strip().removeprefix("W/") == wanted for part in header.split(","))


def parse_modified_since(value):
    """`?modified_since=` as an aware datetime (a date means its start, Japan time); ValidationError otherwise."""
    value = (value or "").strip()
    parsed = parse_datetime(value) if "T" in value or " " in value else None
    if parsed is None:
        day = parse_date(value) if value else None
        if day is not None:
            parsed = datetime.datetime.combine(day, datetime.time.min)
    if parsed is None:
        raise exceptions.ValidationError(
            {
                "modified_since": [
                    f"「{value}」は日付・日時として読めません（例：2026-12-01 または 2026-12-01T09:00:00+09:00）。"
                ]
            }
        )
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


class ConditionalMixin:
    """For a view's GET handlers: `self.conditional(request, produce)` answers 304 or calls `produce()`.

    `version_models`: every model whose rows the endpoint's answer reads (default: its queryset's model).
    """

    version_models = None

    def get_version_models(self):
        if self.version_models is not None:
            return list(self.version_models)
        return [self.get_queryset().model]

    def version_fingerprint(self, request):
        """What the answer reads, in ONE query: `rows_version` over `version_models`. A view over a very large
        table (the million-row tally ledger) may answer a cheaper one-query fingerprint of its own instead."""
        return rows_version(self.get_version_models(), user=request.user)

    def current_etag(self, request):
        snapshot = getattr(request, "auth", None)
        fingerprint = self.version_fingerprint(request)
        renderer = getattr(getattr(request, "accepted_renderer", None), "format", "")
        raw = "|".join(
            [
                API_VERSION,
                getattr(settings, "SHAHO_VERSION", "") or "",
                str(getattr(snapshot, "council_id", "")),
                str(getattr(snapshot, "access", "")),
                request.get_full_path(),
                renderer,
                fingerprint,
            ]
        )
        return '"' + hashlib.sha256(raw.encode()).hexdigest()[:32] + '"'

    def first_served(self, etag):
        """When this ETag was first served (now, if never): the answer's Last-Modified."""
        key = "shaho:api-seen:" + etag.strip('"')
        return shared.add_or_get(key, int(timezone.now().timestamp()), SEEN_SECONDS)

    def conditional(self, request, produce):
        etag = self.current_etag(request)
        last_modified = self.first_served(etag)
        headers = {"ETag": etag, "Last-Modified": http_date(last_modified), "Cache-Control": "private, no-cache"}
        if_none_match = request.headers.get("If-None-Match")
        if if_none_match is not None:
            not_modified = _etag_matches(if_none_match, etag)
        else:
            since = parse_http_date_safe(request.headers.get("If-Modified-Since") or "")
            not_modified = since is not None and last_modified <= since
        if not_modified:
            return Response(status=status.HTTP_304_NOT_MODIFIED, headers=headers)
        response = produce()
        if response.status_code == status.HTTP_200_OK:
            for name, value in headers.items():
                response[name] = value
        return response
