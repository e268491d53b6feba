from django.apps import AppConfig


class CouncilsConfig(AppConfig):
    name = "councils"
    verbose_name = "社保協"
