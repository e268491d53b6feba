"""Site pages of the caravans: staff pages (login, scoped) and the public pages under /public/ (no login).

Views parse the request, call a service or a selector and render. A staff page looks every object up
through `restrict()` (another prefecture's caravan is a 404, as a missing one); a public page reads only
questionnaires their council published and, of those, only the published questions' typed answers.
"""

import dataclasses

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from municipalities.caravans.models import Questionnaire
from municipalities.registry.models import Municipality, Prefecture
from shaho.core.downloads import file_response
from shaho.core.japanese import normalize
from shaho.core.pictures import table_page, table_response
from shaho.core.roles import is_staff_user
from shaho.core.scoping import get_scoped_or_404, restrict

from . import importing, selectors, services
from .forms import AnswerSheetForm
from .public_maps import answer_picture


def _crumbs(*trail):
    return [("ホーム", reverse("home")), ("自治体キャラバン", reverse("caravans:list")), *trail]


def _may_edit(user):
    """Who may type, import and correct caravan records: staff (the pages show their links to them only)."""
    return is_staff_user(user)


def _require_staff(user):
    if not _may_edit(user):
        raise PermissionDenied("キャラバンの記録を扱う権限がありません。")


def _may_copy_template(user):
    """A national template is copied for the user's own council and prefecture: staff of one that has a prefecture."""
    return _may_edit(user) and user.council is not None and user.council.prefecture_id is not None


@login_required
def caravan_list(request):
    caravans = list(selectors.caravan_list(user=request.user))
    questionnaires = list(selectors.visible_questionnaires(user=request.user).order_by("-fiscal_year", "title"))
    prefectures = list(restrict(Prefecture.objects.all(), request.user).order_by("code"))
    # National templates (federation material, not a council's answers): any council may copy one and adapt it.
    templates = list(Questionnaire.objects.filter(is_template=True).order_by("-fiscal_year", "title"))
    return render(
        request,
        "municipalities/caravan_list.html",
        {
            "caravans": caravans,
            "questionnaires": questionnaires,
            "prefectures": prefectures,
            "templates": templates,
            "may_copy_template": _may_copy_template(request.user),
            "breadcrumbs": _crumbs(),
        },
    )


@login_required
def caravan_detail(request, pk):
    caravan = get_scoped_or_404(selectors.visible_caravans(user=request.user), request.user, pk=pk)
    return render(
        request,
        "municipalities/caravan.html",
        {
            "caravan": caravan,
            "figures": selectors.caravan_figures(caravan=caravan),
            "targets": list(selectors.target_rows(caravan=caravan)),
            "breadcrumbs": _crumbs((str(caravan), "")),
        },
    )


def _questionnaire(request, pk):
    return get_scoped_or_404(Questionnaire.objects.select_related("prefecture", "council"), request.user, pk=pk)


@login_required
@require_http_methods(["GET"])
def questionnaire_detail(request, pk):
    """The answers so far (municipality × question) and the xlsx download; the import is the admin's one flow."""
    questionnaire = _questionnaire(request, pk)
    if request.GET.get("format") == "xlsx":
        content = importing.questionnaire_xlsx(questionnaire=questionnaire)
        return file_response(
            content,
            filename=f"{questionnaire.fiscal_year}年度_{questionnaire.title}.xlsx",
            ascii_fallback=f"questionnaire_{pk}.xlsx",
        )
    context = {
        "questionnaire": questionnaire,
        # The import link and the 入力・修正 links only for those the import and the entry answer.
        "may_edit": _may_edit(request.user),
        "breadcrumbs": _crumbs((str(questionnaire), "")),
    }
    if context["may_edit"] and questionnaire.prefecture_id:
        context["import_url"] = (
            reverse("admin:municipalities_questionnaire_import") + f"?questionnaire={questionnaire.pk}"
        )
    sections = selectors.compilation_sections(questionnaire=questionnaire)
    context["sections"] = sections
    answered = {m.pk for m, _cells in sections[0][2]} if sections else set()
    if questionnaire.prefecture_id:
        context["unanswered"] = [m for m in importing.municipalities_for(questionnaire) if m.pk not in answered]
    return render(request, "municipalities/questionnaire.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def answer_entry(request, pk, code):
    """One municipality's answers to a questionnaire, typed from its paper answer or a talk: all saved or none."""
    _require_staff(request.user)
    questionnaire = _questionnaire(request, pk)
    municipality = get_object_or_404(Municipality, code=code, prefecture=questionnaire.prefecture)
    sheet = selectors.answer_sheet(questionnaire=questionnaire, municipality=municipality)
    form = AnswerSheetForm(request.POST or None, sheet=sheet, municipality=municipality)
    if request.method == "POST" and form.is_valid():
        values = form.answers()
        services.answers_write(
            user=request.user, questionnaire=questionnaire, values=values, source=form.cleaned_data["source"]
        )
        messages.success(request, f"{municipality.name}の回答を保存しました（{len(values)}問）。")
        return HttpResponseRedirect(reverse("caravans:questionnaire", args=[questionnaire.pk]))
    return render(
        request,
        "municipalities/answer_entry.html",
        {
            "questionnaire": questionnaire,
            "municipality": municipality,
            "form": form,
            "errors": [message for messages_ in form.errors.values() for message in messages_],
            "breadcrumbs": _crumbs(
                (str(questionnaire), reverse("caravans:questionnaire", args=[pk])), (municipality.name, "")
            ),
        },
    )


@login_required
@require_http_methods(["POST"])
def copy_template(request, pk):
    """A national template copied for the user's own council and prefecture, to adapt."""
    _require_staff(request.user)
    template = get_object_or_404(Questionnaire.objects.filter(is_template=True), pk=pk)
    council = request.user.council
    if not _may_copy_template(request.user):
        raise PermissionDenied("ひな形を複製できるのは都道府県・地域の社保協です。")
    year = request.POST.get("fiscal_year", "")
    try:
        year = int(normalize(year)) if year.strip() else template.fiscal_year
    except ValueError:
        year = template.fiscal_year
    try:
        copy = services.questionnaire_copy(
            user=request.user, source=template, council=council, prefecture=council.prefecture, fiscal_year=year
        )
    except ValidationError as exc:
        from django.contrib import messages

        messages.error(request, " ".join(exc.messages))
        return HttpResponseRedirect(reverse("caravans:list"))
    return HttpResponseRedirect(reverse("caravans:questionnaire", args=[copy.pk]))


@login_required
def municipality_indicators(request, code):
    municipality = get_scoped_or_404(Municipality.objects.select_related("prefecture"), request.user, code=code)
    rows = selectors.municipality_indicators(municipality=municipality, user=request.user)
    years = sorted({v.year for row in rows for v in row.years})
    return render(
        request,
        "municipalities/municipality_indicators.html",
        {"municipality": municipality, "rows": rows, "years": years, "breadcrumbs": _crumbs((municipality.name, ""))},
    )


SORTS = {"code": "コード順", "value": "値の大きい順", "change": "前年からの変化の大きい順"}


@login_required
def prefecture_indicator(request, code, key):
    prefecture = get_scoped_or_404(Prefecture.objects.all(), request.user, code=code)
    sort = request.GET.get("sort", "code")
    sort = sort if sort in SORTS else "code"
    at_least = request.GET.get("at_least", "")
    try:
        at_least = int(normalize(at_least)) if at_least.strip() else None
    except ValueError:
        at_least = None
    table = selectors.prefecture_indicator(
        prefecture=prefecture, key=key, user=request.user, sort=sort, at_least=at_least
    )
    if table is None:
        raise Http404
    keys = selectors.indicator_keys(prefecture=prefecture, user=request.user)
    return render(
        request,
        "municipalities/prefecture_indicator.html",
        {
            "table": table,
            "sort": sort,
            "sorts": SORTS,
            "keys": keys,
            "breadcrumbs": _crumbs((f"{prefecture.name} {table.label}", "")),
        },
    )


# --- public pages (/public/) ----------------------------------------------------------------------


def _published(pk):
    questionnaire = get_object_or_404(
        Questionnaire.objects.filter(published_at__isnull=False).select_related("prefecture", "council"), pk=pk
    )
    return questionnaire


def public_index(request):
    """/public/: what the councils published — the caravans' questionnaire answers, per prefecture."""
    questionnaires = list(selectors.published_questionnaires())
    return render(request, "municipalities/public/index.html", {"questionnaires": questionnaires})


def public_prefecture(request, code):
    prefecture = get_object_or_404(Prefecture, code=code)
    questionnaires = list(selectors.published_questionnaires(prefecture=prefecture))
    if not questionnaires:
        raise Http404
    return render(
        request, "municipalities/public/prefecture.html", {"prefecture": prefecture, "questionnaires": questionnaires}
    )


def public_questionnaire(request, pk):
    questionnaire = _published(pk)
    table = selectors.published_table(questionnaire=questionnaire)
    return render(request, "municipalities/public/questionnaire.html", {"q": questionnaire, "table": table})


def public_municipality(request, pk, code):
    questionnaire = _published(pk)
    municipality = get_object_or_404(Municipality, code=code)
    table = selectors.published_table(questionnaire=questionnaire, municipality=municipality)
    if not table.rows:
        raise Http404
    answers = list(zip(table.questions, table.rows[0][1], strict=True))
    return render(
        request,
        "municipalities/public/municipality.html",
        {"q": questionnaire, "municipality": municipality, "answers": answers},
    )


DOWNLOAD_FORMATS = ("xlsx", "csv")


def public_answer_map(request, pk):
    """/public/caravans/<pk>/map/?question=<id>: one published question's answers on the prefecture's map.

    Published questionnaires and published questions only (another question is a 404, as a missing one);
    ?format=xlsx or csv downloads the map's table.
    """
    questionnaire = _published(pk)
    if questionnaire.prefecture_id is None:
        raise Http404
    questions = list(questionnaire.questions.filter(published=True).select_related("section"))
    if not questions:
        raise Http404
    chosen = request.GET.get("question", "")
    question = next((q for q in questions if str(q.pk) == chosen), None) if chosen else questions[0]
    if question is None:
        raise Http404
    picture = answer_picture(questionnaire=questionnaire, question=question)
    picture = dataclasses.replace(picture, download=f"{request.path}?{urlencode({'question': question.pk})}")
    fmt = request.GET.get("format", "")
    if fmt == "html":  # 「表で見る」 of a table too long to print under its map
        return table_page(request, picture, back=f"{request.path}?{urlencode({'question': question.pk})}")
    if fmt in DOWNLOAD_FORMATS:
        return table_response(
            picture,
            fmt=fmt,
            filename=f"{questionnaire.fiscal_year}年度_{questionnaire.prefecture.name}_{question.code}",
        )
    return render(
        request,
        "municipalities/public/answer_map.html",
        {"q": questionnaire, "question": question, "questions": questions, "picture": picture},
    )
