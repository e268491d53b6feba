from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = "自治体"

    def ready(self):
        # The caravans' admin, figures and report kind (資料集), into the admin site and shaho.core's registries.
        from .caravans import admin, placeholders, reports  # noqa: F401
