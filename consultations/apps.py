from django.apps import AppConfig


class ConsultationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "consultations"
    verbose_name = "電話相談"

    def ready(self):
        # The report kind, the policy-draft figures and the chapters' blocks into shaho.core's registries;
        # coordinators and responders must use two-factor authentication (shaho.core.access).
        from shaho.core.access import register_otp_requirement

        from . import blocks, dashboard, figures, report_kinds  # noqa: F401
        from .privacy import must_use_two_factor

        register_otp_requirement(must_use_two_factor)
