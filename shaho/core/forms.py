"""Form helpers shared by the apps' views and admins, and the fields that read Japanese input.

Counts, dates, times and yes/no answers are typed as people type them (４２, 6万5千, 令和7年12月7日,
18時3分, ○); every app's forms and admins use these fields, which parse through `shaho.core.japanese`
and refuse with a Japanese message naming the field.
"""

import functools

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import get_language

from .japanese import parse_count, parse_date, parse_time, parse_yes_no


def required_messages(label):
    """Error messages naming the field: 「数」を入力してください。, 「種類」: 選べない値です。"""
    return {
        "required": format_lazy("「{}」を入力してください。", label),
        "invalid_choice": format_lazy("「{}」: 選べない値です。", label),
    }


# The validators' messages (Django's, which do not name the field): lengths of text, limits of numbers.
_VALIDATOR_MESSAGES = {
    "max_length": "「{}」は%(limit_value)d文字以内で入力してください（いま%(show_value)d文字です）。",
    "min_length": "「{}」は%(limit_value)d文字以上で入力してください（いま%(show_value)d文字です）。",
    "max_value": "「{}」は%(limit_value)s以下にしてください。",
    "min_value": "「{}」は%(limit_value)s以上にしてください。",
    # Django's Japanese for its NUL check reads 何か文字を入力してください。, which says nothing of the cause.
    "null_characters_not_allowed": "「{}」に使えない文字（NUL）が含まれています。取り除いてから送信してください。",
}


def _with_label(label, text, *, prefix=True):
    """`text` naming `label` (「label」: text, or text's {} filled); a % of the label kept as one when Django
    fills the message's %(…)s parameters."""
    text = str(text)
    if "%(" in text:
        label = label.replace("%", "%%")
    return f"「{label}」: {text}" if prefix else text.format(label)


def name_field_errors(fields):
    """Every field's messages that are still Django's (which never say which field) made to name it.

    「集めた日」を入力してください。 for an empty required field, 「形式」: 選べない値です。 for a choice not offered,
    「備考」は500文字以内で… for a text too long, and any other of Django's messages after 「label」:. Messages a
    form or field wrote itself are kept.
    """
    for field in fields.values():
        if not field.label:
            continue
        defaults, named = _named_messages(type(field), str(field.label), get_language())
        for code, text in named.items():
            current = field.error_messages.get(code)
            if current is None or str(current) == defaults.get(code):
                field.error_messages[code] = text
        if hasattr(field, "validate_no_null_characters"):
            # A model choice checks for NUL outside its validators, with Django's message: a choice not offered.
            field.validate_no_null_characters = functools.partial(_no_nul_in_choice, field)


@functools.lru_cache(maxsize=2048)
def _named_messages(field_class, label, language):
    """(Django's default messages of `field_class` as text, the messages naming `label`): worked out once per
    field class, label and language, not at every form's clean."""
    defaults = {}
    for klass in reversed(field_class.__mro__):
        defaults.update(getattr(klass, "default_error_messages", {}))
    named = {code: _with_label(label, text) for code, text in defaults.items()}
    named.update({code: str(text) for code, text in required_messages(label).items()})
    named.update({code: _with_label(label, text, prefix=False) for code, text in _VALIDATOR_MESSAGES.items()})
    return {code: str(text) for code, text in defaults.items()}, named


def _no_nul_in_choice(field, value):
    if "\x00" in str(value):
        raise forms.ValidationError(
            field.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
        )


class NamedErrors:
    """Mixin for every site form: each field's errors name the field (`name_field_errors`), fields added in a
    form's __init__ included (the messages are named when the form is cleaned)."""

    def full_clean(self):
        name_field_errors(self.fields)
        super().full_clean()


class _JapaneseInput:
    """Mixin: `to_python` reads the text with `parse` (a function of shaho.core.japanese raising ValueError)."""

    parse = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.label is not None:
            self.error_messages = {**required_messages(self.label), **(kwargs.get("error_messages") or {})}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = value.strip()
            if not value:
                return None
        try:
            return type(self).parse(value)
        except ValueError as exc:
            raise forms.ValidationError(f"「{self.label}」: {exc}", code="invalid") from exc


class CountField(_JapaneseInput, forms.IntegerField):
    """A whole number typed with 全角 digits, thousands separators or 万 (４２, 1,241, 6万5千): an int."""

    parse = staticmethod(parse_count)
    widget = forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "enterkeyhint": "done", "maxlength": "20"}
    )


class DateField(_JapaneseInput, forms.DateField):
    """A date typed as 2025-12-07, 2025/12/7, 2025年12月7日 or 令和7年12月7日 (and what a date picker sends)."""

    parse = staticmethod(parse_date)
    widget = forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})  # a date picker reads ISO dates


class TimeField(_JapaneseInput, forms.TimeField):
    """A time typed as 13:30, １３：３０, 18時3分, 13時半 or 1330 (and what a time picker sends)."""

    parse = staticmethod(parse_time)
    widget = forms.TimeInput(format="%H:%M", attrs={"type": "time"})

    def prepare_value(self, value):
        return value.strftime("%H:%M") if hasattr(value, "strftime") else value


class YesNoField(_JapaneseInput, forms.CharField):
    """An answer typed as はい/いいえ, 有/無, あり/なし, ○/× or 1/0: True or False (None when left empty)."""

    parse = staticmethod(parse_yes_no)


class SubmissionTokenField(forms.UUIDField):
    """The hidden token that makes a form sent twice count once. Missing or damaged only when the page was
    altered or is very old: the message says so in Japanese and what to do (a hidden field has no label shown)."""

    widget = forms.HiddenInput

    def __init__(self, **kwargs):
        message = "「送信の確認番号」が欠けているか壊れています。ページを開き直して、もう一度送信してください。"
        kwargs.setdefault("label", "送信の確認番号")
        kwargs.setdefault("error_messages", {"required": message, "invalid": message})
        super().__init__(**kwargs)


def add_service_errors(form, exc):
    """Put a service's ValidationError on the form: on its field when the form shows it, else above the form.

    The services refuse with field-keyed Japanese messages; a view or admin form that called one shows them
    where the user typed, and a message for a field the form does not show (or hides) goes above the form.
    """
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc.messages)
        return
    for name, texts in exc.message_dict.items():
        shown = name in form.fields and not form.fields[name].widget.is_hidden
        for message in texts:
            form.add_error(name if shown else None, message)
