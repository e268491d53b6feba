"""The caravans API: questionnaires the token may see with their published questions, the published answers per
municipality, and indicators across years, through municipalities.caravans.selectors (the pages' functions:
`visible_questionnaires`, `published_table`, `municipality_indicators`, `prefecture_indicator`)."""

from django.db.models import Prefetch
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework.exceptions import NotFound, ValidationError

from municipalities.caravans import selectors
from municipalities.caravans.models import Answer, Question, Questionnaire
from municipalities.registry.models import Municipality, Prefecture
from shaho.core.api.schema import ja_schema
from shaho.core.api.views import ScopedReadOnlyAPIView, ScopedReadOnlyViewSet
from shaho.core.scoping import restrict

from .serializers import (
    AnswerRowSerializer,
    IndicatorYearSerializer,
    PrefectureIndicatorRowSerializer,
    QuestionnaireSerializer,
)

TAG = "自治体キャラバン"


@extend_schema_view(
    list=ja_schema("アンケートの一覧", "トークンの範囲のキャラバンのアンケートと、公開する設問。"),
    retrieve=ja_schema("アンケート", "トークンの範囲のアンケートひとつと、公開する設問。"),
)
class QuestionnaireViewSet(ScopedReadOnlyViewSet):
    api_tag = TAG
    serializer_class = QuestionnaireSerializer
    export_name = "questionnaires"
    ordering = ["-fiscal_year", "prefecture__code", "title"]
    ordering_fields = ["fiscal_year", "title"]
    lookup_value_regex = r"\d+"
    version_models = [Questionnaire, Question]

    def base_queryset(self):
        published = (
            Question.objects.filter(published=True).select_related("section").order_by("section__number", "order", "pk")
        )
        return (
            selectors.visible_questionnaires(user=self.request.user)
            .prefetch_related(Prefetch("questions", queryset=published, to_attr="published_questions"))
            .order_by("-fiscal_year", "prefecture__code", "title")
        )


def _municipality(request, code):
    municipality = restrict(Municipality.objects.select_related("prefecture"), request.user).filter(code=code).first()
    if municipality is None:
        raise NotFound(f"市区町村「{code}」は見つからないか、このトークンの範囲外です。")
    return municipality


@extend_schema_view(
    get=ja_schema(
        "アンケートの公開する回答",
        "アンケートの公開する設問への回答を、市区町村と設問ごとに1行で（回答した市区町村だけ）。",
        parameters=[
            OpenApiParameter("municipality", str, OpenApiParameter.QUERY, description="市区町村コード（6桁）で絞り込み")
        ],
        responses=AnswerRowSerializer(many=True),
    )
)
class PublishedAnswersView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = AnswerRowSerializer
    export_name = "answers"
    version_models = [Questionnaire, Question, Answer]

    def get_data(self, request):
        questionnaire = selectors.visible_questionnaires(user=request.user).filter(pk=self.kwargs["pk"]).first()
        if questionnaire is None:
            raise NotFound("そのアンケートは見つからないか、このトークンの範囲外です。")
        code = (request.query_params.get("municipality") or "").strip()
        municipality = _municipality(request, code) if code else None
        table = selectors.published_table(questionnaire=questionnaire, municipality=municipality)
        rows = [
            {
                "municipality_code": m.code,
                "municipality_name": m.name,
                "question": q.pk,
                "question_code": q.code,
                "question_text": q.text,
                "answer": cell,
            }
            for m, cells in table.rows
            for q, cell in zip(table.questions, cells, strict=True)
        ]
        return AnswerRowSerializer(rows, many=True).data


@extend_schema_view(
    get=ja_schema(
        "市区町村の指標（年度ごと）",
        "市区町村の各指標を年度ごとに（トークンが見られるアンケートから）。前年度と比べられるときは変化も。",
        responses=IndicatorYearSerializer(many=True),
    )
)
class MunicipalityIndicatorsView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = IndicatorYearSerializer
    export_name = "indicators"
    version_models = [Questionnaire, Question, Answer]

    def get_data(self, request):
        municipality = _municipality(request, self.kwargs["code"])
        rows = selectors.municipality_indicators(municipality=municipality, user=request.user)
        data = [
            {
                "key": row.key,
                "label": row.label,
                "unit": row.unit,
                "year": value.year,
                "number": value.answer.number if value.answer is not None else None,
                "display": value.display,
                "comparable": value.comparable,
                "change": value.change,
            }
            for row in rows
            for value in row.years
        ]
        return IndicatorYearSerializer(data, many=True).data


SORTS = ("code", "value", "change")


@extend_schema_view(
    get=ja_schema(
        "都道府県の指標（市区町村ごと・年度ごと）",
        "ひとつの指標を都道府県の市町村ごとに最近5年度分（サイトの指標の表と同じ）。",
        parameters=[
            OpenApiParameter(
                "sort", str, OpenApiParameter.QUERY, enum=list(SORTS), description="並び（code, value, change）"
            )
        ],
        responses=PrefectureIndicatorRowSerializer(many=True),
    )
)
class PrefectureIndicatorView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = PrefectureIndicatorRowSerializer
    export_name = "indicator"
    version_models = [Questionnaire, Question, Answer]

    def get_data(self, request):
        code = self.kwargs["code"]
        prefecture = restrict(Prefecture.objects.all(), request.user).filter(code=code).first()
        if prefecture is None:
            raise NotFound(f"都道府県「{code}」は見つからないか、このトークンの範囲外です。")
        sort = request.query_params.get("sort") or "code"
        if sort not in SORTS:
            raise ValidationError({"sort": [f"並び「{sort}」はありません（code, value, change のどれか）。"]})
        table = selectors.prefecture_indicator(
            prefecture=prefecture, key=self.kwargs["key"], user=request.user, sort=sort
        )
        if table is None:
            raise NotFound("その指標はこの都道府県のアンケートにありません。")
        rows = [
            {
                "municipality_code": row.municipality.code,
                "municipality_name": row.municipality.name,
                "values": {str(year): row.value(year) for year in table.years},
                "change": row.change,
            }
            for row in table.rows
        ]
        return PrefectureIndicatorRowSerializer(rows, many=True).data
