from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "報告書・資料"

    def ready(self):
        # The engine's own kind; the other kinds and the figures are registered by the apps that own
        # their data, each from its own AppConfig.ready() (councils, petitions).
        from . import dashboard, kinds  # noqa: F401
