"""Filters for a picture's table (templates/_picture.html): `{% load pictures %}`.

`{{ value|cell }}` prints a cell as the site prints it (12,345; 52.3; 2025年12月7日; 「—」 for
None); `{{ value|is_number }}` says whether its column cell is right-aligned; `{{ url|download:"csv" }}`
is the picture's download address for a format.
"""

import datetime
from decimal import Decimal

from django import template

from shaho.core import pictures
from shaho.core.charts import number
from shaho.core.japanese import format_date

register = template.Library()


@register.filter
def is_number(value):
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


@register.filter
def cell(value):
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "○" if value else "×"
    if isinstance(value, float | Decimal):
        # a column of rates reads evenly: 24.0 beside 22.7, never 24 (the downloads keep the number itself)
        return f"{float(value):,.1f}"
    if isinstance(value, int):
        return number(value)
    if isinstance(value, datetime.date):
        return format_date(value)
    return value


@register.filter
def download(url, fmt):
    return pictures.download_url(url, fmt)


@register.filter
def inline_table(picture):
    return pictures.table_inline(picture)
