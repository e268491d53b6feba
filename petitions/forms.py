"""Forms for the phone pages: counts and dates as people type them (４２, 1,241, 2025年12月7日)."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from shaho.core.forms import CountField, DateField, NamedErrors, SubmissionTokenField, required_messages

from .entry_choices import entry_choices
from .models import SignatureKind


class KnownChoiceField(forms.ChoiceField):
    """A choice among rows already read (the phone entry's lists, `entry_choices`): offered by their id, cleaned
    to the row itself. An id typed with 全角 digits or spaces is read as Python reads a number."""

    def __init__(self, *, empty_label=None, **kwargs):
        super().__init__(choices=(), **kwargs)
        self.empty_label = empty_label
        self.rows = {}

    def set_rows(self, rows):
        self.rows = {row.pk: row for row in rows}
        choices = [(row.pk, str(row)) for row in rows]
        self.choices = [("", self.empty_label), *choices] if self.empty_label is not None else choices

    def prepare_value(self, value):
        return getattr(value, "pk", value)

    def to_python(self, value):
        if value in self.empty_values:
            return None
        try:
            return self.rows[int(str(value))]
        except (KeyError, ValueError):
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            ) from None

    def validate(self, value):
        forms.Field.validate(self, value)  # required; membership was decided by to_python


class TallyEntryForm(NamedErrors, forms.Form):
    """One tally report. Its lists are the user's `entry_choices` (the shared cache, else four queries); the
    service checks the entry against the same lists on save (`EntryContext.from_choices`)."""

    petition = KnownChoiceField(label=_("署名"), error_messages=required_messages("署名"))
    council = KnownChoiceField(label=_("社保協"), error_messages=required_messages("社保協"))
    count = CountField(label=_("数（筆）"), error_messages=required_messages("数"))
    collected_on = DateField(label=_("集めた日"), error_messages=required_messages("集めた日"))
    kind = forms.ChoiceField(
        label=_("署名の種類"),
        choices=SignatureKind.choices,
        initial=SignatureKind.INDIVIDUAL,
        error_messages=required_messages("署名の種類"),
    )
    organisation = KnownChoiceField(
        label=_("集めた団体（任意）"),
        required=False,
        empty_label=_("（指定しない）"),
        error_messages=required_messages("集めた団体"),
    )
    source = forms.CharField(label=_("場所・行動（任意）"), max_length=200, required=False)
    note = forms.CharField(label=_("備考（任意）"), max_length=500, required=False)
    submission_token = SubmissionTokenField()

    def __init__(self, *args, user, choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.choices = choices if choices is not None else entry_choices(user)
        self.fields["petition"].set_rows(self.choices.drives)
        self.fields["council"].set_rows(self.choices.councils)
        self.fields["organisation"].set_rows(self.choices.organisations)
        self.fields["source"].widget.attrs["placeholder"] = "例: 桜木町駅前宣伝"
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
            self.initial.setdefault("collected_on", timezone.localdate())
            if user.council_id and "council" not in self.initial:
                self.initial["council"] = user.council_id

    @property
    def petition_choices(self):
        """The open drives the user may record on (the view finds ?petition= among them: no query)."""
        return self.choices.drives


class CorrectionForm(NamedErrors, forms.Form):
    corrected = CountField(label=_("正しい数"), error_messages=required_messages("正しい数"))
    correction_reason = forms.CharField(
        label=_("訂正の理由"),
        max_length=300,
        error_messages=required_messages("訂正の理由"),
        widget=forms.TextInput(attrs={"placeholder": "例: 42筆を24筆と入力していた"}),
    )
    submission_token = SubmissionTokenField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())


class TableFilterForm(NamedErrors, forms.Form):
    """?date=…&prefecture=…&format=…&encoding=… on the tally table."""

    date = DateField(label=_("基準日"), required=False)
    format = forms.ChoiceField(
        label=_("形式"),
        choices=[("html", "HTML"), ("xlsx", "xlsx"), ("csv", "CSV")],
        required=False,
        error_messages=required_messages("形式"),
    )
    encoding = forms.ChoiceField(
        label=_("文字コード"),
        choices=[("utf-8", "UTF-8"), ("cp932", "Shift_JIS (CP932)")],
        required=False,
        error_messages=required_messages("文字コード"),
    )
