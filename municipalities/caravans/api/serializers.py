"""The caravans API's shapes: questionnaires with their published questions, the published answers per municipality,
indicators across years. Only typed values of answers: never who entered them, a talk, a demand letter or a note."""

from rest_framework import serializers

from municipalities.caravans.models import Question, Questionnaire


class QuestionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="回答の型（表示名）")

    class Meta:
        model = Question
        fields = ["id", "code", "text", "kind", "kind_label", "unit", "choices", "is_indicator", "indicator_key"]
        read_only_fields = fields


class QuestionnaireSerializer(serializers.ModelSerializer):
    prefecture = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, label="都道府県コード（JIS 2桁）"
    )
    published_questions = QuestionSerializer(many=True, read_only=True, label="公開する設問")

    class Meta:
        model = Questionnaire
        fields = [
            "id",
            "title",
            "fiscal_year",
            "prefecture",
            "council",
            "is_template",
            "published_at",
            "published_questions",
        ]
        read_only_fields = fields


class AnswerRowSerializer(serializers.Serializer):
    municipality_code = serializers.CharField(label="市区町村コード（6桁）")
    municipality_name = serializers.CharField(label="市区町村")
    question = serializers.IntegerField(label="設問（ID）")
    question_code = serializers.CharField(label="設問番号")
    question_text = serializers.CharField(label="設問")
    answer = serializers.CharField(allow_blank=True, label="回答（表示のとおり）")


class IndicatorYearSerializer(serializers.Serializer):
    key = serializers.CharField(label="指標の識別名")
    label = serializers.CharField(label="指標")
    unit = serializers.CharField(allow_blank=True, label="単位")
    year = serializers.IntegerField(label="年度")
    number = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, label="数値")
    display = serializers.CharField(allow_blank=True, label="回答（表示のとおり）")
    comparable = serializers.BooleanField(label="前年度と比べられる（同じ設問で意味が変わっていない）")
    change = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, label="前年度からの変化")


class PrefectureIndicatorRowSerializer(serializers.Serializer):
    municipality_code = serializers.CharField(label="市区町村コード（6桁）")
    municipality_name = serializers.CharField(label="市区町村")
    values = serializers.DictField(
        child=serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True),
        label="年度ごとの数値（キーは年度）",
    )
    change = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True, label="前年度からの変化")
