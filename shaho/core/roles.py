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


# --- what a role may do: every app asks these, none writes its own ---------------------------------


def is_staff_user(user):
    """An active account with a staff role (or a superuser): opens the admin, makes reports."""
    return bool(
        user
        and user.is_active
        and (user.is_superuser or (user.is_staff and getattr(user, "role", None) in STAFF_ROLES))
    )


def may_record(user):
    """An active account of an organizer or staff attached to a council (or a superuser): records tallies and
    actions on the site; members only read. Which councils it may record for is `scoping.in_scope`."""
    return bool(
        user
        and user.is_authenticated
        and user.is_active
        and (user.is_superuser or (getattr(user, "role", None) in RECORDING_ROLES and user.council_id))
    )
