"""Small views every site has: the favicon browsers ask for at /favicon.ico (without reading any page)."""

from django.contrib.staticfiles import finders
from django.http import FileResponse, Http404
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_safe


@require_safe
@cache_control(max_age=7 * 24 * 3600, public=True)
def favicon(request):
    """static/favicon.ico, at the address browsers try on their own (pages link static/favicon.svg)."""
    path = finders.find("favicon.ico")
    if path is None:  # pragma: no cover - the file is in the repository
        raise Http404
    return FileResponse(open(path, "rb"), content_type="image/x-icon")
