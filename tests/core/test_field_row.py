"""`{% field_row %}` writes what the field include it replaced wrote (shaho/core/templatetags/fields.py)."""

from django import forms
from django.template import Context, Template

# The include the tag replaced (petitions/_field.html and consultations/_field.html, which were the same).
INCLUDE = (
    '<div class="field">\n  <label for="{{ field.id_for_label }}">{{ field.label }}</label>\n'
    '  {% if field.errors %}<ul class="errorlist" role="alert">{% for e in field.errors %}<li>{{ e }}</li>{% endfor %}'
    "</ul>{% endif %}\n  {{ field }}\n</div>\n"
)


class Sample(forms.Form):
    count = forms.IntegerField(label="数 <筆>")
    kind = forms.ChoiceField(label="種類", choices=[("a", "個人 & 団体")])
    note = forms.CharField(label="備考", required=False, widget=forms.Textarea)
    token = forms.CharField(widget=forms.HiddenInput, required=False)


def test_field_row_is_the_include_byte_for_byte():
    for form in (Sample(), Sample({"count": "<script>", "kind": "x", "note": "a\\nb"})):
        form.is_valid()
        for name in form.fields:
            ours = Template("{% load fields %}{% field_row field %}").render(Context({"field": form[name]}))
            theirs = Template(INCLUDE).render(Context({"field": form[name]}))
            assert ours == theirs, name
            assert ("errorlist" in ours) == bool(form[name].errors)
    assert form.errors["count"]  # the second form's rows carried errors
