"""The petitions API's shapes: drives with their items and rounds, goals, the ledger's entries, the 集約一覧表's rows.

Explicit fields only (a new model field does not leak by itself). Never an entry's place, note or correction
reason (free text typed by staff), and who entered an entry only for a 事務局 token (`shows_enterers`).
"""

from django.urls import reverse
from django.utils import timezone
from rest_framework import serializers

from petitions.models import CollectionRound, PetitionDrive, PetitionGoal, PetitionItem, SignatureKind, TallyEntry
from shaho.core.api.authentication import shows_enterers


class PetitionItemSerializer(serializers.ModelSerializer):
    class Meta:
        model = PetitionItem
        fields = ["number", "text"]
        read_only_fields = fields


class CollectionRoundSerializer(serializers.ModelSerializer):
    class Meta:
        model = CollectionRound
        fields = ["id", "number", "name", "deadline"]
        read_only_fields = fields


class PetitionDriveSerializer(serializers.ModelSerializer):
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="種類（表示名）")
    status_label = serializers.CharField(source="get_status_display", read_only=True, label="状態（表示名）")
    organiser_name = serializers.CharField(source="organiser.name", read_only=True, label="取り組む社保協の名称")
    unit = serializers.CharField(read_only=True, label="目標・集約数の単位（筆または団体）")
    items = PetitionItemSerializer(many=True, read_only=True, label="請願項目")
    rounds = CollectionRoundSerializer(many=True, read_only=True, label="集約回")

    class Meta:
        model = PetitionDrive
        fields = [
            "id",
            "slug",
            "title",
            "short_name",
            "kind",
            "kind_label",
            "addressee",
            "organiser",
            "organiser_name",
            "cosponsor_names",
            "starts_on",
            "ends_on",
            "status",
            "status_label",
            "unit",
            "items",
            "rounds",
        ]
        read_only_fields = fields


class PetitionGoalSerializer(serializers.ModelSerializer):
    drive = serializers.PrimaryKeyRelatedField(source="petition", read_only=True, label="署名（ID）")
    council_name = serializers.CharField(source="council.name", read_only=True, label="社保協の名称")

    class Meta:
        model = PetitionGoal
        fields = ["id", "drive", "council", "council_name", "goal"]
        read_only_fields = fields


def _iso_datetime(value):
    """As DRF's DateTimeField writes it (ISO 8601 in the site's time zone, UTC as Z), without its per-call setup."""
    text = timezone.localtime(value).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


class TallyEntrySerializer(serializers.ModelSerializer):
    drive = serializers.PrimaryKeyRelatedField(source="petition", read_only=True, label="署名（ID）")
    council_name = serializers.CharField(source="council.name", read_only=True, label="社保協の名称")
    organisation_name = serializers.CharField(
        source="organisation.name", read_only=True, allow_null=True, default=None, label="集めた団体の名称"
    )
    action_title = serializers.CharField(
        source="action.title", read_only=True, allow_null=True, default=None, label="行動の名称"
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True, label="署名の種類（表示名）")
    corrects_url = serializers.SerializerMethodField(label="訂正する記録のURL（訂正のときだけ）")
    entered_by = serializers.SerializerMethodField(label="入力者（事務局トークンのときだけ）")

    class Meta:
        model = TallyEntry
        fields = [
            "id",
            "drive",
            "council",
            "council_name",
            "organisation",
            "organisation_name",
            "action",
            "action_title",
            "kind",
            "kind_label",
            "count",
            "collected_on",
            "round",
            "entered_at",
            "corrects",
            "corrects_url",
            "entered_by",
        ]
        read_only_fields = fields

    def get_corrects_url(self, entry) -> str | None:
        return self._corrects_url(entry.corrects_id)

    def get_entered_by(self, entry) -> str | None:
        return str(entry.entered_by) if entry.entered_by_id else None

    # What a list's rows are read as (`TallyEntryViewSet`): the columns `to_representation` writes, as values,
    # not 100 entries with their council, organisation, action and user as model instances.
    LIST_VALUES = (
        "pk",
        "petition_id",
        "council_id",
        "council__name",
        "organisation_id",
        "organisation__name",
        "action_id",
        "action__title",
        "kind",
        "count",
        "collected_on",
        "round_id",
        "entered_at",
        "corrects_id",
        "entered_by_id",
        "entered_by__display_name",
        "entered_by__username",
    )

    def _from_values(self, row):
        data = {
            "id": row["pk"],
            "drive": row["petition_id"],
            "council": row["council_id"],
            "council_name": row["council__name"],
            "organisation": row["organisation_id"],
            "organisation_name": row["organisation__name"],
            "action": row["action_id"],
            "action_title": row["action__title"],
            "kind": row["kind"],
            "kind_label": self._kind_labels().get(row["kind"], row["kind"]),
            "count": row["count"],
            "collected_on": row["collected_on"].isoformat(),
            "round": row["round_id"],
            "entered_at": _iso_datetime(row["entered_at"]),
            "corrects": row["corrects_id"],
            "corrects_url": self._corrects_url(row["corrects_id"]),
        }
        if self._shows_enterers():
            # as str(user): the display name, else the user name
            data["entered_by"] = (
                (row["entered_by__display_name"] or row["entered_by__username"]) if row["entered_by_id"] else None
            )
        return data

    def _corrects_url(self, corrects_id):
        if not corrects_id:
            return None
        path = reverse("api:petition-entry-detail", args=[corrects_id])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path

    def to_representation(self, entry):
        """The fields above, built directly: a page is 100 rows of a million-row ledger, and DRF's field by field
        walk took longer than reading the page (bench/bench_api.py). `generic_representation` is DRF's own
        walk; tests/api/test_petitions.py checks that both give the same answer. A list's rows come as values
        (LIST_VALUES), the same answer again."""
        if isinstance(entry, dict):
            return self._from_values(entry)
        data = {
            "id": entry.pk,
            "drive": entry.petition_id,
            "council": entry.council_id,
            "council_name": entry.council.name,
            "organisation": entry.organisation_id,
            "organisation_name": entry.organisation.name if entry.organisation_id else None,
            "action": entry.action_id,
            "action_title": entry.action.title if entry.action_id else None,
            "kind": entry.kind,
            "kind_label": self._kind_labels().get(entry.kind, entry.kind),
            "count": entry.count,
            "collected_on": entry.collected_on.isoformat(),
            "round": entry.round_id,
            "entered_at": _iso_datetime(entry.entered_at),
            "corrects": entry.corrects_id,
            "corrects_url": self.get_corrects_url(entry),
        }
        if self._shows_enterers():
            data["entered_by"] = self.get_entered_by(entry)
        return data

    def generic_representation(self, entry):
        data = super().to_representation(entry)
        if not self._shows_enterers():
            data.pop("entered_by", None)
        return data

    def _kind_labels(self):
        # get_kind_display() casts every choice's lazy label per row (4 translations a row): once per page here
        root = self.parent or self
        if not hasattr(root, "_kind_labels_cached"):
            root._kind_labels_cached = {value: str(label) for value, label in SignatureKind.choices}
        return root._kind_labels_cached

    def _shows_enterers(self):
        # A 会員向け token never learns who typed an entry; asked once per page, not per row
        root = self.parent or self
        if not hasattr(root, "_shows_enterers_cached"):
            request = self.context.get("request")
            root._shows_enterers_cached = request is not None and shows_enterers(request)
        return root._shows_enterers_cached


class TallyRowSerializer(serializers.Serializer):
    """One line of the 集約一覧表, as the page shows it (petitions.selectors.TallyRow)."""

    level = serializers.CharField(
        label="行の種類（prefecture 都道府県, block ブロック小計, other 中央・全国組織, council 社保協, total 合計）"
    )
    group = serializers.CharField(label="ブロック（全国の表）または都道府県（都道府県の表）", allow_blank=True)
    label = serializers.CharField(label="都道府県・社保協・小計・合計")
    code = serializers.CharField(label="都道府県コード（都道府県の行と都道府県の表の合計）", allow_blank=True)
    goal = serializers.IntegerField(label="目標", allow_null=True)
    this_round = serializers.IntegerField(label="今次集約（基準日の集約回）")
    to_date = serializers.IntegerField(label="累計")
    percent = serializers.FloatField(label="達成率（%、目標がなければ空）", allow_null=True)
    submitted = serializers.IntegerField(label="提出済")
    other = serializers.IntegerField(label="もう一方の単位の数（個人署名の署名では団体署名、団体署名では個人署名）")
