from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from . import services
from .models import Council


class CouncilForm(forms.ModelForm):
    """Council edit form: rules that span the many-to-many coverage, which the model cannot check alone.

    `save()` writes through councils.services, so a form saved anywhere keeps the tree path, the
    sort key and the stage history (the admin calls it from CouncilAdmin.save_model).
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

    def save(self, commit=True):
        """The council with the form's changes; with `commit`, created or changed through the services."""
        council = super().save(commit=False)
        if not commit:
            return council
        fields = {name: self.cleaned_data[name] for name in self.cleaned_data if name in services.COUNCIL_FIELDS}
        municipalities = self.cleaned_data.get("municipalities", [])
        if council.pk is None:
            self.instance = services.council_create(municipalities=municipalities, **fields)
        else:
            self.instance = services.council_update(council=council, municipalities=municipalities, **fields)
        return self.instance
