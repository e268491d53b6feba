"""Site pages for petitions: the phone entry form, confirmations, tally tables and downloads.

Views parse the request, call a service or a selector and render; nothing else.
"""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from councils.models import CouncilKind
from municipalities.registry.models import Prefecture
from shaho.core.downloads import file_response
from shaho.core.forms import add_service_errors as _add_service_errors
from shaho.core.roles import is_staff_user, may_record
from shaho.core.scoping import get_scoped_or_404, sees_everything

from . import selectors, services
from .entry_choices import entry_choices
from .exports import export_filename, tally_csv, tally_xlsx
from .forms import CorrectionForm, TableFilterForm, TallyEntryForm
from .models import TallyEntry


def _crumbs(*trail):
    """The breadcrumb trail ホーム › 署名 › …: (label, url) pairs; the last one, the page itself, has no url."""
    return [("ホーム", reverse("home")), ("署名", reverse("petitions:list")), *trail]


def _drive_crumb(petition):
    return (petition.short_name or petition.title, reverse("petitions:national", args=[petition.slug]))


def _require_recorder(user):
    if not may_record(user):
        raise PermissionDenied("集約を入力する権限がありません。")


@login_required
@require_http_methods(["GET", "POST"])
def entry(request):
    """The phone form: one report of collected signatures."""
    _require_recorder(request.user)
    choices = entry_choices(request.user)  # the lists, from the shared cache: no query on a warm day
    if request.method == "POST":
        form = TallyEntryForm(request.POST, user=request.user, choices=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                recorded = services.tally_record(
                    user=request.user,
                    petition=data["petition"],
                    council=data["council"],
                    organisation=data["organisation"],
                    kind=data["kind"],
                    count=data["count"],
                    collected_on=data["collected_on"],
                    source=data["source"],
                    note=data["note"],
                    submission_token=data["submission_token"],
                    context=services.EntryContext.from_choices(request.user, choices),
                )
            except ValidationError as exc:
                _add_service_errors(form, exc)
            else:
                return redirect("petitions:entry_done", pk=recorded.entry.pk)
    else:
        initial = {}
        if request.GET.get("council", "").isdigit():
            initial["council"] = int(request.GET["council"])
        form = TallyEntryForm(initial=initial, user=request.user, choices=choices)
        if request.GET.get("petition"):  # found in the form's own list of open petitions: no query of its own
            form.initial["petition"] = selectors.drive_among(drives=choices.drives, identifier=request.GET["petition"])
    return render(
        request,
        "petitions/entry.html",
        {
            "form": form,
            "has_petitions": bool(choices.drives),
            # 詳しく opens when one of its fields holds a value or an error
            "more_open": any(form[name].value() or form[name].errors for name in ("source", "note", "organisation"))
            or bool(form["kind"].errors),
            "breadcrumbs": _crumbs(("集約を入力", None)),
        },
    )


@login_required
def entry_done(request, pk):
    """The confirmation: what was recorded, the council's total against its goal, the prefecture's, recent entries."""
    entry = get_scoped_or_404(
        TallyEntry.objects.select_related("petition", "council__prefecture", "council__parent"), request.user, pk=pk
    )
    petition, council = entry.petition, entry.council
    # The prefecture's total: every council of the prefecture, the figure of its 集約一覧表 row.
    with_prefecture = bool(council.prefecture_id and council.kind != CouncilKind.PREFECTURAL)
    figures = selectors.confirmation_figures(
        petition=petition, council=council, parent=council.parent if with_prefecture else None
    )
    council_total, council_goal = figures["council_total"], figures["council_goal"]
    context = {
        "entry": entry,
        "petition": petition,
        "council": council,
        "council_total": council_total,
        "council_goal": council_goal,
        "council_percent": _percent(council_total, council_goal),
        "council_has_children": figures["council_has_children"],
        "recent": selectors.recent_entries(user=request.user, petition=petition, council=council, limit=10),
        "again_url": reverse("petitions:entry") + "?" + urlencode({"petition": petition.slug, "council": council.pk}),
        "may_record": may_record(request.user),
        "breadcrumbs": _crumbs(_drive_crumb(petition), ("記録しました", None)),
    }
    if with_prefecture:
        prefecture_total, prefecture_goal = figures["parent_total"], figures["parent_goal"]
        context.update(
            prefecture=council.prefecture,
            prefecture_total=prefecture_total,
            prefecture_goal=prefecture_goal,
            prefecture_percent=_percent(prefecture_total, prefecture_goal),
        )
    if council.prefecture_id:
        context["prefecture_url"] = reverse("petitions:prefecture", args=[petition.slug, council.prefecture.code])
    return render(request, "petitions/entry_done.html", context)


def _percent(total, goal):
    """% of goal to one decimal, or None without a goal."""
    return round(total * 100 / goal, 1) if goal else None


@login_required
@require_http_methods(["GET", "POST"])
def correct(request, pk):
    """Correct an entry: the user types the right value and a reason; a delta entry is appended."""
    _require_recorder(request.user)
    entry = get_scoped_or_404(TallyEntry.objects.select_related("petition", "council", "corrects"), request.user, pk=pk)
    original = entry.corrects or entry
    form = CorrectionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.tally_correct(
                user=request.user,
                entry=original,
                corrected=form.cleaned_data["corrected"],
                reason=form.cleaned_data["correction_reason"],
                submission_token=form.cleaned_data["submission_token"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            return redirect("petitions:entry_done", pk=recorded.entry.pk)
    current = services.corrected_count(entry=original)
    return render(
        request,
        "petitions/correct.html",
        {
            "form": form,
            "entry": original,
            "current": current,
            "breadcrumbs": _crumbs(_drive_crumb(original.petition), ("記録の訂正", None)),
        },
    )


def _require_reader(user):
    if not (user.is_superuser or user.council_id):
        raise PermissionDenied("所属社保協のないアカウントでは表示できません。")


@login_required
def petition_list(request):
    _require_reader(request.user)
    petitions = selectors.visible_petitions(user=request.user)
    return render(
        request,
        "petitions/petition_list.html",
        {
            "petitions": petitions,
            "may_record": may_record(request.user),
            "breadcrumbs": [("ホーム", reverse("home")), ("署名", None)],
        },
    )


def _download(table, extension, content, content_type=None):
    name, fallback = export_filename(table, extension)
    return file_response(content, filename=name, ascii_fallback=fallback, content_type=content_type)


def _table_response(request, table, template, filters):
    # A download only for a valid request; a bad date shows the page with its message instead.
    fmt = filters.cleaned_data.get("format") if filters.is_valid() else ""
    if fmt == "xlsx":
        return _download(table, "xlsx", tally_xlsx(table))
    if fmt == "csv":
        encoding = filters.cleaned_data.get("encoding") or "utf-8"
        charset = "shift_jis" if encoding == "cp932" else "utf-8"
        return _download(table, "csv", tally_csv(table, encoding=encoding), f"text/csv; charset={charset}")
    query = {"date": table.as_of.isoformat()}
    context = {
        "table": table,
        "petition": table.petition,
        "filters": filters,
        "xlsx_url": "?" + urlencode({**query, "format": "xlsx"}),
        "csv_url": "?" + urlencode({**query, "format": "csv"}),
        "csv_cp932_url": "?" + urlencode({**query, "format": "csv", "encoding": "cp932"}),
        "round_totals": selectors.round_totals(petition=table.petition) if table.prefecture is None else None,
        "may_record": may_record(request.user),
        "linkable_codes": _linkable_prefecture_codes(request.user),
        "pdf_url": _pdf_request_url(request.user, table),
        "breadcrumbs": _table_crumbs(table),
    }
    return render(request, template, context)


def _table_crumbs(table):
    if table.prefecture is None:
        return _crumbs((table.petition.short_name or table.petition.title, None))
    national = reverse("petitions:national", args=[table.petition.slug]) + "?" + urlencode({"date": table.as_of})
    return _crumbs((table.petition.short_name or table.petition.title, national), (table.prefecture.name, None))


def _pdf_request_url(user, table):
    """The report request for this table as a PDF (staff only: members download published reports instead)."""
    if not is_staff_user(user):
        return None
    query = {"petition": table.petition.slug, "date": table.as_of.isoformat(), "format": "pdf"}
    if table.prefecture is not None:
        query["prefecture"] = table.prefecture.code
    return reverse("reports:new_kind", args=["tally_table"]) + "?" + urlencode(query)


def _linkable_prefecture_codes(user):
    """Prefectures whose own table the user may open from the national one ("*": all)."""
    if sees_everything(user) or (user.council_id and user.council.kind == CouncilKind.NATIONAL):
        return "*"
    return {user.council.prefecture.code} if user.council_id and user.council.prefecture_id else set()


def _filters(request):
    """The table's query; an unreadable 基準日 falls back to today and is reported on the page."""
    filters = TableFilterForm(request.GET)
    filters.is_valid()
    return filters


@login_required
def national(request, slug):
    """The national 集約一覧表: prefectures by block with subtotals, bars against goals; ?format=xlsx|csv."""
    _require_reader(request.user)
    petition = selectors.drive_for(identifier=slug, user=request.user)
    if petition is None:
        raise Http404
    filters = _filters(request)
    table = selectors.tally_table(petition=petition, as_of=filters.cleaned_data.get("date"))
    return _table_response(request, table, "petitions/table.html", filters)


@login_required
def prefecture(request, slug, code):
    """A prefecture's 集約一覧表: its councils, bars against goals; ?format=xlsx|csv."""
    _require_reader(request.user)
    petition = selectors.drive_for(identifier=slug, user=request.user)
    if petition is None:
        raise Http404
    pref = get_object_or_404(Prefecture, code=code)
    if not selectors.may_view_prefecture(user=request.user, prefecture=pref):
        raise PermissionDenied("この都道府県の集約一覧表を表示する権限がありません。")
    filters = _filters(request)
    table = selectors.tally_table(petition=petition, as_of=filters.cleaned_data.get("date"), prefecture=pref)
    return _table_response(request, table, "petitions/table.html", filters)
