"""Downloads: every file a view or admin hands out is built by `file_response`.

Content-Disposition carries the Japanese name for browsers that read filename* and an ASCII one for the rest.
"""

import re

from django.http import FileResponse, HttpResponse
from django.utils.http import content_disposition_header

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CONTENT_TYPES = {
    "xlsx": XLSX,
    "csv": "text/csv; charset=utf-8",
    "pdf": "application/pdf",
    "ics": "text/calendar; charset=utf-8",
}


def attachment_header(filename, *, ascii_fallback):
    """`attachment; filename="<ascii_fallback>"; filename*=utf-8''<filename>`.

    Django's `content_disposition_header` gives only `filename*=` for a non-ASCII name; a client that
    does not read RFC 6266 then saves "download". The fallback is kept to safe ASCII characters.
    """
    fallback = re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_fallback).strip("._") or "download"
    header = content_disposition_header(True, filename)
    if "filename*=" not in header:
        return header  # an ASCII name: filename= already
    return f'attachment; filename="{fallback}"; {header.removeprefix("attachment; ")}'


def content_type_of(kind):
    """The content type of a file kind ("xlsx", "csv", "pdf", "ics"); application/octet-stream for others."""
    return CONTENT_TYPES.get(kind, "application/octet-stream")


def file_response(content, *, filename, ascii_fallback=None, kind=None, content_type=None):
    """An attachment: `content` (bytes, or an open binary file, which is streamed) saved as `filename`.

    `kind` defaults to the file name's extension and gives the content type (`content_type` overrides it,
    e.g. a CSV in Shift_JIS); `ascii_fallback` is the name for clients that cannot read a UTF-8 one
    (default download.<kind>). The browser may not sniff another type (nosniff).
    """
    kind = kind or filename.rpartition(".")[2].lower()
    content_type = content_type or content_type_of(kind)
    if hasattr(content, "read"):
        response = FileResponse(content, content_type=content_type)
    else:
        response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = attachment_header(filename, ascii_fallback=ascii_fallback or f"download.{kind}")
    response["X-Content-Type-Options"] = "nosniff"
    return response
