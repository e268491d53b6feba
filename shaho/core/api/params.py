"""Query parameters the API views read themselves (a table at a date, a period): parsed here, refused in Japanese.

Every endpoint reads its dates here (ISO 8601, as the schema says).
"""

import datetime

from django.utils import timezone
from django.utils.dateparse import parse_date
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework.exceptions import ValidationError

MAX_PERIOD_DAYS = 731


def optional_date(request, name):
    """`?<name>=` as a date, None when absent; 400 naming the parameter when it cannot be read."""
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    try:
        parsed = parse_date(value)
    except ValueError:
        parsed = None
    if parsed is None:
        raise ValidationError({name: [f"「{value}」は日付として読めません（例：2026-12-01）。"]})
    return parsed


def date_or_today(request, name):
    """`?<name>=` as a date, today when absent (a table at a date); 400 naming the parameter when it cannot be read."""
    return optional_date(request, name) or timezone.localdate()


def period(request, *, default_start=None, default_days=None, max_days=MAX_PERIOD_DAYS):
    """(`?from=`, `?to=`) as dates. `default_start`/`default_days` fill them in when absent (else None); a `to`
    before `from`, or a period longer than `max_days`, is a 400 naming `to`."""
    start, end = optional_date(request, "from"), optional_date(request, "to")
    if start is None and default_start is not None:
        start = default_start
    if end is None and start is not None and default_days is not None:
        end = start + datetime.timedelta(days=default_days)
    if start is not None and end is not None:
        if end < start:
            raise ValidationError({"to": [f"終了日 {end.isoformat()} が開始日 {start.isoformat()} より前です。"]})
        if max_days is not None and (end - start).days > max_days:
            raise ValidationError({"to": [f"期間は{max_days}日までにしてください。"]})
    return start, end


def optional_int(request, name, label):
    """`?<name>=` as a positive integer (an id), None when absent; 400 naming the parameter otherwise."""
    value = (request.query_params.get(name) or "").strip()
    if not value:
        return None
    if not value.isdigit():
        raise ValidationError({name: [f"{label}「{value}」は番号（半角数字）ではありません。"]})
    return int(value)


def period_parameters(from_help="開始日（YYYY-MM-DD）", to_help="終了日（YYYY-MM-DD、この日を含む）"):
    return [
        OpenApiParameter("from", OpenApiTypes.DATE, OpenApiParameter.QUERY, description=from_help),
        OpenApiParameter("to", OpenApiTypes.DATE, OpenApiParameter.QUERY, description=to_help),
    ]


def int_parameter(name, description):
    return OpenApiParameter(name, OpenApiTypes.INT, OpenApiParameter.QUERY, description=description)
