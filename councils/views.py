from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse

from shaho.core import dashboard
from shaho.core.pictures import table_page, table_response

from .selectors import home_summary

DOWNLOAD_FORMATS = ("xlsx", "csv")


@login_required
def home(request):
    """Each account's own page: the dashboard of its role (shaho.core.dashboard), then its council and links."""
    return render(request, "councils/home.html", home_summary(user=request.user))


def _safe_name(title):
    name = "".join("_" if c in '\\/:*?"<>|' or ord(c) < 32 else c for c in title).strip(" ._")
    return name[:80] or "figure"


@login_required
def overview_download(request, panel_key, picture_key):
    """A dashboard picture's table as xlsx or CSV (?format=csv), recomputed for the requesting user.

    The panel is computed again with the user's own scope, so a download holds what their page shows;
    a panel their audience does not get, or a picture it has not for them, is a 404.
    """
    fmt = request.GET.get("format", "xlsx")
    if fmt not in (*DOWNLOAD_FORMATS, "html"):
        raise Http404
    picture = dashboard.picture_for(dashboard.context_for(request.user), panel_key, picture_key)
    if picture is None:
        raise Http404
    if fmt == "html":  # 「表で見る」 of a table too long to print under its picture
        response = table_page(request, picture, back=f"{reverse('home')}#picture-{picture.key}")
    else:
        response = table_response(picture, fmt=fmt, filename=_safe_name(picture.title))
    response["Cache-Control"] = "private, no-store"
    return response
