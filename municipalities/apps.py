from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = "自治体"

    def ready(self):
        # The local assemblies' figures, report kind and staff pages, into shaho.core's registries and the admin.
        from .assemblies import admin, placeholders, reports  # noqa: F401
