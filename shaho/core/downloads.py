"""Downloads: every file a view or admin hands out is built by `file_response` (or, for a stored file,
`stored_file_response`, which reads it through the storage API: the local disk or the bucket alike).

Content-Disposition carries the Japanese name for browsers that read filename* and an ASCII one for the rest.
"""

import re

from django.conf import settings
from django.http import FileResponse, HttpResponse, HttpResponseRedirect
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


def signs_urls(storage):
    """Whether `storage` hands out signed, expiring URLs (object storage with querystring auth)."""
    return bool(getattr(storage, "querystring_auth", False)) and hasattr(storage, "bucket_name")


def stored_file_response(field_file, *, filename, ascii_fallback=None, kind=None):
    """The stored file `field_file` (a FieldFile) as a download; call it only AFTER the permission check.

    The web process streams it from its storage (a FileResponse over `storage.open`, with Content-Length).
    With SHAHO_DOWNLOAD_REDIRECT=1 and a storage that signs URLs, it answers instead with a redirect to a
    URL signed for SHAHO_S3_SIGNED_URL_SECONDS that makes the bucket send the same Content-Disposition and
    Content-Type. Raises OSError (FileNotFoundError) when the file is gone from storage, before any answer.
    """
    storage, name = field_file.storage, field_file.name
    if not name:
        raise FileNotFoundError("no file")
    kind = kind or filename.rpartition(".")[2].lower()
    disposition = attachment_header(filename, ascii_fallback=ascii_fallback or f"download.{kind}")
    if settings.SHAHO_DOWNLOAD_REDIRECT and signs_urls(storage):
        if not storage.exists(name):
            raise FileNotFoundError(name)
        url = storage.url(
            name,
            parameters={"ResponseContentDisposition": disposition, "ResponseContentType": content_type_of(kind)},
            expire=settings.SHAHO_S3_SIGNED_URL_SECONDS,
        )
        response = HttpResponseRedirect(url)
        response["Cache-Control"] = "private, no-store"  # the signed URL is this user's, for a minute
        return response
    return file_response(storage.open(name, "rb"), filename=filename, ascii_fallback=ascii_fallback, kind=kind)
