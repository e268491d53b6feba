"""The one way dates and times are shown: 2025年12月7日, 14:00, always in Asia/Tokyo.

`{% load jp %}` then `{{ value|jdate }}`, `{{ value|jdatetime }}`, `{{ value|jtime }}`.
"""

from django import template

from shaho.core.japanese import format_date, format_datetime, format_time

register = template.Library()


@register.filter
def jdate(value):
    return format_date(value)


@register.filter
def jdatetime(value):
    return format_datetime(value)


@register.filter
def jtime(value):
    return format_time(value)
