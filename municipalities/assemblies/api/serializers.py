"""The assemblies API's shapes: petitions with their outcomes and party votes, a campaign's adoption counts, how
the party groups voted. Never a petition's text, attachment, note or who entered it."""

from rest_framework import serializers

from municipalities.assemblies.models import AssemblyPetition, AssemblyVote, Outcome


class VoteSerializer(serializers.ModelSerializer):
    group = serializers.CharField(source="group.name", read_only=True, label="会派")
    party = serializers.CharField(source="group.party", read_only=True, label="政党")
    position_label = serializers.CharField(source="get_position_display", read_only=True, label="態度（表示名）")

    class Meta:
        model = AssemblyVote
        fields = ["stage", "group", "party", "position", "position_label", "members_for", "members_against"]
        read_only_fields = fields


class SittingField(serializers.Serializer):
    year = serializers.IntegerField(label="年")
    season = serializers.CharField(label="定例会（月）")
    name = serializers.CharField(label="名称")
    starts_on = serializers.DateField(label="会期の初日")


class AssemblyPetitionSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="種別（表示名）")
    prefecture = serializers.CharField(source="assembly.prefecture.code", read_only=True, label="都道府県コード")
    municipality = serializers.CharField(
        source="assembly.municipality.code", read_only=True, allow_null=True, default=None,
        label="市区町村コード（都道府県議会は null）",
    )  # fmt: skip
    assembly_name = serializers.CharField(source="assembly.__str__", read_only=True, label="議会")
    sitting = SittingField(read_only=True, label="会期")
    committee_outcome = serializers.CharField(read_only=True, label="委員会の結果（outcome と同じ値）")
    plenary_outcome = serializers.CharField(read_only=True, label="本会議の結果（outcome と同じ値）")
    outcome = serializers.ChoiceField(choices=Outcome.choices, read_only=True, label="結果")
    outcome_label = serializers.CharField(source="get_outcome_display", read_only=True, label="結果（表示名）")
    votes = VoteSerializer(many=True, read_only=True, label="会派の態度")

    class Meta:
        model = AssemblyPetition
        fields = [
            "id",
            "kind",
            "kind_label",
            "title",
            "theme",
            "campaign",
            "assembly",
            "assembly_name",
            "prefecture",
            "municipality",
            "sitting",
            "submitted_on",
            "committee",
            "committee_on",
            "committee_outcome",
            "committee_for",
            "committee_against",
            "plenary_on",
            "plenary_outcome",
            "plenary_for",
            "plenary_against",
            "outcome",
            "outcome_label",
            "decided_on",
            "votes",
        ]
        read_only_fields = fields


class PrefectureCountSerializer(serializers.Serializer):
    code = serializers.CharField(label="都道府県コード")
    name = serializers.CharField(label="都道府県")
    municipalities = serializers.IntegerField(label="採択した市区町村の数")
    prefectural = serializers.IntegerField(label="都道府県議会が採択（1）")
    statements = serializers.IntegerField(label="意見書の数")


class SittingCountSerializer(serializers.Serializer):
    key = serializers.CharField(label="会期（年-月）")
    label = serializers.CharField(label="会期（表示）")
    municipalities = serializers.IntegerField(label="採択した市区町村の数")
    assemblies = serializers.IntegerField(label="採択した議会の数")
    statements = serializers.IntegerField(label="意見書の数")


class AdoptionCountSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(source="campaign.pk", label="運動")
    start = serializers.DateField(allow_null=True, label="期間の開始日（指定のとき）")
    end = serializers.DateField(allow_null=True, label="期間の終了日（指定のとき）")
    prefecture_count = serializers.IntegerField(label="採択のあった都道府県の数")
    municipalities = serializers.IntegerField(label="採択した市区町村の数")
    prefectural_assemblies = serializers.IntegerField(label="採択した都道府県議会の数")
    statements = serializers.IntegerField(label="意見書の数")
    sentence = serializers.CharField(label="文（「18都道府県の112市区町村で採択、意見書111本」）")
    prefectures = PrefectureCountSerializer(many=True, label="都道府県ごと")
    sittings = SittingCountSerializer(many=True, label="会期ごと")


class PartyVoteSerializer(serializers.Serializer):
    party = serializers.CharField(label="政党（なければ会派名）")
    position = serializers.CharField(label="態度")
    position_label = serializers.CharField(label="態度（表示名）")
    n = serializers.IntegerField(label="件数")
