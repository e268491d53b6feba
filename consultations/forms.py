"""The call form, made for entry during a call on a tablet: radio rows and large targets, keyboard only.

Numbers and times are accepted as people type them (全角 digits, 14時05分); what is refused comes back
with every typed value, the summary included. The service checks everything again on save.
"""

import re
import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from municipalities.registry.models import Municipality
from shaho.core.forms import TimeField
from shaho.core.forms import required_messages as _messages
from shaho.core.japanese import normalize

from .models import AgeBand, CallerType, CareLevel, Category, Relation, Sex
from .services import responders_of


class TimeOfDayField(TimeField):
    """The call's time, typed as 14:05, １４：０５, 14時5分 or 1405."""

    # A text box, not a time picker: 1405 or 14:05 typed straight in is the fastest during a call.
    widget = forms.TextInput(
        attrs={"inputmode": "numeric", "autocomplete": "off", "placeholder": "14:05", "maxlength": "8"}
    )


class MinutesField(forms.CharField):
    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.widget.attrs.update({"inputmode": "numeric", "autocomplete": "off", "maxlength": "6"})

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        text = normalize(value).strip().removesuffix("分").replace("ー", "-").replace("−", "-")
        if not re.fullmatch(r"-?\d+", text):
            raise forms.ValidationError(f"「{self.label}」: 「{value}」は分数として読めません（例: 35）。")
        minutes = int(text)
        if not 1 <= minutes <= 480:
            raise forms.ValidationError(
                f"「{self.label}」: 1分から480分（8時間）までで入力してください（「{value}」）。"
            )
        return minutes


class CallForm(forms.Form):
    line = forms.TypedChoiceField(
        label=_("回線"), coerce=int, widget=forms.RadioSelect, error_messages=_messages("回線")
    )
    responder = forms.ModelChoiceField(
        label=_("相談員"), queryset=None, empty_label=None, error_messages=_messages("相談員")
    )
    started_at = TimeOfDayField(label=_("開始時刻"), error_messages=_messages("開始時刻"))
    duration_minutes = MinutesField(label=_("相談時間（分）"), error_messages=_messages("相談時間（分）"))
    caller_type = forms.ChoiceField(
        label=_("相談者"), choices=CallerType.choices, widget=forms.RadioSelect, error_messages=_messages("相談者")
    )
    caller_relation = forms.ChoiceField(
        label=_("続柄（家族のとき）"),
        choices=[("", "—"), *Relation.choices],
        required=False,
        widget=forms.RadioSelect,
        error_messages=_messages("続柄"),
    )
    age_band = forms.ChoiceField(
        label=_("対象者の年代"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN, widget=forms.RadioSelect,
        error_messages=_messages("対象者の年代"),
    )  # fmt: skip
    sex = forms.ChoiceField(
        label=_("対象者の性別"), choices=Sex.choices, initial=Sex.UNKNOWN, widget=forms.RadioSelect,
        error_messages=_messages("対象者の性別"),
    )  # fmt: skip
    care_level = forms.ChoiceField(
        label=_("要介護度"), choices=CareLevel.choices, initial=CareLevel.UNKNOWN, widget=forms.RadioSelect,
        error_messages=_messages("要介護度"),
    )  # fmt: skip
    municipality = forms.ModelChoiceField(
        label=_("地域（任意）"), queryset=None, required=False, empty_label=_("（指定しない）"),
        error_messages=_messages("地域"),
    )  # fmt: skip
    categories = forms.ModelMultipleChoiceField(
        label=_("分類（いくつでも）"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "「分類」: 「%(value)s」は分類の一覧にありません。",
            "invalid_pk_value": "「分類」: 「%(pk)s」は分類の一覧にありません。",
        },
    )
    summary = forms.CharField(label=_("相談内容"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    advice = forms.CharField(label=_("助言"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    referral = forms.CharField(label=_("紹介先"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.BooleanField(label=_("要フォロー"), required=False)
    submission_token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)

    def __init__(self, *args, station, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.station = station
        self.fields["line"].choices = [(n, f"{n}番") for n in range(1, station.line_count + 1)]
        self.fields["line"].initial = 1
        self.fields["responder"].queryset = responders_of(station)
        mine = next((r for r in self.fields["responder"].queryset if r.user_id == user.pk), None)
        if mine is not None:
            self.fields["responder"].initial = mine.pk
        prefecture = station.council.prefecture_id
        self.fields["municipality"].queryset = (
            Municipality.objects.filter(prefecture_id=prefecture, valid_until__isnull=True).order_by("code")
            if prefecture
            else Municipality.objects.none()
        )
        self.fields["categories"].queryset = Category.objects.filter(active=True)
        self.fields["started_at"].initial = timezone.localtime().strftime("%H:%M")

    def clean(self):
        data = super().clean()
        if data.get("caller_relation") and data.get("caller_type") != CallerType.FAMILY:
            self.add_error("caller_relation", "「続柄」は相談者が家族のときに選んでください。")
        return data
