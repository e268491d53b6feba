"""The dashboard registry: the panels of each user's home page, registered by the app that owns the data.

Each app registers its panels in its own ``dashboard`` module, imported by the app's
``AppConfig.ready()`` (as figures and report kinds are)::

    from shaho.core.dashboard import NATIONAL, PREFECTURE, register

    @register("petitions.progress", title="署名の集約状況", audiences={NATIONAL, PREFECTURE}, order=10)
    def progress(ctx):
        ...  # returns a Picture, a list of Pictures, or None (nothing to show this user)

A panel reads only what `ctx.user` may see (through `shaho.core.scoping`, as every page does), in a
number of queries that does not grow with the data, and draws with `shaho.core.charts` or
`municipalities.registry.maps` into `shaho.core.pictures.Picture`.

Audiences: who the home page is for. National staff (the national council's staff and superusers)
see the federation; a prefectural council's staff their prefecture; a local council's staff and
organizers their council; members what is published to them.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from shaho.core.roles import Role, is_staff_user

NATIONAL = "national"
PREFECTURE = "prefecture"
LOCAL = "local"
MEMBER = "member"
AUDIENCES = (NATIONAL, PREFECTURE, LOCAL, MEMBER)


@dataclass
class DashboardContext:
    """What a panel may know: who asks, for which audience, at which date, and a per-page cache."""

    user: object
    audience: str
    date: datetime.date
    cache: dict = field(default_factory=dict)

    @property
    def council(self):
        return getattr(self.user, "council", None)

    def cached(self, key, compute):
        if key not in self.cache:
            self.cache[key] = compute()
        return self.cache[key]


@dataclass(frozen=True)
class PanelSpec:
    key: str
    title: str
    audiences: frozenset
    order: int
    function: object


_PANELS: dict = {}


def register(key, *, title, audiences, order=100):
    """Register a panel function under `key` (unique) for the given audiences; lower `order` shows first."""
    unknown = set(audiences) - set(AUDIENCES)
    if unknown:
        raise ValueError(f"unknown audiences {sorted(unknown)} for panel {key}")

    def decorator(function):
        if key in _PANELS and _PANELS[key].function is not function:
            raise ValueError(f"panel {key} is registered twice")
        _PANELS[key] = PanelSpec(key, title, frozenset(audiences), order, function)
        return function

    return decorator


def registered():
    """Every registered panel, in display order."""
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.key))


def audience_of(user):
    """Which home page `user` gets: NATIONAL, PREFECTURE, LOCAL or MEMBER (None when not logged in)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    if user.is_superuser:
        return NATIONAL
    council = getattr(user, "council", None)
    role = getattr(user, "role", None)
    if role == Role.NATIONAL_STAFF and is_staff_user(user):
        return NATIONAL
    if role == Role.COUNCIL_STAFF and is_staff_user(user) and council is not None:
        kind = getattr(council, "kind", "")
        if kind == "national":
            return NATIONAL
        if kind == "prefectural":
            return PREFECTURE
        return LOCAL
    if role == Role.ORGANIZER and council is not None:
        return LOCAL
    return MEMBER


def context_for(user, *, date=None):
    audience = audience_of(user)
    if audience is None:
        return None
    return DashboardContext(user=user, audience=audience, date=date or timezone.localdate())


def panel(key):
    """The registered panel `key` (KeyError when there is none)."""
    return _PANELS[key]


def panels_for(ctx):
    """[(spec, [Picture, ...]), ...] of the panels for `ctx.audience` that have something to show."""
    out = []
    for spec in registered():
        if ctx.audience not in spec.audiences:
            continue
        result = spec.function(ctx)
        if result is None:
            continue
        pictures = result if isinstance(result, list | tuple) else [result]
        if pictures:
            out.append((spec, list(pictures)))
    return out
