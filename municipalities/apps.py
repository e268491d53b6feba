from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = "自治体"

    def ready(self):
        # Each layer's admin, figures, blocks, report kinds and home-page panels, into the admin site and shaho.core's
        # registries.
        # The registry's admin is here too: the app has no top-level admin.py, only its layers.
        from .assemblies import admin as assemblies_admin  # noqa: F401
        from .assemblies import blocks as assemblies_blocks  # noqa: F401
        from .assemblies import dashboard as assemblies_dashboard  # noqa: F401
        from .assemblies import figures as assemblies_figures  # noqa: F401
        from .assemblies import report_kinds as assemblies_report_kinds  # noqa: F401
        from .caravans import admin as caravans_admin  # noqa: F401
        from .caravans import blocks as caravans_blocks  # noqa: F401
        from .caravans import dashboard as caravans_dashboard  # noqa: F401
        from .caravans import figures as caravans_figures  # noqa: F401
        from .caravans import report_kinds as caravans_report_kinds  # noqa: F401
        from .registry import admin as registry_admin  # noqa: F401
