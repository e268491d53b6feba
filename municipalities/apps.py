from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = "自治体"

    def ready(self):
        # The caravans' and the local assemblies' admin, figures and report kinds, into the admin site and
        # shaho.core's registries.
        from .assemblies import admin, placeholders, reports  # noqa: F401
        from .caravans import admin as caravans_admin  # noqa: F401
        from .caravans import placeholders as caravans_placeholders  # noqa: F401
        from .caravans import reports as caravans_reports  # noqa: F401
