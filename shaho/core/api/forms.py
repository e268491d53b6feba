"""The site's forms for API tokens (/account/api-tokens/)."""

from django import forms

from shaho.core.forms import DateField, NamedErrors
from shaho.core.scoping import scope_for

from .models import ApiAccess


class ApiTokenForm(NamedErrors, forms.Form):
    name = forms.CharField(
        label="名前", max_length=100, help_text="どこで使うトークンか（例：県社保協ウェブサイト、集約表のExcel）"
    )
    expires_on = DateField(label="有効期限", required=False, help_text="この日の終わりまで使えます。空欄なら期限なし")
    allowed_addresses = forms.CharField(
        label="接続元の制限",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="このトークンを使える IP アドレスまたは範囲（例：203.0.113.10、192.0.2.0/24）を1行に1つ。"
        "空なら制限なし",
    )

    def addresses(self):
        return [
            line.strip() for line in (self.cleaned_data.get("allowed_addresses") or "").splitlines() if line.strip()
        ]


class ApiTokenCreateForm(ApiTokenForm):
    council = forms.ModelChoiceField(label="社保協", queryset=None, empty_label=None)
    access = forms.ChoiceField(
        label="権限",
        choices=ApiAccess.choices,
        initial=ApiAccess.MEMBER,
        help_text="「事務局」のトークンだけが、記録を入力した人の名前を読めます。",
    )

    field_order = ["name", "council", "access", "expires_on", "allowed_addresses"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = scope_for(user).order_by("sort_key", "pk")
        self.fields["council"].initial = user.council_id
