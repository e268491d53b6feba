"""Site pages of the consultations: days and their live totals, a station's calls, the fast call form,
a call (its free text only for its station's responders and the coordinators, every read logged),
the coordinators' read log and retention page, and the public press-release pages of counts.

Views parse the request, call a service or a selector and render; nothing else.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from shaho.core.downloads import file_response
from shaho.core.forms import add_service_errors as _add_errors
from shaho.core.japanese import normalize

from . import access, selectors, services
from .exports import totals_filename, totals_xlsx
from .forms import CallForm
from .models import CallRecord, ConsultationDay, PurgeRun
from .privacy import fields_for, is_coordinator, may_read_free_text, personal_fields


def _refresh_seconds():
    """How often the live totals page fetches its figures again (settings.CONSULTATIONS_REFRESH_SECONDS, 30 s)."""
    return getattr(settings, "CONSULTATIONS_REFRESH_SECONDS", 30)


def _crumbs(*trail):
    return [("ホーム", reverse("home")), ("電話相談", reverse("consultations:days")), *trail]


def _day_crumb(day):
    return (str(day), reverse("consultations:day", args=[day.pk]))


def _station_or_404(user, pk):
    station = access.listable_station(user=user, pk=pk)
    if station is None:
        raise Http404
    return station


def _call_or_404(user, pk):
    call = access.listable_call(user=user, pk=pk)
    if call is None:
        raise Http404
    return call


@login_required
def day_list(request):
    days = selectors.days_for(user=request.user).order_by("-date", "pk")[:200]
    return render(
        request,
        "consultations/day_list.html",
        {
            "days": days,
            "my_stations": access.stations_answered_by(user=request.user),
            "coordinator": is_coordinator(request.user),
            "breadcrumbs": [("ホーム", reverse("home")), ("電話相談", None)],
        },
    )


@login_required
def day_detail(request, pk):
    """A day's totals beside last year's, refreshing itself while the day runs (static/js/consultations_live.js)."""
    day = get_object_or_404(selectors.days_for(user=request.user), pk=pk)
    totals = selectors.day_totals(day=day, stations=access.counted_stations(user=request.user, day=day))
    listable = access.listable_station_ids(user=request.user, day=day)
    context = {
        "day": day,
        "t": totals,
        "listable": listable,
        "refresh": _refresh_seconds(),
        "live": day.date == timezone.localdate(),
        "fragment_url": reverse("consultations:day", args=[day.pk]) + "?fragment=1",
        "xlsx_url": reverse("consultations:day_xlsx", args=[day.pk]),
        "partial_view": not selectors.sees_all_calls(request.user),
        "breadcrumbs": _crumbs((str(day), None)),
    }
    if request.GET.get("fragment"):
        return render(request, "consultations/_totals.html", context)
    return render(request, "consultations/day.html", context)


@login_required
def day_xlsx(request, pk):
    day = get_object_or_404(selectors.days_for(user=request.user), pk=pk)
    totals = selectors.day_totals(day=day, stations=access.counted_stations(user=request.user, day=day))
    name, fallback = totals_filename(day)
    return file_response(totals_xlsx(totals), filename=name, ascii_fallback=fallback)


@login_required
def station_detail(request, pk):
    """A station's calls, statistical fields only (no free text on a list), newest first."""
    station = _station_or_404(request.user, pk)
    calls = (
        CallRecord.objects.filter(station=station)
        .select_related("responder__user", "municipality")
        .prefetch_related("categories")
        .order_by("-started_at", "-pk")[:500]
    )
    return render(
        request,
        "consultations/station.html",
        {
            "station": station,
            "calls": calls,
            "may_record": services.may_record_at(request.user, station),
            "breadcrumbs": _crumbs(_day_crumb(station.day), (str(station.council), None)),
        },
    )


def _masking_data(request):
    """The POST with phone numbers and e-mail addresses in the free text masked, and which fields changed."""
    data = request.POST.copy()
    found = services.contacts_found(**{name: data.get(name, "") for name in personal_fields()})
    for name, masked in found.items():
        data[name] = masked
    return data, found


def _call_fields(data, station):
    return {
        "line": data["line"],
        "responder": data["responder"],
        "started_at": services.started_at_on(station.day, data["started_at"]),
        "duration_minutes": data["duration_minutes"],
        "caller_type": data["caller_type"],
        "caller_relation": data["caller_relation"],
        "age_band": data["age_band"],
        "sex": data["sex"],
        "care_level": data["care_level"],
        "municipality": data["municipality"],
        "follow_up": data["follow_up"],
        **{name: data[name] for name in personal_fields()},
    }


def _kept_from_previous_call(params):
    """Line and responder of the call just saved: who answers on which line rarely changes between calls."""
    return {name: params[name] for name in ("line", "responder") if params.get(name, "").isdigit()}


def _saved_call(params, station):
    done = params.get("done", "")
    return CallRecord.objects.filter(station=station, pk=done).only("pk").first() if done.isdigit() else None


CONTACT_WARNING = (
    "「{fields}」に電話番号またはメールアドレスが入っていたため、伏せ字にしました。"
    "内容を確かめて、もう一度「記録する」を押してください（まだ保存していません）。"
)


def _contact_warning(form, found):
    labels = "」「".join(str(form.fields[name].label) for name in found)
    return CONTACT_WARNING.format(fields=labels)


@login_required
@require_http_methods(["GET", "POST"])
def call_new(request, pk):
    """The fast call form: refused input comes back as typed; contacts in the free text are masked first."""
    station = _station_or_404(request.user, pk)
    if not services.may_record_at(request.user, station):
        raise PermissionDenied("この会場の相談を記録できるのは、その会場の相談員と全国コーディネーターだけです。")
    warning = None
    if request.method == "POST":
        data, found = _masking_data(request)
        form = CallForm(data, station=station, user=request.user)
        if found:
            warning = _contact_warning(form, found)
            form.is_valid()  # show the other problems too, at once
        elif form.is_valid():
            cleaned = form.cleaned_data
            try:
                recorded = services.call_record(
                    user=request.user,
                    station=station,
                    categories=cleaned["categories"],
                    submission_token=cleaned["submission_token"],
                    **_call_fields(cleaned, station),
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                for message in recorded.warnings:
                    messages.warning(request, message)
                # The next call starts on an empty form (line and responder kept), the saved one acknowledged
                # in the page's live region (call_form.html) rather than a message above the header's links.
                query = urlencode(
                    {"done": recorded.call.pk, "line": cleaned["line"], "responder": cleaned["responder"].pk}
                )
                return redirect(reverse("consultations:call_new", args=[station.pk]) + f"?{query}")
    else:
        form = CallForm(station=station, user=request.user, initial=_kept_from_previous_call(request.GET))
    form.set_focus(warning=bool(warning))
    return render(
        request,
        "consultations/call_form.html",
        {
            "form": form,
            "station": station,
            "warning": warning,
            "saved": _saved_call(request.GET, station) if request.method == "GET" else None,
            "count": CallRecord.objects.filter(station=station).count(),
            "breadcrumbs": _crumbs(
                _day_crumb(station.day),
                (str(station.council), reverse("consultations:station", args=[station.pk])),
                ("相談を記録", None),
            ),
        },
    )


@login_required
def call_detail(request, pk):
    """One call: statistical fields for whoever may list it; free text for its responders and coordinators, logged."""
    call = _call_or_404(request.user, pk)
    readable = bool(services.free_text_read_log(user=request.user, calls=[call], purpose="detail"))
    return render(
        request,
        "consultations/call.html",
        {
            "call": call,
            "readable": readable,
            # what this user may be shown of the call, from the one marking (consultations.privacy)
            "free_text": [
                (call._meta.get_field(n).verbose_name, getattr(call, n))
                for n in fields_for(request.user, call)
                if n in personal_fields() and readable
            ],
            "categories": call.categories.all(),
            "breadcrumbs": _crumbs(
                _day_crumb(call.station.day),
                (str(call.station.council), reverse("consultations:station", args=[call.station_id])),
                (f"#{call.pk}", None),
            ),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def call_edit(request, pk):
    call = _call_or_404(request.user, pk)
    if not may_read_free_text(request.user, call):
        raise PermissionDenied("この相談記録を直せるのは、その会場の相談員と全国コーディネーターだけです。")
    station = call.station
    warning = None
    if request.method == "POST":
        data, found = _masking_data(request)
        form = CallForm(data, station=station, user=request.user)
        if found:
            warning = _contact_warning(form, found)
            form.is_valid()
        elif form.is_valid():
            cleaned = form.cleaned_data
            try:
                services.call_update(
                    user=request.user, call=call, categories=cleaned["categories"], **_call_fields(cleaned, station)
                )
            except ValidationError as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, f"相談記録 #{call.pk} を直しました。")
                return redirect("consultations:call", pk=call.pk)
    else:
        services.free_text_read_log(user=request.user, calls=[call], purpose="edit")
        names = ("line", "duration_minutes", "caller_type", "caller_relation", "age_band", "sex", "care_level")
        initial = {name: getattr(call, name) for name in (*names, "follow_up", *personal_fields())}
        initial.update(
            responder=call.responder_id,
            municipality=call.municipality_id,
            categories=list(call.categories.values_list("pk", flat=True)),
            started_at=timezone.localtime(call.started_at).strftime("%H:%M") if call.started_at else "",
        )
        form = CallForm(initial=initial, station=station, user=request.user)
    form.set_focus(warning=bool(warning))
    return render(
        request,
        "consultations/call_form.html",
        {
            "form": form,
            "station": station,
            "call": call,
            "warning": warning,
            "breadcrumbs": _crumbs(
                _day_crumb(station.day), (f"#{call.pk}", reverse("consultations:call", args=[call.pk])), ("直す", None)
            ),
        },
    )


def _require_coordinator(user):
    if not is_coordinator(user):
        raise PermissionDenied("全国コーディネーターだけが開けるページです。")


@login_required
def read_log(request):
    """Who read which call's free text, and when (never the text): the coordinators' page."""
    _require_coordinator(request.user)
    return render(
        request,
        "consultations/read_log.html",
        {"reads": selectors.read_log(), "breadcrumbs": _crumbs(("自由記述の閲覧記録", None))},
    )


@login_required
@require_http_methods(["GET", "POST"])
def retention(request):
    """The retention period of free text (coordinators set it) and the log of purges."""
    _require_coordinator(request.user)
    error, typed = None, ""
    if request.method == "POST":
        typed = request.POST.get("years", "")
        try:
            years = int(normalize(typed).removesuffix("年"))
        except ValueError:
            error = f"「保存年数」: 「{typed}」は年数として読めません（例: 3）。"
        else:
            try:
                services.retention_set(user=request.user, years=years)
            except ValidationError as exc:
                error = " ".join(exc.messages)
            else:
                messages.success(request, f"自由記述の保存期間を{years}年にしました。")
                return redirect("consultations:retention")
    return render(
        request,
        "consultations/retention.html",
        {
            "years": services.retention_years(),
            "typed": typed,
            "error": error,
            "runs": PurgeRun.objects.select_related("ran_by")[:50],
            "breadcrumbs": _crumbs(("自由記述の保存期間", None)),
        },
    )


# --- public: counts of published days, for the press ----------------------------------------------


def public_days(request):
    return render(request, "consultations/public_days.html", {"days": selectors.published_days()[:50]})


def public_day(request, pk):
    day = get_object_or_404(ConsultationDay.objects.filter(published=True).select_related("council"), pk=pk)
    totals = selectors.day_totals(day=day)
    context = {
        "day": day,
        "t": totals,
        "public": True,
        "listable": set(),
        "refresh": _refresh_seconds(),
        "live": day.date == timezone.localdate(),
        "fragment_url": reverse("public_consultations:day", args=[day.pk]) + "?fragment=1",
    }
    if request.GET.get("fragment"):
        return render(request, "consultations/_totals.html", context)
    return render(request, "consultations/public_day.html", context)
