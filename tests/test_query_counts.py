"""Query counts do not grow with rows: every admin changelist and every site list page, at 3 and at 30 rows.

Each page is opened twice, once when it lists 3 rows and once when it lists
30, as national staff and as Kanagawa's prefectural staff; the number of
queries must be the same. A per-row query (a missing `list_select_related`,
a count per row) makes the second number larger and names the page.

Every model registered in the admin needs a builder in its app's tests/<app>/query_counts.py
(BUILDERS; SITE_PAGES for the site's list pages): a new admin without one fails
`test_every_changelist_has_a_builder`.
"""

import pytest
from django.contrib import admin
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.models import Organisation, Role
from tests.councils.factories import (
    OrganisationFactory,
    local_council,
    national_council,
    prefectural_council,
    staff_of,
)
from tests.petitions.factories import PetitionDriveFactory, with_rounds
from tests.walk_kit import KANAGAWA, D, gathered, parts, serial

SIZES = (3, 30)
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("last_seen_written_once")]


class World:
    """The federation every builder adds to: rows visible to national staff and to Kanagawa's staff."""

    def __init__(self):
        self.national = national_council()
        self.kanagawa = prefectural_council(KANAGAWA)
        self.national_staff = staff_of(self.national, role=Role.NATIONAL_STAFF)
        self.kanagawa_staff = staff_of(self.kanagawa)
        self.prefecture = self.kanagawa.prefecture
        self.drive = PetitionDriveFactory(title="社会保障拡充・財源確保を求める署名", short_name="25条署名")
        with_rounds(self.drive, D(2024, 2, 29), D(2024, 12, 31))
        self.parent_organisation = OrganisationFactory(
            level=Organisation.Level.NATIONAL, name="全日本民医連", home_council=self.national
        )

    def local(self):
        return local_council(KANAGAWA, name=f"テスト市社会保障推進協議会{next(serial)}")

    def organisation(self):
        return OrganisationFactory(
            prefecture=self.prefecture, home_council=self.kanagawa, parent=self.parent_organisation
        )


# --- caravans: one questionnaire and one caravan per world, grown row by row ------------------------


# Each app's builders and pages (tests/<app>/query_counts.py), gathered: a new app adds its own file.
PARTS = parts("query_counts")
BUILDERS = gathered(PARTS, "BUILDERS")  # admin model → how to add k rows the user may see
SITE_PAGES = gathered(PARTS, "SITE_PAGES")  # page name → (its URL for a world, how to add k rows it lists)
# Lists Kanagawa's staff never see 30 rows of (one block, one prefecture, national staff's own lists).
NATIONAL_ONLY = {model for part in PARTS for model in getattr(part, "NATIONAL_ONLY", ())}
CHANGELISTS = sorted(admin.site._registry, key=lambda model: model._meta.label)


def test_every_changelist_has_a_builder():
    missing = [model._meta.label for model in CHANGELISTS if model not in BUILDERS]
    assert not missing, f"add a builder to BUILDERS in the app's tests/<app>/query_counts.py for {missing}"


def _grow_to(world, model, user, n):
    """At least `n` rows of `model` that `user` may see in its admin (built only as far as needed)."""
    request = RequestFactory().get("/")
    request.user = user
    visible = admin.site._registry[model].get_queryset(request)
    missing = n - visible.count()
    if missing > 0:
        BUILDERS[model](world, missing)
    assert visible.count() >= n, f"the builder for {model._meta.label} made fewer than {n} rows {user} may see"


def _queries(client, url, check=None):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    if check:
        check(response)
    return len(captured.captured_queries), [q["sql"] for q in captured.captured_queries]


def _same_at_both_sizes(measured):
    (small, small_sql), (large, large_sql) = measured
    extra = large_sql[len(small_sql) :] if large > small else []
    assert small == large, f"{small} queries at {SIZES[0]} rows, {large} at {SIZES[1]}; extra: {extra[:3]}"
    return small


# Kanagawa's staff never see 30 rows of the national-only lists: those are measured for national staff only
# (generated, not skipped, so a CI run shows no skip).
CHANGELIST_CASES = [
    pytest.param(model, who, id=f"{model._meta.label}-{who}")
    for model in CHANGELISTS
    for who in ("national_staff", "kanagawa_staff")
    if not (who == "kanagawa_staff" and model in NATIONAL_ONLY)
]


@pytest.mark.parametrize(("model", "who"), CHANGELIST_CASES)
def test_changelist_query_count_does_not_grow_with_rows(client, monkeypatch, model, who):
    world = World()
    user = getattr(world, who)
    client.force_login(user)
    model_admin = admin.site._registry[model]
    request = RequestFactory().get("/")
    request.user = user
    assert model_admin.has_view_permission(request), f"{who} may not view {model._meta.label}: add it to NATIONAL_ONLY"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    measured = []
    for n in SIZES:
        _grow_to(world, model, user, n)
        # The page shows exactly n rows: the n built (or n of the registry's many).
        monkeypatch.setattr(model_admin, "list_per_page", n)
        measured.append(_queries(client, url, lambda r, n=n: _assert_rows(r, n)))
    _same_at_both_sizes(measured)


def _assert_rows(response, n):
    assert len(response.context["cl"].result_list) == n


# --- site pages ------------------------------------------------------------------


@pytest.mark.parametrize("who", ["national_staff", "kanagawa_staff"])
@pytest.mark.parametrize("page", list(SITE_PAGES))
def test_site_page_query_count_does_not_grow_with_rows(client, page, who):
    world = World()
    user = getattr(world, who)
    client.force_login(user)
    url_of, build = SITE_PAGES[page]
    measured = []
    built = 0
    url = url_of(world)
    for n in SIZES:
        build(world, n - built)
        built = n
        measured.append(_queries(client, url))
    _same_at_both_sizes(measured)
