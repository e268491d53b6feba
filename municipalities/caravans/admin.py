"""Staff pages for caravans, questionnaires, answers, talks and demand letters (registered from the app's ready()).

Every save, change and delete here, of a row and of its inline rows, goes through `services` on the
shared base (`shaho.core.admin.ServiceAdmin`): `row_check` on each form, so a refusal — out of scope,
or a rule across rows — shows as a form error with nothing written; `row_save` / `row_delete` record
the user in the history. Answers are
read-only here: they are entered through the questionnaire's spreadsheet import (`importing`) or
the answer page, both through `services`, which record who entered them, when and from which
source. Publishing and copying a questionnaire are admin actions calling the services.
"""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from municipalities.caravans.models import (
    Answer,
    Caravan,
    CaravanCourse,
    CaravanTarget,
    DemandItem,
    DemandLetter,
    Question,
    Questionnaire,
    QuestionnaireSection,
    Talk,
    TalkItem,
    TalkOfficial,
    TalkParticipation,
)
from shaho.core.admin import (
    ReadOnlyAdminMixin,
    RowsSummaryMixin,
    ScopedAdmin,
    ServiceAdmin,
    ServiceInline,
    rows_summary,
)
from shaho.core.admin_import import ImportAdminMixin
from shaho.core.japanese import format_date

from . import importing, services


class RowAdmin(ServiceAdmin):
    """Every row of the municipal work: `services.row_check` / `row_save` / `row_delete`."""

    services = services
    service_noun = "row"


class RowInline(ServiceInline):
    services = services
    service_noun = "row"


class SectionInline(RowInline):
    model = QuestionnaireSection


@admin.register(Questionnaire)
class QuestionnaireAdmin(ImportAdminMixin, RowAdmin):
    importer = importing.ANSWERS
    target_field = "questionnaire"
    change_list_template = "admin/import_change_list.html"
    list_display = ["title", "fiscal_year", "prefecture", "council", "is_template", "published_at", "links"]
    list_select_related = ["prefecture", "council"]
    list_filter = ["fiscal_year", "is_template"]
    search_fields = ["title"]
    inlines = [SectionInline]
    actions = ["publish", "unpublish", "copy_next_year"]

    @admin.display(description=_("表・取込"))
    def links(self, obj):
        return format_html('<a href="{}">回答の表・Excel</a>', reverse("caravans:questionnaire", args=[obj.pk]))

    @admin.action(description=_("選んだアンケートの全設問を公開する"))
    def publish(self, request, queryset):
        for questionnaire in queryset:
            services.questionnaire_publish(user=request.user, questionnaire=questionnaire)
        self.message_user(request, f"{queryset.count()}件を公開しました。", messages.SUCCESS)

    @admin.action(description=_("選んだアンケートを非公開にする"))
    def unpublish(self, request, queryset):
        for questionnaire in queryset:
            services.questionnaire_unpublish(user=request.user, questionnaire=questionnaire)
        self.message_user(request, f"{queryset.count()}件を非公開にしました。", messages.SUCCESS)

    @admin.action(description=_("選んだアンケートを翌年度に複製する（設問は前年度の設問を引き継ぐ）"))
    def copy_next_year(self, request, queryset):
        for questionnaire in queryset:
            try:
                copy = services.questionnaire_copy(
                    user=request.user,
                    source=questionnaire,
                    council=questionnaire.council,
                    fiscal_year=questionnaire.fiscal_year + 1,
                )
            except ValidationError as exc:
                self.message_user(request, " ".join(exc.messages), messages.ERROR)
                continue
            self.message_user(request, f"{copy}を作成しました。", messages.SUCCESS)


@admin.register(Question)
class QuestionAdmin(RowAdmin):
    list_display = ["code", "text", "kind", "unit", "is_indicator", "published", "questionnaire"]
    list_select_related = ["questionnaire"]
    list_filter = ["kind", "is_indicator", "published", "questionnaire__fiscal_year"]
    search_fields = ["code", "text", "indicator_key"]
    # Autocomplete, not raw ids: Django's raw-id widget labels the value from the unscoped table.
    autocomplete_fields = ["continues"]


@admin.register(Answer)
class AnswerAdmin(ReadOnlyAdminMixin, ScopedAdmin):
    list_display = ["municipality", "question", "shown", "source", "entered_by", "entered_at"]
    list_select_related = ["municipality__prefecture", "question", "entered_by"]
    list_filter = ["source", "question__questionnaire__fiscal_year"]
    search_fields = ["municipality__name", "question__text", "question__code"]

    @admin.display(description=_("回答"))
    def shown(self, obj):
        return obj.display()


class CourseInline(RowInline):
    model = CaravanCourse
    exclude = ["organisations"]


class TargetInline(RowInline):
    model = CaravanTarget
    fields = [
        "municipality", "other_body", "course", "questionnaire_sent_on", "answered_on", "demands_handed_on",
        "visited_on", "written_answer_on",
    ]  # fmt: skip


@admin.register(Caravan)
class CaravanAdmin(RowsSummaryMixin, RowAdmin):
    list_display = ["title", "fiscal_year", "prefecture", "council", "visits_planned", "page"]
    list_select_related = ["prefecture", "council"]
    list_filter = ["fiscal_year", "visits_planned"]
    search_fields = ["title"]
    inlines = [CourseInline, TargetInline]
    summary_relations = ["targets"]

    def get_inlines(self, request, obj):
        # A caravan's targets (74 in Kanagawa's) are entered with the new caravan, then changed on their own
        # pages: on the change page they are a table of links (row_summaries), not 74 rows of forms (340 KB).
        return self.inlines if obj is None else [CourseInline]

    def row_summaries(self, request, obj):
        def cells(target):
            dates = [
                target.questionnaire_sent_on, target.answered_on, target.demands_handed_on, target.visited_on,
                target.written_answer_on,
            ]  # fmt: skip
            return [target.name, target.course.name if target.course_id else "", *map(format_date, dates)]

        targets = rows_summary(
            request,
            obj,
            "targets",
            title=_("訪問先"),
            headers=[_("訪問先"), _("コース"), _("アンケート送付"), _("回答"), _("要望書"), _("懇談"), _("文書回答")],
            cells=cells,
            order=["municipality__code", "other_body", "pk"],
            related=["municipality__prefecture", "course"],
        )
        return [targets]

    @admin.display(description=_("進み具合"))
    def page(self, obj):
        return format_html('<a href="{}">表示</a>', reverse("caravans:caravan", args=[obj.pk]))


@admin.register(CaravanTarget)
class CaravanTargetAdmin(RowAdmin):
    list_display = ["caravan", "name", "course", "answered_on", "visited_on", "written_answer_on"]
    list_select_related = ["caravan", "municipality__prefecture", "course"]
    list_filter = ["caravan__fiscal_year"]
    search_fields = ["municipality__name", "other_body"]
    raw_id_fields = ["municipality"]  # the registry: public reference data

    @admin.display(description=_("訪問先"))
    def name(self, obj):
        return obj.name


class ParticipationInline(RowInline):
    model = TalkParticipation


class OfficialInline(RowInline):
    model = TalkOfficial


class TalkItemInline(RowInline):
    model = TalkItem


@admin.register(Talk)
class TalkAdmin(RowAdmin):
    list_display = ["target", "held_at", "place", "our_participants", "officials"]
    list_select_related = ["target__municipality__prefecture", "target__caravan"]
    list_filter = ["target__caravan__fiscal_year"]
    search_fields = ["target__municipality__name", "place"]
    inlines = [ParticipationInline, OfficialInline, TalkItemInline]
    autocomplete_fields = ["target"]


class DemandItemInline(RowInline):
    model = DemandItem


@admin.register(DemandLetter)
class DemandLetterAdmin(RowAdmin):
    list_display = ["target", "title", "handed_on", "answered_on"]
    list_select_related = ["target__municipality__prefecture", "target__caravan"]
    search_fields = ["title", "target__municipality__name"]
    inlines = [DemandItemInline]
    autocomplete_fields = ["target"]
