"""The site's pages for API tokens (/account/api-tokens/): a council's staff list, make, rename, set the expiry and
the addresses of, and revoke their councils' tokens; national staff see and may revoke every token. The secret is
shown once, on the page that answers the creation, and never again (not in a message, a log or a session)."""

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from shaho.core.forms import add_service_errors
from shaho.core.scoping import get_scoped_or_404, restrict

from . import services
from .forms import ApiTokenCreateForm, ApiTokenForm
from .models import ApiToken


def _staff_only(request):
    if not services.may_manage_tokens(request.user):
        raise PermissionDenied(services.NOT_STAFF)


def _end_of(day):
    if day is None:
        return None
    return timezone.make_aware(datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min))


def _tokens(user):
    return restrict(ApiToken.objects.select_related("council", "created_by"), user).order_by("-created_at", "-pk")


@never_cache
@login_required
def api_tokens(request):
    """The list of tokens and the form that makes one; the answer to the form shows the secret once."""
    _staff_only(request)
    form = ApiTokenCreateForm(request.POST or None, user=request.user)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = services.api_token_create(
                council=form.cleaned_data["council"],
                name=form.cleaned_data["name"],
                access=form.cleaned_data["access"],
                user=request.user,
                expires_at=_end_of(form.cleaned_data["expires_on"]),
                allowed_addresses=form.addresses(),
            )
        except ValidationError as exc:
            add_service_errors(form, _renamed(exc))
        else:
            form = ApiTokenCreateForm(user=request.user)
    response = render(
        request,
        "account/api_tokens.html",
        {"form": form, "tokens": _tokens(request.user), "created": created, "secret": secret, "now": timezone.now()},
    )
    response["Cache-Control"] = "no-store"
    return response


def _renamed(exc):
    """The service's errors keyed by the form's field names (expires_at → expires_on)."""
    if hasattr(exc, "error_dict"):
        return ValidationError({("expires_on" if k == "expires_at" else k): v for k, v in exc.error_dict.items()})
    return exc


@never_cache
@login_required
def api_token_edit(request, pk):
    """Rename a token, set its expiry and its allowed addresses."""
    _staff_only(request)
    token = get_scoped_or_404(ApiToken.objects.select_related("council"), request.user, pk=pk)
    initial = {
        "name": token.name,
        "expires_on": timezone.localdate(token.expires_at - datetime.timedelta(seconds=1))
        if token.expires_at
        else None,
        "allowed_addresses": "\n".join(token.allowed_addresses or []),
    }
    form = ApiTokenForm(request.POST or None, initial=initial)
    if request.method == "POST" and token.revoked_at is None and form.is_valid():
        try:
            services.api_token_update(
                token=token,
                user=request.user,
                name=form.cleaned_data["name"],
                expires_at=_end_of(form.cleaned_data["expires_on"]),
                allowed_addresses=form.addresses(),
            )
        except ValidationError as exc:
            add_service_errors(form, _renamed(exc))
        else:
            messages.success(request, f"トークン「{token.name}」を変更しました。")
            return redirect("api_tokens")
    return render(request, "account/api_token_edit.html", {"form": form, "token": token})


@require_POST
@login_required
def api_token_revoke(request, pk):
    """Revoke a token (POST only): it stops working at the next request."""
    _staff_only(request)
    token = get_scoped_or_404(ApiToken.objects.all(), request.user, pk=pk)
    services.api_token_revoke(token=token, user=request.user)
    messages.success(request, f"トークン「{token.name}」を失効させました。")
    return redirect("api_tokens")
