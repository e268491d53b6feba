from django import forms
from django.core.exceptions import ValidationError

from .models import Council, CouncilKind


class CouncilForm(forms.ModelForm):
    """Council edit form: rules that span the many-to-many coverage, which the model cannot check alone."""

    website = forms.URLField(label="ウェブサイト", required=False, assume_scheme="https")

    class Meta:
        model = Council
        fields = [
            "name",
            "short_name",
            "kind",
            "parent",
            "prefecture",
            "status",
            "municipalities",
            "founded_on",
            "dissolved_on",
            "postal_code",
            "address",
            "phone",
            "fax",
            "email",
            "website",
            "note",
        ]

    def clean(self):
        cleaned = super().clean()
        municipalities = cleaned.get("municipalities")
        prefecture = cleaned.get("prefecture")
        kind = cleaned.get("kind")
        if municipalities:
            if kind not in (CouncilKind.LOCAL, CouncilKind.PREPARATORY):
                self.add_error("municipalities", "対象の市区町村を指定できるのは地域社保協と準備会だけです。")
            elif prefecture:
                foreign = [m.name for m in municipalities if m.prefecture_id != prefecture.pk]
                if foreign:
                    self.add_error(
                        "municipalities",
                        ValidationError(
                            "%(names)s は%(pref)sの市区町村ではありません。",
                            params={"names": "、".join(foreign), "pref": prefecture.name},
                        ),
                    )
        return cleaned
