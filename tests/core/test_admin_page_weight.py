"""Admin forms do not grow with the country: every add form, and the heavy change forms, at two data sizes.

「行動を追加」 weighed 329 KB and made 368 queries because every choice list (councils,
organisations, 1,900 municipalities) was printed into the page, once per inline row. Choices of
a searchable scoped admin are autocompletes now (`shaho.core.admin.autocomplete_relations`), so
the page's queries and size stay the same whether there are 3 or 60 councils and organisations,
and stay under 100 KB. Timings are printed by `bench/bench_admin_pages.py`, not asserted here.
"""

import datetime

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse

from campaigns.models import Action, ActionKind, Participation
from councils.models import Membership, Officer, Organisation
from tests.councils.factories import OrganisationFactory, local_council

MAX_BYTES = 100_000
GROWTH_BYTES = 1_000  # a few more words (a count, a date) at most; never a row per council
D = datetime.date
ROLE = Officer.Role.values[0]


def _open(client, url):
    client.get(url)  # first: Django's per-process caches (content types) fill once, whatever the page
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    # The session's own write (the idle timeout's touch, once a minute, in a savepoint) follows the clock,
    # not the page.
    page = [q for q in queries if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]]
    return len(page), len(response.content)


def _grow(kanagawa, n, start):
    """`n` more local councils and organisations: what every unscoped choice list would print."""
    for i in range(start, start + n):
        council = local_council(kanagawa.prefecture.code, name=f"第{i}地域社会保障推進協議会")
        OrganisationFactory(name=f"第{i}労働組合", prefecture=kanagawa.prefecture, home_council=council)


def _add_urls():
    urls = []
    for model in sorted(admin.site._registry, key=lambda m: m._meta.label):
        try:
            urls.append(reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add"))
        except NoReverseMatch:
            pass
    return urls


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["national_staff", "kanagawa_staff"])
def test_every_add_form_keeps_its_queries_and_size_as_councils_grow(client, request, kanagawa, national, who):
    client.force_login(request.getfixturevalue(who))
    _grow(kanagawa, 3, 1)
    small = {}
    for url in _add_urls():
        if client.get(url).status_code != 200:  # national staff's only, or no add form
            continue
        small[url] = _open(client, url)
    _grow(kanagawa, 60, 100)
    grown = {url: _open(client, url) for url in small}
    heavier = {
        url: (small[url], grown[url])
        for url in small
        if grown[url][0] != small[url][0] or grown[url][1] - small[url][1] > GROWTH_BYTES
    }
    assert not heavier, f"grows with the number of councils and organisations (queries, bytes): {heavier}"
    too_big = {url: size for url, (_, size) in grown.items() if size > MAX_BYTES}
    assert not too_big, f"over {MAX_BYTES:,} bytes: {too_big}"
    assert len(small) > 20


def _action_with_rows(organiser, organisations):
    kind = ActionKind.objects.order_by("pk").first()
    action = Action.objects.create(
        kind=kind, title="国保料引き下げを求める宣伝", starts_on=D(2024, 11, 5), organiser=organiser
    )
    action.co_organisers.add(organiser)
    for order, organisation in enumerate(organisations):
        Participation.objects.create(action=action, organisation=organisation, count=3, order=order)
    return action


@pytest.mark.django_db
def test_action_and_council_change_forms_keep_their_queries_with_more_rows(client, national_staff, kanagawa):
    client.force_login(national_staff)
    _grow(kanagawa, 3, 1)
    organisations = list(Organisation.objects.order_by("pk"))
    action = _action_with_rows(kanagawa, organisations[:3])
    for order, organisation in enumerate(organisations[:3]):
        Membership.objects.create(organisation=organisation, council=kanagawa, since=D(2020, 4, 1))
        Officer.objects.create(council=kanagawa, organisation=organisation, person_name=f"役員{order}", role=ROLE)
    action_url = reverse("admin:campaigns_action_change", args=[action.pk])
    council_url = reverse("admin:councils_council_change", args=[kanagawa.pk])
    small = {url: _open(client, url) for url in (action_url, council_url, reverse("admin:campaigns_action_add"))}

    _grow(kanagawa, 30, 100)
    for order, organisation in enumerate(Organisation.objects.order_by("pk")[3:33], start=3):
        Participation.objects.create(action=action, organisation=organisation, count=3, order=order)
        Membership.objects.create(organisation=organisation, council=kanagawa, since=D(2020, 4, 1))
        Officer.objects.create(council=kanagawa, organisation=organisation, person_name=f"役員{order}", role=ROLE)
    grown = {url: _open(client, url) for url in small}
    # 30 participants more; 30 members, 30 officers and 30 local councils (its children) more.
    added_rows = {action_url: 30, council_url: 90}
    for url, (queries, size) in grown.items():
        print(f"{url}: {small[url][0]} → {queries} queries, {small[url][1]:,} → {size:,} bytes")
        assert queries == small[url][0], f"{url}: {small[url][0]} queries with 3 rows, {queries} with 33"
        assert small[url][1] < MAX_BYTES, f"{url}: {small[url][1]:,} bytes with 3 rows"
        # An inline row is its own inputs (about 2 KB), never a list of the country's councils.
        rows = added_rows.get(url, 0)
        assert size - small[url][1] < max(rows, 1) * 2_500, f"{url}: {size - small[url][1]:,} bytes for {rows} rows"


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["national_staff", "kanagawa_staff"])
def test_the_ledgers_date_bar_reads_two_dates_not_every_row(client, request, national_staff, kanagawa, who):
    """A DISTINCT over a million entries was most of the ledger list's time: the years come from the range."""
    from tests.petitions.factories import PetitionDriveFactory, record

    petition = PetitionDriveFactory(starts_on=D(2023, 4, 1), ends_on=D(2026, 3, 31))
    for day in (D(2023, 5, 1), D(2025, 6, 1)):
        record(national_staff, petition, kanagawa, 120, collected_on=day)
    client.force_login(request.getfixturevalue(who))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("admin:petitions_tallyentry_changelist")).content.decode()
    assert all("DISTINCT" not in q["sql"] for q in queries), [q["sql"] for q in queries if "DISTINCT" in q["sql"]]
    years = [y for y in ("2023", "2024", "2025") if f"collected_on__year={y}" in page]
    assert years == ["2023", "2024", "2025"]


def test_indentation_goes_but_a_textarea_keeps_what_was_typed():
    from django.http import HttpResponse

    from shaho.core.admin import collapse_whitespace

    page = '<div>\n      <p>\n        宮城県\n      </p>\n<textarea name="note">\n  一行目\n    字下げ</textarea>'
    page += "\n    </div>"
    response = collapse_whitespace(HttpResponse(page, content_type="text/html; charset=utf-8"))
    assert response.content.decode() == (
        '<div>\n<p>\n宮城県\n</p>\n<textarea name="note">\n  一行目\n    字下げ</textarea>\n</div>'
    )
