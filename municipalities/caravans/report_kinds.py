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
from .selectors import CaravanStatus, compilation_map, compilation_questionnaire, compilation_sections
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
    questionnaire, _caravan = compilation_questionnaire(prefecture=prefecture, year=year, user=user)
    if questionnaire is None:
        raise ValidationError(f"{prefecture.name}の{year}年度のアンケートはありません（または見る権限がありません）。")
    return Request(
        params={"prefecture": prefecture.code, "year": year},
        council=questionnaire.council,
        title=f"{year}年度 {prefecture.name} {without_fiscal_year(year, questionnaire.title)} 資料集",
    )


def compilation_context(*, questionnaire, caravan=None):
    sections = []
    for index, (section, questions, rows) in enumerate(compilation_sections(questionnaire=questionnaire), start=1):
        sections.append({"anchor": f"s{index}", "section": section, "questions": questions, "rows": rows})
    return {
        "questionnaire": questionnaire,
        "caravan": caravan,
        "sections": sections,
        "answered": len(sections[0]["rows"]) if sections else 0,
    }


def answer_picture(*, questionnaire, caravan=None):
    """The 資料集's map: which municipalities of the prefecture answered (and were visited), with the credit.

    The classes and the table are the caravan map's (municipalities.caravans.dashboard): 回答・懇談済 /
    回答のみ / 懇談のみ / 未回答; a municipality the caravan did not target is 対象外.
    """
    rows = compilation_map(questionnaire=questionnaire, caravan=caravan)
    prefecture = questionnaire.prefecture
    year = questionnaire.fiscal_year
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
    questionnaire, caravan = compilation_questionnaire(prefecture=prefecture, year=int(params["year"]), user=None)
    progress(20, "回答を集めています")
    context = compilation_context(questionnaire=questionnaire, caravan=caravan)
    context["picture"] = answer_picture(questionnaire=questionnaire, caravan=caravan)
    year = questionnaire.fiscal_year
    title = f"{year}年度 {prefecture.name} {without_fiscal_year(year, questionnaire.title)} 資料集"
    return Built(
        template="municipalities/compilation.html",
        context={
            "document_title": title,
            "council": questionnaire.council,
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
