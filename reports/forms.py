from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from shaho.core import blocks
from shaho.core.forms import NamedErrors
from shaho.core.japanese import normalize
from shaho.core.report_kinds import ParamType, ReportKind

from . import documents
from .models import Audience, Chapter


class DatePickerInput(forms.DateInput):
    """<input type="date">: a date picker in the browser; the value is ISO (2020-08-31)."""

    input_type = "date"

    def format_value(self, value):
        return value or None


class ReportRequestForm(NamedErrors, forms.Form):
    """One widget per parameter of a kind: a select of what the user may choose, a date picker, or text.

    The choices are the user's own (drives, meetings and prefectures they may see), so nothing
    internal has to be typed; the kind's `clean` (in the service) still decides what is valid, and a
    date typed by hand (２０２０年８月３１日, 令和2年8月31日) is accepted there as well.
    """

    def __init__(self, *args, kind: ReportKind, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for param in kind.params:
            self.fields[param.name] = self._field(param, user)

    @staticmethod
    def _field(param, user):
        options = {"label": param.label, "required": param.required, "help_text": param.help}
        if param.type == ParamType.CHOICE and param.choices is not None:
            choices = list(param.choices(user))
            if param.offers_blank(user):
                choices = [("", param.blank_label or "（指定しない）"), *choices]
            elif param.required:
                choices = [("", "選んでください"), *choices]
            return forms.ChoiceField(
                choices=choices,
                error_messages={"invalid_choice": f"{param.label}: 一覧から選んでください。"},
                **options,
            )
        if param.type == ParamType.DATE:
            if param.default_today:
                options["initial"] = timezone.localdate  # today in Asia/Tokyo, when the form is shown
            return forms.CharField(max_length=40, widget=DatePickerInput(), **options)
        return forms.CharField(max_length=100, **options)

    def params(self):
        return {name: normalize(value) for name, value in self.cleaned_data.items() if value}


class PublishForm(NamedErrors, forms.Form):
    audience = forms.ChoiceField(label="公開範囲", choices=Audience.choices)


class ChapterForm(forms.ModelForm):
    """Staff text is refused at once when it holds HTML, unknown placeholders, images that are not the
    project's own, or characters the font lacks."""

    class Meta:
        model = Chapter
        fields = ["order", "title", "body"]

    def clean_body(self):
        body = self.cleaned_data.get("body", "")
        errors = []
        for check in (
            lambda: documents.check_markdown(body, where="本文"),
            lambda: blocks.check_names(body),
            lambda: documents.check_images(body, where="本文"),
            lambda: documents.check_glyphs(body, where="本文"),
        ):
            try:
                check()
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return body
