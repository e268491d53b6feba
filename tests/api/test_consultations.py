"""The consultations API serves TOTALS only: never a call record (CallRecord) or any free text, whatever the token.

Canaries are put into every free-text field of the calls, of the consultation day's notes and of its stations;
no response of any consultations endpoint (JSON, CSV, xlsx), to any token (a national 事務局 token included),
contains one.
"""

import io

import openpyxl
import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from consultations.models import CallRecord, ConsultationDay, Station
from councils.models import Role
from shaho.core.api.models import ApiAccess
from tests.api.conftest import api_get, make_token
from tests.consultations import factories
from tests.councils.factories import staff_of

pytestmark = pytest.mark.django_db
CANARY = "cnryfreetext"
# The day's name is what a client lists it by; every other text of the day is its notes.
DAY_NAME_FIELDS = {"title"}


def _free_text_fields(model, *, keep=()):
    return [
        f.name
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField) and not f.choices and f.name not in keep
    ]


def _plant(queryset, fields, tag):
    queryset.update(**{name: f"{CANARY}-{tag}-{name}" for name in fields})


@pytest.fixture
def day(national, kanagawa, tokyo):
    """A national day with a station in Kanagawa (3 calls) and one in Tokyo (5 calls), canaries everywhere."""
    day = factories.national_day()
    ours = factories.station(day, kanagawa)
    theirs = factories.station(day, tokyo)
    care = factories.category()
    for _ in range(3):
        factories.call(factories.responder(ours), summary="x", minutes=35, categories=[care])
    factories.bulk_calls(factories.responder(theirs), 5)
    _plant(CallRecord.objects.all(), _free_text_fields(CallRecord), "call")
    _plant(ConsultationDay.objects.all(), _free_text_fields(ConsultationDay, keep=DAY_NAME_FIELDS), "day")
    _plant(Station.objects.all(), _free_text_fields(Station), "station")
    assert CallRecord.objects.filter(summary__startswith=CANARY, advice__startswith=CANARY).count() == 8
    return day


def _text(response):
    if response.get("Content-Type", "").startswith("application/vnd.openxmlformats"):
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        return " ".join(str(c) for ws in book for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    return response.content.decode("utf-8-sig")


def _urls(day):
    urls = [reverse("api:consultation-day-list"), reverse("api:consultation-day-detail", args=[day.pk])]
    totals = reverse("api:consultation-day-totals", args=[day.pk])
    return [*urls, totals, totals + "?format=csv", totals + "?format=xlsx", urls[0] + "?format=csv"]


def test_the_planted_canaries_are_on_the_site_so_the_test_could_see_them(client, day, kanagawa):
    # The canaries are real: a reader of the call's free text on the site meets them (the API must not).
    call = CallRecord.objects.filter(station__council=kanagawa).first()
    assert call.summary.startswith(CANARY) and call.station.note.startswith(CANARY)
    assert ConsultationDay.objects.get().coverage.startswith(CANARY)


@pytest.mark.parametrize("who", ["kanagawa_staff", "kanagawa_member", "national_staff"])
def test_no_token_reads_a_call_or_free_text(client, day, national, kanagawa, who):
    council = national if who == "national_staff" else kanagawa
    access = ApiAccess.MEMBER if who == "kanagawa_member" else ApiAccess.STAFF
    _, secret = make_token(council, access=access)
    for url in _urls(day):
        response = api_get(client, secret, url)
        assert response.status_code == 200, (url, response.content[:300])
        text = _text(response)
        assert CANARY not in text, (who, url)
        assert "summary" not in text and "advice" not in text and "referral" not in text


def test_a_kanagawa_token_counts_kanagawas_station_only(client, day, kanagawa_token, national):
    _, secret = kanagawa_token
    rows = api_get(client, secret, reverse("api:consultation-day-totals", args=[day.pk])).json()
    total = next(r for r in rows if r["section"] == "total")
    assert total["count"] == 3  # not Tokyo's 5
    stations = [r for r in rows if r["section"] == "station"]
    assert [s["count"] for s in stations] == [3] and stations[0]["prefecture_code"] == "14"
    assert next(r for r in rows if r["section"] == "long_calls")["count"] == 3
    # The national token counts both, as the national office's day page does.
    _, national_secret = make_token(national)
    rows = api_get(client, national_secret, reverse("api:consultation-day-totals", args=[day.pk])).json()
    assert next(r for r in rows if r["section"] == "total")["count"] == 8


def test_a_day_of_tokyo_alone_is_not_found_for_kanagawa(client, tokyo, kanagawa_token):
    tokyo_day = ConsultationDay.objects.create(
        kind="living", title=f"{CANARY}-tokyo-day", date=factories.DEFAULT_DAY, starts_at="10:00", ends_at="16:00",
        council=tokyo,
    )  # fmt: skip
    _, secret = kanagawa_token
    assert api_get(client, secret, reverse("api:consultation-day-detail", args=[tokyo_day.pk])).status_code == 404
    assert api_get(client, secret, reverse("api:consultation-day-totals", args=[tokyo_day.pk])).status_code == 404
    assert CANARY not in api_get(client, secret, reverse("api:consultation-day-list")).content.decode()


def test_a_responder_of_the_tokens_council_gives_the_token_no_call_rights(client, day, kanagawa, kanagawa_token):
    # Even with a staff member of Kanagawa answering at Tokyo's station, the token (nobody's responder) counts
    # Kanagawa's station only.
    tokyo_station = Station.objects.get(council__prefecture__code="13")
    factories.responder(tokyo_station, staff_of(kanagawa, role=Role.MEMBER))
    _, secret = kanagawa_token
    rows = api_get(client, secret, reverse("api:consultation-day-totals", args=[day.pk])).json()
    assert next(r for r in rows if r["section"] == "total")["count"] == 3


def test_totals_cost_the_same_queries_at_two_sizes_and_answer_304(client, day, kanagawa, kanagawa_token):
    _, secret = kanagawa_token
    url = reverse("api:consultation-day-totals", args=[day.pk])

    def count():
        with CaptureQueriesContext(connection) as ctx:
            response = api_get(client, secret, url)
            assert response.status_code == 200
        return len(ctx.captured_queries), response

    count()
    small, first = count()
    factories.bulk_calls(factories.responder(Station.objects.get(council=kanagawa)), 40)
    large, second = count()
    assert small == large
    assert second["ETag"] != first["ETag"]  # 40 more calls move the fingerprint
    with CaptureQueriesContext(connection) as ctx:
        assert api_get(client, secret, url, HTTP_IF_NONE_MATCH=second["ETag"]).status_code == 304
    assert len(ctx.captured_queries) <= 1
