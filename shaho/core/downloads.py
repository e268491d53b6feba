"""Content-Disposition for downloads: the Japanese name for browsers that read filename*, an ASCII one for the rest."""

import re

from django.utils.http import content_disposition_header


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
