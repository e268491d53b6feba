"""The site's form renderer: Django's, with its commonest widget templates written out in Python.

Django renders every widget, and every option of a select, through a template (`django/forms/widgets/*.html`):
on the phone entry, the hot path of a submission day, that was most of the page's time. The templates below are
rendered here instead, to the same bytes (tests/core/test_form_renderer.py renders a set of widgets both ways and
compares them); any other template, or one an installed app overrides, goes through Django as before.
"""

from django.conf import settings
from django.forms.renderers import DjangoTemplates
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime

WIDGETS = "django/forms/widgets/"
INPUTS = {
    WIDGETS + name
    for name in (
        "input.html",
        "text.html",
        "number.html",
        "email.html",
        "url.html",
        "password.html",
        "hidden.html",
        "date.html",
        "datetime.html",
        "time.html",
        "search.html",
        "tel.html",
        "color.html",
        "checkbox.html",
    )
}
SELECT, OPTION, TEXTAREA = WIDGETS + "select.html", WIDGETS + "select_option.html", WIDGETS + "textarea.html"
INPUT, ATTRS = WIDGETS + "input.html", WIDGETS + "attrs.html"


def _out(value):
    """`{{ value }}` as a template writes it (local time, localized, escaped)."""
    value = localize(template_localtime(value, use_tz=settings.USE_TZ))
    return conditional_escape(value if isinstance(value, str) else str(value))


def _fmt(value):
    """`{{ value|stringformat:'s' }}`: the filter keeps a safe string safe; anything else is escaped."""
    if isinstance(value, tuple):
        value = str(value)
    try:
        text = "%s" % value  # noqa: UP031 (the filter's own formatting)
    except (ValueError, TypeError):
        text = ""
    return conditional_escape(mark_safe(text) if isinstance(value, SafeData) else text)


def _attrs(attrs):
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_out(name)}" if value is True else f' {_out(name)}="{_fmt(value)}"')
    return "".join(parts)


def _input(widget):
    value = f' value="{_fmt(widget["value"])}"' if widget["value"] is not None else ""
    return f'<input type="{_out(widget["type"])}" name="{_out(widget["name"])}"{value}{_attrs(widget["attrs"])}>'


def _option(option):
    return f'<option value="{_fmt(option["value"])}"{_attrs(option["attrs"])}>{_out(option["label"])}</option>'


def _select(widget):
    parts = [f'<select name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_out(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None  # an option of its own template: Django renders the whole select
            parts.append(f"\n  {_option(option)}\n")  # the option's template ends with a newline
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def _textarea(widget):
    value = _out(widget["value"]) if widget["value"] else ""
    return f'<textarea name="{_out(widget["name"])}"{_attrs(widget["attrs"])}>\n{value}</textarea>'


class FormRenderer(DjangoTemplates):
    """Django's `DjangoTemplates` form renderer; the widget templates above rendered in Python."""

    def __init__(self):
        super().__init__()
        self._ours = {}  # template name → whether Django's own file is the one in use (no app overrides it)

    def _django_own(self, template_name):
        if template_name not in self._ours:
            origin = self.get_template(template_name).origin.name
            self._ours[template_name] = origin.replace("\\", "/").endswith("django/forms/templates/" + template_name)
        return self._ours[template_name]

    def render(self, template_name, context, request=None):
        widget = context.get("widget") if isinstance(context, dict) else None
        if widget is not None:
            if template_name in INPUTS and self._all_django_own(template_name, INPUT, ATTRS):
                return mark_safe(_input(widget))
            if template_name == SELECT and self._all_django_own(SELECT, OPTION, ATTRS):
                html = _select(widget)
                if html is not None:
                    return mark_safe(html.strip())
            if template_name == TEXTAREA and self._all_django_own(TEXTAREA, ATTRS):
                return mark_safe(_textarea(widget))
        return super().render(template_name, context, request)

    def _all_django_own(self, *template_names):
        return all(self._django_own(name) for name in template_names)
