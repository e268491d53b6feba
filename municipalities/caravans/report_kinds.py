"""The caravan's report kind: the 資料集 (caravan_compilation) of one prefecture's questionnaire of one year.

Registered by MunicipalitiesConfig.ready() into shaho.core.report_kinds; the reports engine renders it.
A cover, a table of contents, then per section a table municipality × question (landscape, the header
repeated on every page a long table continues to).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from councils.selectors import prefecture_choices, visible_prefecture
from municipalities.registry import maps
from municipalities.registry.models import Prefecture
from shaho.core.japanese import format_date, without_fiscal_year
from shaho.core.report_kinds import Built, Param, ParamType, ReportKind, Request, check_param_names, register_kind

from . import dashboard
from .models import AnswerKind
from .selectors import (
    CaravanStatus,
    answered_count,
    compilation_map,
    compilation_questionnaire,
    compilation_sections,
)
from .services import fiscal_year_start


def _year(value):
    from shaho.core.japanese import normalize

    text = normalize(str(value or "")).strip().removesuffix("年度")
    if not text.isdigit() or not (1990 <= int(text) <= 2100):
        raise ValidationError(f"年度「{value}」は西暦の年度で入れてください（例: 2023）。")
    return int(text)


def _clean(*, params, user):
    check_param_names(COMPILATION, params)
    prefecture = visible_prefecture(params["prefecture"], user=user)
    year = _year(params["year"])
    questionnaire, caravan = compilation_questionnaire(prefecture=prefecture, year=year, user=user)
    source = questionnaire or caravan
    if source is None:
        raise ValidationError(f"{prefecture.name}の{year}年度のアンケートはありません（または見る権限がありません）。")
    return Request(
        params={"prefecture": prefecture.code, "year": year},
        council=source.council,
        title=compilation_title(prefecture=prefecture, source=source),
    )


def compilation_title(*, prefecture, source):
    """「2023年度 神奈川県 2023市町村国保調査 資料集」: named by the questionnaire, else by the caravan."""
    year = source.fiscal_year
    return f"{year}年度 {prefecture.name} {without_fiscal_year(year, source.title)} 資料集"


# The columns of answers one landscape table holds beside the municipality's: sections with fewer questions
# than this share a table (Osaka 2019's seven one-question sections were 16 pages of two-column tables).
SHEET_COLUMNS = 8
# The answers that are figures: a column of them is right-aligned.
FIGURE_KINDS = frozenset({AnswerKind.INTEGER, AnswerKind.MONEY, AnswerKind.PERCENT})


def printed_columns(questions):
    """The indexes of `questions` the 資料集 prints.

    When the council marked some questions 公開する, the others are its own notes (Tokyo's
    「担当課からの補足（公開しない）」): a document handed to regions and municipalities prints only the
    published ones. A questionnaire that published none (a caravan's 事前アンケート) prints every question.
    """
    if any(q.published for q in questions):
        return [i for i, q in enumerate(questions) if q.published]
    return list(range(len(questions)))


def _sheets(sections):
    """Consecutive sections packed into tables of at most SHEET_COLUMNS answer columns (a longer one alone)."""
    sheets = []
    for section in sections:
        width = len(section["questions"])
        last = sheets[-1] if sheets else None
        if last and last["width"] + width <= SHEET_COLUMNS:
            last["sections"].append(section)
            last["width"] += width
        else:
            sheets.append({"sections": [section], "width": width})
    for sheet in sheets:
        parts = sheet["sections"]
        sheet["title"] = "・".join(f"{p['section'].number}. {p['section'].title}" for p in parts)
        sheet["questions"] = [q for p in parts for q in p["questions"]]
        # Figures (counts, yen, %) stand right-aligned, as in every table of figures; words and dates left.
        numeric = [q.kind in FIGURE_KINDS for q in sheet["questions"]]
        sheet["columns"] = list(zip(sheet["questions"], numeric, strict=True))
        sheet["rows"] = [
            (municipality, list(zip([c for p in parts for c in p["rows"][i][1]], numeric, strict=True)))
            for i, (municipality, _cells) in enumerate(parts[0]["rows"])
        ]
    return sheets


def compilation_context(*, questionnaire, caravan=None):
    """Sections (each question printed, see `printed_columns`), packed into sheets, and the answered count.

    `questionnaire` may be None: a caravan whose answers were only dated (Saitama 2020) has a cover, the
    map and its count, and says that no answers were entered.
    """
    compiled = compilation_sections(questionnaire=questionnaire) if questionnaire is not None else []
    all_questions = [q for _s, questions, _r in compiled for q in questions]
    printed = {all_questions[i].pk for i in printed_columns(all_questions)}
    sections = []
    for index, (section, questions, rows) in enumerate(compiled, start=1):
        keep = [i for i, q in enumerate(questions) if q.pk in printed]
        if not keep:
            continue
        sections.append(
            {
                "anchor": f"s{index}",
                "section": section,
                "questions": [questions[i] for i in keep],
                "rows": [(m, [cells[i] for i in keep]) for m, cells in rows],
            }
        )
    return {
        "questionnaire": questionnaire,
        "caravan": caravan,
        "sections": sections,
        "sheets": _sheets(sections),
        "answered": answered_count(questionnaire=questionnaire, caravan=caravan),
    }


def answer_picture(*, questionnaire, caravan=None):
    """The 資料集's map: which municipalities of the prefecture answered (and were visited), with the credit.

    The classes and the table are the caravan map's (municipalities.caravans.dashboard): 回答・懇談済 /
    回答のみ / 懇談のみ / 未回答; a municipality the caravan did not target is 対象外.
    """
    rows = compilation_map(questionnaire=questionnaire, caravan=caravan)
    source = questionnaire or caravan
    prefecture = source.prefecture
    year = source.fiscal_year
    plain = [r for r in rows if not r.is_ward]
    answered = sum(1 for r in plain if r.status in (CaravanStatus.BOTH, CaravanStatus.ANSWERED))
    visited = sum(1 for r in plain if r.status in (CaravanStatus.BOTH, CaravanStatus.VISITED))
    drawing = maps.prefecture_map(
        prefecture.code,
        dashboard.municipality_cells(rows),
        legend=dashboard.STATUS_LEGEND,
        title=f"{prefecture.name} {year}年度 アンケートの回答",
        on=fiscal_year_start(year),
    )
    title = f"{prefecture.name}の回答 {answered:,}／{len(plain):,}市区町村"
    if caravan is not None and caravan.visits_planned:
        title += f"・懇談 {visited:,}"
    return drawing.picture(
        key="caravans.compilation",
        title=title,
        table=dashboard.municipality_table([r for r in rows if not r.is_ward]),
    )


def _build(*, params, user, progress):
    prefecture = Prefecture.objects.get(code=params["prefecture"])
    # With the requester's scope, as `_clean` checked it: a system run (None) would pick the prefectural council's
    # questionnaire for a local council's staff, who may not see it.
    year = int(params["year"])
    questionnaire, caravan = compilation_questionnaire(prefecture=prefecture, year=year, user=user)
    progress(20, "回答を集めています")
    context = compilation_context(questionnaire=questionnaire, caravan=caravan)
    context["picture"] = answer_picture(questionnaire=questionnaire, caravan=caravan)
    source = questionnaire or caravan
    return Built(
        template="municipalities/compilation.html",
        context={
            "document_title": compilation_title(prefecture=prefecture, source=source),
            "council": source.council,
            "made_on": format_date(timezone.localdate()),
            **context,
        },
    )


COMPILATION = register_kind(
    ReportKind(
        name="caravan_compilation",
        label=_("資料集（キャラバンのアンケート）"),
        params=(
            Param("prefecture", "都道府県", ParamType.CHOICE, required=True, choices=prefecture_choices),
            Param("year", "年度", ParamType.INT, required=True, help="西暦の年度（例: 2023）"),
        ),
        clean=_clean,
        build=_build,
        summary=_("一つの都道府県・年度の自治体アンケートの回答を、表紙・目次つきで市区町村×設問の表にした資料集"),
        archival=True,  # kept for decades: PDF/A
    )
)
