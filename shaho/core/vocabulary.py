"""Words the apps share, so that one report can count them together."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Evaluation(models.TextChoices):
    """Our evaluation of a municipality's (or a ministry's) answer to a demand: in a negotiation (campaigns)
    and in a caravan's talk or written answer (municipalities.caravans)."""

    ADVANCED = "advanced", _("前進")
    UNCHANGED = "unchanged", _("現状維持")
    RETREATED = "retreated", _("後退")
    NO_ANSWER = "no_answer", _("回答なし")
