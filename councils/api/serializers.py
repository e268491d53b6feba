"""The councils API's shapes: a council's federation-public fields (shaho/core/public.py), the census, coverage."""

from rest_framework import serializers

from councils.models import Council, CouncilKind

CENSUS_KIND_CHOICES = [(k.value, k.label) for k in CouncilKind]


class CouncilSerializer(serializers.ModelSerializer):
    """Only FEDERATION_PUBLIC_FIELDS of councils.Council (plus its id and labels): never an address, a telephone,
    an e-mail, officers or notes."""

    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="種別（表示名）")
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状態（表示名）")
    prefecture = serializers.SlugRelatedField(
        slug_field="code", read_only=True, label="都道府県コード（JIS 2桁）", allow_null=True
    )
    municipalities = serializers.SlugRelatedField(
        slug_field="code", many=True, read_only=True, label="対象の市区町村（全国地方公共団体コード6桁）"
    )

    class Meta:
        model = Council
        fields = [
            "id",
            "name",
            "kind",
            "kind_label",
            "parent",
            "prefecture",
            "municipalities",
            "status",
            "status_label",
            "founded_on",
            "dissolved_on",
        ]
        read_only_fields = fields


class CensusSerializer(serializers.Serializer):
    date = serializers.DateField(label="基準日")
    counts = serializers.DictField(
        child=serializers.IntegerField(), label="種別ごとの数（prefectural, local, preparatory, friendly）"
    )
    total = serializers.IntegerField(label="計")
    previous_date = serializers.DateField(label="1年前の日付")
    previous_counts = serializers.DictField(child=serializers.IntegerField(), label="1年前の種別ごとの数")
    previous_total = serializers.IntegerField(label="1年前の計")
    change = serializers.IntegerField(label="1年前からの増減")


class CoverageRowSerializer(serializers.Serializer):
    prefecture_code = serializers.CharField(label="都道府県コード（全国の行は空）", allow_blank=True)
    prefecture_name = serializers.CharField(label="都道府県")
    covered = serializers.IntegerField(label="地域社保協のある市区町村の数")
    total = serializers.IntegerField(label="市区町村の数")
    percent = serializers.FloatField(label="組織率（%）")
