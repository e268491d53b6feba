"""The councils API: the councils in the token's scope (federation-public fields), the census and the coverage at
a date. The reference endpoint for docs/api.md: a `ScopedReadOnlyViewSet` and two `ScopedReadOnlyAPIView`s over
councils.selectors (never a re-implementation: STYLE rule 20)."""

import dataclasses

from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework.exceptions import ValidationError

from councils.models import Council, CouncilStage
from councils.selectors import council_census, municipality_coverage
from municipalities.registry.models import Municipality
from shaho.core.api.params import date_or_today
from shaho.core.api.schema import date_parameter, ja_schema
from shaho.core.api.views import ScopedReadOnlyAPIView, ScopedReadOnlyViewSet

from .serializers import CensusSerializer, CouncilSerializer, CoverageRowSerializer

DATE_HELP = "基準日（YYYY-MM-DD、省略すると今日）"


def date_param(request, name="date"):
    """`?date=` as a date (today when absent); 400 naming the field when it cannot be read."""
    return date_or_today(request, name)


@extend_schema_view(
    list=ja_schema(
        "社保協の一覧",
        "トークンの社保協とその下部組織。連合全体に公開の項目（名称・種別・上部組織・都道府県・対象の市区町村・状態・"
        "結成日・解散日）だけを返します。",
    ),
    retrieve=ja_schema("社保協", "トークンの範囲の社保協ひとつ。"),
)
class CouncilViewSet(ScopedReadOnlyViewSet):
    api_tag = "社保協"
    serializer_class = CouncilSerializer
    export_name = "councils"
    ordering_fields = ["sort_key", "name", "founded_on"]
    ordering = ["sort_key"]
    version_models = [Council, CouncilStage]

    def base_queryset(self):
        return Council.objects.select_related("prefecture").prefetch_related("municipalities").order_by("sort_key")


@extend_schema_view(
    get=ja_schema(
        "社保協の数（センサス）",
        "基準日の都道府県社保協・地域社保協・準備会・友好組織の数と、その1年前の数（全国、中央社保協は数えません）。",
        parameters=[date_parameter("date", DATE_HELP)],
        responses=CensusSerializer,
    )
)
class CensusView(ScopedReadOnlyAPIView):
    api_tag = "社保協"
    serializer_class = CensusSerializer
    export_name = "census"
    version_models = [Council, CouncilStage]

    def get_data(self, request):
        census = council_census(date=date_param(request))
        return CensusSerializer({**dataclasses.asdict(census), "change": census.change}).data


@extend_schema_view(
    get=ja_schema(
        "地域社保協のある市区町村（組織率）",
        "基準日に地域社保協がある市区町村の数を都道府県ごとに（最後の行が全国）。政令市は区のどれかにあれば数えます。",
        parameters=[
            date_parameter("date", DATE_HELP),
            OpenApiParameter("prefecture", str, OpenApiParameter.QUERY, description="都道府県コード（2桁）で絞り込み"),
        ],
        responses=CoverageRowSerializer(many=True),
    )
)
class CoverageView(ScopedReadOnlyAPIView):
    api_tag = "社保協"
    serializer_class = CoverageRowSerializer
    export_name = "coverage"
    version_models = [Council, CouncilStage, Municipality, Council.municipalities.through]

    def get_data(self, request):
        prefecture = request.query_params.get("prefecture") or None
        if prefecture is not None and not (len(prefecture) == 2 and prefecture.isdigit()):
            raise ValidationError({"prefecture": [f"「{prefecture}」は都道府県コード（2桁の数字）ではありません。"]})
        rows, national = municipality_coverage(date=date_param(request), prefecture=prefecture)
        return CoverageRowSerializer([*rows, national], many=True).data
