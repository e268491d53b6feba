"""Site pages of campaigns: the phone report of a street action, an action read back, the calendar (当面の日程)
as a page, a printable list and an iCalendar feed, and the export of actions.

Views parse the request, call a service or a selector and render; nothing else.
"""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods

from councils.models import Council
from shaho.core.downloads import file_response
from shaho.core.forms import add_service_errors as _add_service_errors
from shaho.core.roles import is_staff_user, may_record
from shaho.core.scoping import get_scoped_or_404, in_scope, scope_for

from . import exports, feeds, selectors, services
from .forms import ConfirmTotalsForm, RangeForm, SignatureForm, StreetActionForm
from .models import Action, CalendarFeed

CALENDAR_DAYS = 90


def _crumbs(*trail):
    return [("ホーム", reverse("home")), ("行動・日程", reverse("campaigns:calendar")), *trail]


def _require_recorder(user):
    if not may_record(user):
        raise PermissionDenied("行動を入力する権限がありません。")


def _require_reader(user):
    if not (user.is_superuser or user.council_id):
        raise PermissionDenied("所属社保協のないアカウントでは表示できません。")


@login_required
@require_http_methods(["GET", "POST"])
def street_entry(request):
    """The organizer's phone form: one street action's result, with its rows, signatures, poll and voices."""
    _require_recorder(request.user)
    form = StreetActionForm(request.POST or None, user=request.user)
    if request.method == "POST" and "_more" not in request.POST and form.is_valid():
        d = form.cleaned_data
        try:
            recorded = services.action_record(
                user=request.user,
                kind=d["kind"],
                organiser=d["organiser"],
                title=d["title"],
                starts_on=d["starts_on"],
                start_time=d["start_time"],
                end_time=d["end_time"],
                place=d["place"],
                stated_organisations=d["stated_organisations"],
                stated_participants=d["stated_participants"],
                participants=form.participants(),
                outputs=form.outputs(),
                polls=form.polls(),
                voices=form.voices(),
                signatures=form.signatures(),
                submission_token=d["submission_token"],
            )
        except ValidationError as exc:
            _add_service_errors(form, exc)
        else:
            # The action's page is the result: it reads back what was recorded and says so.
            messages.success(request, "宣伝行動の報告を記録しました。内容を確かめてください。")
            return redirect("campaigns:action", pk=recorded.action.pk)
    return render(
        request,
        "campaigns/street_entry.html",
        {"form": form, "breadcrumbs": _crumbs(("宣伝行動を報告", None))},
    )


def _may_edit(user, action):
    return may_record(user) and in_scope(user, action.organiser_id)


@login_required
@require_http_methods(["GET", "POST"])
def action_detail(request, pk):
    """An action read back as reported: 「11団体26人、署名42筆、シール投票75（反対72、賛成3）」."""
    _require_reader(request.user)
    action = get_scoped_or_404(Action.objects.all(), request.user, pk=pk)
    may_edit = _may_edit(request.user, action)
    signature_form = SignatureForm(
        request.POST if "_signatures" in request.POST else None, user=request.user, date=action.starts_on
    )
    confirm_form = ConfirmTotalsForm(request.POST if "_confirm" in request.POST else None)
    if request.method == "POST":
        if not may_edit:
            raise PermissionDenied("この行動を変更する権限がありません。")
        if "_signatures" in request.POST and signature_form.is_valid():
            try:
                services.action_add_signatures(
                    user=request.user,
                    action=action,
                    lines=[
                        {
                            "petition": signature_form.cleaned_data["petition"],
                            "count": signature_form.cleaned_data["count"],
                        }
                    ],
                )
            except ValidationError as exc:
                _add_service_errors(signature_form, exc)
            else:
                return redirect("campaigns:action", pk=action.pk)
        elif "_confirm" in request.POST and confirm_form.is_valid() and is_staff_user(request.user):
            services.totals_confirm(user=request.user, action=action, note=confirm_form.cleaned_data["note"])
            return redirect("campaigns:action", pk=action.pk)
    report = selectors.action_report(action)
    return render(
        request,
        "campaigns/action_detail.html",
        {
            "r": report,
            "action": report.action,
            "may_edit": may_edit,
            "may_add_signatures": may_edit and signature_form.fields["petition"].queryset.exists(),
            # Corrections are made in the admin, which only staff in the organiser's scope may use.
            "may_correct": may_edit and is_staff_user(request.user),
            "may_confirm": may_edit and is_staff_user(request.user),
            "signature_form": signature_form,
            "confirm_form": confirm_form,
            "breadcrumbs": _crumbs((str(action), None)),
        },
    )


def _calendar_council(request):
    """The council whose calendar is shown: ?council= within the user's scope, else the user's own."""
    raw = request.GET.get("council", "")
    if raw.isdigit():
        return get_scoped_or_404(Council.objects.all(), request.user, pk=int(raw))
    if request.user.council_id:
        return request.user.council
    council = Council.objects.filter(parent__isnull=True).first()
    if council is None:
        raise Http404
    return council


def _range(request, default_days=CALENDAR_DAYS):
    form = RangeForm(request.GET)
    today = timezone.localdate()
    start = end = None
    if form.is_valid():
        start, end = form.cleaned_data.get("start"), form.cleaned_data.get("end")
    start = start or today
    end = end or start + datetime.timedelta(days=default_days)
    if end < start:
        end = start + datetime.timedelta(days=default_days)
    return form, start, end


@login_required
def calendar(request):
    """当面の日程: upcoming actions of a council, of the councils above it and below it."""
    _require_reader(request.user)
    council = _calendar_council(request)
    form, start, end = _range(request)
    actions = list(selectors.calendar_actions(council=council, start=start, end=end))
    query = {"council": council.pk, "start": start.isoformat(), "end": end.isoformat()}
    return render(
        request,
        "campaigns/calendar.html",
        {
            "council": council,
            "months": selectors.calendar_months(actions),
            "count": len(actions),
            "start": start,
            "end": end,
            "form": form,
            "print_url": reverse("campaigns:calendar_print") + "?" + urlencode(query),
            "export_xlsx": reverse("campaigns:export") + "?" + urlencode({**query, "format": "xlsx"}),
            "export_csv": reverse("campaigns:export") + "?" + urlencode({**query, "format": "csv"}),
            "councils": scope_for(request.user).order_by("sort_key")[:200],
            "may_record": may_record(request.user),
            "is_staff": is_staff_user(request.user),
            "breadcrumbs": [("ホーム", reverse("home")), ("行動・日程", None)],
        },
    )


@login_required
def calendar_print(request):
    """The printable 当面の日程: month and day in the left column, one action a line."""
    _require_reader(request.user)
    council = _calendar_council(request)
    _form, start, end = _range(request)
    actions = list(selectors.calendar_actions(council=council, start=start, end=end))
    return render(
        request,
        "campaigns/calendar_print.html",
        {"council": council, "months": selectors.calendar_months(actions), "start": start, "end": end},
    )


@login_required
@require_http_methods(["GET", "POST"])
def feed_settings(request):
    """The council's feed address to subscribe to, and a button that issues a new secret (the old one stops)."""
    if not is_staff_user(request.user):
        raise PermissionDenied("カレンダー配信の設定は事務局だけが扱えます。")
    council = _calendar_council(request)
    if request.method == "POST":
        try:
            services.feed_rotate(user=request.user, council=council)
        except ValidationError as exc:
            raise PermissionDenied(" ".join(exc.messages)) from None
        return redirect(reverse("campaigns:feed_settings") + "?" + urlencode({"council": council.pk}))
    feed = services.feed_for(council=council)
    url = request.build_absolute_uri(reverse("campaigns:feed", args=[feed.token]))
    return render(
        request,
        "campaigns/feed_settings.html",
        {
            "council": council,
            "feed": feed,
            "feed_url": url,
            "webcal_url": "webcal://" + url.split("://", 1)[-1],
            "breadcrumbs": _crumbs(("カレンダー配信", None)),
        },
    )


def feed(request, token):
    """The council's iCalendar feed: anyone holding the secret URL (a calendar program) reads it, no login."""
    feed = CalendarFeed.objects.select_related("council").filter(token=token).first()
    if feed is None:
        raise Http404
    body = feeds.council_feed(council=feed.council, base_url=request.build_absolute_uri("/"))
    response = file_response(body, filename="calendar.ics", ascii_fallback="calendar.ics")
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
def export(request):
    """Actions of the calendar's council (above and below) in a period, with their participation: xlsx or CSV."""
    _require_reader(request.user)
    council = _calendar_council(request)
    form, start, end = _range(request, default_days=365)
    fmt = form.cleaned_data.get("format") if form.is_valid() else ""
    actions = selectors.calendar_actions(council=council, start=start, end=end)
    # Only what the user may see: the calendar's councils above the user are visible by the rule of scope_filter.
    actions = actions.filter(pk__in=selectors.visible_actions(user=request.user).values("pk"))
    stem = f"行動一覧_{start:%Y%m%d}-{end:%Y%m%d}"
    if fmt == "csv":
        return file_response(exports.actions_csv(actions), filename=f"{stem}.csv", ascii_fallback="actions.csv")
    return file_response(exports.actions_xlsx(actions), filename=f"{stem}.xlsx", ascii_fallback="actions.xlsx")
