"""Accounts' roles: the one enum, below every app, so scoping and the admin base read it too."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    NATIONAL_STAFF = "national_staff", _("中央事務局")
    COUNCIL_STAFF = "council_staff", _("社保協事務局")
    ORGANIZER = "organizer", _("オルグ・集約担当")
    MEMBER = "member", _("会員")


# Roles that open the admin (is_staff follows them; see councils.services.user_set_role).
STAFF_ROLES = frozenset({Role.NATIONAL_STAFF, Role.COUNCIL_STAFF})
# Roles that record tallies on the site.
RECORDING_ROLES = frozenset({Role.NATIONAL_STAFF, Role.COUNCIL_STAFF, Role.ORGANIZER})
