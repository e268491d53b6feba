from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "petitions"
    verbose_name = "署名"

    def ready(self):
        # The petitions' figures, blocks, report kind and policy-draft appendix, into shaho.core's registries.
        from . import blocks, dashboard, figures, report_kinds  # noqa: F401
