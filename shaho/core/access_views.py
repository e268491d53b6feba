"""The account's own security pages: TOTP enrolment and check, logging out everywhere, password reset."""

import segno
from django import forms
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from . import access
from .forms import NamedErrors


class TokenForm(NamedErrors, forms.Form):
    token = forms.CharField(
        label="確認コード（6桁）",
        max_length=6,
        min_length=6,
        error_messages={
            "required": "認証アプリに表示された6桁の確認コードを入力してください。",
            "min_length": "確認コードは6桁の数字です。",
            "max_length": "確認コードは6桁の数字です。",
        },
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise forms.ValidationError("確認コードは6桁の数字です。")
        return token


WRONG_TOKEN = "確認コードが正しくありません。認証アプリに表示されている最新のコードを入力してください。"


def _confirmed_devices(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


@never_cache
@login_required
def otp_verify(request):
    """The TOTP check after the password, for accounts that have a device or must have one."""
    devices = list(_confirmed_devices(request.user))
    if not devices:
        return redirect(f"{reverse('otp_setup')}?{urlencode({'next': access.safe_next(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next((d for d in devices if d.verify_token(form.cleaned_data["token"])), None)
        if device is not None:
            otp_login(request, device)
            return redirect(access.safe_next(request))
        form.add_error("token", WRONG_TOKEN)
    return render(request, "account/otp_verify.html", {"form": form, "next": access.safe_next(request)})


@never_cache
@login_required
def otp_setup(request):
    """Enrol a phone authenticator: show the key as a QR code, confirm it with one code."""
    user = request.user
    if _confirmed_devices(user).exists() and not user.is_verified():
        return redirect("otp_verify")
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="認証アプリ", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
            otp_login(request, device)
            request.session[access.OTP_DEVICE_AT_LOGIN] = True
            # Sessions opened before the enrolment never passed the check: end them.
            access.logout_other_sessions(request)
            messages.success(request, "二要素認証を設定しました。次回から、ログインのときに確認コードを入力します。")
            return redirect(access.safe_next(request))
        form.add_error("token", WRONG_TOKEN)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "account/otp_setup.html",
        {
            "form": form,
            "qr_data_uri": qr.svg_data_uri(scale=4, dark="#000", light="#fff"),
            "secret": _grouped_base32(device.bin_key),
            "required": access.otp_required_for(user),
            "next": access.safe_next(request),
        },
    )


def _grouped_base32(key):
    from base64 import b32encode

    text = b32encode(key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


@require_POST
@login_required
def otp_disable(request):
    """Remove the account's authenticator; refused for the accounts that must keep one."""
    if access.otp_required_for(request.user):
        messages.error(request, "このアカウントは二要素認証が必須のため、解除できません。")
        return redirect("home")
    TOTPDevice.objects.filter(user=request.user).delete()
    request.session[access.OTP_DEVICE_AT_LOGIN] = False
    messages.success(request, "二要素認証を解除しました。")
    return redirect("home")


@require_POST
@login_required
def logout_everywhere(request):
    """End every session of this account, this one included."""
    access.logout_everywhere(user=request.user)
    logout(request)
    messages.success(request, "すべての端末からログアウトしました。もう一度ログインしてください。")
    return redirect("login")


class PasswordResetView(auth_views.PasswordResetView):
    """Django's reset request, counted per address and per e-mail (see access.password_reset_allowed)."""

    def form_valid(self, form):
        if not access.password_reset_allowed(self.request, form.cleaned_data["email"]):
            form.add_error(None, access.PASSWORD_RESET_LIMIT_MESSAGE)
            response = self.form_invalid(form)
            response.status_code = 429
            return response
        return super().form_valid(form)
