"""Which councils a user may see, and every queryset restricted by it.

One mechanism for the admin, form choices, views and exports: a user sees their
own council and the councils below it; national staff and superusers see all.
Each scoped model says how its rows hang off councils with a classmethod
`scope_filter(councils) -> Q`.
"""

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from .roles import Role


def _council_model():
    return apps.get_model("councils", "Council")


def sees_everything(user):
    return bool(user and user.is_active and (user.is_superuser or getattr(user, "role", None) == Role.NATIONAL_STAFF))


def scope_for(user):
    """The councils `user` may see: a queryset of Council (empty for anonymous or unattached users)."""
    Council = _council_model()
    if not user or not user.is_authenticated or not user.is_active:
        return Council.objects.none()
    if sees_everything(user):
        return Council.objects.all()
    if not user.council_id:
        return Council.objects.none()
    return Council.objects.filter(path__startswith=user.council.path)


def restrict(queryset, user):
    """`queryset` narrowed to the rows `user` may see, by the model's own `scope_filter`."""
    model = queryset.model
    if not hasattr(model, "scope_filter"):
        raise ImproperlyConfigured(f"{model.__name__} has no scope_filter(): it cannot be shown to users.")
    if sees_everything(user):
        return queryset
    if not user or not user.is_authenticated:
        return queryset.none()
    return queryset.filter(model.scope_filter(scope_for(user)))


def get_scoped_or_404(queryset, user, **lookup):
    from django.shortcuts import get_object_or_404

    return get_object_or_404(restrict(queryset, user), **lookup)


def system_user(user):
    """None (a management command, cron) or someone who sees the whole federation."""
    return user is None or sees_everything(user)


def in_scope(user, council):
    """Whether `council` (a Council or its id) is within `user`'s scope: at most one query.

    A system run (`system_user`) may touch every council; no council (None) is in nobody's scope;
    an anonymous, inactive or unattached user has none.
    """
    council_id = getattr(council, "pk", council)
    if council_id is None:
        return False
    if system_user(user):
        return True
    return scope_for(user).filter(pk=council_id).exists()


def require_in_scope(user, council):
    """Raise PermissionDenied unless `council` is within the user's scope (see `in_scope`)."""
    if not in_scope(user, council):
        raise PermissionDenied("この社保協のデータを扱う権限がありません。")
