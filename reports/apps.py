from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "報告書・資料"

    def ready(self):
        # The kinds that read every app (the policy draft, the prefecture report gathering every app's
        # blocks); the other kinds and the figures are registered by the apps that own their data, each
        # from its own AppConfig.ready() (councils, petitions).
        from . import dashboard, kinds, prefecture_report  # noqa: F401
