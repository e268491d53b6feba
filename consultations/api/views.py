"""The consultations API: the consultation days the token may see and each day's TOTALS, through the day page's
functions (`selectors.days_for`, `access.counted_stations`, `selectors.day_totals`: counts of statistical fields
only, consultations.privacy). No endpoint reads a call record's row or any free text: there is no call endpoint,
and none will be added (issue 21: "never a call record or any free text, whatever the token")."""

from drf_spectacular.utils import extend_schema_view
from rest_framework.exceptions import NotFound

from consultations import access, selectors
from consultations.models import CallRecord, Category, ConsultationDay, Responder, Station
from shaho.core.api.schema import ja_schema
from shaho.core.api.views import ScopedReadOnlyAPIView, ScopedReadOnlyViewSet

from .serializers import ConsultationDaySerializer, TotalRowSerializer

TAG = "電話相談（件数だけ）"

SECTION_LABELS = {
    "total": "合計",
    "station": "会場",
    "category": "分類",
    "caller_type": "相談者",
    "care_level": "要介護度",
    "duration": "相談時間",
    "long_calls": "30分以上",
    "follow_up": "要フォロー",
    "prefectures": "実施した都道府県の数",
}


@extend_schema_view(
    list=ja_schema(
        "相談日の一覧",
        "トークンの範囲の相談日（主催か会場のある日）。件数は totals/ で。相談記録と自由記述はAPIでは読めません。",
    ),
    retrieve=ja_schema("相談日", "トークンの範囲の相談日ひとつ。"),
)
class ConsultationDayViewSet(ScopedReadOnlyViewSet):
    api_tag = TAG
    serializer_class = ConsultationDaySerializer
    export_name = "consultation_days"
    ordering = ["-date"]
    ordering_fields = ["date"]
    lookup_value_regex = r"\d+"
    version_models = [ConsultationDay, Station]

    def base_queryset(self):
        return selectors.days_for(user=self.request.user).order_by("-date")


def _figure_row(section, figure, **extra):
    return {
        "section": section,
        "section_label": SECTION_LABELS[section],
        "label": str(figure.label),
        "count": figure.count,
        "last_year": figure.last_year,
        "change": figure.change,
        **extra,
    }


def total_rows(totals):
    """The day page's figures (`selectors.Totals`) as rows of one table, in the page's order."""
    rows = [_figure_row("total", totals.total)]
    rows += [
        _figure_row(
            "station", row, station=row.station_id, council=row.council_id, prefecture_code=row.prefecture_code,
            line_count=row.line_count, responders=row.responders,
        )
        for row in totals.stations
    ]  # fmt: skip
    for section, figures in (
        ("category", totals.categories),
        ("caller_type", totals.caller_types),
        ("care_level", totals.care_levels),
        ("duration", totals.durations),
    ):
        rows += [_figure_row(section, figure) for figure in figures]
    rows.append(_figure_row("long_calls", totals.long_calls))
    rows.append(_figure_row("follow_up", totals.follow_up))
    last = totals.prefectures_last_year
    rows.append(
        {
            "section": "prefectures",
            "section_label": SECTION_LABELS["prefectures"],
            "label": SECTION_LABELS["prefectures"],
            "count": totals.prefectures,
            "last_year": last,
            "change": None if last is None else totals.prefectures - last,
        }
    )
    return rows


@extend_schema_view(
    get=ja_schema(
        "相談日の件数",
        "相談日の件数を、会場・分類・相談者・要介護度・相談時間ごとに昨年の同じ日と並べて（サイトの相談日のページと同じ"
        "数え方。トークンの範囲の会場だけ）。件数だけで、相談記録や自由記述は含みません。",
        responses=TotalRowSerializer(many=True),
    )
)
class DayTotalsView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = TotalRowSerializer
    export_name = "consultation_totals"
    version_models = [ConsultationDay, Station, Responder, CallRecord, CallRecord.categories.through, Category]

    def get_data(self, request):
        day = selectors.days_for(user=request.user).filter(pk=self.kwargs["pk"]).first()
        if day is None:
            raise NotFound("その相談日は見つからないか、このトークンの範囲外です。")
        totals = selectors.day_totals(day=day, stations=access.counted_stations(user=request.user, day=day))
        return TotalRowSerializer(total_rows(totals), many=True).data
