"""A picture: a chart or a map drawn on the server as SVG, with the table of its numbers.

The same `Picture` goes inline into a page (templates/_picture.html: the SVG, 「表で見る」 with the
table, xlsx and CSV downloads) and into a WeasyPrint document, so a figure looks the same on screen
and on paper. The SVG comes from `shaho.core.charts` or `municipalities.registry.maps`; colours are
CSS classes styled by the external stylesheets (static/css/site.css and the PDF stylesheet), never
inline styles, so the strict CSP holds and a chart needs no JavaScript.

Every number drawn is in `table`: a reader who cannot see the picture (a screen reader, a grayscale
print, a spreadsheet) gets the same figures, and a download writes the table through
`shaho.core.exports` (formulas neutralised).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.safestring import SafeString

from .downloads import file_response
from .exports import csv_bytes, xlsx_bytes

FORMATS = ("xlsx", "csv")
# A table longer than this is not printed inside its page (1,741 municipalities made the national home page
# 800 KB): 「表で見る」 opens it on a page of its own (?format=html), one click away as before.
INLINE_ROWS = 100


class LazyRows(Sequence):
    """The rows of a long table, built the first time they are read.

    A page prints a table longer than INLINE_ROWS as a link with its length (its rows open on a page of their
    own), so the 1,900 rows of a national map's table are built for that page, a download or a document, not
    for every home page that draws the map. `count` is known without building them (a row a municipality).
    """

    def __init__(self, count, build):
        self._count = count
        self._build = build
        self._rows = None

    def _built(self):
        if self._rows is None:
            rows = list(self._build())
            if len(rows) != self._count:
                raise ValueError(f"built {len(rows)} rows, announced {self._count}")
            self._rows = rows
        return self._rows

    @property
    def built(self):
        return self._rows is not None

    def __len__(self):
        return self._count

    def __getitem__(self, index):
        return self._built()[index]

    def __iter__(self):
        return iter(self._built())

    def __eq__(self, other):
        return isinstance(other, Sequence) and list(self) == list(other)

    __hash__ = None

    def __repr__(self):
        return f"LazyRows({self._count} rows{'' if self._rows is None else ', built'})"


@dataclass(frozen=True)
class Table:
    """The numbers of a picture: column headings and rows of cells (text, int, float, date or None)."""

    columns: list
    rows: list = field(default_factory=list)  # or LazyRows

    def as_rows(self):
        """Header first, then the rows: what `shaho.core.exports.csv_bytes` and `xlsx_bytes` take."""
        return [list(self.columns), *(list(r) for r in self.rows)]

    def shown(self):
        """The table as printed under its picture: a first column that names the same group on every row
        (the 都道府県 of a one-prefecture map's table) or any column empty on every row is left out. A
        status that happens to be the same everywhere stays: the table is the picture's text for those
        who cannot see it. The downloads keep every column; a table of one row keeps them too."""
        if len(self.rows) < 2:
            return self

        def says_nothing(i):
            values = {r[i] if r[i] not in (None, "") else "" for r in self.rows}
            if values == {""}:
                return True
            return i == 0 and len(values) == 1 and all(isinstance(v, str) for v in values)

        keep = [i for i in range(len(self.columns)) if not says_nothing(i)]
        if len(keep) == len(self.columns) or not keep:
            return self
        return Table(columns=[self.columns[i] for i in keep], rows=[[r[i] for i in keep] for r in self.rows])


@dataclass(frozen=True)
class Picture:
    """One figure of a dashboard, a public page or a document.

    key: stable and unique among a page's pictures ("petitions.progress"); anchors and downloads use it.
    link: the page that explains the figure (drill-down), or "" when there is none for this viewer.
    credit: printed under the picture (maps: the MLIT credit line, always).
    download: the URL that answers `?format=xlsx` and `?format=csv` with `table_response`, or "".
    """

    key: str
    title: str
    svg: SafeString
    table: Table
    link: str = ""
    credit: str = ""
    note: str = ""
    download: str = ""


def download_url(url, fmt):
    """`url` asking for `fmt`: `?format=xlsx`, or `&format=xlsx` when `url` already has a query."""
    return f"{url}{'&' if '?' in url else '?'}format={fmt}"


def table_inline(picture):
    """Whether `picture`'s table is printed under it: short tables, and any table with no page of its own
    (a PDF's pictures have no download address and always print their table)."""
    return len(picture.table.rows) <= INLINE_ROWS or not picture.download


def table_page(request, picture, *, back=""):
    """The picture's table as a page of its own: what 「表で見る」 opens when the table is too long to print
    under the picture. `back` is the page the picture is on."""
    from django.shortcuts import render

    return render(request, "picture_table.html", {"picture": picture, "back": back})


def _sheet_title(title):
    # An xlsx sheet name: at most 31 characters, none of []:*?/\
    return re.sub(r"[\[\]:*?/\\]", "", str(title))[:31] or "表"


def table_response(picture, *, fmt, filename):
    """The picture's table as an xlsx or CSV download (every cell formula-neutralised by `shaho.core.exports`).

    `filename` is the Japanese name with or without its extension; the ASCII fallback is the
    picture's key. Raises ValueError for a format other than "xlsx" or "csv" (a view answers 404).
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    rows = picture.table.as_rows()
    if fmt == "xlsx":
        content = xlsx_bytes([(_sheet_title(picture.title), rows, {})])
    else:
        content = csv_bytes(rows)
    if not filename.lower().endswith(f".{fmt}"):
        filename = f"{filename}.{fmt}"
    fallback = re.sub(r"[^A-Za-z0-9_-]+", "_", picture.key) or "picture"
    return file_response(content, filename=filename, ascii_fallback=f"{fallback}.{fmt}", kind=fmt)
