from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "campaigns"
    verbose_name = "運動・行動"

    def ready(self):
        # The campaigns' figures, blocks and report kind (当面の日程) into shaho.core's registries, and the
        # materials' blocks and report kind (納品書・請求書).
        from . import blocks, dashboard, figures, report_kinds  # noqa: F401
        from .materials import blocks as materials_blocks  # noqa: F401
        from .materials import report_kinds as materials_report_kinds  # noqa: F401
