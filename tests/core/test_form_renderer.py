"""The site's form renderer writes what Django's templates write, byte for byte (shaho/core/form_renderer.py)."""

import datetime
import re

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.test import override_settings
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from shaho.core.form_renderer import FormRenderer

DJANGO = "django.forms.renderers.DjangoTemplates"


class EveryWidget(forms.Form):
    text = forms.CharField(max_length=20, widget=forms.TextInput(attrs={"placeholder": 'a "quoted" <b>&', "x": True}))
    off = forms.CharField(required=False, widget=forms.TextInput(attrs={"disabled": False, "data-n": 3}))
    safe = forms.CharField(widget=forms.TextInput(attrs={"title": mark_safe("<i>safe</i>")}))
    lazy = forms.CharField(widget=forms.TextInput(attrs={"aria-label": _("署名")}))
    number = forms.IntegerField(min_value=0)
    email = forms.EmailField()
    url = forms.URLField(assume_scheme="https")
    password = forms.CharField(widget=forms.PasswordInput(render_value=True))
    hidden = forms.CharField(widget=forms.HiddenInput)
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    moment = forms.DateTimeField()
    time = forms.TimeField()
    tick = forms.BooleanField(required=False)
    choice = forms.ChoiceField(choices=[(1, "一"), (2, "<二>"), (3, 4000), ("", _("（なし）"))])
    grouped = forms.ChoiceField(choices=[("東日本", [("13", "東京"), ("14", "神奈川")]), ("27", "大阪")])
    many = forms.MultipleChoiceField(choices=[("a", "A"), ("b", "B & C")])
    area = forms.CharField(widget=forms.Textarea)
    empty_area = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))


VALUES = [
    {},
    {
        "text": '<script>"x"</script>',
        "safe": mark_safe("<b>"),
        "number": "4000",
        "email": "a@example.jp",
        "password": "p<w>",
        "hidden": "h&h",
        "day": "2025-12-07",
        "moment": "2025-12-07 10:00",
        "time": "09:30",
        "tick": "on",
        "choice": "2",
        "grouped": "14",
        "many": ["a", "b"],
        "area": "一行目\n<二行目>",
    },
]


@pytest.mark.parametrize("data", VALUES)
def test_every_widget_renders_as_djangos_templates_do(data):
    initial = {"day": datetime.date(2025, 12, 7), "moment": datetime.datetime(2025, 12, 7, 10, 0), "number": 4000}
    ours = EveryWidget(data or None, initial=initial, renderer=FormRenderer())
    django = EveryWidget(data or None, initial=initial, renderer=DjangoTemplates())
    for name in ours.fields:
        assert str(ours[name]) == str(django[name]), name
    assert str(ours) == str(django)


def _same_page(client, url):
    # What differs from one request to the next: the CSRF token, a form's fresh submission token
    token = re.compile(
        r'(name="csrfmiddlewaretoken" value=")[^"]+"|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'
    )
    with override_settings(FORM_RENDERER=DJANGO):
        theirs = client.get(url)
    mine = client.get(url)
    assert mine.status_code == theirs.status_code == 200
    assert 'name="csrfmiddlewaretoken"' in mine.content.decode()
    return token.sub("…", mine.content.decode()) == token.sub("…", theirs.content.decode())


@pytest.mark.django_db
def test_the_phone_entry_and_admin_forms_are_the_same_bytes(client, organizer, kanagawa_staff, petition, settings):
    settings.OTP_REQUIRED = False
    client.force_login(organizer)
    assert _same_page(client, reverse("petitions:entry") + "?petition=hokensho")
    client.force_login(kanagawa_staff)
    for url in (
        reverse("admin:councils_council_change", args=[kanagawa_staff.council_id]),
        reverse("admin:petitions_petitiondrive_change", args=[petition.pk]),
        reverse("admin:councils_organisation_add"),
    ):
        assert _same_page(client, url), url


def test_an_overridden_widget_template_goes_through_django(tmp_path, settings):
    """An installed app's own select.html wins over the Python version, as it would over Django's file."""
    renderer = FormRenderer()
    renderer._ours["django/forms/widgets/select.html"] = False  # as if an app had overridden it
    field = forms.ChoiceField(choices=[(1, "一")])
    html = field.widget.render("x", 1, renderer=renderer)
    assert html == forms.Select(choices=[(1, "一")]).render("x", 1, renderer=DjangoTemplates())
