"""Figures of campaigns for documents: study sessions held and their attendance, actions per kind,
participants in a campaign. Every figure comes from campaigns.selectors (computed in the database).

Imported by CampaignsConfig.ready(): the figures go into the registry in shaho.core.figures. A period
is `start` to `date` (the document's date); `start` defaults to the day after one year before it.
"""

import datetime

from shaho.core.figures import number, percent, register, register_argument_type

from . import selectors
from .models import ActionKind, Campaign


def _kind(value, ctx):
    kind = ActionKind.objects.filter(code=value).first() or ActionKind.objects.filter(name=value).first()
    if kind is None:
        known = "、".join(ActionKind.objects.order_by("order").values_list("code", flat=True))
        raise ValueError(f"行動の種類「{value}」はありません。指定できる種類: {known}")
    return kind


def _campaign(value, ctx):
    from shaho.core.scoping import restrict, system_user

    queryset = Campaign.objects.all() if system_user(ctx.user) else restrict(Campaign.objects.all(), ctx.user)
    campaign = queryset.filter(slug=value).first()
    if campaign is None:
        known = "、".join(queryset.order_by("-starts_on").values_list("slug", flat=True)[:30])
        raise ValueError(
            f"運動「{value}」はありません（または見る権限がありません）。指定できる運動: {known or 'なし'}"
        )
    return campaign


register_argument_type("action_kind", _kind)
register_argument_type("campaign", _campaign)


def _start(date, start):
    if start is not None:
        if start > date:
            raise ValueError("start= は基準日より前の日付にしてください。")
        return start
    try:
        return date.replace(year=date.year - 1) + datetime.timedelta(days=1)
    except ValueError:  # 29 February
        return date.replace(year=date.year - 1, day=28) + datetime.timedelta(days=1)


PERIOD = {"date": "date", "start": "date", "prefecture": "prefecture"}


def _study(ctx, date, start, prefecture):
    start = _start(date, start)
    key = ("study", start, date, prefecture.pk if prefecture else None)
    return ctx.cached(key, lambda: selectors.study_session_count(start=start, end=date, prefecture=prefecture))


@register(
    "campaigns.study_sessions",
    label="学習会の開催数（か所。start=開始日、省略すると1年前から。prefecture=都道府県）",
    params=PERIOD,
    example="{{ campaigns.study_sessions start=2019-09-01 }}",
)
def study_sessions(ctx, *, date, start=None, prefecture=None):
    return number(_study(ctx, date, start, prefecture).sessions)


@register("campaigns.study_attendance", label="学習会の参加者数（会場＋オンライン、人）", params=PERIOD)
def study_attendance(ctx, *, date, start=None, prefecture=None):
    return number(_study(ctx, date, start, prefecture).attendance)


@register("campaigns.study_goal", label="学習会の目標（か所、開始日の年度）", params=PERIOD)
def study_goal(ctx, *, date, start=None, prefecture=None):
    value = _study(ctx, date, start, prefecture).goal
    if value is None:
        raise ValueError("この年度の学習会の目標が登録されていません。")
    return number(value)


@register("campaigns.study_percent", label="学習会の目標に対する達成率（%）", params=PERIOD)
def study_percent(ctx, *, date, start=None, prefecture=None):
    value = _study(ctx, date, start, prefecture).percent
    if value is None:
        raise ValueError("この年度の学習会の目標が登録されていません。")
    return percent(value)


@register(
    "campaigns.actions",
    label="行動の数（kind=種類の識別名、例: street）",
    params={**PERIOD, "kind": "action_kind"},
)
def actions(ctx, *, date, start=None, prefecture=None, kind=None):
    return number(selectors.action_count(start=_start(date, start), end=date, kind=kind, prefecture=prefecture))


@register(
    "campaigns.participants",
    label="運動の行動の参加者数（campaign=運動の識別名）",
    params={"date": "date", "start": "date", "campaign": "campaign"},
)
def participants(ctx, *, date, start=None, campaign=None):
    if campaign is None:
        raise ValueError("campaign=識別名 で運動を指定してください。")
    return number(selectors.campaign_participants(campaign=campaign, start=start, end=date)["n"])


@register(
    "campaigns.campaign_actions",
    label="運動の行動の数（campaign=運動の識別名）",
    params={"date": "date", "start": "date", "campaign": "campaign"},
)
def campaign_actions(ctx, *, date, start=None, campaign=None):
    if campaign is None:
        raise ValueError("campaign=識別名 で運動を指定してください。")
    return number(selectors.campaign_participants(campaign=campaign, start=start, end=date)["actions"])
