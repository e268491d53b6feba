"""Staff pages for campaigns: actions with inlines for participants, speakers, outputs, polls, voices and demands.

Signatures collected at an action are tally entries of the petitions ledger: the action shows
them (read-only) and they are added on the action's page through petitions' services, so they
are counted once. Every write goes through campaigns.services: the rows (and inline rows) of these pages
through `row_check` / `row_save` / `row_delete` on the shared base (shaho.core.admin.ServiceAdmin).
"""

import re

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html

from petitions.models import TallyEntry
from shaho.core.admin import (
    NationalOnlyAdmin,
    ReadOnlyAdminMixin,
    ScopedInline,
    ServiceAdmin,
    ServiceInline,
)
from shaho.core.admin_import import ImportAdminMixin
from shaho.core.japanese import format_date, format_time, normalize
from shaho.core.scoping import in_scope

from . import importing, selectors, services
from .materials import admin as materials_admin  # noqa: F401  (the materials' pages register themselves)
from .models import (
    Action,
    ActionKind,
    ActionOutput,
    Campaign,
    Demand,
    LiaisonGroup,
    Participation,
    Speaker,
    StickerPoll,
    StudyGoal,
    Theme,
    Voice,
)


# Themes and kinds of action are the federation's shared vocabulary: every council chooses from them,
# national staff maintain them (no council owns a row, so they are not scoped).
@admin.register(Theme)
class ThemeAdmin(NationalOnlyAdmin):
    list_display = ["name", "order"]
    search_fields = ["name"]


@admin.register(ActionKind)
class ActionKindAdmin(NationalOnlyAdmin):
    list_display = ["name", "is_study_session", "is_negotiation", "is_street_action", "order"]
    list_filter = ["is_study_session", "is_negotiation", "is_street_action"]
    search_fields = ["name", "code"]


class RowInline(ServiceInline):
    """An inline row of an action: checked, saved and deleted by `services.row_check` / `row_save` / `row_delete`."""

    services = services
    service_noun = "row"


class _OwnedAdmin(ServiceAdmin):
    """National rows are everyone's to read; only staff whose scope holds the owning council change them.

    Every write goes through `services.row_check` / `row_save` / `row_delete` (the shared ServiceAdmin).
    """

    services = services
    service_noun = "row"
    owner_field = "council_id"

    def _owns(self, request, obj):
        return obj is None or in_scope(request.user, getattr(obj, self.owner_field))

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self._owns(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self._owns(request, obj)


@admin.register(LiaisonGroup)
class LiaisonGroupAdmin(_OwnedAdmin):
    list_display = ["name", "kind", "council", "founded_on"]
    list_select_related = ["council"]
    list_filter = ["kind"]
    search_fields = ["name", "member_names"]
    autocomplete_fields = ["member_organisations"]


@admin.register(Campaign)
class CampaignAdmin(_OwnedAdmin):
    owner_field = "lead_council_id"
    list_display = ["name", "short_name", "starts_on", "ends_on", "lead_council", "parent", "liaison_group"]
    list_select_related = ["lead_council", "parent", "liaison_group"]
    list_filter = ["themes"]
    search_fields = ["name", "short_name", "slug"]
    filter_horizontal = ["themes"]


class ParticipationInline(RowInline):
    model = Participation
    fields = ["organisation", "organisation_name", "count", "note", "order"]


class SpeakerInline(RowInline):
    model = Speaker
    fields = ["role", "name", "affiliation", "talk_title", "order"]


class OutputInline(RowInline):
    model = ActionOutput


OPTION_RE = re.compile(r"^(?P<label>.*?)\s*(?P<count>\d+)\s*(?:票)?$")


def parse_options(text):
    """「反対72、賛成3」 → [("反対", 72), ("賛成", 3)]; ValueError naming the part that cannot be read."""
    options = []
    for part in re.split(r"[、,，;；\n]+", normalize(text)):
        part = part.strip()
        if not part:
            continue
        match = OPTION_RE.match(part)
        if not match or not match.group("label"):
            raise ValueError(f"「{part}」を「選択肢と票数」（例: 反対72）として読めません。")
        options.append((match.group("label").strip(), int(match.group("count"))))
    return options


class PollInlineForm(forms.ModelForm):
    options_text = forms.CharField(
        label="選択肢と票数", help_text="例: 反対72、賛成3（合計が投票数と合うこと）", max_length=500
    )

    class Meta:
        model = StickerPoll
        fields = ["question", "stated_total"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["options_text"] = "、".join(f"{o.label}{o.count}" for o in self.instance.options.all())

    def clean(self):
        cleaned = super().clean()
        try:
            self.parsed_options = parse_options(cleaned.get("options_text") or "")
        except ValueError as exc:
            self.add_error("options_text", str(exc))
            return cleaned
        poll = services.PollInput(
            question=cleaned.get("question") or "",
            options=self.parsed_options,
            stated_total=cleaned.get("stated_total"),
        )
        for message in services.poll_check(poll=poll):
            self.add_error("options_text", message)
        return cleaned

    def _save_m2m(self):
        # After the poll is saved (by the services, through the formset): its options, through the services too.
        super()._save_m2m()
        services.poll_set_options(poll=self.instance, options=self.parsed_options)


class PollInline(RowInline):
    model = StickerPoll
    form = PollInlineForm
    fields = ["question", "stated_total", "options_text"]


class VoiceInline(RowInline):
    model = Voice


class DemandInline(RowInline):
    model = Demand
    fields = ["number", "text", "is_priority", "answer", "evaluation"]


class SignatureInline(ReadOnlyAdminMixin, ScopedInline):
    """The ledger's entries made at this action: read here, counted once, corrected on the petitions side."""

    model = TallyEntry
    fk_name = "action"
    fields = ["petition", "council", "count", "collected_on", "entered_by"]
    readonly_fields = fields
    verbose_name = "署名（集約記録）"
    verbose_name_plural = "署名（集約記録。行動のページから追加）"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Action)
class ActionAdmin(ImportAdminMixin, _OwnedAdmin):
    importer = importing.ACTIONS
    owner_field = "organiser_id"
    change_list_template = "admin/import_change_list.html"
    list_display = ["starts_on", "time", "kind", "title", "place", "organiser", "status", "totals", "page_link"]
    list_select_related = ["kind", "organiser"]
    list_filter = ["kind", "status", "mode", "starts_on"]
    search_fields = ["title", "place", "report", "counterpart_name"]
    date_hierarchy = "starts_on"
    filter_horizontal = ["campaigns", "co_organisers", "co_organisations"]
    readonly_fields = ["derived_totals"]
    inlines = [ParticipationInline, SpeakerInline, OutputInline, PollInline, VoiceInline, DemandInline, SignatureInline]
    actions = ["confirm_totals"]
    fieldsets = [
        (None, {"fields": ["kind", "title", "status", ("starts_on", "start_time"), ("ends_on", "end_time"), "place",
                           "municipality", "mode", "organiser", "co_organisers", "co_organisations",
                           "co_organiser_names", "liaison_group", "campaigns"]}),
        ("参加", {"fields": ["onsite_count", "online_points", "online_count", "stated_organisations",
                            "stated_participants", "derived_totals", "totals_confirmed_note"]}),
        ("要請・交渉・懇談の相手方", {"classes": ["collapse"], "fields": [
            "counterpart_kind", "counterpart_prefecture", "counterpart_municipality", "counterpart_name",
            "counterpart_attendees", "counterpart_count"]}),
        ("報告", {"fields": ["report"]}),
    ]  # fmt: skip

    def get_queryset(self, request):
        return selectors.with_totals(super().get_queryset(request))

    @admin.display(description="時刻")
    def time(self, obj):
        if obj.start_time is None:
            return "終日"
        return f"{format_time(obj.start_time)}〜{format_time(obj.end_time)}"

    @admin.display(description="参加")
    def totals(self, obj):
        if not obj.row_organisations:
            return obj.onsite_count if obj.onsite_count is not None else ""
        text = f"{obj.row_organisations}団体{obj.row_participants}人"
        if selectors.totals_disagree(obj) and obj.totals_confirmed_at is None:
            return format_html('<span class="errornote">{} ⚠ 報告と食い違い</span>', text)
        return text

    @admin.display(description="参加団体の行から")
    def derived_totals(self, obj):
        if obj is None or obj.pk is None:
            return "保存すると参加団体の行から計算します。"
        obj = selectors.with_totals(Action.objects.filter(pk=obj.pk)).get()
        text = f"{obj.row_organisations}団体{obj.row_participants}人"
        disagreement = selectors.disagreement_text(obj)
        if not disagreement:
            return text
        if obj.totals_confirmed_at:
            return f"{text}（{disagreement}。{format_date(obj.totals_confirmed_at)}に確認済み）"
        return format_html(
            '<span class="errornote">⚠ {}。{}</span>',
            disagreement,
            "両方の数を残しています。確認したら一覧の操作「食い違いを確認済みにする」を選んでください。",
        )

    @admin.display(description="ページ")
    def page_link(self, obj):
        return format_html('<a href="{}">表示</a>', reverse("campaigns:action", args=[obj.pk]))

    @admin.action(description="報告の合計と参加団体の行の食い違いを確認済みにする")
    def confirm_totals(self, request, queryset):
        done = 0
        for action in queryset:
            try:
                services.totals_confirm(user=request.user, action=action)
            except ValidationError:
                continue
            done += 1
        self.message_user(request, f"{done}件の行動を確認済みにしました。", messages.SUCCESS)


@admin.register(StudyGoal)
class StudyGoalAdmin(ServiceAdmin):
    services = services
    service_noun = "row"
    list_display = ["year", "council", "goal"]
    list_select_related = ["council"]
    list_filter = ["year"]
    search_fields = ["council__name"]
    autocomplete_fields = ["council"]
