"""The campaigns' report kind: 当面の日程 (calendar).

Registered by CampaignsConfig.ready() into the registry in shaho.core.report_kinds; every figure
comes from campaigns.selectors, the same as the calendar page and the action pages. The 都道府県報告
(prefecture_report) gathers every app's blocks and lives in the reports app (reports/prefecture_report.py).
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from councils.selectors import (
    council_of_prefecture,
    national_council,
    prefecture_choices,
    visible_prefecture,
)
from municipalities.registry.models import Prefecture
from shaho.core.japanese import format_date, parse_date
from shaho.core.report_kinds import (
    Built,
    Param,
    ParamType,
    ReportKind,
    Request,
    check_param_names,
    clean_date,
    register_kind,
)
from shaho.core.scoping import system_user

from . import selectors

MAX_DAYS = 800


def _period(params):
    start = clean_date(params["start"], label="開始日")
    end = clean_date(params["end"], label="終了日")
    if end < start:
        raise ValidationError(f"終了日 {format_date(end)} は開始日 {format_date(start)} より前です。")
    if (end - start).days > MAX_DAYS:
        raise ValidationError(f"期間は{MAX_DAYS}日までにしてください。")
    return start, end


def _calendar_clean(*, params, user):
    check_param_names(CALENDAR, params)
    start, end = _period(params)
    cleaned = {"start": start.isoformat(), "end": end.isoformat()}
    value = str(params.get("prefecture", "") or "").strip()
    if value:
        prefecture = visible_prefecture(value, user=user)
        cleaned["prefecture"] = prefecture.code
        council, where = council_of_prefecture(prefecture), prefecture.name
    else:
        if not system_user(user):
            raise ValidationError("全国の当面の日程は中央事務局が作成します。都道府県を指定してください。")
        council, where = national_council(), "全国"
    title = f"当面の日程 {where} {format_date(start)}〜{format_date(end)}"
    return Request(params=cleaned, council=council, title=title)


def _calendar_build(*, params, user, progress):
    start, end = parse_date(params["start"]), parse_date(params["end"])
    prefecture = Prefecture.objects.get(code=params["prefecture"]) if params.get("prefecture") else None
    council = council_of_prefecture(prefecture) if prefecture else national_council()
    actions = list(selectors.calendar_actions(council=council, start=start, end=end))
    progress(40, "日程を集計中")
    where = prefecture.name if prefecture else "全国"
    return Built(
        template="reports/campaigns_calendar.html",
        context={
            "document_title": f"当面の日程 {where}",
            "council": council,
            "period": f"{format_date(start)}〜{format_date(end)}",
            "months": selectors.calendar_months(actions),
            "count": len(actions),
        },
    )


CALENDAR = register_kind(
    ReportKind(
        name="calendar",
        label=_("当面の日程"),
        params=(
            Param(
                "prefecture",
                "都道府県",
                ParamType.CHOICE,
                help="コード（14）か名前。省略すると全国（中央事務局のみ）",
                choices=prefecture_choices,
                blank_label="全国",
                blank_allowed=system_user,
            ),
            Param("start", "開始日", ParamType.DATE, required=True),
            Param("end", "終了日", ParamType.DATE, required=True),
        ),
        clean=_calendar_clean,
        build=_calendar_build,
        summary=_("期間中の行動・会議・学習会などの日程の一覧（都道府県ごと、または全国）"),
    )
)
