from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "shaho.core"
    label = "core"
    verbose_name = "共通"
