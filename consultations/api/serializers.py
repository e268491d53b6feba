"""The consultations API's shapes: a day's name, date and organiser, and its TOTALS. Never a call record
(CallRecord) and never free text: not a call's summary, advice or referral, not a day's theme, co-organisers,
press notices or coverage, not a station's publicity, coverage, telephone numbers or note, whatever the token."""

from rest_framework import serializers

from consultations.models import ConsultationDay


class ConsultationDaySerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="種類（表示名）")

    class Meta:
        model = ConsultationDay
        # Explicit and short on purpose (see the module docstring): a new field of the day never leaks by itself.
        fields = ["id", "kind", "kind_label", "title", "date", "starts_at", "ends_at", "council", "published"]
        read_only_fields = fields


class TotalRowSerializer(serializers.Serializer):
    """One figure of a day's totals beside last year's (「33件（昨年15件）」)."""

    section = serializers.CharField(
        label="区分（total, station, category, caller_type, care_level, duration, long_calls, follow_up, prefectures）"
    )
    section_label = serializers.CharField(label="区分（表示名）")
    label = serializers.CharField(label="項目")
    count = serializers.IntegerField(label="件数")
    last_year = serializers.IntegerField(allow_null=True, label="昨年の件数（昨年の相談日がなければ null）")
    change = serializers.IntegerField(allow_null=True, label="昨年からの増減")
    station = serializers.IntegerField(required=False, allow_null=True, label="会場（ID、会場の行だけ）")
    council = serializers.IntegerField(required=False, allow_null=True, label="会場の社保協（ID、会場の行だけ）")
    prefecture_code = serializers.CharField(required=False, allow_blank=True, label="会場の都道府県コード")
    line_count = serializers.IntegerField(required=False, allow_null=True, label="回線数（会場の行だけ）")
    responders = serializers.IntegerField(required=False, allow_null=True, label="相談員の数（会場の行だけ）")
