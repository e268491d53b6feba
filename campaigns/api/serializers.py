"""The campaigns API's shapes: campaigns, actions with their participation per organisation, the calendar's rows,
a campaign's counts. Explicit fields only: an action's report, voices, demands and who confirmed its totals stay on
the site."""

from rest_framework import serializers

from campaigns.models import Action, Campaign, Participation


class CampaignSerializer(serializers.ModelSerializer):
    themes = serializers.SlugRelatedField(slug_field="name", many=True, read_only=True, label="テーマ")

    class Meta:
        model = Campaign
        fields = ["id", "slug", "name", "short_name", "themes", "starts_on", "ends_on", "lead_council", "parent"]
        read_only_fields = fields


class ParticipationSerializer(serializers.ModelSerializer):
    label = serializers.CharField(read_only=True, label="団体名（表示）")

    class Meta:
        model = Participation
        fields = ["organisation", "label", "count"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    kind = serializers.SlugRelatedField(slug_field="code", read_only=True, label="種類（識別名）")
    kind_label = serializers.CharField(source="kind.name", read_only=True, label="種類")
    status = serializers.CharField(read_only=True, label="状態（planned 予定, held 実施, cancelled 中止）")
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状態（表示名）")
    municipality = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, label="市区町村（全国地方公共団体コード6桁）"
    )
    organisations = serializers.IntegerField(source="row_organisations", read_only=True, label="参加団体数（行から）")
    participants = serializers.IntegerField(source="row_participants", read_only=True, label="参加者数（行から）")
    participations = ParticipationSerializer(many=True, read_only=True, label="団体ごとの参加者")

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "kind",
            "kind_label",
            "starts_on",
            "start_time",
            "ends_on",
            "end_time",
            "place",
            "municipality",
            "mode",
            "status",
            "status_label",
            "organiser",
            "campaigns",
            "onsite_count",
            "online_points",
            "online_count",
            "stated_organisations",
            "stated_participants",
            "organisations",
            "participants",
            "participations",
        ]
        read_only_fields = fields


class CalendarRowSerializer(serializers.ModelSerializer):
    """One line of the 当面の日程."""

    kind = serializers.SlugRelatedField(slug_field="code", read_only=True, label="種類（識別名）")
    kind_label = serializers.CharField(source="kind.name", read_only=True, label="種類")
    all_day = serializers.BooleanField(source="is_all_day", read_only=True, label="終日")
    organiser_name = serializers.CharField(source="organiser.name", read_only=True, label="主催の社保協（名称）")
    status = serializers.CharField(read_only=True, label="状態（planned 予定, held 実施）")
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状態（表示名）")

    class Meta:
        model = Action
        fields = [
            "id",
            "starts_on",
            "start_time",
            "ends_on",
            "end_time",
            "all_day",
            "title",
            "kind",
            "kind_label",
            "place",
            "status",
            "status_label",
            "organiser",
            "organiser_name",
        ]
        read_only_fields = fields


class CalendarFeedSerializer(serializers.Serializer):
    council = serializers.IntegerField(label="社保協")
    ical_url = serializers.CharField(
        allow_null=True,
        label="iCalendar 配信のURL（事務局トークンで、配信が発行済みのとき。秘密のURLです）",
    )
    webcal_url = serializers.CharField(allow_null=True, label="カレンダーアプリで購読する webcal:// のURL")
    settings_url = serializers.CharField(label="配信の設定ページ（サイトにログインして開く）")


class OrganisationCountSerializer(serializers.Serializer):
    organisation = serializers.CharField(label="団体")
    actions = serializers.IntegerField(label="参加した行動の数")
    people = serializers.IntegerField(label="参加者数（延べ）")


class CampaignCountsSerializer(serializers.Serializer):
    campaign = serializers.IntegerField(label="運動")
    start = serializers.DateField(allow_null=True, label="期間の開始日（指定のとき）")
    end = serializers.DateField(allow_null=True, label="期間の終了日（指定のとき）")
    actions = serializers.IntegerField(label="実施した行動の数（中の運動を含む）")
    participants = serializers.IntegerField(label="参加者数（会場＋オンライン、会場の数のない行動は参加団体の行から）")
    onsite = serializers.IntegerField(label="会場参加（人）")
    online = serializers.IntegerField(label="オンライン参加（人）")
    rows = serializers.IntegerField(label="会場の数のない行動の参加団体の行の人数")
    organisations = OrganisationCountSerializer(many=True, label="団体ごとの参加")
