"""The campaigns API: campaigns and actions in the token's scope (actions with their participation per
organisation), the calendar of a period (当面の日程) with its iCalendar feed, and a campaign's counts.

Every count is campaigns.selectors' (STYLE rule 20): `with_totals` for an action's 「11団体26人」,
`calendar_actions` for the calendar (the page's and the feed's), `campaign_participants` and
`participants_per_organisation` for a campaign, narrowed to the actions the token may see.
"""

from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, extend_schema_view
from rest_framework.exceptions import NotFound

from campaigns import selectors
from campaigns.models import Action, ActionKind, CalendarFeed, Campaign, Participation
from shaho.core.api.authentication import shows_enterers
from shaho.core.api.params import int_parameter, optional_int, period, period_parameters
from shaho.core.api.schema import ja_schema
from shaho.core.api.views import ScopedReadOnlyAPIView, ScopedReadOnlyViewSet
from shaho.core.scoping import restrict, scope_for

from .serializers import (
    ActionSerializer,
    CalendarFeedSerializer,
    CalendarRowSerializer,
    CampaignCountsSerializer,
    CampaignSerializer,
    OrganisationCountSerializer,
)

TAG = "運動・行動・日程"
CALENDAR_DAYS = 90  # the calendar page's default period


@extend_schema_view(
    list=ja_schema("運動の一覧", "トークンの範囲の運動（全国の運動、都道府県の運動、自分と下部組織の運動）。"),
    retrieve=ja_schema("運動", "トークンの範囲の運動ひとつ。"),
)
class CampaignViewSet(ScopedReadOnlyViewSet):
    api_tag = TAG
    serializer_class = CampaignSerializer
    export_name = "campaigns"
    ordering = ["-starts_on", "name"]
    ordering_fields = ["starts_on", "name"]
    lookup_value_regex = r"\d+"
    version_models = [Campaign, Campaign.themes.through]

    def base_queryset(self):
        return Campaign.objects.prefetch_related("themes").order_by("-starts_on", "name")


ACTION_FILTERS = [
    int_parameter("campaign", "運動（ID）で絞り込み"),
    OpenApiParameter("kind", str, OpenApiParameter.QUERY, description="行動の種類の識別名（例: street）で絞り込み"),
    *period_parameters("この日以降に始まる行動", "この日までに始まる行動"),
]


@extend_schema_view(
    list=ja_schema(
        "行動の一覧",
        "トークンの範囲の行動（宣伝行動・学習会・要請など）と、団体ごとの参加者数（「11団体26人」の行）。"
        "報告・声・要求と回答はサイトで。",
        parameters=ACTION_FILTERS,
    ),
    retrieve=ja_schema("行動", "トークンの範囲の行動ひとつと団体ごとの参加者数。"),
)
class ActionViewSet(ScopedReadOnlyViewSet):
    api_tag = TAG
    serializer_class = ActionSerializer
    export_name = "actions"
    ordering = ["-starts_on", "-start_time"]
    ordering_fields = ["starts_on", "title"]
    lookup_value_regex = r"\d+"
    modified_since_field = "entered_at"
    version_models = [Action, Participation, Action.campaigns.through]

    def base_queryset(self):
        rows = Participation.objects.select_related("organisation").order_by("order", "pk")
        return (
            selectors.with_totals(Action.objects.all())
            .select_related("kind", "municipality")
            .prefetch_related(Prefetch("participations", queryset=rows), "campaigns")
            .order_by("-starts_on", "-start_time")
        )

    def filter_queryset(self, queryset):
        if self.action == "list":
            campaign = optional_int(self.request, "campaign", "運動")
            if campaign is not None:
                queryset = queryset.filter(campaigns=campaign)
            kind = (self.request.query_params.get("kind") or "").strip()
            if kind:
                queryset = queryset.filter(kind__code=kind)
            start, end = period(self.request, max_days=None)
            if start:
                queryset = queryset.filter(starts_on__gte=start)
            if end:
                queryset = queryset.filter(starts_on__lte=end)
        return super().filter_queryset(queryset)


def calendar_council(request):
    """`?council=` within the token's scope (404 otherwise, as a missing one), else the token's own council."""
    pk = optional_int(request, "council", "社保協")
    if pk is None:
        return request.user.council
    council = scope_for(request.user).filter(pk=pk).first()
    if council is None:
        raise NotFound("その社保協は見つからないか、このトークンの範囲外です。")
    return council


def _feed_urls(request, council):
    """The council's iCalendar feed addresses for a 事務局 token when the feed exists (the API never issues one:
    it is read-only; staff issue it on the feed settings page)."""
    settings_url = request.build_absolute_uri(reverse("campaigns:feed_settings") + f"?council={council.pk}")
    feed = CalendarFeed.objects.filter(council_id=council.pk).only("token").first() if shows_enterers(request) else None
    if feed is None:
        return {"council": council.pk, "ical_url": None, "webcal_url": None, "settings_url": settings_url}
    url = request.build_absolute_uri(reverse("campaigns:feed", args=[feed.token]))
    return {
        "council": council.pk,
        "ical_url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[-1],
        "settings_url": settings_url,
    }


@extend_schema_view(
    get=ja_schema(
        "当面の日程",
        "社保協（省略するとトークンの社保協）とその上部・下部組織の行動を期間で（中止は除く。トークンが見られる行動だけ）。"
        "サイトの「行動・日程」と同じ選び方です。iCalendar 配信のURLは calendar/feed/ で（事務局トークン）。",
        parameters=[
            int_parameter("council", "社保協（ID、省略するとトークンの社保協）"),
            *period_parameters("開始日（省略すると今日）", f"終了日（省略すると開始日の{CALENDAR_DAYS}日後）"),
        ],
        responses=CalendarRowSerializer(many=True),
    )
)
class CalendarView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = CalendarRowSerializer
    export_name = "calendar"
    version_models = [Action, Action.co_organisers.through]

    def get_data(self, request):
        council = calendar_council(request)
        start, end = period(request, default_start=timezone.localdate(), default_days=CALENDAR_DAYS)
        actions = selectors.calendar_actions(council=council, start=start, end=end)
        # Only what the token may see, as the site's export of the calendar does.
        actions = actions.filter(pk__in=selectors.visible_actions(user=request.user).values("pk"))
        return CalendarRowSerializer(actions, many=True).data


@extend_schema_view(
    get=ja_schema(
        "当面の日程の iCalendar 配信",
        "カレンダーアプリで購読する配信のURL（事務局トークンで、配信が発行済みのとき。会員向けトークンには null）。"
        "配信は30日前から1年先までの行動です。",
        parameters=[int_parameter("council", "社保協（ID、省略するとトークンの社保協）")],
        responses=CalendarFeedSerializer,
    )
)
class CalendarFeedView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = CalendarFeedSerializer
    export_name = "calendar_feed"
    version_models = [CalendarFeed]

    def get_data(self, request):
        return CalendarFeedSerializer(_feed_urls(request, calendar_council(request))).data


def visible_campaign(request, pk):
    campaign = restrict(Campaign.objects.all(), request.user).filter(pk=pk).first()
    if campaign is None:
        raise NotFound("その運動は見つからないか、このトークンの範囲外です。")
    return campaign


COUNT_PERIOD = period_parameters("この日以降の行動（省略すると最初から）", "この日までの行動（省略すると最後まで）")
CAMPAIGN_COUNT_MODELS = [Campaign, Action, Participation, Action.campaigns.through, ActionKind]


@extend_schema_view(
    get=ja_schema(
        "運動の数",
        "運動（中の運動を含む）の実施した行動の数と参加者数、団体ごとの参加。トークンが見られる行動だけを数えます。",
        parameters=COUNT_PERIOD,
        responses=CampaignCountsSerializer,
    )
)
class CampaignCountsView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = CampaignCountsSerializer
    export_name = "campaign_counts"
    version_models = CAMPAIGN_COUNT_MODELS

    def get_data(self, request):
        campaign = visible_campaign(request, self.kwargs["pk"])
        start, end = period(request, max_days=None)
        counted = selectors.campaign_participants(campaign=campaign, start=start, end=end, user=request.user)
        organisations = selectors.participants_per_organisation(
            campaign=campaign, start=start, end=end, user=request.user
        )
        return CampaignCountsSerializer(
            {
                "campaign": campaign.pk,
                "start": start,
                "end": end,
                "actions": counted["actions"],
                "participants": counted["n"],
                "onsite": counted["onsite"],
                "online": counted["online"],
                "rows": counted["rows"],
                "organisations": [{"organisation": o, "actions": a, "people": p} for o, a, p in organisations],
            }
        ).data


@extend_schema_view(
    get=ja_schema(
        "運動の団体ごとの参加",
        "運動（中の運動を含む）の行動に参加した団体ごとの行動の数と参加者数（延べ、多い順）。表（CSV・xlsx）向け。",
        parameters=COUNT_PERIOD,
        responses=OrganisationCountSerializer(many=True),
    )
)
class CampaignOrganisationsView(ScopedReadOnlyAPIView):
    api_tag = TAG
    serializer_class = OrganisationCountSerializer
    export_name = "campaign_organisations"
    version_models = CAMPAIGN_COUNT_MODELS

    def get_data(self, request):
        campaign = visible_campaign(request, self.kwargs["pk"])
        start, end = period(request, max_days=None)
        rows = selectors.participants_per_organisation(campaign=campaign, start=start, end=end, user=request.user)
        return OrganisationCountSerializer(
            [{"organisation": o, "actions": a, "people": p} for o, a, p in rows], many=True
        ).data
