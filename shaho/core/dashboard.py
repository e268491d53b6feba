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

import dataclasses
import datetime
from dataclasses import dataclass, field

from django.urls import reverse
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


def _pictures(spec, ctx):
    result = spec.function(ctx)
    if result is None:
        return []
    pictures = result if isinstance(result, list | tuple) else [result]
    return [with_download(p, spec.key) for p in pictures]


def panels_for(ctx):
    """[(spec, [Picture, ...]), ...] of the panels for `ctx.audience` that have something to show.

    Each picture's `download` is set to the overview download of (panel, picture) when the panel left it empty.
    """
    out = []
    for spec in registered():
        if ctx.audience not in spec.audiences:
            continue
        pictures = _pictures(spec, ctx)
        if pictures:
            out.append((spec, pictures))
    return out


def picture_for(ctx, panel_key, picture_key):
    """The picture `picture_key` of panel `panel_key`, recomputed for `ctx` (its user's scope); None when the
    panel does not exist, is not for `ctx.audience`, or has no such picture for this user (a 404)."""
    spec = _PANELS.get(panel_key)
    if ctx is None or spec is None or ctx.audience not in spec.audiences:
        return None
    return next((p for p in _pictures(spec, ctx) if p.key == picture_key), None)


def download_url(panel_key, picture_key):
    """Where a dashboard picture's table downloads (xlsx by default; ?format=csv for CSV)."""
    return reverse("overview_download", args=[panel_key, picture_key])


def with_download(picture, panel_key):
    if picture.download:
        return picture
    return dataclasses.replace(picture, download=download_url(panel_key, picture.key))


# --- helpers the panels share ----------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """A table cell that is a link on the page and its text in a download (exports write `str(cell)`)."""

    text: str
    href: str = ""

    def __str__(self):
        return self.text


def percent_of(value, goal):
    """% of goal to one decimal, or None without a goal."""
    return round(value * 100 / goal, 1) if goal else None


def add_years(date, years):
    """`date` moved by whole years (29 February becomes the 28th in a common year)."""
    try:
        return date.replace(year=date.year + years)
    except ValueError:
        return date.replace(year=date.year + years, day=28)


def fiscal_year_start(date):
    """The first day of the 年度 (April–March) `date` falls in."""
    return datetime.date(date.year if date.month >= 4 else date.year - 1, 4, 1)


def bar(label, value, note="", href=""):
    """A `shaho.core.charts.Bar` with its drill-down link."""
    from shaho.core import charts

    return charts.Bar(label, value, note, href)


# Sizes for a page: the charts' defaults suit an A4 page; on a screen a bar chart's text must stay
# readable when the SVG shrinks to a 360 px phone (12-unit text in a 420-unit drawing: about 10 px there).
SCREEN_SIZES = {"bar_chart": {"width": 420, "row_height": 20, "label_width": 80, "note_width": 150, "font_size": 12}}


def draw(chart, *args, **kwargs):
    """`shaho.core.charts.<chart>(*args, **kwargs)` as safe SVG, at the screen sizes unless given."""
    from django.utils.safestring import mark_safe

    from shaho.core import charts

    return mark_safe(getattr(charts, chart)(*args, **{**SCREEN_SIZES.get(chart, {}), **kwargs}))


def percent_scale(values):
    """The right end of a %-of-goal bar chart: 100, or the next 50 above the highest bar, at most 200
    (a bar beyond is drawn to the end; its note prints the real figure)."""
    top = max([0.0, *values])
    return 100.0 if top <= 100 else float(min(200, -(-int(top) // 50) * 50))
