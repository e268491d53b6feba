from axes.apps import AppConfig as _AxesConfig
from django.apps import AppConfig
from django_otp.plugins.otp_totp.apps import DefaultConfig as _TOTPConfig


class CoreConfig(AppConfig):
    default = True  # apps.py also holds AxesConfig below
    name = "shaho.core"
    label = "core"
    verbose_name = "共通"

    def ready(self):
        # The login records' admin (national staff only) and the session/OTP signal handlers.
        from . import (  # noqa: F401
            access,
            access_admin,
            checks,  # shared state between web processes
            redis_roles,
        )
        from .backups import admin as backups_admin  # noqa: F401  (the backups' record, national staff only)

        access_admin.register()

        # The read API (issue 21): cached tokens dropped on change, the schema's token scheme, the checks.
        from django.core.checks import register

        from .api import admin as api_admin  # noqa: F401
        from .api import checks as api_checks
        from .api import schema as api_schema  # noqa: F401  (registers the token scheme with drf-spectacular)
        from .api import signals

        signals.connect()
        register(api_checks.api_token_pepper_check, "security", deploy=False)
        register(api_checks.api_rate_check)


class AxesConfig(_AxesConfig):
    """django-axes under a Japanese heading in the admin (its labels: locale/ja)."""

    verbose_name = "ログインの記録"


class TOTPConfig(_TOTPConfig):
    """django-otp's authenticator devices under a Japanese heading in the admin (it showed 「Otp_Totp」)."""

    verbose_name = "二要素認証"
