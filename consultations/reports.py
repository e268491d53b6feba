"""The consultations' report kind: 電話相談 集計 (consultation_summary), counts only, never free text.

Registered by ConsultationsConfig.ready() into shaho.core.report_kinds. Every figure comes from
`selectors.day_totals`, the same as the live totals page and its xlsx; the selector reads
statistical fields only (consultations.privacy), so no summary, advice or referral can reach the PDF.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from councils.reports import system_user
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
from shaho.core.scoping import scope_for

from .models import ConsultationDay
from .selectors import day_totals, days_for, national_day_on


def _days(user):
    return ConsultationDay.objects.all() if system_user(user) else days_for(user=user)


def _summary_clean(*, params, user):
    check_param_names(SUMMARY, params)
    date = clean_date(params["date"], label="相談日")
    day = national_day_on(date, queryset=_days(user))
    if day is None:
        raise ValidationError(f"{format_date(date)}の電話相談日はありません（または見る権限がありません）。")
    if not system_user(user) and not scope_for(user).filter(pk=day.council_id).exists():
        raise ValidationError(f"{day}の集計は主催の{day.council}（全国の日は中央事務局）が作成します。")
    return Request(params={"date": date.isoformat()}, council=day.council, title=f"電話相談 集計 {day}")


def summary_context(totals):
    return {
        "t": totals,
        "date": format_date(totals.day.date),
        "previous_date": format_date(totals.previous.date) if totals.previous else "",
    }


def _summary_build(*, params, user, progress):
    day = national_day_on(parse_date(params["date"]))
    totals = day_totals(day=day)
    progress(30, "電話相談を集計中")
    return Built(
        template="reports/consultation_summary.html",
        context={"document_title": f"電話相談 集計 {day}", "council": day.council, **summary_context(totals)},
    )


SUMMARY = register_kind(
    ReportKind(
        name="consultation_summary",
        label=_("電話相談 集計"),
        params=(Param("date", "相談日", ParamType.DATE, required=True, help="相談日の日付（例: 2019-11-11）"),),
        clean=_summary_clean,
        build=_summary_build,
        summary=_("一つの相談日の件数の集計（会場・相談者・分類などごと）。件数だけで、相談内容は載りません"),
    )
)
