"""The isolation walk: nothing of one prefecture reaches another prefecture's users, by any URL.

One planting, then one walk:

1. Canaries. Every scoped model (every model with `scope_filter`, found through
   `apps.get_models()`) gets a Tokyo row from its recipe in CANARY_RECIPES, and every text field
   of that row that can hold one gets a unique canary string (`cnry0001`, `cnry0002`, …).
   A scoped model without a recipe fails the walk.
2. URLs. Every pattern of the resolver (admin and site, recursing into includes) needs a case in
   URL_CASES (site pages, written by hand) or in `admin_cases()` (generated from
   `admin.site._registry`: changelist, add, change, delete, history, autocomplete, custom
   `get_urls`). A pattern without a case fails the walk.
3. Requests. Each case's URLs are requested, filled with Tokyo's ids, slugs and tokens, by every
   role of Kanagawa (councils.models.Role except national staff) and by an anonymous visitor.
   Responses are decoded (HTML, JSON, CSV, xlsx cells, PDF text) and the walk fails on any canary
   outside the federation-public fields (shaho/core/public.py), on a 200 for a Tokyo object's
   page, and on any 5xx. A case is `strict` unless it says otherwise: it may show Tokyo's
   reference data (the registry) only, not even a Tokyo council's public name. Only the
   nationwide documents (the national 集約一覧表, published reports) say `strict=False`.
4. Writes. Admin add/change/delete with complete forms built from Tokyo's rows, admin actions
   with Tokyo ids, phone entry and corrections, imports and their commit, report requests and
   publishing; the walk fails if any Tokyo row (of any scoped model) changed.
5. Own objects (a second test, `test_walkers_open_every_admin_page_of_the_objects_they_may_see`).
   National staff and every other role at Tokyo's prefectural and local councils open the change,
   history and delete pages of every admin object they may see, expecting 200 or the documented
   302/403/404 of `expected_status`, and send each change form back as rendered, to its page and
   to the add page; a 5xx or any other answer fails.

The engine is this file; the cases are the apps'. Each app's tests/<app>/walk.py exports its
CANARY_RECIPES, URL_CASES, ADD_TWEAKS, ADD_IMPOSSIBLE and after_planting(t), gathered by
tests/walk_kit.py, so a new app adds its own file and edits none here.

Adding a case for a new URL pattern is one line in the app's URL_CASES, keyed by the pattern's name
(`namespace:name`; an unnamed or duplicated name is keyed by its full route):

    "feeds:council": Case(objects=lambda t: [r("feeds:council", t[Council].pk)]),

An API URL (/api/v1/) is a Case with `api=True`: its requests are made with Kanagawa's API tokens instead of
sessions (`api_users`: a 事務局 and a 会員向け token of Kanagawa's council, one of a Kanagawa local council, and
no token), e.g. `"api:petition-drive-detail": Case(api=True, objects=lambda t: [r("api:petition-drive-detail",
t.tokyo_drive.pk)])`.

`urls` are pages anyone in Kanagawa may open (a 200 is fine, canaries are not); `objects` are
Tokyo objects' pages (a 200 fails); `posts` are (url, data) writes; `flow` is a function
(client, t) -> [(label, response, text sent)] for multi-step writes. A new scoped model needs a
line in CANARY_RECIPES (a function t -> its Tokyo row); a new admin model gets its cases for free.
`t[Model]` is Tokyo's canary row of that model; `t.national_drive`, `t.tokyo_job` etc. are the
other planted rows (see `plant()`).
A case whose leak another slice fixes carries `pending="<slice>"`: its findings are printed, not
failed, and the walk fails once the case is clean so that the mark is removed.

Both tests print their figures (URL patterns, users, requests, canaries, findings, time) after the
session's summary (also under pytest-xdist: tests/walk_kit.py print_at_the_end).
"""

import dataclasses
import io
import re
import time
from collections import defaultdict

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.forms import MultiWidget
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver

from councils.models import Council, Organisation, Role
from municipalities.models import (
    Municipality,
)
from shaho.core.admin import every_autocomplete
from shaho.core.public import is_federation_public, is_reference_data
from tests.admin_forms import change_form_data
from tests.councils.factories import local_council, national_council, prefectural_council, staff_of
from tests.petitions.factories import PetitionDriveFactory, record, with_rounds
from tests.walk_kit import KANAGAWA, PASSWORD, TOKYO, Case, D, gathered, parts, print_at_the_end, r

CANARY = re.compile(r"cnry\d{4}", re.IGNORECASE)
CANARY_MIN_LENGTH = 8
# Fields whose values other code reads as identifiers, not text: they keep their real value.
KEEP_FIELDS = {"password", "kind", "format"}

# Each app's part of the walk (tests/<app>/walk.py), gathered: a new app adds its own file.
PARTS = parts("walk")
CANARY_RECIPES = gathered(PARTS, "CANARY_RECIPES")  # scoped model → how to make its Tokyo row
ADD_TWEAKS = gathered(PARTS, "ADD_TWEAKS")  # a copy of a Tokyo row sent to `add`: fields that must not repeat it
ADD_IMPOSSIBLE = gathered(PARTS, "ADD_IMPOSSIBLE")  # models whose add form cannot be valid as a copy (the reason)


# --- 1. canaries -----------------------------------------------------------------------------


class Planted:
    """Tokyo's canary rows (`t[Model]`), the canaries' owners, and the other rows the cases need."""

    def __init__(self):
        self.rows = {}
        self.canaries = {}  # canary → (model label, field name)
        self._next = 0

    def __getitem__(self, model):
        # Planted on first use, so a recipe may use another app's row whatever order the parts come in.
        if model not in self.rows:
            self.rows[model] = CANARY_RECIPES[model](self)
        return self.rows[model]

    def canary(self, model, field):
        self._next += 1
        value = f"cnry{self._next:04d}"
        self.canaries[value] = (model._meta.label, field)
        return value

    def fill(self, obj):
        """Put a canary into every text field of `obj` that can hold one; saved (and so in its history)."""
        for field in obj._meta.concrete_fields:
            if not isinstance(field, models.CharField | models.TextField) or field.choices or not field.editable:
                continue
            if field.name in KEEP_FIELDS or (field.max_length or 999) < CANARY_MIN_LENGTH:
                continue
            canary = self.canary(type(obj), field.name)
            if isinstance(field, models.EmailField):
                canary = f"{canary}@example.jp"
            elif isinstance(field, models.URLField):
                canary = f"https://{canary}.example.jp/"
            setattr(obj, field.attname, canary)
        obj.save()
        return obj

    def of(self, obj):
        """The canaries planted in `obj`'s fields."""
        label = obj._meta.label
        return {c for c, (owner, field) in self.canaries.items() if owner == label and _holds(obj, field, c)}


def _holds(obj, field, canary):
    return canary in str(getattr(obj, field, "") or "")


def _tokyo_drive(t):
    drive = PetitionDriveFactory(organiser=t.tokyo, starts_on=D(2019, 9, 1), ends_on=D(2030, 6, 30))
    with_rounds(drive, D(2024, 2, 29), D(2030, 5, 31))
    return drive


def scoped_models():
    return sorted((m for m in apps.get_models() if hasattr(m, "scope_filter")), key=lambda m: m._meta.label)


def plant(*, documents=True):
    """Tokyo's canary rows; `documents=False` leaves out the nationwide documents (the policy draft's PDF)."""
    t = Planted()
    t.documents = documents
    national = national_council()
    t.national_staff = staff_of(national, role=Role.NATIONAL_STAFF)
    t.kanagawa = prefectural_council(KANAGAWA)
    t.kanagawa_local = local_council(KANAGAWA, name="横浜市社保協")
    t.tokyo = prefectural_council(TOKYO)
    t.tokyo_local = local_council(TOKYO, name="walk", founded_on=D(2005, 6, 1))
    t.tokyo_local.municipalities.add(Municipality.objects.get(code="131130"))
    t.tokyo_staff = staff_of(t.tokyo, role=Role.COUNCIL_STAFF)
    t.tokyo_org = Organisation.objects.create(
        name="walk", level=Organisation.Level.PREFECTURAL, prefecture=t.tokyo.prefecture, home_council=t.tokyo
    )
    t.national_drive = PetitionDriveFactory(
        organiser=national, short_name="25条署名", slug="walk-25jo", starts_on=D(2019, 9, 1), ends_on=D(2030, 6, 30)
    )
    with_rounds(t.national_drive, D(2024, 2, 29), D(2030, 5, 31))
    t.tokyo_drive = _tokyo_drive(t)
    record(t.national_staff, t.national_drive, t.kanagawa_local, 1234, collected_on=D(2024, 1, 10))
    for model in CANARY_RECIPES:
        t[model]
    for model in scoped_models():
        if model in t.rows:
            t.fill(t.rows[model])
    t.fill(t.tokyo)  # the prefectural council too: its name is public, its address is not
    t.tokyo_councils = list(Council.objects.filter(path__startswith=t.tokyo.path).values_list("pk", flat=True))
    for part in PARTS:
        if hasattr(part, "after_planting"):
            part.after_planting(t)  # rows made from the planted ones (Tokyo's import, the nationwide documents)
    t.planted = len(t.canaries)  # later ones are the renewed values sent in add forms
    return t


# --- 2. URL cases ----------------------------------------------------------------------------


# The admin site's own pages (model pages come from admin_cases(), each app's pages from its part).
URL_CASES = {
    "admin:index": Case(urls=lambda t: [r("admin:index")]),
    "admin:login": Case(urls=lambda t: [r("admin:login")]),
    "admin:logout": Case(urls=lambda t: [r("admin:logout")]),
    "admin:password_change": Case(urls=lambda t: [r("admin:password_change")]),
    "admin:password_change_done": Case(urls=lambda t: [r("admin:password_change_done")]),
    "admin:jsi18n": Case(urls=lambda t: [r("admin:jsi18n")]),
    "admin:app_list": Case(
        urls=lambda t: [f"/admin/{label}/" for label in sorted({m._meta.app_label for m in admin.site._registry})]
    ),
    "admin/(?P<url>.*)$": Case(urls=lambda t: ["/admin/no-such-page/"]),
    "admin:view_on_site": Case(
        objects=lambda t: [
            r("admin:view_on_site", ContentType.objects.get_for_model(m).pk, obj.pk) for m, obj in t.rows.items()
        ]
    ),
    "admin:autocomplete": Case(urls=lambda t: _autocomplete_urls(t)),
    **gathered(PARTS, "URL_CASES"),
}


def _autocomplete_urls(t):
    urls = []
    for model, name in every_autocomplete():  # declared and automatic, inline rows' included
        target = model._meta.get_field(name).related_model
        terms = ["", *sorted(t.of(t.rows[target]))[:1]] if target in t.rows else [""]
        params = {"app_label": model._meta.app_label, "model_name": model._meta.model_name, "field_name": name}
        urls += [r("admin:autocomplete", term=term, **params) for term in terms]
    return urls


# --- admin: cases generated from the registry ------------------------------------------------


def _admin_request(user):
    request = RequestFactory().get("/")
    request.user = user
    request.session = {}
    request._messages = None
    return request


def _form_data(form, source):
    """POST data for `form` (an admin form class instance) taken from `source`'s values."""
    data = {}
    for name, field in form.fields.items():
        if name.startswith("password"):
            data[name] = PASSWORD
            continue
        try:
            model_field = source._meta.get_field(name)
            value = model_field.value_from_object(source)
        except Exception:  # a form-only field
            value = form[name].value()
        if isinstance(value, list):
            data[name] = [str(getattr(v, "pk", v)) for v in value]
            continue
        widget = field.widget
        if isinstance(widget, MultiWidget):
            for sub_name, sub_widget, sub_value in zip(
                widget.widgets_names, widget.widgets, widget.decompress(value), strict=False
            ):
                data[name + sub_name] = sub_widget.format_value(sub_value) or ""
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = "" if value is None else str(getattr(value, "pk", value))
    return data


def _admin_write_data(model_admin, obj, t, *, change):
    """A complete form for `obj` as national staff would send it, with every canary renewed (unique fields)."""
    request = _admin_request(t.national_staff)
    form = model_admin.get_form(request, obj if change else None, change=change)(instance=obj if change else None)
    data = _form_data(form, obj)
    for key, value in list(data.items()):
        if isinstance(value, str) and CANARY.search(value):
            data[key] = CANARY.sub(lambda m, key=key: t.canary(type(obj), key), value)
    if not change and type(obj) in ADD_TWEAKS:
        data.update(ADD_TWEAKS[type(obj)](t))
    for inline in model_admin.get_inline_instances(request, obj if change else None):
        prefix = inline.get_formset(request, obj).get_default_prefix()
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    valid = type(form)(data=data, instance=None if not change else obj).is_valid()
    return data, valid


# A copy of a Tokyo row sent to `add` must be valid for national staff: these fields must not repeat it.

# Models whose add form cannot be valid as a copy, with the reason (the walk still posts it).


def admin_cases():
    """One case per admin URL pattern of every registered model."""
    cases = {}
    for model, model_admin in admin.site._registry.items():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        base = f"admin/{model._meta.app_label}/{model._meta.model_name}/"
        if not hasattr(model, "scope_filter"):
            cases.update(_national_only_cases(model, info, base))
            continue

        def url(view, *args, info=info, **query):
            return r(f"admin:{info}_{view}", *args, **query)

        cases[f"admin:{info}_changelist"] = Case(
            urls=lambda t, m=model, a=model_admin, url=url: [
                url("changelist", **q) for q in _changelist_queries(t, m, a)
            ],
            posts=lambda t, m=model, a=model_admin, url=url: [(url("changelist"), d) for d in _action_posts(t, m, a)],
        )
        cases[f"admin:{info}_add"] = Case(
            urls=lambda t, m=model, url=url: [url("add"), url("add", **_tokyo_foreign_keys(t, m))],
            posts=lambda t, m=model, a=model_admin, url=url: [(url("add"), t.writes[(m, "add")])],
        )
        cases[f"admin:{info}_change"] = Case(
            objects=lambda t, m=model, url=url: [url("change", t[m].pk)],
            posts=lambda t, m=model, url=url: [(url("change", t[m].pk), t.writes[(m, "change")])],
        )
        cases[f"admin:{info}_delete"] = Case(
            objects=lambda t, m=model, url=url: [url("delete", t[m].pk)],
            posts=lambda t, m=model, url=url: [(url("delete", t[m].pk), {"post": "yes"})],
        )
        cases[f"admin:{info}_history"] = Case(objects=lambda t, m=model, url=url: [url("history", t[m].pk)])
        cases[f"admin:{info}_simple_history"] = Case(
            objects=lambda t, m=model, url=url: _simple_history_urls(t, m, url)
        )
        cases[f"{base}<path:object_id>/"] = Case(objects=lambda t, m=model, base=base: [f"/{base}{t[m].pk}/"])
    return cases


def _national_only_cases(model, info, base):
    """A registered model that hangs off no council (login records, devices): no page of it opens for Kanagawa."""
    names = ("changelist", "add", "change", "delete", "history", "simple_history")

    def urls(t, name):
        pk = getattr(model._default_manager.order_by("pk").first(), "pk", 1)
        args = {"changelist": (), "add": (), "simple_history": (pk, 1)}.get(name, (pk,))
        return [r(f"admin:{info}_{name}", *args)]

    cases = {f"admin:{info}_{name}": Case(objects=lambda t, name=name: urls(t, name)) for name in names}
    cases[f"{base}<path:object_id>/"] = Case(objects=lambda t: [f"/{base}1/"])
    return cases


def _tokyo_foreign_keys(t, model):
    """{field name: Tokyo row's pk} for every foreign key of `model` whose target has a Tokyo canary row."""
    return {
        f.name: t[f.related_model].pk
        for f in model._meta.concrete_fields
        if f.many_to_one and f.related_model in t.rows and f.related_model is not model
    }


def _simple_history_urls(t, model, url):
    history = getattr(t[model], "history", None)
    return (
        [url("simple_history", t[model].pk, record.pk) for record in history.all()[:1]] if history is not None else []
    )


def _changelist_queries(t, model, model_admin):
    """Plain, searched for a Tokyo canary, and filtered by every list filter pointing at a Tokyo row."""
    obj = t[model]
    queries = [{}, {"_facets": "1"}, {"q": sorted(t.of(obj))[0]} if t.of(obj) else {"q": "walk"}]
    queries += [{name: pk} for name, pk in _tokyo_foreign_keys(t, model).items()]  # ?council=<Tokyo's id>
    for item in model_admin.list_filter:
        path = item[0] if isinstance(item, list | tuple) else item
        if not isinstance(path, str):
            continue
        target = _follow(obj, path)
        if isinstance(target, models.Model):
            queries.append({f"{path}__{target._meta.pk.name}__exact": target.pk})
        elif target not in (None, ""):
            queries.append({f"{path}__exact": target})
    if model_admin.date_hierarchy:
        value = _follow(obj, model_admin.date_hierarchy)
        if value:
            queries.append(
                {f"{model_admin.date_hierarchy}__year": value.year, f"{model_admin.date_hierarchy}__month": value.month}
            )
    return queries


def _follow(obj, path):
    for part in path.split("__"):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
        if isinstance(obj, models.Manager):
            obj = obj.first()
    return obj


def _action_posts(t, model, model_admin):
    request = _admin_request(t.national_staff)
    return [
        {"action": name, admin.helpers.ACTION_CHECKBOX_NAME: [str(t[model].pk)], "index": "0", "post": "yes"}
        for name in model_admin.get_actions(request)
    ]


# --- 3. requests and what came back ----------------------------------------------------------


def url_patterns():
    """{key: full route} of every pattern, recursing into includes (key: name, or route when unnamed/duplicated)."""
    found = []

    def walk(patterns, namespace, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                ns = ":".join(filter(None, [namespace, pattern.namespace]))
                walk(pattern.url_patterns, ns, route)
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}" if namespace and pattern.name else pattern.name
                found.append((name, route))

    walk(get_resolver().url_patterns, "", "")
    names = defaultdict(int)
    for name, _route in found:
        names[name] += 1
    return {(name if name and names[name] == 1 else route): route for name, route in found}


def decode(response):
    """(kind, text): everything a user could read in `response`, headers that carry text and the decoded body."""
    parts = [response.get("Location", ""), response.get("Content-Disposition", "")]
    body = b"".join(response.streaming_content) if response.streaming else response.content
    content_type = response.get("Content-Type", "")
    kind = "xlsx" if body[:4] == b"PK\x03\x04" else "pdf" if body[:5] == b"%PDF-" else content_type.split(";")[0]
    if kind == "xlsx":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(body), read_only=True)
        parts += [
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
            if cell is not None
        ]
    elif kind == "pdf":
        from pypdf import PdfReader

        try:
            parts += [page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages]
        except Exception:  # a stand-in file that is not a real PDF: read it as bytes
            parts.append(body.decode("latin-1"))
    elif "shift_jis" in content_type or "cp932" in content_type:
        parts.append(body.decode("cp932", "replace"))
    else:
        parts.append(body.decode("utf-8", "replace"))
    return kind, "\n".join(parts)


@dataclasses.dataclass
class Walk:
    t: Planted
    findings: list = dataclasses.field(default_factory=list)  # (case key, message)
    requests: int = 0
    bytes_read: int = 0
    statuses: dict = dataclasses.field(default_factory=lambda: defaultdict(int))
    public_seen: set = dataclasses.field(default_factory=set)
    decoded_with_canaries: set = dataclasses.field(default_factory=set)  # kinds of file the decoders read

    def check(self, key, case, who, label, response, sent, *, object_page=False):
        self.requests += 1
        self.statuses[response.status_code] += 1
        where = f"{who} {label} → {response.status_code}"
        if response.status_code >= 500:
            self.findings.append((key, f"{where}: server error"))
            return
        if object_page and response.status_code == 200:
            self.findings.append((key, f"{where}: a Tokyo object's page answered 200"))
        kind, text = decode(response)
        self.bytes_read += len(text)
        for canary in sorted(set(CANARY.findall(text))):
            canary = canary.lower()
            if canary in sent or canary not in self.t.canaries:
                continue  # what the request itself sent is echoed back (a search box, a refused form)
            owner, field = self.t.canaries[canary]
            model = apps.get_model(owner)
            if not is_federation_public(model, field) or (case.strict and not is_reference_data(model)):
                self.findings.append((key, f"{where}: {owner}.{field} ({canary}) shown"))
            else:
                self.public_seen.add(f"{owner}.{field}")
                self.decoded_with_canaries.add(kind)


def _sent(*values):
    return {c.lower() for v in values for c in CANARY.findall(str(v))}


def snapshot(t):
    """Every Tokyo row of every scoped model (and its many-to-many links), to compare before and after."""
    councils = Council.objects.filter(pk__in=t.tokyo_councils)
    rows = {}
    for model in scoped_models():
        queryset = model._default_manager.filter(model.scope_filter(councils)).order_by("pk")
        names = [f.attname for f in model._meta.concrete_fields]
        # repr of each row (JSON fields are unhashable); PostgreSQL hands binary fields over as memoryview
        rows[model._meta.label] = [
            repr(tuple(bytes(v) if isinstance(v, memoryview) else v for v in row))
            for row in queryset.values_list(*names)
        ]
        for m2m in model._meta.many_to_many:
            through = m2m.remote_field.through
            links = through.objects.filter(**{f"{m2m.m2m_field_name()}__in": queryset.values("pk")})
            rows[f"{model._meta.label}.{m2m.name}"] = sorted(
                links.values_list(m2m.m2m_column_name(), m2m.m2m_reverse_name())
            )
    return rows


def _diff(before, after):
    changed = []
    for label in before:
        old, new = set(before[label]), set(after[label])
        if old != new:
            changed.append(f"{label}: {len(old - new)} rows changed or gone, {len(new - old)} new or changed")
    return changed


def users(t):
    """Every role of Kanagawa (all but national staff), and an anonymous visitor: (label, client)."""
    clients = []
    for role in Role:
        if role == Role.NATIONAL_STAFF:
            continue
        client = Client(raise_request_exception=False)
        client.force_login(staff_of(t.kanagawa, role=role))
        clients.append((f"神奈川 {role.label}", client))
    clients.append(("匿名", Client(raise_request_exception=False)))
    return clients


def api_users(t):
    """Kanagawa's API tokens (issue 21), each a client that sends its header on every request: (label, client)."""
    from shaho.core.api.models import ApiAccess
    from shaho.core.api.services import api_token_create

    maker = staff_of(t.kanagawa, role=Role.COUNCIL_STAFF)
    clients = []
    for label, council, access in (
        ("神奈川 APIトークン（事務局）", t.kanagawa, ApiAccess.STAFF),
        ("神奈川 APIトークン（会員向け）", t.kanagawa, ApiAccess.MEMBER),
        ("横浜 APIトークン（事務局）", t.kanagawa_local, ApiAccess.STAFF),
    ):
        _token, secret = api_token_create(council=council, name=label, user=maker, access=access)
        clients.append((label, Client(raise_request_exception=False, HTTP_AUTHORIZATION=f"Token {secret}")))
    clients.append(("APIトークンなし", Client(raise_request_exception=False)))
    return clients


@pytest.mark.django_db
def test_isolation_walk(settings, tmp_path, request):
    started = time.monotonic()
    settings.MEDIA_ROOT = tmp_path
    settings.SHAHO_API_RATE = "100000/min"  # the walk's API requests come faster than a website's
    t = plant()
    planted_at = time.monotonic()

    missing_recipes = [m._meta.label for m in scoped_models() if m not in CANARY_RECIPES]
    assert not missing_recipes, f"add a canary recipe to CANARY_RECIPES for: {missing_recipes}"

    cases = {**admin_cases(), **URL_CASES}
    patterns = url_patterns()
    missing_cases = sorted(key for key in patterns if key not in cases)
    assert not missing_cases, f"add a case to URL_CASES for these URL patterns: {missing_cases}"
    stale = sorted(key for key in URL_CASES if key not in patterns)
    assert not stale, f"URL_CASES names patterns that no longer exist: {stale}"

    t.writes, invalid_forms = {}, []
    for model, model_admin in admin.site._registry.items():
        if model not in t.rows:
            continue  # national staff's only (no scope_filter): no Tokyo row to copy
        for change in (False, True):
            data, valid = _admin_write_data(model_admin, t[model], t, change=change)
            t.writes[(model, "change" if change else "add")] = data
            if not valid:
                invalid_forms.append(f"{model._meta.label} {'change' if change else 'add'}")

    walk = Walk(t)
    before = snapshot(t)
    clients = users(t)
    token_clients = api_users(t)
    writes = 0
    for key in sorted(patterns):
        case = cases[key]
        for who, client in token_clients if case.api else clients:
            for url in case.urls(t) if case.urls else []:
                walk.check(key, case, who, f"GET {url}", client.get(url), _sent(url))
            for url in case.objects(t) if case.objects else []:
                walk.check(key, case, who, f"GET {url}", client.get(url), _sent(url), object_page=True)
            for url, data in case.posts(t) if case.posts else []:
                writes += 1
                walk.check(key, case, who, f"POST {url}", client.post(url, data), _sent(url, *data.values()))
            for label, response, sent in case.flow(client, t) if case.flow else []:
                writes += 1
                walk.check(key, case, who, label, response, _sent(label, sent))
    changed = _diff(before, snapshot(t))
    elapsed = time.monotonic() - started

    pending = defaultdict(list)
    failures = []
    for key, message in walk.findings:
        (pending[cases[key].pending] if cases[key].pending else failures).append(f"[{key}] {message}")
    clean_pending = sorted(
        {c.pending + ": " + k for k, c in cases.items() if c.pending and k in patterns}
        - {cases[k].pending + ": " + k for k, _m in walk.findings if cases[k].pending}
    )

    lines = [
        "",
        "isolation walk:",
        f"  URL patterns: {len(patterns)}, all with a case"
        f" ({len(URL_CASES)} written in URL_CASES, {len(cases) - len(URL_CASES)} generated from the admin registry)",
        f"  scoped models: {len(scoped_models())}, canaries planted: {t.planted}"
        f" (in {len(t.rows)} recipe rows, Tokyo's council and a Tokyo import)",
        f"  users: {len(clients)} ({', '.join(who for who, _ in clients)})",
        f"  API tokens: {len(token_clients)} ({', '.join(who for who, _ in token_clients)})",
        f"  requests: {walk.requests} ({writes} writes), {walk.bytes_read:,} characters decoded",
        f"  statuses: {dict(sorted(walk.statuses.items()))}",
        f"  federation-public fields of Tokyo seen (allowed): {sorted(walk.public_seen)}",
        f"  decoded with Tokyo's public canaries in them: {sorted(walk.decoded_with_canaries)}",
        f"  admin write forms not valid even for national staff: {len(invalid_forms)} {invalid_forms}",
        f"  Tokyo rows changed: {len(changed)}",
        f"  findings: {len(failures)}; pending other slices: "
        + (", ".join(f"{s} {len(v)}" for s, v in pending.items()) or "none"),
        f"  time: planting {planted_at - started:.1f} s, total {elapsed:.1f} s",
    ]
    lines += [f"  pending ({slice_}): {m}" for slice_, messages in pending.items() for m in messages[:10]]
    print_at_the_end(request, lines)

    allowed_invalid = {f"{m._meta.label} add" for m in ADD_IMPOSSIBLE}
    assert set(invalid_forms) <= allowed_invalid, f"make these admin write forms valid (ADD_TWEAKS): {invalid_forms}"
    # The decoders must read what they claim to: Tokyo's public names are in the nationwide PDF, xlsx and CSV.
    unread = {"pdf", "xlsx", "text/csv", "text/html"} - walk.decoded_with_canaries
    assert not unread, f"no Tokyo public canary read in any {unread} response: a decoder reads nothing"
    problems = [f"Tokyo rows changed by another prefecture's requests: {c}" for c in changed] + failures
    assert not problems, f"{len(changed)} tables changed, {len(failures)} leaks:\n" + "\n".join(problems[:60])
    assert not clean_pending, f"these cases no longer find anything: remove their pending mark: {clean_pending}"


# --- 5. the admin pages of the objects each walker may see ----------------------------------------


def own_walkers(t):
    """National staff, and every other role at Tokyo's prefectural and local councils, whose rows are planted."""
    walkers = [("中央事務局", t.national_staff)]
    for council, where in ((t.tokyo, "東京都"), (t.tokyo_local, "東京の地域")):
        walkers += [
            (f"{where} {role.label}", staff_of(council, role=role)) for role in Role if role != Role.NATIONAL_STAFF
        ]
    return walkers


def expected_status(model_admin, user, obj, page):
    """What the admin answers `user` on `page` of `obj`, by its own rules; anything else is a finding.

    200 where the walker may see the object. The deliberate exceptions: 302 to the admin's login for an account
    that does not open the admin (organizers, members); 404 for an object outside the walker's scope (ScopedAdmin
    says "not found", never "forbidden"); 403 for an admin the role may not view (national staff's lists) and for
    the delete page of a model the role may not delete (report jobs, the ledger, reference data); 404 for the
    history page of a model that keeps none (`history_page = False`: the append-only ledger).
    """
    request = _admin_request(user)
    if not admin.site.has_permission(request):
        return 302
    if hasattr(model_admin.model, "scope_filter") and not model_admin.get_queryset(request).filter(pk=obj.pk).exists():
        return 404
    if not model_admin.has_view_or_change_permission(request, obj):
        return 403
    if page == "delete" and not model_admin.has_delete_permission(request, obj):
        return 403
    if page == "history" and not getattr(model_admin, "history_page", True):
        return 404
    return 200


def _own_objects(t):
    """(model, admin, object): Tokyo's row of every scoped admin model, the first row of every national-only one."""
    found = []
    for model, model_admin in sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label):
        obj = t.rows.get(model) or model._default_manager.order_by("pk").first()
        if obj is not None:
            found.append((model, model_admin, obj))
    return found


@pytest.mark.django_db
def test_walkers_open_every_admin_page_of_the_objects_they_may_see(settings, tmp_path, request):
    """Change, history and delete confirmation of every object a walker may see answer 200 (or the documented
    302/403/404 of `expected_status`), and the change form sent back as it was rendered — to its own page and to
    the add page, as "save as new" does — is saved or refused on the page, never a 500."""
    started = time.monotonic()
    settings.MEDIA_ROOT = tmp_path
    t = plant(documents=False)
    objects = _own_objects(t)
    without_rows = sorted(m._meta.label for m in admin.site._registry if m not in {m for m, _a, _o in objects})
    findings, statuses, requests = [], defaultdict(int), 0
    walkers = own_walkers(t)
    for who, user in walkers:
        client = Client(raise_request_exception=False)
        client.force_login(user)
        for model, model_admin, obj in objects:
            info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            pages = {}
            for page in ("change", "history", "delete"):
                response = client.get(r(f"{info}_{page}", obj.pk))
                requests += 1
                statuses[response.status_code] += 1
                pages[page] = response
                expected = expected_status(model_admin, user, obj, page)
                if response.status_code != expected:
                    findings.append(
                        f"{who} GET {page} of {model._meta.label} {obj.pk}: {response.status_code}, expected {expected}"
                    )
            form_page = pages["change"]
            if form_page.status_code != 200 or not form_page.context or "adminform" not in form_page.context:
                continue
            request_ = _admin_request(user)
            data = change_form_data(form_page)
            targets = []
            if model_admin.has_change_permission(request_, obj):
                targets.append(("change", r(f"{info}_change", obj.pk)))
            if model_admin.has_add_permission(request_):
                targets.append(("add", r(f"{info}_add")))
            for label, url in targets:
                response = client.post(url, data)
                requests += 1
                statuses[response.status_code] += 1
                if response.status_code >= 500 or response.status_code not in (200, 302):
                    findings.append(
                        f"{who} POST the change form of {model._meta.label} {obj.pk} to {label}: {response.status_code}"
                    )

    print_at_the_end(request, [
        "",
        "admin pages of the objects each walker may see:",
        f"  walkers: {len(walkers)} ({', '.join(who for who, _ in walkers)})",
        f"  admin models: {len(admin.site._registry)}, with an object to open: {len(objects)}",
        f"  no row to open: {without_rows}",
        f"  requests: {requests}, statuses: {dict(sorted(statuses.items()))}",
        f"  findings: {len(findings)}",
        f"  time: {time.monotonic() - started:.1f} s",
    ])  # fmt: skip
    assert not findings, f"{len(findings)} admin pages answered otherwise:\n" + "\n".join(findings[:60])
