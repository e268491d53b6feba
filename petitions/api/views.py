"""The petitions API: drives (with their items and rounds), goals, the ledger's entries and the 集約一覧表.

Read through the same selectors and scope as the pages (STYLE rule 20): the drives a token may see are
`restrict`ed like the site's list; the 集約一覧表 is `selectors.tally_table`, the function of the page, its
downloads and `manage.py tally_table`, with the page's rule for a prefecture's table
(`selectors.may_view_prefecture`); the ledger is `selectors.ledger_entries` (the token's council and below).
"""

from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework.exceptions import NotFound, ValidationError

from councils.models import Council, Organisation
from municipalities.registry.models import Block, Prefecture
from petitions import selectors
from petitions.models import CollectionRound, PetitionDrive, PetitionGoal, PetitionItem, Submission, TallyEntry
from shaho.core.api.params import date_or_today
from shaho.core.api.schema import date_parameter, ja_schema
from shaho.core.api.views import ScopedReadOnlyAPIView, ScopedReadOnlyViewSet
from shaho.core.scoping import restrict

from .pagination import CountedPagination
from .serializers import PetitionDriveSerializer, PetitionGoalSerializer, TallyEntrySerializer, TallyRowSerializer
from .versions import ledger_fingerprint, list_fingerprint

# campaigns sits above petitions (pyproject.toml layers): the action model through the ledger's link, not an import.
Action = TallyEntry._meta.get_field("action").related_model

DRIVE_PARAMETER = OpenApiParameter("drive", int, OpenApiParameter.QUERY, description="署名（ID）で絞り込み")


def date_param(request, name):
    """`?<name>=` as a date (today when absent); 400 naming the parameter when it cannot be read."""
    return date_or_today(request, name)


def drive_param(request):
    """`?drive=` as an id, or None; 400 naming the parameter when it is not a number."""
    value = request.query_params.get("drive")
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise ValidationError({"drive": [f"「{value}」は署名のID（数字）ではありません。"]})
    return int(value)


@extend_schema_view(
    list=ja_schema(
        "署名の一覧",
        "トークンの社保協が取り組む署名（中央社保協の署名と、その都道府県・地域の署名）。請願項目と集約回つき。",
    ),
    retrieve=ja_schema("署名", "署名ひとつ（請願項目と集約回つき）。範囲外の署名は 404 です。"),
)
class PetitionDriveViewSet(ScopedReadOnlyViewSet):
    api_tag = "署名"
    serializer_class = PetitionDriveSerializer
    export_name = "petition_drives"
    ordering = ["-starts_on", "title"]
    ordering_fields = ["starts_on", "ends_on", "title", "id"]
    version_models = [PetitionDrive, PetitionItem, CollectionRound, Council]

    def base_queryset(self):
        # selectors.visible_petitions without its restrict (the base class restricts) and with the nested rows
        return (
            PetitionDrive.objects.select_related("organiser")
            .prefetch_related("items", "rounds")
            .order_by("-starts_on", "title")
        )


@extend_schema_view(
    list=ja_schema(
        "署名の目標の一覧",
        "トークンの社保協とその下部組織の目標（社保協ごと）。全国・都道府県ごとの目標は集約一覧表にあります。",
        parameters=[DRIVE_PARAMETER],
    ),
    retrieve=ja_schema("署名の目標", "目標ひとつ。"),
)
class PetitionGoalViewSet(ScopedReadOnlyViewSet):
    api_tag = "署名"
    serializer_class = PetitionGoalSerializer
    export_name = "petition_goals"
    ordering = ["petition", "council__sort_key"]
    ordering_fields = ["goal", "id"]
    version_models = [PetitionGoal, Council]

    def base_queryset(self):
        qs = PetitionGoal.objects.select_related("council").order_by("petition", "council__sort_key")
        drive = drive_param(self.request) if self.action == "list" else None
        return qs.filter(petition_id=drive) if drive is not None else qs


@extend_schema_view(
    list=ja_schema(
        "集約記録（台帳）の一覧",
        "トークンの社保協とその下部組織の集約記録。入力の古い順（最後はID順）で、新しい記録は最後のページに"
        "加わります。訂正は訂正する記録を指す差分の記録です（corrects, corrects_url）。入力者（entered_by）は"
        "事務局トークンのときだけ返します。集めた場所・備考・訂正の理由は返しません。",
        parameters=[DRIVE_PARAMETER],
    ),
    retrieve=ja_schema("集約記録", "集約記録ひとつ（訂正の訂正元をたどるとき）。範囲外の記録は 404 です。"),
)
class TallyEntryViewSet(ScopedReadOnlyViewSet):
    api_tag = "署名"
    serializer_class = TallyEntrySerializer
    export_name = "petition_entries"
    ordering = ["entered_at", "pk"]
    ordering_fields = ["entered_at", "id"]  # both read from the ledger's order index (-entered_at, -id)
    modified_since_field = "entered_at"
    version_models = [TallyEntry, Council, Organisation, Action]

    pagination_class = CountedPagination

    def version_fingerprint(self, request):
        # The listed entries' count (the page's COUNT, reused by the paginator) and the ledger's highest id, not a
        # COUNT of the whole million-row ledger as rows_version would (versions.py); the small tables whole
        fingerprint, self.counted = list_fingerprint(
            self.filter_queryset(self.get_queryset()), models=[Council, Organisation, Action]
        )
        return fingerprint

    def base_queryset(self):
        return selectors.ledger_entries(user=self.request.user)

    def get_queryset(self):
        # selectors.ledger_entries is `restrict`ed already (the page's selector): not filtered a second time.
        qs = self.base_queryset()
        drive = drive_param(self.request) if self.action == "list" else None
        return qs.filter(petition_id=drive) if drive is not None else qs

    def paginate_queryset(self, queryset):
        # A page's rows as values (the serializer's LIST_VALUES): the selector's rows, its scope and order, without
        # five model instances per row. Projected here, after the fingerprint counted the rows without the joins.
        return super().paginate_queryset(queryset.values(*TallyEntrySerializer.LIST_VALUES))


@extend_schema_view(
    get=ja_schema(
        "集約一覧表",
        "署名の集約一覧表（基準日現在）。都道府県ごと（ブロックの小計、中央社保協・全国組織、合計の行つき）、"
        "または prefecture を指定するとその都道府県の社保協ごと（最後が合計）。サイトの集約一覧表と同じ数字です。"
        "都道府県の表はその都道府県のトークン（と中央社保協のトークン）だけが読めます。?format=csv で CSV"
        "（UTF-8、BOM つき）。",
        parameters=[
            date_parameter("as_of", "基準日（YYYY-MM-DD、省略すると今日）"),
            OpenApiParameter(
                "prefecture", str, OpenApiParameter.QUERY, description="都道府県コード（2桁）：その都道府県の社保協ごと"
            ),
        ],
        responses=TallyRowSerializer(many=True),
    )
)
class TallyTableView(ScopedReadOnlyAPIView):
    api_tag = "署名"
    serializer_class = TallyRowSerializer
    export_name = "tally_table"
    version_models = [PetitionDrive, CollectionRound, PetitionGoal, TallyEntry, Submission, Council, Prefecture, Block]

    def version_fingerprint(self, request):
        # The drive's ledger by its summary, not a count of a million rows (versions.py)
        others = [m for m in self.version_models if m is not TallyEntry]
        return ledger_fingerprint(models=others, petition_id=self.kwargs["pk"])

    def get_data(self, request):
        petition = restrict(PetitionDrive.objects.all(), request.user).filter(pk=self.kwargs["pk"]).first()
        if petition is None:
            raise NotFound("その署名はないか、このトークンの範囲外です。")
        as_of = date_param(request, "as_of")
        prefecture = self._prefecture(request)
        table = selectors.tally_table(petition=petition, as_of=as_of, prefecture=prefecture)
        return TallyRowSerializer(table.all_rows(), many=True).data

    def _prefecture(self, request):
        code = request.query_params.get("prefecture")
        if not code:
            return None
        if not (len(code) == 2 and code.isdigit()):
            raise ValidationError({"prefecture": [f"「{code}」は都道府県コード（2桁の数字）ではありません。"]})
        prefecture = Prefecture.objects.filter(code=code).first()
        # The page's rule: a prefecture's table for its own accounts and national ones; the others get a 404
        if prefecture is None or not selectors.may_view_prefecture(user=request.user, prefecture=prefecture):
            raise NotFound("その都道府県の集約一覧表はないか、このトークンの範囲外です。")
        return prefecture
