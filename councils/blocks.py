"""Blocks of the federation for chapters: the overview's coverage map.

Imported by CouncilsConfig.ready(): the blocks go into the registry in shaho.core.blocks. The pictures
are the ones the policy draft's activity report and the home page draw (councils.dashboard), from the
same selectors.
"""

from shaho.core.blocks import Block, register

from . import dashboard
from .selectors import municipality_coverage, municipality_coverage_map


@register(
    "overview.coverage_map",
    label="地域社保協のある市区町村の地図（prefecture=都道府県で、その市区町村の地図。date=基準日）",
    params={"date": "date", "prefecture": "prefecture"},
    example="{{ overview.coverage_map }}",
)
def coverage_map(ctx, *, date, prefecture=None):
    """All Japan's map of the share of municipalities with a local council, or one prefecture's municipalities."""
    if prefecture is None:
        rows, national = ctx.cached(("coverage", date), lambda: municipality_coverage(date=date))
        picture = dashboard.coverage_picture(rows=rows, national=national, date=date)
    else:
        picture = dashboard.prefecture_pictures(
            date=date,
            prefecture=prefecture,
            municipalities=municipality_coverage_map(date=date, prefecture=prefecture),
            groups=[],  # the map only: the councils' list is the second picture
        )[0]
    return Block(template="_picture.html", context={"picture": picture})
