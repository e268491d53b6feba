"""What the isolation walk's engine (tests/test_isolation_walk.py) and each app's part of it (tests/<app>/walk.py)
share, and the gathering of those parts: a new app adds its own tests/<app>/walk.py and edits no central file.

A part may export CANARY_RECIPES ({scoped model: t -> its Tokyo row}), URL_CASES ({pattern key: Case}),
ADD_TWEAKS ({model: t -> form fields}), ADD_IMPOSSIBLE ({model: reason}) and after_planting(t). The query-count
test gathers tests/<app>/query_counts.py the same way (BUILDERS, NATIONAL_ONLY, SITE_PAGES).
"""

import dataclasses
import datetime
import importlib
import importlib.util
import pkgutil
from itertools import count
from pathlib import Path

from django.urls import reverse
from django.utils.http import urlencode

KANAGAWA, TOKYO = "14", "13"
D = datetime.date
PASSWORD = "walk-Pass-2025-x"
TESTS = Path(__file__).resolve().parent
serial = count(1)  # unique names across the query-count builders of every app


@dataclasses.dataclass
class Case:
    urls: object = None  # t -> [url]: pages Kanagawa may open; no canary outside the public fields
    objects: object = None  # t -> [url]: Tokyo objects' pages; a 200 fails
    posts: object = None  # t -> [(url, data)]: writes that must change no Tokyo row
    flow: object = None  # (client, t) -> [(label, response)]: multi-step writes
    strict: bool = True  # only reference data of Tokyo may show; False for the nationwide documents
    pending: str = ""  # the slice whose merge closes what this case still finds
    # True for the read API (/api/v1/): the requests carry a Kanagawa token header (a 事務局 and a 会員向け token of
    # Kanagawa's council, a token of a Kanagawa local council, and no token) instead of a session.
    api: bool = False


def r(name, *args, **query):
    url = reverse(name, args=args)
    return f"{url}?{urlencode(query, doseq=True)}" if query else url


def parts(module_name):
    """Every tests/<app>/<module_name>.py, imported, in the folders' alphabetical order."""
    found = []
    for info in sorted(pkgutil.iter_modules([str(TESTS)]), key=lambda i: i.name):
        name = f"tests.{info.name}.{module_name}"
        if info.ispkg and importlib.util.find_spec(name) is not None:
            found.append(importlib.import_module(name))
    return found


def gathered(modules, attribute):
    """One dict from every module's `attribute` dict; a key two apps both define is an error."""
    merged, owner = {}, {}
    for module in modules:
        for key, value in getattr(module, attribute, {}).items():
            assert key not in merged, f"{attribute}[{key!r}] is defined by both {owner[key]} and {module.__name__}"
            merged[key], owner[key] = value, module.__name__
    return merged


def print_at_the_end(request, lines):
    """Lines printed after the test session's summary, also from an xdist worker (tests/conftest.py prints them)."""
    request.node.user_properties.append(("printed at the end", "\n".join(lines)))
