"""Template filters of the calendar pages."""

from django import template

register = template.Library()

WEEKDAYS = "月火水木金土日"


@register.filter
def jweekday(value):
    """月, 火, … for a date (the day of the week as printed in a schedule)."""
    return WEEKDAYS[value.weekday()] if value else ""
