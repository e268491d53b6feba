from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Council


class CouncilForm(forms.ModelForm):
    """Council edit form: rules that span the many-to-many coverage, which the model cannot check alone.

    Saving goes through councils.services (CouncilAdmin.save_model), never form.save() alone.
    """

    website = forms.URLField(label=_("ウェブサイト"), required=False, assume_scheme="https")

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
        if municipalities and cleaned.get("kind"):
            try:
                services.council_municipalities_check(
                    kind=cleaned["kind"], prefecture=cleaned.get("prefecture"), municipalities=municipalities
                )
            except ValidationError as exc:
                self.add_error(None, exc)
        return cleaned
