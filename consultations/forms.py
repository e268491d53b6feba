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
from shaho.core.forms import NamedErrors, SubmissionTokenField, TimeField
from shaho.core.forms import required_messages as _messages
from shaho.core.japanese import normalize, normalize_municipality_code, to_katakana

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


class MunicipalityByNameField(forms.ModelChoiceField):
    """A municipality typed, not scrolled to: its name (横浜市港北区), its reading in kana (よこはましこうほくく),
    its code (141097), or the first characters when they lead to one (港北 → 横浜市港北区; 川崎 → 川崎市, the
    city before its wards). The page offers the names as a datalist, so the browser suggests as one types."""

    widget = forms.TextInput(attrs={"autocomplete": "off", "list": "municipality-options", "placeholder": "例: 川崎市"})

    def prepare_value(self, value):
        if isinstance(value, Municipality):
            return value.name
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit() and len(value) < 5):
            found = self.queryset.filter(pk=value).first()
            return found.name if found else ""
        return value

    def to_python(self, value):
        text = normalize(value).replace(" ", "").replace("\u3000", "")
        if not text:
            return None
        options = list(self.queryset)
        if text.isdigit():
            try:
                code = normalize_municipality_code(text)
            except ValueError as exc:
                raise forms.ValidationError(f"「{self.label}」: {exc}") from exc
            found = [m for m in options if m.code == code]
        else:
            kana = to_katakana(text)
            found = [m for m in options if text == m.name or kana == m.kana]
            if not found:
                # first characters of the name or its reading, or of the part after the city (港北 → 横浜市港北区)
                found = [
                    m
                    for m in options
                    if m.name.startswith(text)
                    or m.kana.startswith(kana)
                    or (m.parent_id and m.name.removeprefix(_city_name(m, options)).startswith(text))
                ]
                parents = [m for m in found if all(o is m or o.parent_id == m.pk for o in found)]
                if len(found) > 1 and parents:
                    found = parents[:1]  # a city and its own wards: the city
        if len(found) == 1:
            return found[0]
        if not found:
            raise forms.ValidationError(f"「{self.label}」: 「{value}」に当たる市区町村がありません。")
        names = "、".join(m.name for m in found[:6]) + ("…" if len(found) > 6 else "")
        raise forms.ValidationError(f"「{self.label}」: 「{value}」に当たる市区町村がいくつもあります（{names}）。")


def _city_name(ward, options):
    parent = next((m for m in options if m.pk == ward.parent_id), None)
    return parent.name if parent else ""


# Readings (hiragana) of the choices whose labels are kanji: a choice is found by typing its first characters,
# in kana or in romaji (static/js/consultations_form.js: か or "ka" → 家族; よう or "you" → 要支援1).
# Labels written in kana (きょうだい, ケアマネ…) are matched as they are.
READINGS = {
    "本人": "ほんにん", "家族": "かぞく", "介護・医療の職員": "かいご・いりょうのしょくいん", "その他": "そのた",
    "配偶者": "はいぐうしゃ", "子": "こ", "子の配偶者": "このはいぐうしゃ", "孫": "まご", "親": "おや",
    "その他の親族": "そのたのしんぞく", "不明": "ふめい", "女性": "じょせい", "男性": "だんせい",
    "要支援1": "ようしえん1", "要支援2": "ようしえん2", "要介護1": "ようかいご1", "要介護2": "ようかいご2",
    "要介護3": "ようかいご3", "要介護4": "ようかいご4", "要介護5": "ようかいご5", "未申請": "みしんせい",
    # the national list of call categories (demo/consultations.py)
    "利用料・費用": "りようりょう・ひよう", "介護離職": "かいごりしょく", "施設入所・待機": "しせつにゅうしょ・たいき",
    "認知症": "にんちしょう", "家族関係": "かぞくかんけい",
    "ケアマネ・ヘルパーへの不満": "けあまね・へるぱーへのふまん", "介護保険制度": "かいごほけんせいど",
    "医療": "いりょう", "生活保護": "せいかつほご",
}  # fmt: skip


class ReadingsMixin:
    """Each option carries its label's reading (`data-kana`) where READINGS has one."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        reading = READINGS.get(str(label))
        if reading:
            option["attrs"]["data-kana"] = reading
        return option


class ChoiceRadios(ReadingsMixin, forms.RadioSelect):
    pass


class ChoiceBoxes(ReadingsMixin, forms.CheckboxSelectMultiple):
    pass


class CallForm(NamedErrors, forms.Form):
    # The order on the page (call_form.html), which is also the order the focus looks for an error in.
    field_order = [
        "started_at", "duration_minutes", "caller_type", "caller_relation", "age_band", "sex", "care_level",
        "categories", "summary", "advice", "referral", "municipality", "follow_up", "line", "responder",
    ]  # fmt: skip
    line = forms.TypedChoiceField(label=_("回線"), coerce=int, widget=ChoiceRadios, error_messages=_messages("回線"))
    responder = forms.ModelChoiceField(
        label=_("相談員"), queryset=None, empty_label=None, error_messages=_messages("相談員")
    )
    started_at = TimeOfDayField(label=_("開始時刻"), error_messages=_messages("開始時刻"))
    duration_minutes = MinutesField(label=_("相談時間（分）"), error_messages=_messages("相談時間（分）"))
    caller_type = forms.ChoiceField(
        label=_("相談者"), choices=CallerType.choices, widget=ChoiceRadios, error_messages=_messages("相談者")
    )
    caller_relation = forms.ChoiceField(
        label=_("続柄（家族のとき）"),
        choices=[("", "—"), *Relation.choices],
        required=False,
        widget=ChoiceRadios,
        error_messages=_messages("続柄"),
    )
    age_band = forms.ChoiceField(
        label=_("対象者の年代"), choices=AgeBand.choices, initial=AgeBand.UNKNOWN, widget=ChoiceRadios,
        error_messages=_messages("対象者の年代"),
    )  # fmt: skip
    sex = forms.ChoiceField(
        label=_("対象者の性別"), choices=Sex.choices, initial=Sex.UNKNOWN, widget=ChoiceRadios,
        error_messages=_messages("対象者の性別"),
    )  # fmt: skip
    care_level = forms.ChoiceField(
        label=_("要介護度"), choices=CareLevel.choices, initial=CareLevel.UNKNOWN, widget=ChoiceRadios,
        error_messages=_messages("要介護度"),
    )  # fmt: skip
    municipality = MunicipalityByNameField(
        label=_("地域（任意・市区町村名かよみを入力）"), queryset=None, required=False,
        error_messages=_messages("地域"),
    )  # fmt: skip
    categories = forms.ModelMultipleChoiceField(
        label=_("分類（いくつでも）"),
        queryset=None,
        required=False,
        widget=ChoiceBoxes,
        error_messages={
            "invalid_choice": "「分類」: 「%(value)s」は分類の一覧にありません。",
            "invalid_pk_value": "「分類」: 「%(pk)s」は分類の一覧にありません。",
        },
    )
    summary = forms.CharField(label=_("相談内容"), required=False, widget=forms.Textarea(attrs={"rows": 6}))
    advice = forms.CharField(label=_("助言"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
    referral = forms.CharField(label=_("紹介先"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.BooleanField(label=_("要フォロー"), required=False)
    submission_token = SubmissionTokenField(initial=uuid.uuid4)

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

    def set_focus(self, *, warning=False):
        """Keyboard first: the page opens with the focus in the first field in error, else in the first field,
        so a responder never tabs through the header. After the masking message the confirmation (the save
        button, by the template) takes it instead. Returns the field's name, or None."""
        if warning:
            return None
        name = next((n for n in self.fields if self.is_bound and self.errors.get(n)), self.field_order[0])
        self.fields[name].widget.attrs["autofocus"] = True
        return name

    def clean(self):
        data = super().clean()
        if data.get("caller_relation") and data.get("caller_type") != CallerType.FAMILY:
            self.add_error("caller_relation", "「続柄」は相談者が家族のときに選んでください。")
        return data
