"""Forms for the phone pages: counts and dates as people type them (４２, 1,241, 2025年12月7日)."""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.models import Council
from shaho.core.forms import CountField, DateField, NamedErrors, SubmissionTokenField, required_messages
from shaho.core.scoping import scope_for

from .models import SignatureKind
from .selectors import open_petitions
from .services import allowed_organisations


class _ChoicesReadOnce(forms.models.ModelChoiceIterator):
    """The field's queryset read once per form, its rows kept: Django's own iterator runs a new query (a
    server-side cursor on PostgreSQL) each time the choices are iterated, and a required <select> iterates
    them twice (the `required` attribute looks at the first choice, then the options are rendered)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:  # the queryset's result cache: one query, whoever iterates first
            yield self.choice(obj)


class ScopedChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField whose choices are read once per form (see _ChoicesReadOnce)."""

    iterator = _ChoicesReadOnce


class TallyEntryForm(NamedErrors, forms.Form):
    """One tally report. Choices come from the user's scope; the service checks it again on save.

    The three lists are each one query when the form is rendered; `petition_choices` is the petitions'
    list itself (the view finds the ?petition= one in it instead of asking the database again).
    """

    petition = ScopedChoiceField(
        label=_("署名"), queryset=None, empty_label=None, error_messages=required_messages("署名")
    )
    council = ScopedChoiceField(
        label=_("社保協"), queryset=None, empty_label=None, error_messages=required_messages("社保協")
    )
    count = CountField(label=_("数（筆）"), error_messages=required_messages("数"))
    collected_on = DateField(label=_("集めた日"), error_messages=required_messages("集めた日"))
    kind = forms.ChoiceField(
        label=_("署名の種類"),
        choices=SignatureKind.choices,
        initial=SignatureKind.INDIVIDUAL,
        error_messages=required_messages("署名の種類"),
    )
    organisation = ScopedChoiceField(
        label=_("集めた団体（任意）"),
        queryset=None,
        required=False,
        empty_label=_("（指定しない）"),
        error_messages=required_messages("集めた団体"),
    )
    source = forms.CharField(label=_("場所・行動（任意）"), max_length=200, required=False)
    note = forms.CharField(label=_("備考（任意）"), max_length=500, required=False)
    submission_token = SubmissionTokenField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["petition"].queryset = open_petitions(user=user)
        councils = scope_for(user).exclude(status=Council.Status.DISSOLVED)
        self.fields["council"].queryset = councils.order_by("sort_key", "pk")
        self.fields["organisation"].queryset = allowed_organisations(user=user).order_by("name")
        self.fields["source"].widget.attrs["placeholder"] = "例: 桜木町駅前宣伝"
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
            self.initial.setdefault("collected_on", timezone.localdate())
            if user.council_id and "council" not in self.initial:
                self.initial["council"] = user.council_id

    @property
    def petition_choices(self):
        """The open petitions the user may record on, read once (the rendered choices reuse the rows)."""
        return list(self.fields["petition"].queryset)


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
