from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "petitions"
    verbose_name = "署名"

    def ready(self):
        # The petitions' figures, blocks, report kind and policy-draft appendix, into shaho.core's registries.
        from . import blocks, dashboard, figures, report_kinds  # noqa: F401

        self._connect_entry_choices()

    def _connect_entry_choices(self):
        """The phone entry's cached lists (entry_choices.py) go stale when what they are read from changes."""
        from django.apps import apps
        from django.db.models.signals import post_delete, post_save

        from .entry_choices import forget_all

        for label in (
            "petitions.PetitionDrive",
            "petitions.CollectionRound",
            "councils.Council",
            "councils.Organisation",
            "councils.Membership",
        ):
            model = apps.get_model(label)
            post_save.connect(forget_all, sender=model, dispatch_uid=f"entry-choices-save-{label}")
            post_delete.connect(forget_all, sender=model, dispatch_uid=f"entry-choices-delete-{label}")
