"""`?format=csv` and `?format=xlsx`: a table endpoint's rows as a spreadsheet.

Both render the rows of a page (`results`), of a list, or a single object as one row; the header is the field
names (English, as in JSON); a nested object becomes `parent.child` columns, a list of plain values one cell
joined by 「、」. Every cell goes through `shaho.core.exports.safe_cell` (a formula is text). CSV is UTF-8 with
a BOM and CRLF line ends: what Excel on Japanese Windows and Power Query (`Csv.Document`, Encoding=65001) read.
Errors are always JSON (views.py switches the renderer back).
"""

import json

from rest_framework import renderers

from shaho.core.exports import csv_bytes, xlsx_bytes


def _flatten(row, prefix=""):
    flat = {}
    for name, value in row.items():
        column = f"{prefix}{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{column}."))
        elif isinstance(value, list):
            if all(not isinstance(v, dict | list) for v in value):
                flat[column] = "、".join("" if v is None else str(v) for v in value)
            else:
                flat[column] = json.dumps(value, ensure_ascii=False)
        else:
            flat[column] = value
    return flat


def table_rows(data):
    """[header, row, …] of what a view returned (a page, a list, or one object)."""
    if isinstance(data, dict) and isinstance(data.get("results"), list):
        data = data["results"]
    if isinstance(data, dict):
        data = [data]
    flat = [_flatten(row) if isinstance(row, dict) else {"value": row} for row in data or []]
    header = []
    for row in flat:
        header += [name for name in row if name not in header]
    return [header] + [[row.get(name) for name in header] for row in flat]


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        return csv_bytes(table_rows(data), encoding="utf-8")


class XLSXRenderer(renderers.BaseRenderer):
    media_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        view = (renderer_context or {}).get("view")
        title = (getattr(view, "export_name", None) or "data")[:31]
        return xlsx_bytes([(title, table_rows(data), {})])


class JSONRenderer(renderers.JSONRenderer):
    """JSON in UTF-8 as it is (no \\u escapes for Japanese)."""

    ensure_ascii = False
    charset = "utf-8"
