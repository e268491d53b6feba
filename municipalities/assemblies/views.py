"""Site pages of the local assemblies: the public adoption maps under /public/assemblies/ (no login).

A public map reads only a public campaign (`selectors.public_campaigns`: the national ones, see
shaho.core.public) and of it only each municipality's outcome class and counts — never a petition's text,
submitter, votes or notes. Any other campaign is a 404, as a missing one. ?format=xlsx or csv downloads the
map's table. The staff side of the assemblies is the admin.
"""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from municipalities.registry.models import Prefecture
from shaho.core.pictures import table_page, table_response

from .dashboard import adoption_picture, summary
from .selectors import adoption_map, public_campaigns

DOWNLOAD_FORMATS = ("xlsx", "csv")


def _campaign(slug):
    return get_object_or_404(public_campaigns(), slug=slug)


def _download(request, picture, filename):
    fmt = request.GET.get("format", "")
    if fmt == "html":  # 「表で見る」 of a table too long to print under its map
        return table_page(request, picture, back=f"{request.path}#picture-{picture.key}")
    return table_response(picture, fmt=fmt, filename=filename) if fmt in DOWNLOAD_FORMATS else None


def public_index(request):
    """The public campaigns, newest first, each linking to its map."""
    return render(request, "municipalities/public/assembly_index.html", {"campaigns": list(public_campaigns())})


def public_campaign(request, slug):
    """A public campaign's adoptions on the municipality map of Japan, with the count per prefecture."""
    campaign = _campaign(slug)
    today = timezone.localdate()
    rows = adoption_map(campaign=campaign, date=today, public=True)
    picture = adoption_picture(campaign=campaign, rows=rows, key="assemblies.public", download=request.path)
    response = _download(request, picture, f"{campaign.slug}_採択")
    if response is not None:
        return response
    prefectures = {}
    for row in rows:
        if not row.is_ward:
            prefectures.setdefault((row.prefecture_code, row.prefecture_name), []).append(row)
    return render(
        request,
        "municipalities/public/assembly_campaign.html",
        {
            "campaign": campaign,
            "picture": picture,
            "prefectures": [
                (code, name, summary(items, prefectures=False)) for (code, name), items in prefectures.items()
            ],
            "today": today,
        },
    )


def public_prefecture(request, slug, code):
    """A public campaign's adoptions in one prefecture, on its municipality map."""
    campaign = _campaign(slug)
    prefecture = get_object_or_404(Prefecture, code=code)
    today = timezone.localdate()
    rows = adoption_map(campaign=campaign, date=today, prefecture=prefecture, public=True)
    if not rows:
        raise Http404
    picture = adoption_picture(
        campaign=campaign, rows=rows, prefecture=prefecture, key="assemblies.public", download=request.path
    )
    response = _download(request, picture, f"{campaign.slug}_{prefecture.name}_採択")
    if response is not None:
        return response
    return render(
        request,
        "municipalities/public/assembly_prefecture.html",
        {"campaign": campaign, "prefecture": prefecture, "picture": picture, "today": today},
    )
