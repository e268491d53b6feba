from django.apps import AppConfig


class MunicipalitiesConfig(AppConfig):
    name = "municipalities"
    verbose_name = "自治体"
