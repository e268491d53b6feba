"""Forms of the caravans' site pages: one municipality's answers to a questionnaire, typed from paper or a talk."""

from django import forms
from django.core.exceptions import ValidationError

from municipalities.caravans.models import Answer, AnswerKind
from shaho.core.forms import NamedErrors, required_messages

from . import services


class _JoinedTextInput(forms.TextInput):
    """A text box for a several-choice question; several values sent under its name are read as 「A、B」."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            values = [v for v in data.getlist(name) if v]
            return "、".join(values) if len(values) > 1 else (values[0] if values else "")
        return super().value_from_datadict(data, files, name)


def _widget(question):
    kind = question.kind
    if kind == AnswerKind.CHOICE:
        return forms.Select(choices=[("", "（未回答）"), *((c, c) for c in question.choices)])
    if kind == AnswerKind.YES_NO:
        return forms.Select(choices=[("", "（未回答）"), ("はい", "はい"), ("いいえ", "いいえ")])
    if kind == AnswerKind.TEXT:
        return forms.Textarea(attrs={"rows": 3})
    if kind == AnswerKind.CHOICES:
        return _JoinedTextInput()
    if kind == AnswerKind.DATE:
        return forms.TextInput()
    return forms.TextInput(attrs={"inputmode": "decimal"})


def _cell_text(answer):
    cell = services.answer_cell(answer)
    if cell is None:
        return ""
    return cell.isoformat() if hasattr(cell, "isoformat") else str(cell)


class AnswerField(forms.Field):
    """One question's answer as typed (全角, 1,200円, 中学校卒業, はい …), cleaned into the answer's typed fields.

    The cleaned value is what `services.parse_answer` returns: {number, text, date, choices}, or None for a blank.
    """

    def __init__(self, *, question, **kwargs):
        self.question = question
        super().__init__(
            label=question.header, required=False, widget=_widget(question), help_text=question.help_text, **kwargs
        )

    def clean(self, value):
        try:
            return services.parse_answer(self.question, value if value is not None else "")
        except ValueError as exc:
            raise ValidationError(f"「{self.question.header}」: {exc}") from None


class AnswerSheetForm(NamedErrors, forms.Form):
    """Every question of a questionnaire for one municipality, and where the answers come from.

    `sheet`: [(question, the municipality's answer or None)] from `selectors.answer_sheet`.
    A choice the question no longer offers (typed before it changed) stays selectable, as it was.
    """

    source = forms.ChoiceField(
        label="出典",
        choices=Answer.Source.choices,
        initial=Answer.Source.PAPER,
        error_messages=required_messages("出典"),
    )

    def __init__(self, *args, sheet, municipality, **kwargs):
        super().__init__(*args, **kwargs)
        self.sheet, self.municipality = sheet, municipality
        for question, answer in sheet:
            field = AnswerField(question=question, initial=_cell_text(answer))
            self.fields[f"q{question.pk}"] = field
        for name, field in self.fields.items():
            if isinstance(field, AnswerField) and isinstance(field.widget, forms.Select):
                value = self[name].value()
                if value and value not in {choice for choice, _label in field.widget.choices}:
                    field.widget.choices = [*field.widget.choices, (value, value)]

    def answer_fields(self):
        """(question, bound field) in the questionnaire's order, for the template."""
        return [(question, self[f"q{question.pk}"]) for question, _answer in self.sheet]

    def answers(self):
        """{(question, municipality): fields or None} to write; a blank with no answer stored is left out."""
        values = {}
        for question, answer in self.sheet:
            fields = self.cleaned_data[f"q{question.pk}"]
            if fields is None and answer is None:
                continue
            values[(question, self.municipality)] = fields
        return values
