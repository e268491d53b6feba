"""The ledger's search box (集約記録 in the admin): what staff find by, each through an index (issue 16).

At 200,000 entries on PostgreSQL the search scanned the whole ledger three times a page (its count,
its rows, its date bar) with UPPER(…) LIKE '%…%' on four columns joined to the councils. Now
(`petitions.selectors.ledger_search`) names are looked up in the councils' and organisations' own
tables and matched by id, an entry's number by its id, and typed text (place, note, correction
reason) from three characters on, through pg_trgm indexes on PostgreSQL (migration 0008).
"""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from petitions.services import tally_correct
from tests.councils.factories import OrganisationFactory
from tests.petitions.factories import record
from tests.required_services import service_missing

URL = reverse("admin:petitions_tallyentry_changelist")
D = datetime.date


@pytest.fixture
def ledger(national_staff, kanagawa, kawasaki, tokyo, petition):
    union = OrganisationFactory(
        name="神奈川県医療労働組合連合会",
        short_name="神奈川医労連",
        prefecture=kanagawa.prefecture,
        home_council=kanagawa,
    )
    entries = {
        "kawasaki": record(national_staff, petition, kawasaki, 120, source="桜木町駅前宣伝"),
        "kanagawa": record(national_staff, petition, kanagawa, 30, organisation=union, note="県庁前で集めた分"),
        "tokyo": record(national_staff, petition, tokyo, 45, source="新宿駅西口"),
    }
    entries["correction"] = tally_correct(
        user=national_staff, entry=entries["tokyo"], corrected=40, reason="二重に数えた分を引く"
    ).entry
    return entries


def found(client, term):
    response = client.get(URL, {"q": term})
    assert response.status_code == 200
    return {entry.pk for entry in response.context["cl"].result_list}


def ids(ledger, *names):
    return {ledger[name].pk for name in names}


@pytest.mark.django_db
def test_staff_find_entries_by_council_organisation_number_and_typed_text(client, national_staff, ledger):
    client.force_login(national_staff)
    assert found(client, "川崎") == ids(ledger, "kawasaki")  # a council's name, two characters
    assert found(client, "東京") == ids(ledger, "tokyo", "correction")  # the correction is Tokyo's too
    assert found(client, "神奈川医労連") == ids(ledger, "kanagawa")  # the collecting organisation's short name
    assert found(client, "医療労働") == ids(ledger, "kanagawa")  # its name
    assert found(client, "桜木町") == ids(ledger, "kawasaki")  # the place typed on the entry
    assert found(client, "県庁前") == ids(ledger, "kanagawa")  # the note
    assert found(client, "二重に") == ids(ledger, "correction")  # the correction's reason
    assert found(client, str(ledger["tokyo"].pk)) >= ids(ledger, "tokyo")  # the entry's number
    assert found(client, "該当なしの語") == set()


@pytest.mark.django_db
def test_every_word_narrows_and_full_width_is_read_as_typed_half_width(client, national_staff, ledger):
    client.force_login(national_staff)
    assert found(client, "東京 二重に") == ids(ledger, "correction")  # both words: only the correction has both
    assert found(client, "川崎 新宿駅") == set()
    number = str(ledger["kawasaki"].pk)
    full_width = number.translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    assert ledger["kawasaki"].pk in found(client, full_width)


@pytest.mark.django_db
def test_a_two_character_word_finds_names_not_every_entrys_text(client, national_staff, ledger):
    """The help text says so: typed text from three characters on (a trigram), names from one."""
    client.force_login(national_staff)
    assert found(client, "新宿") == set()  # only a place: 「新宿駅」 finds it
    assert found(client, "新宿駅") == ids(ledger, "tokyo", "correction")  # a correction keeps the place
    page = client.get(URL).content.decode()
    assert "3文字以上なら場所・備考・訂正の理由からも探します" in page


@pytest.mark.django_db
def test_a_search_never_shows_another_prefectures_entries(client, kanagawa_staff, ledger):
    client.force_login(kanagawa_staff)
    assert found(client, "東京") == set()
    assert found(client, "新宿駅") == set()
    assert found(client, str(ledger["tokyo"].pk)) == set()
    assert found(client, "神奈川") == ids(ledger, "kanagawa")  # Kanagawa's council and its union
    assert found(client, "桜木町") == ids(ledger, "kawasaki")


@pytest.mark.django_db
def test_the_search_never_joins_the_councils_to_every_entry(client, national_staff, ledger):
    """Names are matched in their own tables, then by id: the ledger's queries hold no LIKE on a council."""
    client.force_login(national_staff)
    with CaptureQueriesContext(connection) as queries:
        assert found(client, "東京") == ids(ledger, "tokyo", "correction")
    ledger_queries = [q["sql"] for q in queries if 'FROM "petitions_tallyentry"' in q["sql"]]
    assert ledger_queries
    for sql in ledger_queries:
        assert '"councils_council"."name"' not in sql.split("WHERE", 1)[-1], sql


@pytest.mark.django_db
def test_on_postgresql_typed_text_is_found_through_the_trigram_indexes(national_staff, ledger):
    if connection.vendor != "postgresql":  # a failure under CI (SHAHO_REQUIRE_SERVICES=1), a skip elsewhere
        service_missing("pg_trgm is PostgreSQL's (migration 0008 does nothing on SQLite)")
    from petitions.models import TallyEntry
    from petitions.selectors import ledger_search

    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'petitions_tallyentry'")
        names = {row[0] for row in cursor.fetchall()}
    assert {"tally_source_trgm", "tally_note_trgm", "tally_reason_trgm"} <= names
    queryset = ledger_search(TallyEntry.objects.all(), "該当なしの語").order_by()  # as the page's count
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a five-row table: ask whether the index can be used
        sql, params = queryset.query.sql_with_params()
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "tally_source_trgm" in plan and "tally_reason_trgm" in plan, plan


@pytest.mark.django_db
def test_a_ledger_page_reads_its_keys_first_then_its_rows_newest_first(client, national_staff, kawasaki, petition):
    """KeysFirstPaginator: the page's 50 keys from the ledger alone (no joins), then those rows with their joins."""
    from django.utils import timezone

    from petitions.models import TallyEntry

    start = timezone.now() - datetime.timedelta(days=1)
    for i in range(60):
        entry = record(national_staff, petition, kawasaki, i + 1)
        TallyEntry.objects.filter(pk=entry.pk).update(entered_at=start + datetime.timedelta(minutes=i))
    client.force_login(national_staff)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    first, sql = response.context["cl"].result_list, [q["sql"] for q in queries]  # before the next request resets them
    second = client.get(URL, {"p": 2}).context["cl"].result_list
    newest_first = list(TallyEntry.objects.order_by("-entered_at", "-pk").values_list("pk", flat=True))
    assert [e.pk for e in first] + [e.pk for e in second] == newest_first
    assert [e.count for e in first[:3]] == [60, 59, 58] and first[0].council.name == kawasaki.name
    keys = [q for q in sql if "LIMIT 50" in q and "tallyentry" in q]
    assert len(keys) == 1 and "JOIN" not in keys[0] and "LIMIT 50" in keys[0], keys
