"""What a browser sends back from an admin form left as it was: every field, inlines included.

A refusal test that posts half a form proves nothing: the form fails
validation whatever the permission says. These helpers build the complete
POST from the form's own initial data, so the only reason left for a refusal
is the rule under test.
"""

from django import forms
from django.contrib.admin.sites import site
from django.forms.widgets import ChoiceWidget


def form_data(form):
    """The POST data of an unbound form as rendered: each widget's initial value, as the browser would send it."""
    data = {}
    for name, field in form.fields.items():
        _put(data, form.add_prefix(name), field.widget, form[name].value())
    return data


def _put(data, name, widget, value):
    widget = getattr(widget, "widget", widget)  # admin's RelatedFieldWidgetWrapper
    if isinstance(widget, forms.MultiWidget):
        values = value if isinstance(value, (list, tuple)) else widget.decompress(value)
        for suffix, sub, sub_value in zip(widget.widgets_names, widget.widgets, values, strict=True):
            _put(data, name + suffix, sub, sub_value)
    elif isinstance(widget, forms.CheckboxInput):
        if widget.check_test(value):
            data[name] = "on"
    elif getattr(widget, "allow_multiple_selected", False):  # SelectMultiple, CheckboxSelectMultiple
        data[name] = [str(v) for v in value or ()]
    elif isinstance(widget, ChoiceWidget):
        chosen = widget.format_value(value)  # a list of the selected values
        data[name] = chosen[0] if chosen else ""
    elif value is None:
        data[name] = ""
    else:
        data[name] = str(widget.format_value(value) or "")


def change_form_data(response):
    """The complete POST of an admin change page (a test client response): the form and every inline formset."""
    context = response.context
    data = form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(form_data(formset.management_form))
        for form in formset.forms:
            data.update(form_data(form))
    return data


def full_model_form(model, request, obj):
    """The admin's own form class for `obj` with every field, as staff allowed to change it would get it.

    `change=False` keeps Django from dropping the fields of a read-only change
    page, so the data can be built (and checked valid) for a model nobody may change.
    """
    return site._registry[model].get_form(request, obj, change=False)
