"""The call form for the keyboard, without a browser: the area found by its name, reading, code or first
characters; the focus placed by the page (first field, the first error, the confirmation after masking); the
saved call acknowledged in a live region, with the line and responder kept for the next call."""

import uuid

import pytest
from django.urls import reverse

from consultations.forms import CallForm
from consultations.models import CallRecord
from tests.consultations import factories
from tests.councils.factories import prefectural_council

pytestmark = pytest.mark.django_db


@pytest.fixture
def station():
    station = factories.station(factories.national_day(), prefectural_council("14"), lines=3)
    factories.responder(station)
    return station


def _area(station, text):
    form = CallForm(station=station, user=station.responders.get().user)
    field = form.fields["municipality"]
    return field.clean(text)


@pytest.mark.parametrize(
    "typed, name",
    [
        ("川崎市", "川崎市"),
        ("かわさきし", "川崎市"),
        ("カワサキ", "川崎市"),  # a city before its own wards
        ("かわさき", "川崎市"),
        ("港北", "横浜市港北区"),  # the ward's own name, without its city
        ("よこはましこうほく", "横浜市港北区"),
        ("１４１５０", "相模原市"),  # the code, 全角, without its check digit
        ("141500", "相模原市"),
        ("", None),
    ],
)
def test_the_area_is_found_by_typing(station, typed, name):
    found = _area(station, typed)
    assert (found.name if found else None) == name


@pytest.mark.parametrize("typed, message", [("南区", "いくつも"), ("大阪市", "ありません"), ("131016", "ありません")])
def test_an_ambiguous_or_unknown_area_is_refused_with_the_candidates(station, typed, message):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match=message):
        _area(station, typed)


def _data(station, **over):
    return {
        "line": "2", "responder": str(station.responders.get().pk), "started_at": "10:05", "duration_minutes": "12",
        "caller_type": "self", "age_band": "unknown", "sex": "unknown", "care_level": "unknown",
        "municipality": "かわさき", "submission_token": str(uuid.uuid4()), **over,
    }  # fmt: skip


def _url(station):
    return reverse("consultations:call_new", args=[station.pk])


def test_the_form_opens_with_the_focus_in_the_first_field(client, station):
    client.force_login(station.responders.get().user)

    html = client.get(_url(station)).content.decode()

    assert html.count("autofocus") == 1
    assert 'name="started_at"' in html.split("autofocus")[0].rsplit("<input", 1)[1]


def test_a_refused_form_puts_the_focus_on_the_first_field_in_error(client, station):
    client.force_login(station.responders.get().user)

    html = client.post(_url(station), _data(station, duration_minutes="")).content.decode()

    assert html.count("autofocus") == 1
    assert 'name="duration_minutes"' in html.split("autofocus")[0].rsplit("<input", 1)[1]


def test_after_the_masking_message_the_focus_is_on_the_confirmation(client, station):
    client.force_login(station.responders.get().user)

    html = client.post(_url(station), _data(station, summary="折り返し 090-1111-2222")).content.decode()

    assert not CallRecord.objects.exists()
    assert html.count("autofocus") == 1
    assert '<button type="submit" class="wide big" id="save-call" autofocus aria-describedby="contact-warning">' in html


def test_a_saved_call_is_acknowledged_in_a_live_region_with_line_and_responder_kept(client, station):
    client.force_login(station.responders.get().user)

    response = client.post(_url(station), _data(station), follow=True)

    call = CallRecord.objects.get()
    assert call.municipality.name == "川崎市"
    html = response.content.decode()
    assert f'role="status" aria-live="polite" aria-atomic="true">相談記録 #{call.pk} を記録しました' in html
    form = response.context["form"]
    assert not form.is_bound and str(form["line"].value()) == "2"
    assert 'id="id_line_1" checked' in html or 'value="2" id="id_line_1" checked' in html or "checked" in html


def test_the_area_of_a_call_being_corrected_shows_its_name(client, station):
    user = station.responders.get().user
    client.force_login(user)
    client.post(_url(station), _data(station, municipality="港北"))
    call = CallRecord.objects.get()

    html = client.get(reverse("consultations:call_edit", args=[call.pk])).content.decode()

    assert 'value="横浜市港北区"' in html
