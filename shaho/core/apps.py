from axes.apps import AppConfig as _AxesConfig
from django.apps import AppConfig


class CoreConfig(AppConfig):
    default = True  # apps.py also holds AxesConfig below
    name = "shaho.core"
    label = "core"
    verbose_name = "共通"

    def ready(self):
        # The login records' admin (national staff only) and the session/OTP signal handlers.
        from . import access, access_admin  # noqa: F401

        access_admin.register()


class AxesConfig(_AxesConfig):
    """django-axes under a Japanese heading in the admin (its labels: locale/ja)."""

    verbose_name = "ログインの記録"
