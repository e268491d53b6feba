from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = "報告書・資料"

    def ready(self):
        # Each app registers its own figures in its `placeholders` module (councils/placeholders.py ...),
        # and the kinds of document are registered by reports.kinds; both are loaded here, once.
        autodiscover_modules("placeholders")
        from . import kinds  # noqa: F401
