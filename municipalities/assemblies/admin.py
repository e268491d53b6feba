"""Staff pages of the local assemblies: assemblies with their party groups and sittings, petitions with votes, 意見書.

Registered from MunicipalitiesConfig.ready() (the registry's own admin module sits in a lower layer).
Writes go through `services` on the shared base (`shaho.core.admin.ServiceAdmin`: `<noun>_check` on
the form, `<noun>_save` / `<noun>_delete` with the user); the vote inline's totals are checked by
`services.votes_check` before anything is saved, the national count page (全国集計) reads `selectors.assembly_count`.
"""

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from municipalities.assemblies.models import (
    Assembly,
    AssemblyPetition,
    AssemblyVote,
    OpinionStatement,
    PartyGroup,
    Sitting,
    Stage,
)
from shaho.core.admin import ScopedInline, ServiceAdmin, ServiceInline
from shaho.core.admin_import import ImportAdminMixin
from shaho.core.forms import CountField, DateField

from . import importing, services
from .selectors import (
    assembly_count,
    campaign_choices,
    party_group_votes,
    party_record,
    pending_petitions,
    visible_campaign,
)

# Every date and count of the assemblies' admin forms and inlines reads what people type.
JAPANESE_INPUT = {
    models.DateField: {"form_class": DateField},
    models.PositiveSmallIntegerField: {"form_class": CountField},
}


class PartyGroupInline(ServiceInline):
    services, service_noun, service_argument = services, "party_group", "group"
    formfield_overrides = JAPANESE_INPUT
    model = PartyGroup
    fields = ["name", "party", "seats", "valid_from", "valid_until"]


class SittingInline(ServiceInline):
    services, service_noun = services, "sitting"
    formfield_overrides = JAPANESE_INPUT
    model = Sitting
    fields = ["season", "year", "starts_on", "ends_on", "name"]


@admin.register(Assembly)
class AssemblyAdmin(ServiceAdmin):
    services, service_noun = services, "assembly"
    formfield_overrides = JAPANESE_INPUT
    list_display = ["__str__", "prefecture", "municipality"]
    list_select_related = ["prefecture", "municipality"]
    list_filter = ["prefecture"]
    search_fields = ["municipality__name", "prefecture__name", "municipality__code"]
    autocomplete_fields = ["municipality"]
    inlines = [PartyGroupInline, SittingInline]


@admin.register(PartyGroup)
class PartyGroupAdmin(ServiceAdmin):
    services, service_noun, service_argument = services, "party_group", "group"
    formfield_overrides = JAPANESE_INPUT
    list_display = ["name", "party", "assembly", "seats", "valid_from", "valid_until"]
    list_select_related = ["assembly__municipality", "assembly__prefecture"]
    search_fields = ["name", "party", "assembly__municipality__name"]
    autocomplete_fields = ["assembly"]
    readonly_fields = ["vote_record"]

    @admin.display(description=_("陳情・請願への態度の記録"))
    def vote_record(self, obj):
        if obj is None or obj.pk is None:
            return "—"
        votes = party_group_votes(group=obj)[:100]  # the group's assembly's petitions: the page's own scope
        rows = format_html_join(
            "",
            "<li>{}「{}」: {}（{}）</li>",
            ((v.petition.assembly, v.petition.title, v.get_position_display(), v.get_stage_display()) for v in votes),
        )
        return format_html("<ul>{}</ul>", rows) if votes else "記録はありません。"


@admin.register(Sitting)
class SittingAdmin(ServiceAdmin):
    services, service_noun = services, "sitting"
    formfield_overrides = JAPANESE_INPUT
    list_display = ["__str__", "assembly", "season", "year", "starts_on", "ends_on"]
    list_select_related = ["assembly__municipality", "assembly__prefecture"]
    list_filter = ["season", "year"]
    search_fields = ["name", "assembly__municipality__name", "assembly__prefecture__name"]
    autocomplete_fields = ["assembly"]


class VoteFormSet(BaseInlineFormSet):
    """The party groups' positions; each stage's member counts must add up to the totals stated on the petition."""

    def clean(self):
        super().clean()
        if any(self.errors):
            return
        petition = self.instance
        for stage in Stage.values:
            lines = [
                services.VoteLine(
                    f.cleaned_data["group"],
                    f.cleaned_data["position"],
                    f.cleaned_data.get("members_for"),
                    f.cleaned_data.get("members_against"),
                )
                for f in self.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("stage") == stage
            ]
            try:
                services.votes_check(petition=petition, stage=stage, votes=lines)
            except ValidationError as exc:
                raise ValidationError(exc.messages) from exc


class AssemblyVoteInline(ScopedInline):
    formfield_overrides = JAPANESE_INPUT
    model = AssemblyVote
    formset = VoteFormSet
    fields = ["stage", "group", "position", "members_for", "members_against"]
    autocomplete_fields = ["group"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("group")


class OpinionStatementInline(ScopedInline):
    formfield_overrides = JAPANESE_INPUT
    model = OpinionStatement
    fk_name = "petition"
    fields = ["title", "status", "adopted_on", "addressees"]
    readonly_fields = ["title", "status", "adopted_on", "addressees"]
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CampaignCountForm(forms.Form):
    campaign = forms.ChoiceField(label=_("運動"))
    start = DateField(label=_("開始日"), required=False)
    end = DateField(label=_("終了日"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].choices = campaign_choices(user)


@admin.register(AssemblyPetition)
class AssemblyPetitionAdmin(ImportAdminMixin, ServiceAdmin):
    services, service_noun = services, "petition"
    importer = importing.ASSEMBLIES
    target_field = "campaign"
    change_list_template = "municipalities/admin/assemblypetition_change_list.html"
    formfield_overrides = JAPANESE_INPUT
    list_display = ["assembly", "sitting", "kind", "title", "campaign", "committee_on", "outcome", "decided_on"]
    list_select_related = ["assembly__municipality", "assembly__prefecture", "sitting", "campaign"]
    list_filter = ["campaign", "kind", "outcome", "sitting__season", "sitting__year", "assembly__prefecture"]
    search_fields = ["title", "assembly__municipality__name", "assembly__prefecture__name", "committee"]
    autocomplete_fields = ["assembly", "sitting", "submitted_by", "organisations"]
    readonly_fields = ["outcome", "decided_on", "entered_by", "entered_at", "updated_by", "updated_at"]
    inlines = [AssemblyVoteInline, OpinionStatementInline]
    date_hierarchy = "decided_on"
    fieldsets = [
        (None, {"fields": ["assembly", "sitting", "kind", "title", "theme", "campaign", "text", "attachment"]}),
        (_("提出"), {"fields": ["submitted_by", "organisations", "introducing_members", "submitted_on"]}),
        (
            _("委員会"),
            {
                "fields": [
                    "committee",
                    "committee_on",
                    "statement_made",
                    "committee_outcome",
                    "committee_for",
                    "committee_against",
                    "committee_chair_decided",
                ]
            },
        ),
        (
            _("本会議"),
            {"fields": ["plenary_on", "plenary_outcome", "plenary_for", "plenary_against", "plenary_chair_decided"]},
        ),
        (
            _("記録"),
            {"fields": ["outcome", "decided_on", "note", "entered_by", "entered_at", "updated_by", "updated_at"]},
        ),
    ]

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("count/", self.admin_site.admin_view(self.count_view), name="{}_{}_count".format(*info)),
            *super().get_urls(),
        ]

    def save_formset(self, request, form, formset, change):
        if formset.model is not AssemblyVote:
            return super().save_formset(request, form, formset, change)
        petition = form.instance
        # The change message (Django's construct_change_message) reads these.
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for stage in Stage.values:
            lines = [
                services.VoteLine(
                    f.cleaned_data["group"],
                    f.cleaned_data["position"],
                    f.cleaned_data.get("members_for"),
                    f.cleaned_data.get("members_against"),
                )
                for f in formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("stage") == stage
            ]
            formset.new_objects += services.votes_set(user=request.user, petition=petition, stage=stage, votes=lines)

    def count_view(self, request):
        """全国集計: a campaign's adopting municipalities and 意見書, per prefecture and sitting (the one selector)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = CampaignCountForm(request.GET or None, user=request.user)
        count = pending = record = None
        if form.is_bound and "campaign" in form.errors:
            raise Http404  # a campaign outside the scope reads as one that does not exist
        if form.is_bound and form.is_valid():
            campaign = visible_campaign(form.cleaned_data["campaign"], user=request.user)
            start, end = form.cleaned_data["start"], form.cleaned_data["end"]
            count = assembly_count(campaign=campaign, start=start, end=end, user=request.user)
            pending = pending_petitions(campaign=campaign, user=request.user, limit=100)
            record = party_record(campaign=campaign, start=start, end=end, user=request.user)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": "議会採択の全国集計",
            "form": form,
            "count": count,
            "pending": pending,
            "record": record,
            "changelist_url": reverse("admin:municipalities_assemblypetition_changelist"),
        }
        return render(request, "municipalities/admin/assembly_count.html", context)


@admin.register(OpinionStatement)
class OpinionStatementAdmin(ServiceAdmin):
    services, service_noun, service_argument = services, "opinion_statement", "statement"
    formfield_overrides = JAPANESE_INPUT
    list_display = ["assembly", "title", "campaign", "status", "adopted_on"]
    list_select_related = ["assembly__municipality", "assembly__prefecture", "campaign"]
    list_filter = ["campaign", "status", "assembly__prefecture"]
    search_fields = ["title", "assembly__municipality__name", "addressees"]
    autocomplete_fields = ["assembly", "petition"]
    readonly_fields = ["entered_by", "entered_at"]
    date_hierarchy = "adopted_on"
