"""Access: login lock-out, session limits, logging out everywhere and two-factor authentication.

The pieces django-axes and django-otp leave to the project, in one place:

- `client_ip(request)`: the address failures are counted against (REMOTE_ADDR unless a
  proxy header is trusted by configuration);
- `LockoutBackend` and `lockout_response`: the lock-out on every login (site, admin);
- `password_reset_allowed(request, email)`: the password-reset request limit;
- `SessionLimitsMiddleware`: idle and absolute session limits;
- `logout_everywhere(user=...)`: ends every session of an account;
- `otp_required_for(user)` and `OTPRequiredMiddleware`: who must verify a TOTP token, and
  the gate that sends them to the verification page before anything else.
"""

import secrets
import time

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, logout, update_session_auth_hash
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode

LOCKOUT_MESSAGE = (
    "ログインに続けて失敗したため、このユーザー名またはこの接続元からのログインを一時的に止めています。"
    "{minutes}分ほど待ってから、もう一度お試しください。急ぐときは中央事務局に解除を依頼してください。"
)
PASSWORD_RESET_LIMIT_MESSAGE = (
    "パスワード再設定の依頼が続いたため、受け付けを一時的に止めています。しばらく待ってからもう一度お試しください。"
)


# --- the client address ------------------------------------------------------------


def client_ip(request):
    """The address a request came from: REMOTE_ADDR, or the trusted proxy's header if configured.

    Only a header the proxy itself writes may be trusted (settings.TRUSTED_PROXY_IP_HEADER,
    e.g. HTTP_X_REAL_IP). Of a comma-separated list the right-most entry is taken: the one the
    proxy added, not one the client sent.
    """
    header = getattr(settings, "TRUSTED_PROXY_IP_HEADER", "")
    if header:
        value = request.META.get(header, "")
        entries = [part.strip() for part in value.split(",") if part.strip()]
        if entries:
            return entries[-1]
    return request.META.get("REMOTE_ADDR")


# --- login lock-out (django-axes) ----------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """Axes' lock-out check on every web login; authenticate() without a request is not a web login.

    Management commands and the demo check call authenticate() without a request; nothing
    can be guessed through them from outside, and Axes would raise instead of answering.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class CouncilUserBackend(ModelBackend):
    """Django's ModelBackend, loading the user's council with the user (one query, a join): the scope of
    nearly every signed-in page starts from `user.council.path`, which would otherwise be a query of its own.

    Listed before Django's own ModelBackend, which stays in the list only so that sessions signed in
    through it (before this backend existed) keep working; credentials checked here and refused end the
    chain (PermissionDenied), so a failed login is not hashed a second time by the old backend.
    """

    def get_user(self, user_id):
        User = get_user_model()
        try:
            user = User._default_manager.select_related("council").get(pk=user_id)
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None

    def authenticate(self, request, username=None, password=None, **kwargs):
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if username is None:
            username = kwargs.get(get_user_model().USERNAME_FIELD)
        if user is None and username is not None and password is not None:
            raise PermissionDenied("the credentials were checked: no other backend checks them again")
        return user


def lockout_minutes():
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request, original_response=None, credentials=None):
    """The page for a locked login: the same for every user name, known or not (status 429)."""
    return render(
        request,
        "registration/locked_out.html",
        {"message": LOCKOUT_MESSAGE.format(minutes=lockout_minutes())},
        status=429,
    )


# --- password reset requests ---------------------------------------------------------


def _count(key, window_seconds):
    cache.add(key, 0, timeout=window_seconds)
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window_seconds)
        return 1


def password_reset_allowed(request, email):
    """Count one reset request for the address and for the e-mail; False past the limit of either.

    Axes guards authenticate(); a reset request authenticates nothing, so it has its own
    limit: PASSWORD_RESET_LIMIT requests per PASSWORD_RESET_WINDOW, per address and per
    e-mail address (the second keeps one mailbox from being flooded from many addresses).
    The answer is the same whether an account has that e-mail or not.
    """
    window = int(settings.PASSWORD_RESET_WINDOW.total_seconds())
    limit = settings.PASSWORD_RESET_LIMIT
    by_ip = _count(f"password-reset:ip:{client_ip(request)}", window)
    by_email = _count(f"password-reset:email:{email.strip().lower()}", window)
    return by_ip <= limit and by_email <= limit


# --- sessions ------------------------------------------------------------------------

LOGIN_AT = "shaho_login_at"
SEEN_AT = "shaho_seen_at"
OTP_DEVICE_AT_LOGIN = "shaho_otp_device"
# The last-seen time is written at most this often, so a session is not saved on every request.
SEEN_RESOLUTION_SECONDS = 60


def current_time():
    """Seconds since the epoch; the one clock the session limits read (tests replace it)."""
    return time.time()


def _is_staff(user):
    return bool(user.is_superuser or user.is_staff)


@receiver(user_logged_in, dispatch_uid="shaho.core.access.session_started")
def _session_started(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = current_time()
    request.session[LOGIN_AT] = now
    request.session[SEEN_AT] = now
    request.session[OTP_DEVICE_AT_LOGIN] = _has_confirmed_device(user)


class SessionLimitsMiddleware:
    """Log out staff idle for SESSION_IDLE_TIMEOUT, and everyone SESSION_ABSOLUTE_TIMEOUT after login."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            expired = self._expired(request, user)
            if expired:
                logout(request)
                messages.info(request, expired)
                return redirect(f"{reverse('login')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _expired(self, request, user):
        session = request.session
        now = current_time()
        login_at = session.get(LOGIN_AT)
        if login_at is None:  # a session from before these limits: it starts counting now
            session[LOGIN_AT] = login_at = now
        if now - login_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
            days = settings.SESSION_ABSOLUTE_TIMEOUT.days
            return f"ログインから{days}日が過ぎたため、ログアウトしました。もう一度ログインしてください。"
        seen_at = session.get(SEEN_AT, now)
        if _is_staff(user) and now - seen_at > settings.SESSION_IDLE_TIMEOUT.total_seconds():
            hours = settings.SESSION_IDLE_TIMEOUT.total_seconds() / 3600
            return f"{hours:g}時間操作がなかったため、ログアウトしました。もう一度ログインしてください。"
        if now - seen_at >= SEEN_RESOLUTION_SECONDS or SEEN_AT not in session:
            session[SEEN_AT] = now
        return None


def logout_everywhere(*, user):
    """End every session of `user`, on every device, whatever the session engine.

    Sessions carry a hash of the account's session salt (User.get_session_auth_hash); a new
    salt makes every existing session's hash stale, and Django logs such sessions out on
    their next request.
    """
    user.session_salt = secrets.token_hex(16)
    user._meta.model.objects.filter(pk=user.pk).update(session_salt=user.session_salt)
    return user


def logout_other_sessions(request):
    """End every other session of the request's user and keep this one."""
    logout_everywhere(user=request.user)
    update_session_auth_hash(request, request.user)


# --- two-factor authentication (django-otp) ------------------------------------------


def otp_required_for(user):
    """Whether `user` must verify a TOTP token before using the site (never with DEBUG on).

    National staff and superusers; an app adds roles to settings.OTP_REQUIRED_ROLES, or registers
    its own rule with `register_otp_requirement` (consultations: coordinators and responders).
    """
    if not getattr(settings, "OTP_REQUIRED", False):
        return False
    if not user or not user.is_authenticated:
        return False
    if user.is_superuser or getattr(user, "role", None) in settings.OTP_REQUIRED_ROLES:
        return True
    return any(check(user) for check in _otp_requirements)


# Apps' own rules for who must use two-factor authentication beyond the roles (consultations: its
# coordinators and responders, who are not a role): fn(user) -> bool, registered from ready().
_otp_requirements = []


def register_otp_requirement(check):
    """Require TOTP of every user for whom `check(user)` is true (an app calls this once, from ready())."""
    if check not in _otp_requirements:
        _otp_requirements.append(check)
    return check


def _has_confirmed_device(user):
    from django_otp import user_has_device

    return user_has_device(user, confirmed=True)


def session_has_device(request):
    """Whether the logged-in user had a confirmed device when this session started (asked once)."""
    session = request.session
    if OTP_DEVICE_AT_LOGIN not in session:
        session[OTP_DEVICE_AT_LOGIN] = _has_confirmed_device(request.user)
    return session[OTP_DEVICE_AT_LOGIN]


def verification_needed(request):
    """Whether this session must pass the TOTP check now: the account has a device or is required to."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return False
    return otp_required_for(user) or session_has_device(request)


# Pages an unverified session may still open: the check itself, enrolment, logging out.
OTP_OPEN_URL_NAMES = ("otp_verify", "otp_setup", "logout")


class OTPRequiredMiddleware:
    """Send a session that must verify a TOTP token to the check before any other page, admin included.

    A required account without a device is sent to enrolment first. Static files are not
    behind it (they carry nothing of the user's).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and not request.path.startswith(f"/{settings.STATIC_URL.lstrip('/')}"):
            open_paths = {reverse(name) for name in OTP_OPEN_URL_NAMES}
            if request.path not in open_paths and verification_needed(request):
                target = "otp_verify" if session_has_device(request) else "otp_setup"
                return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


def otp_required(view):
    """A view only for verified sessions when `otp_required_for(user)` (for apps that need it per view)."""
    from functools import wraps

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if otp_required_for(request.user) and not request.user.is_verified():
            return redirect(f"{reverse('otp_verify')}?{urlencode({'next': request.get_full_path()})}")
        return view(request, *args, **kwargs)

    return wrapped


def safe_next(request, default="home"):
    """The ?next= target when it stays on this site, else `default`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return reverse(default)
