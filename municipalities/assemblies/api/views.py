"""The assemblies API: petitions to local assemblies in the token's scope with outcomes and party votes, a
campaign's adoption count (`assembly_count`, THE count of the 全国集計 page and the summary PDF) and the party
groups' record (`party_record`), all through municipalities.assemblies.selectors with the token's user."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework.exceptions import NotFound, ValidationError

from municipalities.assemblies import selectors
from municipalities.assemblies.models import (
    Assembly,
    AssemblyPetition,
    AssemblyVote,
    OpinionStatement,
    Outcome,
    PartyGroup,
    Sitting,
    Stage,
)
from shaho.core.api.params import int_parameter, optional_int, period, period_parameters
from shaho.core.api.schema import ja_schema
from shaho.core.api.views import ScopedReadOnlyAPIView, ScopedReadOnlyViewSet

from .serializers import AdoptionCountSerializer, AssemblyPetitionSerializer, PartyVoteSerializer

TAG = "地方議会"
OUTCOMES = [value for value, _label in Outcome.choices]
PERIOD = period_parameters("結果の日がこの日以降", "結果の日がこの日まで")


@extend_schema_view(
    list=ja_schema(
        "請願・陳情の一覧",
        "トークンの範囲の議会への請願・陳情・議員発議と、その結果・会派の態度。本文・添付・備考はサイトで。",
        parameters=[
            int_parameter("campaign", "運動（ID）で絞り込み"),
            OpenApiParameter(
                "outcome", str, OpenApiParameter.QUERY, description="結果（カンマ区切り: " + ", ".join(OUTCOMES) + "）"
            ),
            *PERIOD,
        ],
    ),
    retrieve=ja_schema("請願・陳情", "トークンの範囲の請願・陳情ひとつ。"),
)
class AssemblyPetitionViewSet(ScopedReadOnlyViewSet):
    api_tag = TAG
    serializer_class = AssemblyPetitionSerializer
    export_name = "assembly_petitions"
    ordering = ["assembly__prefecture__code", "assembly__municipality__code", "decided_on"]
    ordering_fields = ["decided_on", "submitted_on"]
    lookup_value_regex = r"\d+"
    version_models = [AssemblyPetition, AssemblyVote, Assembly, Sitting, PartyGroup]

    def base_queryset(self):
        # The adoption list's shape (selectors.adoption_list) for every petition, not only the adopted ones.
        votes = AssemblyVote.objects.select_related("group").order_by("stage", "group__name")
        return (
            AssemblyPetition.objects.select_related("assembly__municipality", "assembly__prefecture", "sitting")
            .prefetch_related(Prefetch("votes", queryset=votes))
            .order_by("assembly__prefecture__code", "assembly__municipality__code", "decided_on")
        )

    def filter_queryset(self, queryset):
        if self.action == "list":
            campaign = optional_int(self.request, "campaign", "運動")
            if campaign is not None:
                queryset = queryset.filter(campaign=campaign)
            raw = (self.request.query_params.get("outcome") or "").strip()
            if raw:
                wanted = [v.strip() for v in raw.split(",") if v.strip()]
                unknown = [v for v in wanted if v not in OUTCOMES]
                if unknown:
                    raise ValidationError(
                        {"outcome": [f"結果「{'、'.join(unknown)}」はありません（{', '.join(OUTCOMES)}）。"]}
                    )
                queryset = queryset.filter(outcome__in=wanted)
            start, end = period(self.request, max_days=None)
            if start:
                queryset = queryset.filter(decided_on__gte=start)
            if end:
                queryset = queryset.filter(decided_on__lte=end)
        return super().filter_queryset(queryset)


def _campaign(request, pk):
    campaign = selectors.visible_campaigns(request.user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound("その運動は見つからないか、このトークンの範囲外です。")
    return campaign


@extend_schema_view(
    get=ja_schema(
        "運動の採択の数",
        "運動の請願・陳情を採択した市区町村・都道府県議会の数と意見書の数を、都道府県ごと・会期ごとに"
        "（サイトの全国集計と同じ数え方。トークンが見られる議会だけ）。",
        parameters=PERIOD,
        responses=AdoptionCountSerializer,
    )
)
class AdoptionCountView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = AdoptionCountSerializer
    export_name = "adoptions"
    version_models = [AssemblyPetition, OpinionStatement, Assembly, Sitting]

    def get_data(self, request):
        campaign = _campaign(request, self.kwargs["pk"])
        start, end = period(request, max_days=None)
        count = selectors.assembly_count(campaign=campaign, start=start, end=end, user=request.user)
        return AdoptionCountSerializer(count).data


STAGES = [value for value, _label in Stage.choices]


@extend_schema_view(
    get=ja_schema(
        "会派の態度の集計",
        "請願・陳情への会派の態度を政党（なければ会派名）と態度ごとに数えます（トークンの範囲の議会）。",
        parameters=[
            int_parameter("campaign", "運動（ID）で絞り込み"),
            OpenApiParameter("stage", str, OpenApiParameter.QUERY, enum=STAGES, description="議決の場"),
            *PERIOD,
        ],
        responses=PartyVoteSerializer(many=True),
    )
)
class PartyRecordView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = PartyVoteSerializer
    export_name = "party_votes"
    version_models = [AssemblyVote, AssemblyPetition, PartyGroup]

    def get_data(self, request):
        pk = optional_int(request, "campaign", "運動")
        campaign = _campaign(request, pk) if pk is not None else None
        stage = request.query_params.get("stage") or None
        if stage is not None and stage not in STAGES:
            raise ValidationError({"stage": [f"議決の場「{stage}」はありません（{', '.join(STAGES)}）。"]})
        start, end = period(request, max_days=None)
        rows = selectors.party_record(start=start, end=end, campaign=campaign, user=request.user, stage=stage)
        return PartyVoteSerializer(rows, many=True).data
