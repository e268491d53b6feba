"""`{% field_row form.count %}`: a form field as the site's pages show it (label, errors, widget) in one call.

The same markup the field include wrote, built in Python: the phone entry shows eight fields, and an include per
field was a large part of the page's time on a submission day.
"""

from django import template
from django.utils.html import format_html, format_html_join

register = template.Library()


@register.simple_tag
def field_row(field):
    errors = ""
    if field.errors:
        items = format_html_join("", "<li>{}</li>", ((e,) for e in field.errors))
        errors = format_html('<ul class="errorlist" role="alert">{}</ul>', items)
    return format_html(
        '<div class="field">\n  <label for="{}">{}</label>\n  {}\n  {}\n</div>\n',
        field.id_for_label,
        field.label,
        errors,
        field,
    )
