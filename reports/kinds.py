"""The policy draft (総会方針案): the reports app's own kind, since it reads every app.

The other kinds are declared by the apps that own their data (councils/reports.py,
petitions/reports.py) into the registry in shaho.core.report_kinds; this module adds the one
that belongs to no single app and is registered by ReportsConfig.ready().
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from councils import dashboard as coverage_pictures
from councils.models import CouncilKind
from councils.selectors import local_council_list, municipality_coverage, municipality_coverage_map
from petitions.report_kinds import progress_picture
from shaho.core import blocks, charts, figures
from shaho.core.japanese import format_date, normalize
from shaho.core.report_kinds import (
    Built,
    Param,
    ParamType,
    ReportKind,
    Request,
    appendices,
    check_param_names,
    register_kind,
)

from . import documents
from .selectors import meeting_for, visible_meetings


def coverage_chart(rows, *, title):
    bars = [charts.Bar(r.prefecture_name, r.percent, f"{r.percent:.1f}%（{r.covered:,}／{r.total:,}）") for r in rows]
    return charts.bar_chart(bars, maximum=100, target=50, title=title)


# --- 総会方針案 (policy_draft) --------------------------------------------------------

ACTIVITY_REPORT = "活動報告"


def activity_pictures(meeting, *, ctx):
    """The pictures of the activity report: the coverage map and each of the meeting's drives' progress line.

    A national meeting: the prefectures' map of Japan, the drives all Japan. A prefectural council's
    meeting: its prefecture's municipality map, the drives' entries and goal of the prefecture.
    """
    date = meeting.figures_date
    council = meeting.council
    prefecture = council.prefecture if council.kind == CouncilKind.PREFECTURAL else None
    if prefecture is None:
        rows, national = ctx.cached(("coverage", date), lambda: municipality_coverage(date=date))
        pictures = [coverage_pictures.coverage_picture(rows=rows, national=national, date=date)]
    else:
        pictures = coverage_pictures.prefecture_pictures(
            date=date,
            prefecture=prefecture,
            municipalities=municipality_coverage_map(date=date, prefecture=prefecture),
            groups=local_council_list(date=date, prefecture=prefecture),
        )[:1]
    for petition in meeting.petitions.filter(starts_on__lte=date).order_by("starts_on", "title"):
        pictures.append(progress_picture(petition=petition, as_of=date, prefecture=prefecture))
    return pictures


def _with_activity_pictures(chapters, pictures):
    """The pictures go under the chapter titled 活動報告 (the last chapter when none is).

    A picture a chapter already prints as a block (`{{ overview.coverage_map }}`) is not drawn a second time.
    """
    if not chapters:
        return chapters
    drawn = "".join(c["html"] for c in chapters)
    pictures = [p for p in pictures if f'id="picture-{p.key}"' not in drawn]
    target = next((c for c in chapters if ACTIVITY_REPORT in c["title"]), chapters[-1])
    target["pictures"] = pictures
    return chapters


def _meeting_value(meeting, user):
    """What the request form sends for `meeting`: its number, or number@council when the number is not unique."""
    if meeting_for(number=meeting.number, user=user) == meeting:
        return str(meeting.number)
    return f"{meeting.number}@{meeting.council_id}"


def meeting_choices(user):
    meetings = list(visible_meetings(user=user))
    return [(_meeting_value(m, user), f"{m}（{m.council.name}、{format_date(m.date)}）") for m in meetings]


def _meeting(params, user):
    """The meeting named by `meeting` (64, 第64回, or 64@council id), among those `user` may see.

    "There is none" and "not yours" read the same.
    """
    raw = str(params.get("meeting", ""))
    number_text, _, council_text = normalize(raw).partition("@")
    try:
        number = int(number_text.strip().removeprefix("第").removesuffix("回"))
        council_id = int(council_text) if council_text else None
    except ValueError:
        raise ValidationError(f"総会の回次「{raw}」は数字で指定してください（例: 64）。") from None
    meeting = meeting_for(number=number, user=user, council_id=council_id)
    if meeting is None:
        raise ValidationError(f"第{number}回の総会はありません（または見る権限がありません）。")
    return meeting


def prepare_chapters(meeting, *, user, ctx=None):
    """Each chapter's title and HTML with its figures filled, after the checks that refuse a request.

    Raises one ValidationError listing every problem of every chapter: raw HTML, unknown or
    unresolvable placeholders, images that are not the project's own, characters the font lacks.
    """
    ctx = ctx or figures.PlaceholderContext(date=meeting.figures_date, user=user)
    prepared, errors = [], []
    for chapter in meeting.chapters.all():
        where = f"第{chapter.order}章「{chapter.title}」"
        try:
            documents.check_markdown(chapter.body, where=where)
            text, rendered = blocks.extract(chapter.body, ctx)
            text = figures.resolve(text, ctx)
            documents.check_images(text, where=where)
            documents.check_glyphs(chapter.title + text + "".join(rendered), where=where)
        except ValidationError as exc:
            errors.extend(f"{where}: {m}" if not m.startswith(where) else m for m in exc.messages)
            continue
        prepared.append(
            {
                "anchor": f"ch{chapter.order}",
                "title": chapter.title,
                "html": blocks.insert(documents.markdown_to_html(text), rendered),
            }
        )
    for text, where in ((meeting.title, "総会の名称"), (meeting.theme, "テーマ"), (meeting.venue, "会場")):
        try:
            documents.check_glyphs(text, where=where)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise ValidationError(errors)
    return prepared


def _policy_clean(*, params, user):
    check_param_names(POLICY_DRAFT, params)
    meeting = _meeting(params, user)
    if not meeting.chapters.exists():
        raise ValidationError(f"{meeting}には章がありません。")
    prepare_chapters(meeting, user=user)
    value = _meeting_value(meeting, user)
    return Request(
        params={"meeting": int(value) if value.isdigit() else value},
        council=meeting.council,
        title=meeting.title,
        as_of=meeting.figures_date,
    )


def _policy_build(*, params, user, progress):
    meeting = _meeting(params, user)
    date = meeting.figures_date
    # One cache for the text's figures and the appendices: the coverage is computed once.
    ctx = figures.PlaceholderContext(date=date, user=user)
    chapters = prepare_chapters(meeting, user=user, ctx=ctx)
    progress(15, "本文の数字を差し込み済み")
    _with_activity_pictures(chapters, activity_pictures(meeting, ctx=ctx))
    groups = local_council_list(date=date)
    rows, national = ctx.cached(("coverage", date), lambda: municipality_coverage(date=date))
    progress(25, "付録を集計中")
    sections = []
    for name, function in appendices().items():
        appendix = function(meeting=meeting, user=user)
        if appendix:
            appendix.setdefault("anchor", f"appendix-{name}")
            sections.append(appendix)
    sections.append(
        {
            "anchor": "appendix-local-councils",
            "title": "地域社保協一覧",
            "template": "reports/appendix_local_councils.html",
            "groups": groups,
            "coverage": {r.prefecture_code: r for r in rows},
            "national": national,
            "chart": coverage_chart(rows, title="都道府県別 地域社保協のある市区町村の割合（%、点線は50%）"),
            "as_of": format_date(date),
        }
    )
    return Built(
        template="reports/policy_draft.html",
        context={
            "document_title": meeting.title,
            "council": meeting.council,
            "meeting": meeting,
            "meeting_date": format_date(meeting.date),
            "chapters": chapters,
            "appendices": sections,
        },
    )


POLICY_DRAFT = register_kind(
    ReportKind(
        name="policy_draft",
        label=_("総会方針案"),
        params=(
            Param(
                "meeting",
                "総会",
                ParamType.CHOICE,
                required=True,
                help="回次（64）でも指定できます",
                choices=meeting_choices,
            ),
        ),
        clean=_policy_clean,
        build=_policy_build,
        summary=_("総会に出す方針案: 章の本文に、社保協の数・署名の集約などの数字と付表を差し込んだ文書"),
        archival=True,  # kept for decades: PDF/A
    )
)
