"""The petitions' report kind (集約一覧表) and their appendix to the policy draft.

Registered by PetitionsConfig.ready() into the registries in shaho.core.report_kinds; every figure
comes from `selectors.tally_table`, the same as the tally table page and its downloads.
"""

import datetime

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from councils.selectors import council_of_prefecture, prefecture_choices, visible_prefecture
from municipalities.registry.models import Prefecture
from shaho.core import charts
from shaho.core.japanese import format_date, parse_date
from shaho.core.pictures import Picture, Table
from shaho.core.report_kinds import (
    Built,
    Param,
    ParamType,
    ReportKind,
    Request,
    check_param_names,
    clean_date,
    clean_format,
    format_choices,
    register_appendix,
    register_kind,
)
from shaho.core.scoping import in_scope

from .models import PetitionDrive
from .selectors import drive_progress, petition_choices, tally_table, visible_petition


def tally_chart(table):
    """The bars of the table's rows with a goal, each named by its short name (「横浜社保協」): the full
    names of a prefecture's councils all ended 「…会保障推進協議会」 once cut to the label's room."""
    rows = [r for r in table.rows if r.level in ("prefecture", "council") and r.goal]
    bars = [
        charts.Bar(r.short_label or r.label, r.percent or 0, f"{r.percent or 0:.1f}%（{r.to_date:,}／{r.goal:,}）")
        for r in rows
    ]
    if not bars:
        return ""
    top = max(100.0, *(b.value for b in bars))
    return charts.bar_chart(bars, maximum=round(top + 4.9, -1), target=100, title="目標に対する達成率（%、点線は100%）")


def progress_picture(*, petition, as_of, prefecture=None):
    """A drive's running total against its goal, the rounds' deadlines marked: the documents' progress line.

    The table under it gives the running total at the end of each month (and on `as_of`), so a long
    drive prints a dozen rows, not one per day. All Japan, or `prefecture`'s entries and goal.
    """
    progress = drive_progress(petition=petition, as_of=as_of, prefecture=prefecture)
    where = prefecture.name if prefecture else "全国"
    unit = petition.unit
    end = max(min(petition.ends_on, as_of), petition.starts_on + datetime.timedelta(days=1))
    svg = charts.line_chart(
        [charts.Series(f"累計（{where}）", progress.points)],
        start=petition.starts_on,
        end=end,
        goal=progress.goal,
        marks=[charts.Mark(r.deadline, f"{r.name}締切") for r in progress.rounds],
        unit=unit,
    )
    month_end = {}
    for day, total in progress.points:
        month_end[(day.year, day.month)] = (day, total)
    rows = [
        [f"{year}年{month}月", total, progress.goal, round(100 * total / progress.goal, 1) if progress.goal else None]
        for (year, month), (_day, total) in sorted(month_end.items())
    ]
    percent = f"、目標の{progress.percent:.1f}%" if progress.percent is not None else ""
    return Picture(
        key=f"petitions.progress.{petition.slug}" + (f".{prefecture.code}" if prefecture else ""),
        title=f"{petition.short_name or petition.title}の集約の推移（{where}、{format_date(as_of)}現在 "
        f"{progress.total:,}{unit}{percent}）",
        svg=mark_safe(svg),
        table=Table(columns=["月", f"月末の累計（{unit}）", f"目標（{unit}）", "達成率（%）"], rows=rows),
        note="点線は目標、縦の線は集約の締切日。" if progress.goal else "縦の線は集約の締切日。",
    )


def goal_breakdown(table):
    """「目標12,000筆の内訳: 神奈川県社保協4,000筆（地域社保協に割り当てていない分）、地域社保協8,000筆」, or ""."""
    if table.goal_split is None:
        return ""
    goal, kept, split = table.goal_split
    unit = table.petition.unit
    first = table.rows[0]
    return (
        f"{table.prefecture.name}の目標{goal:,}{unit}の内訳：{first.short_label or first.label}"
        f"{kept:,}{unit}（地域社保協に割り当てていない分）、地域社保協{split:,}{unit}。"
        "表の各行の目標を足すと県の目標になります。"
    )


def tally_context(table):
    # Every row of a prefecture's table is of that prefecture: its 都道府県 column says nothing (and broke
    # 「神奈川／県」 in its narrow column); the total row's label says 合計 in the next column.
    groups = {r.group for r in table.all_rows()}
    return {
        "table": table,
        "show_group": len(groups) > 1,
        "goal_breakdown": goal_breakdown(table),
        "chart": tally_chart(table),
        "as_of": format_date(table.as_of),
        "round_name": str(table.round) if table.round else "",
        # A drive with nothing recorded by the document's date is said so in one line, not drawn as zeros.
        "empty": not (table.total.to_date or table.total.submitted or table.total.other),
    }


def _tally_clean(*, params, user):
    check_param_names(TALLY_TABLE, params)
    petition = visible_petition(params["petition"], user=user)
    date = clean_date(params["date"], label="基準日")
    if date < petition.starts_on:
        raise ValidationError(
            f"基準日 {format_date(date)} は{petition}の開始日（{format_date(petition.starts_on)}）より前です。"
        )
    if date > timezone.localdate():
        raise ValidationError(f"基準日 {format_date(date)} はまだ来ていません。")
    fmt = clean_format(TALLY_TABLE, params.get("format"))
    cleaned = {"petition": petition.slug, "date": date.isoformat(), "format": fmt}
    where = ""
    council = petition.organiser
    if params.get("prefecture"):
        prefecture = visible_prefecture(params["prefecture"], user=user)
        cleaned["prefecture"] = prefecture.code
        where = f" {prefecture.name}"
        council = council_of_prefecture(prefecture)
    elif not in_scope(user, council):
        raise ValidationError(f"{petition}の全国の集約一覧表は中央事務局が作成します。都道府県を指定してください。")
    title = f"{petition.short_name or petition.title} 集約一覧表{where} {format_date(date)}現在"
    return Request(params=cleaned, council=council, title=title, format=fmt)


def _tally_table(params):
    petition = PetitionDrive.objects.get(slug=params["petition"])
    prefecture = Prefecture.objects.get(code=params["prefecture"]) if params.get("prefecture") else None
    return tally_table(petition=petition, as_of=parse_date(params["date"]), prefecture=prefecture)


def _tally_build(*, params, user, progress):
    table = _tally_table(params)
    progress(30, "集約一覧表を集計中")
    if params.get("format") == "xlsx":
        from .exports import tally_xlsx

        return Built(content=tally_xlsx(table))
    prefecture = Prefecture.objects.get(code=params["prefecture"]) if params.get("prefecture") else None
    council = council_of_prefecture(prefecture) if prefecture else table.petition.organiser
    return Built(
        template="reports/tally_table.html",
        context={"document_title": table.title, "council": council, "t": tally_context(table)},
    )


TALLY_TABLE = register_kind(
    ReportKind(
        name="tally_table",
        label=_("集約一覧表"),
        params=(
            Param("petition", "署名", ParamType.CHOICE, required=True, choices=petition_choices),
            Param("date", "基準日", ParamType.DATE, required=True, help="この日までに集約した数", default_today=True),
            Param(
                "prefecture",
                "都道府県",
                ParamType.CHOICE,
                help="省略すると全国（ブロック小計つき）",
                choices=prefecture_choices,
                blank_label="全国（ブロック小計つき）",
            ),
            Param(
                "format",
                "形式",
                ParamType.CHOICE,
                choices=lambda user: format_choices(TALLY_TABLE),
                blank_allowed=lambda user: False,
            ),
        ),
        clean=_tally_clean,
        build=_tally_build,
        formats=("pdf", "xlsx"),
        summary=_("一つの署名の、基準日までの都道府県ごとの目標・集約数・提出数と達成率の表"),
    )
)


def _meeting_tally_appendix(*, meeting, user):
    """集約一覧表 of the meeting's drives at its figures date; a drive with nothing recorded yet is one line."""
    petitions = list(meeting.petitions.order_by("starts_on", "title"))
    if not petitions:
        return None
    tables = [tally_context(tally_table(petition=p, as_of=meeting.figures_date)) for p in petitions]
    return {"title": "集約一覧表", "template": "reports/appendix_tally.html", "tables": tables}


register_appendix("tally", _meeting_tally_appendix)
