from django import forms

from shaho.core.japanese import normalize

from .kinds import ReportKind
from .models import Audience, Chapter


class ReportRequestForm(forms.Form):
    """One text field per parameter of a kind; the kind's own `clean` (in the service) decides what is valid."""

    def __init__(self, *args, kind: ReportKind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for param in kind.params:
            self.fields[param.name] = forms.CharField(
                label=param.label, required=param.required, help_text=param.help, max_length=100
            )

    def params(self):
        return {name: normalize(value) for name, value in self.cleaned_data.items() if value}


class PublishForm(forms.Form):
    audience = forms.ChoiceField(label="公開範囲", choices=Audience.choices)


class ChapterForm(forms.ModelForm):
    """Staff text is refused at once when it holds HTML, unknown placeholders or characters the font lacks."""

    class Meta:
        model = Chapter
        fields = ["order", "title", "body"]

    def clean_body(self):
        from django.core.exceptions import ValidationError

        from . import documents, placeholders

        body = self.cleaned_data.get("body", "")
        errors = []
        for check in (
            lambda: documents.check_markdown(body, where="本文"),
            lambda: placeholders.check_names(body),
            lambda: documents.check_glyphs(body, where="本文"),
        ):
            try:
                check()
            except ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise ValidationError(errors)
        return body
