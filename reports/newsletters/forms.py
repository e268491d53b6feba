"""Forms of the newsletters' pages and admin: a photo's upload made a managed image, the digest's issue and period."""

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError

from councils.models import Council
from shaho.core.forms import CountField, DateField, NamedErrors, add_service_errors

from . import services
from .models import Photo


class PhotoForm(forms.ModelForm):
    upload = forms.FileField(
        label="画像ファイル",
        required=False,
        help_text="JPEG・PNG・WebP。位置情報やカメラの情報は消し、印刷用の大きさ（長辺2000画素まで）にして保存します。",
    )

    class Meta:
        model = Photo
        fields = ["action", "article", "caption", "audience", "order"]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if self.instance.pk:
            for name in ("upload", "action", "article"):
                self.fields.pop(name, None)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk or self.errors:
            return cleaned
        upload = cleaned.get("upload")
        if upload is None:
            self.add_error("upload", "画像ファイルを選んでください。")
            return cleaned
        try:
            self.instance = services.photo_add(
                user=self.user,
                data=upload.read(),
                name=upload.name,
                caption=cleaned.get("caption", ""),
                action=cleaned.get("action"),
                article=cleaned.get("article"),
                audience=cleaned.get("audience"),
                order=cleaned.get("order") or 0,
            )
        except (ValidationError, PermissionDenied) as exc:
            if isinstance(exc, PermissionDenied):
                exc = ValidationError(str(exc))
            add_service_errors(self, exc)
        return cleaned

    def _post_clean(self):
        if self.instance.pk is None:
            return  # photo_add validated (and saved) it
        super()._post_clean()


class DigestForm(NamedErrors, forms.Form):
    council = forms.ModelChoiceField(label="発行する社保協", queryset=Council.objects.none())
    title = forms.CharField(label="紙名", max_length=100, initial="社保協ニュース 地域版")
    # Typed as people type them (２号, 令和7年12月7日) through shaho.core.japanese, as every site form's.
    number = CountField(label="号数", min_value=1, max_value=100_000)
    date = DateField(label="発行日")
    start = DateField(label="対象期間（開始）")
    end = DateField(label="対象期間（終了）")

    def __init__(self, *args, councils, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["council"].queryset = councils
        if councils.count() == 1:
            self.fields["council"].initial = councils.first()
