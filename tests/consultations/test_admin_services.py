"""The consultations' admin writes days, stations, responders and coordinators through the services
(shaho.core.admin.ServiceAdmin): the history records the user, a neighbour's row is refused by the services,
and only national staff appoint a coordinator (who reads every station's free text)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from consultations import services
from consultations.models import Coordinator, Responder, Station
from councils.models import Role
from tests.councils.factories import staff_of

from . import factories

pytestmark = pytest.mark.django_db


def _station_post(day, council, *, responders=()):
    data = {"day": day.pk, "council": council.pk, "line_count": "2", "line_numbers": "", "publicity": "",
            "coverage": "", "note": ""}  # fmt: skip
    data |= {"responders-TOTAL_FORMS": len(responders), "responders-INITIAL_FORMS": 0}
    data |= {"responders-MIN_NUM_FORMS": 0, "responders-MAX_NUM_FORMS": 1000}
    for i, row in enumerate(responders):
        data |= {f"responders-{i}-{name}": value for name, value in row.items()}
    return data


def test_an_admin_add_of_a_station_and_its_responder_goes_through_the_services(
    client, kanagawa, kanagawa_staff, monkeypatch
):
    saved = []
    row_save = services.row_save

    def spy(*, user, row):
        saved.append((type(row).__name__, user))
        return row_save(user=user, row=row)

    monkeypatch.setattr(services, "row_save", spy)
    day = factories.national_day(council=kanagawa)
    member = staff_of(kanagawa, role=Role.MEMBER)
    client.force_login(kanagawa_staff)
    data = _station_post(day, kanagawa, responders=[{"user": member.pk, "profession": "nurse", "organisation": ""}])
    response = client.post(reverse("admin:consultations_station_add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    station = Station.objects.get()
    assert saved == [("Station", kanagawa_staff), ("Responder", kanagawa_staff)]
    assert station.history.get().history_user == kanagawa_staff
    assert Responder.objects.get().history.get().history_user == kanagawa_staff


def test_the_services_refuse_a_neighbours_day_station_and_responder(kanagawa, kanagawa_staff, tokyo):
    day = factories.national_day(council=tokyo)
    station = factories.station(day, tokyo)
    responder = factories.responder(station)
    station.line_count = 9
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=station)
    station.council = kanagawa  # taking it over is judged by the station as stored
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=station)
    own = staff_of(kanagawa, role=Role.MEMBER)
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=Responder(station=station, user=own, profession="nurse"))
    day.title = "書き換え"
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=day)
    for row in (Station.objects.get(pk=station.pk), responder):
        with pytest.raises(PermissionDenied):
            services.row_delete(user=kanagawa_staff, row=row)
    stored = Station.objects.get(pk=station.pk)
    assert (stored.line_count, stored.council) == (3, tokyo)
    assert list(Responder.objects.values_list("user", flat=True)) == [responder.user_id]


def test_only_national_staff_appoint_a_coordinator_and_the_appointment_records_who(
    client, national, national_staff, kanagawa_staff
):
    appointee = staff_of(national, role=Role.NATIONAL_STAFF)
    with pytest.raises(ValidationError, match="中央事務局だけ"):
        services.coordinator_save(user=kanagawa_staff, coordinator=Coordinator(user=appointee))
    client.force_login(national_staff)
    response = client.post(reverse("admin:consultations_coordinator_add"), {"user": appointee.pk, "note": "2025年度"})
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    coordinator = Coordinator.objects.get()
    assert coordinator.appointed_by == national_staff
    assert coordinator.history.get().history_user == national_staff
    with pytest.raises(PermissionDenied):
        services.coordinator_delete(user=kanagawa_staff, coordinator=coordinator)
