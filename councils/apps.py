from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "社保協"

    def ready(self):
        # The federation's figures and its report kind, into the registries in shaho.core.
        from . import figures, report_kinds  # noqa: F401
