"""Every admin add page and the heaviest change page of every model, on the demo data: under 100 KB (issue 16).

Known over before: the national council's change page (110 KB: its 66 councils below as a read-only
inline) and a caravan's (337 KB: 63 targets as inline forms). Both are now tables of links
(`shaho.core.admin.RowsSummary`). Sizes are asserted (they do not depend on the machine); the time
of each page is printed, never asserted (`bench/bench_admin_pages.py` prints them on PostgreSQL).
"""

import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from councils.models import Role, User
from municipalities.caravans.models import Caravan, CaravanTarget
from tests.admin_pages import admin_pages

MAX_BYTES = 100_000
TARGET_ROW_BYTES = 400  # a target in the caravan's table: a link and six short cells


def _open(client, url):
    client.get(url)  # first: Django's per-process caches fill once, whatever the page
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    ms = (time.perf_counter() - started) * 1000
    page = [q for q in queries if "django_session" not in q["sql"] and "SAVEPOINT" not in q["sql"]]
    return response, len(page), ms


@pytest.fixture
def national_staff_of_the_demo(demo, db):
    """A national staff account of the demo (the `demo` fixture: loaded once for the module; every test here
    only reads it or changes it within its own transaction)."""
    return User.objects.filter(role=Role.NATIONAL_STAFF, council__isnull=False).order_by("pk").first()


@pytest.mark.django_db
def test_every_admin_page_on_the_demo_data_is_under_100_kb(client, national_staff_of_the_demo):
    client.force_login(national_staff_of_the_demo)
    sizes, too_big = {}, {}
    for label, url in admin_pages():
        response, queries, ms = _open(client, url)
        assert response.status_code in (200, 302, 403), (url, response.status_code)  # 403: no add form here
        if response.status_code != 200:
            continue
        sizes[url] = len(response.content)
        print(f"{sizes[url] / 1000:7.1f} KB {ms:6.0f} ms {queries:3} queries  {label}  {url}")
        if sizes[url] >= MAX_BYTES:
            too_big[url] = sizes[url]
    assert not too_big, f"over {MAX_BYTES:,} bytes: {too_big}"
    assert len(sizes) > 60
    heaviest_caravan = max(Caravan.objects.all(), key=lambda c: c.targets.count() + c.courses.count())
    assert reverse("admin:municipalities_caravan_change", args=[heaviest_caravan.pk]) in sizes


@pytest.mark.django_db
def test_the_caravan_and_council_pages_show_their_long_lists_as_tables_of_links(client, national_staff_of_the_demo):
    client.force_login(national_staff_of_the_demo)
    caravan = max(Caravan.objects.all(), key=lambda c: c.targets.count())
    response, _, _ = _open(client, reverse("admin:municipalities_caravan_change", args=[caravan.pk]))
    page = response.content.decode()
    assert f"訪問先（{caravan.targets.count()}件）" in page
    target = caravan.targets.order_by("pk").first()
    assert reverse("admin:municipalities_caravantarget_change", args=[target.pk]) in page
    assert f"caravantarget/?caravan__id__exact={caravan.pk}" in page  # the list, to change them
    assert 'name="targets-TOTAL_FORMS"' not in page
    listed = client.get(reverse("admin:municipalities_caravantarget_changelist"), {"caravan__id__exact": caravan.pk})
    assert listed.status_code == 200 and listed.context["cl"].result_count == caravan.targets.count()
    # A new caravan still takes its targets on its add page.
    assert 'name="targets-TOTAL_FORMS"' in client.get(reverse("admin:municipalities_caravan_add")).content.decode()

    # Two data sizes: 20 targets more (other bodies: the prefecture's municipalities are all visited already).
    url = reverse("admin:municipalities_caravan_change", args=[caravan.pk])
    small, small_queries, _ = _open(client, url)
    CaravanTarget.objects.bulk_create(
        [CaravanTarget(caravan=caravan, other_body=f"第{i}後期高齢者医療広域連合") for i in range(20)]
    )
    grown, grown_queries, _ = _open(client, url)
    added = len(grown.content) - len(small.content)
    print(f"{url}: {small_queries} → {grown_queries} queries, {len(small.content):,} → {len(grown.content):,} bytes")
    assert grown_queries == small_queries
    assert added < 20 * TARGET_ROW_BYTES, f"{added:,} bytes for 20 targets"


@pytest.mark.django_db
def test_a_council_sees_only_its_own_councils_below_in_the_table(client, national_staff_of_the_demo):
    """The table is scoped like the inline was: Kanagawa's staff never see another prefecture's councils."""
    from councils.models import Council, CouncilKind

    kanagawa = Council.objects.get(kind=CouncilKind.PREFECTURAL, prefecture__code="14")
    staff = User.objects.filter(council=kanagawa, role=Role.COUNCIL_STAFF).first()
    assert staff is not None
    client.force_login(staff)
    national = Council.objects.get(kind=CouncilKind.NATIONAL)
    # The national council's page (the country's councils in its table) is not in view at all.
    assert client.get(reverse("admin:councils_council_change", args=[national.pk])).status_code == 404
    own = client.get(reverse("admin:councils_council_change", args=[kanagawa.pk])).content.decode()
    children = kanagawa.children.all()
    assert children and all(c.name in own for c in children)
