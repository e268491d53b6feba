from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "社保協"

    def ready(self):
        # The federation's figures, blocks, report kind and home-page panels, into the registries in shaho.core.
        from . import blocks, dashboard, figures, report_kinds  # noqa: F401
