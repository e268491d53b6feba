"""The organizer's phone form for a street action, and the small forms of the action and calendar pages.

Numbers are typed as people type them (４２, 1,000, 6万5千), times as 13:30 or １３：３０, dates as
2025年12月7日. A bad value is refused with a message naming the field (or the row); what was
typed stays in the form.
"""

import uuid

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from petitions.services import allowed_organisations
from shaho.core.forms import CountField, DateField, NamedErrors, SubmissionTokenField, TimeField, required_messages
from shaho.core.japanese import normalize

from . import services
from .models import ActionKind

DEFAULT_ROWS = 4
MAX_ROWS = 30
ROWS_STEP = 3


class StreetActionForm(NamedErrors, forms.Form):
    """One street action's result, filed from a phone right after it ends."""

    kind = forms.ModelChoiceField(
        label=_("種類"), queryset=ActionKind.objects.none(), empty_label=None, error_messages=required_messages("種類")
    )
    organiser = forms.ModelChoiceField(
        label=_("主催の社保協"), queryset=None, empty_label=None, error_messages=required_messages("主催の社保協")
    )
    title = forms.CharField(label=_("名称"), max_length=200, error_messages=required_messages("名称"))
    starts_on = DateField(label=_("日付"), error_messages=required_messages("日付"))
    start_time = TimeField(label=_("開始時刻"), required=False)
    end_time = TimeField(label=_("終了時刻"), required=False)
    place = forms.CharField(label=_("場所"), max_length=200, error_messages=required_messages("場所"))
    flyers = CountField(label=_("チラシ・ティッシュ（枚）"), required=False)
    poll_question = forms.CharField(label=_("シール投票の質問"), max_length=200, required=False)
    poll_total = CountField(label=_("シール投票の投票数"), required=False)
    poll_label_1 = forms.CharField(label=_("選択肢1"), max_length=60, required=False)
    poll_count_1 = CountField(label=_("選択肢1の票数"), required=False)
    poll_label_2 = forms.CharField(label=_("選択肢2"), max_length=60, required=False)
    poll_count_2 = CountField(label=_("選択肢2の票数"), required=False)
    poll_label_3 = forms.CharField(label=_("選択肢3"), max_length=60, required=False)
    poll_count_3 = CountField(label=_("選択肢3の票数"), required=False)
    voice_1 = forms.CharField(label=_("寄せられた声1（名前は書かない）"), required=False, widget=forms.Textarea)
    voice_2 = forms.CharField(label=_("寄せられた声2"), required=False, widget=forms.Textarea)
    stated_organisations = CountField(label=_("報告の団体数（任意）"), required=False)
    stated_participants = CountField(label=_("報告の参加者数（任意）"), required=False)
    rows = forms.IntegerField(widget=forms.HiddenInput, required=False)
    submission_token = SubmissionTokenField()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["kind"].queryset = ActionKind.objects.filter(is_street_action=True).order_by("order")
        self.fields["organiser"].queryset = services.organiser_choices(user=user)
        for name in ("voice_1", "voice_2"):
            self.fields[name].widget.attrs.update({"rows": "2"})
        self.fields["place"].widget.attrs["placeholder"] = "例: 桜木町駅前広場"
        self.fields["poll_question"].widget.attrs["placeholder"] = "例: 保険証の廃止に賛成？反対？"
        self.fields["poll_label_1"].widget.attrs["placeholder"] = "例: 反対"
        self.fields["poll_label_2"].widget.attrs["placeholder"] = "例: 賛成"
        organisations = list(allowed_organisations(user=user).order_by("name"))
        self.row_count = self._row_count()
        if self.is_bound:
            # The hidden count follows the rows shown: rows added with 「行を増やす」 are read on the next send.
            self.data = self.data.copy()
            self.data["rows"] = str(self.row_count)
        self.participant_rows = []
        for i in range(1, self.row_count + 1):
            self.fields[f"p{i}_organisation"] = forms.ModelChoiceField(
                label=_("団体"),
                queryset=allowed_organisations(user=user),
                required=False,
                empty_label="（名前を入力）",
                error_messages=required_messages(f"参加団体 {i}行目の団体"),
            )
            self.fields[f"p{i}_organisation"].choices = [("", "（名前を入力）")] + [
                (o.pk, o.short_name or o.name) for o in organisations
            ]
            self.fields[f"p{i}_name"] = forms.CharField(label=_("団体名"), max_length=100, required=False)
            self.fields[f"p{i}_count"] = CountField(label=f"参加団体 {i}行目の人数", required=False)
            self.fields[f"p{i}_note"] = forms.CharField(label=_("備考"), max_length=200, required=False)
            self.fields[f"p{i}_name"].widget.attrs["placeholder"] = "団体名"
            self.fields[f"p{i}_note"].widget.attrs["placeholder"] = "例: うち開業医2人"
            self.participant_rows.append(
                [self[f"p{i}_organisation"], self[f"p{i}_name"], self[f"p{i}_count"], self[f"p{i}_note"]]
            )
        date = self._date_for_petitions()
        self.petitions = list(services.running_petitions(user=user, date=date))
        self.signature_fields = []
        for petition in self.petitions:
            name = f"sig_{petition.pk}"
            self.fields[name] = CountField(label=f"署名: {petition.short_name or petition.title}（筆）", required=False)
            self.signature_fields.append(self[name])
        if not self.is_bound:
            self.initial.setdefault("submission_token", uuid.uuid4())
            self.initial.setdefault("starts_on", timezone.localdate())
            self.initial.setdefault("title", "宣伝行動")
            self.initial.setdefault("rows", self.row_count)
            if user.council_id:
                self.initial.setdefault("organiser", user.council_id)

    def _row_count(self):
        raw = self.data.get("rows") if self.is_bound else None
        try:
            n = int(normalize(raw)) if raw else DEFAULT_ROWS
        except ValueError:
            n = DEFAULT_ROWS
        if self.is_bound and "_more" in self.data:
            n += ROWS_STEP
        return max(1, min(n, MAX_ROWS))

    def _date_for_petitions(self):
        if self.is_bound:
            try:
                return self.fields["starts_on"].to_python(self.data.get("starts_on")) or timezone.localdate()
            except forms.ValidationError:
                return timezone.localdate()
        return timezone.localdate()

    def clean(self):
        cleaned = super().clean()
        for i in range(1, self.row_count + 1):
            org, name = cleaned.get(f"p{i}_organisation"), (cleaned.get(f"p{i}_name") or "").strip()
            count = cleaned.get(f"p{i}_count")
            if (org or name) and count is None and f"p{i}_count" not in self.errors:
                self.add_error(f"p{i}_count", f"「参加団体 {i}行目」: 人数を入力してください。")
            if count is not None and not (org or name):
                self.add_error(f"p{i}_name", f"「参加団体 {i}行目」: 団体を選ぶか団体名を入力してください。")
        return cleaned

    # What the service receives -----------------------------------------------------------
    def participants(self):
        rows = []
        for i in range(1, self.row_count + 1):
            d = self.cleaned_data
            org, name, count = d.get(f"p{i}_organisation"), (d.get(f"p{i}_name") or "").strip(), d.get(f"p{i}_count")
            if org is None and not name and count is None:
                continue
            rows.append(
                {"organisation": org, "organisation_name": name, "count": count, "note": d.get(f"p{i}_note") or ""}
            )
        return rows

    def polls(self):
        d = self.cleaned_data
        options = [(d.get(f"poll_label_{i}") or "", d.get(f"poll_count_{i}")) for i in (1, 2, 3)]
        options = [(label, count) for label, count in options if label.strip() or count is not None]
        if not (d.get("poll_question") or "").strip() and not options and d.get("poll_total") is None:
            return []
        question = (d.get("poll_question") or "").strip() or "シール投票"
        return [services.PollInput(question=question, options=options, stated_total=d.get("poll_total"))]

    def signatures(self):
        return [
            {"petition": p, "count": self.cleaned_data.get(f"sig_{p.pk}")}
            for p in self.petitions
            if self.cleaned_data.get(f"sig_{p.pk}")
        ]

    def outputs(self):
        flyers = self.cleaned_data.get("flyers")
        return [{"kind": "flyer_tissue", "description": "チラシ・ティッシュ", "quantity": flyers}] if flyers else []

    def voices(self):
        return [{"text": self.cleaned_data[n].strip()} for n in ("voice_1", "voice_2") if self.cleaned_data.get(n)]


ROW_ERROR_FIELDS = {"participants": None, "polls": "poll_question", "signatures": None}


class SignatureForm(NamedErrors, forms.Form):
    """Signatures collected at an action, added on its page: one drive, one count."""

    petition = forms.ModelChoiceField(
        label=_("署名"), queryset=None, empty_label="（署名を選ぶ）", error_messages=required_messages("署名")
    )
    count = CountField(label=_("数（筆）"), error_messages=required_messages("数"))

    def __init__(self, *args, user, date, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["petition"].queryset = services.running_petitions(user=user, date=date)


class ConfirmTotalsForm(NamedErrors, forms.Form):
    note = forms.CharField(
        label=_("食い違いの説明"),
        max_length=300,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": "例: 建設労連と神奈川土建を別に数えている"}),
    )


class RangeForm(NamedErrors, forms.Form):
    """?start=…&end=…&format=… on the calendar, the list and the export."""

    start = DateField(label=_("開始日"), required=False)
    end = DateField(label=_("終了日"), required=False)
    format = forms.ChoiceField(
        label=_("形式"),
        choices=[("html", "HTML"), ("xlsx", "xlsx"), ("csv", "CSV")],
        required=False,
        error_messages=required_messages("形式"),
    )

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start"), cleaned.get("end")
        if start and end and end < start:
            self.add_error("end", "「終了日」: 開始日より前にできません。")
        return cleaned
