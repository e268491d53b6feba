"""The caravans' staff pages write through the services: scope refused, who recorded, refusals as form errors."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from municipalities.caravans import services
from municipalities.caravans.models import TalkParticipation
from municipalities.models import Caravan, CaravanTarget, Municipality, Prefecture, Talk

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def tokyo_caravan(tokyo, tokyo_staff):
    minato = Municipality.objects.get(prefecture__code="13", name="港区")
    return services.caravan_create(
        user=tokyo_staff, council=tokyo, fiscal_year=2023, title="東京キャラバン", municipalities=[minato]
    )


@pytest.fixture
def kanagawa_caravan(kanagawa, kanagawa_staff):
    chigasaki = Municipality.objects.get(prefecture__code="14", name="茅ヶ崎市")
    return services.caravan_create(
        user=kanagawa_staff, council=kanagawa, fiscal_year=2023, title="神奈川キャラバン", municipalities=[chigasaki]
    )


def test_kanagawa_staff_cannot_save_or_delete_a_tokyo_row_through_the_services(kanagawa, kanagawa_staff, tokyo_caravan):
    target = tokyo_caravan.targets.get()
    tokyo_caravan.title = "書き換え"
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=tokyo_caravan)
    # Re-pointing a neighbour's row at one's own council is judged by the row as stored.
    tokyo_caravan.council = kanagawa
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=tokyo_caravan)
    target.visited_on = D(2023, 11, 2)
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=target)
    talk = Talk(target=target, held_at=datetime.datetime(2023, 11, 2, 14, tzinfo=datetime.UTC))
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=talk)
    with pytest.raises(PermissionDenied):
        services.row_delete(user=kanagawa_staff, row=target)
    stored = Caravan.objects.get(pk=tokyo_caravan.pk)
    assert (stored.title, stored.council.prefecture.code) == ("東京キャラバン", "13")
    assert CaravanTarget.objects.get(pk=target.pk).visited_on is None
    assert not Talk.objects.exists()


def test_a_service_save_records_the_user_in_the_history(kanagawa_staff, kanagawa_caravan):
    target = kanagawa_caravan.targets.get()
    target.answered_on = D(2023, 7, 1)
    services.row_save(user=kanagawa_staff, row=target)
    assert target.history.first().history_user == kanagawa_staff


def _talk_post(target, *, people):
    data = {
        "target": target.pk,
        "held_at_0": "2023-11-02",
        "held_at_1": "14:00:00",
        "place": "茅ヶ崎市役所",
        "our_participants": "6",
        "officials": "4",
        "summary": "",
        "internal_note": "",
    }
    for prefix, rows in (("participations", people), ("official_rows", []), ("items", [])):
        data |= {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
        data |= {f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
        for i, row in enumerate(rows):
            data |= {f"{prefix}-{i}-{name}": value for name, value in row.items()}
    return data


def test_an_admin_add_and_change_go_through_the_services_and_record_the_user(
    client, kanagawa_staff, kanagawa_caravan, monkeypatch
):
    saved = []
    row_save = services.row_save

    def spy(*, user, row):
        saved.append((type(row).__name__, user))
        return row_save(user=user, row=row)

    monkeypatch.setattr(services, "row_save", spy)
    target = kanagawa_caravan.targets.get()
    client.force_login(kanagawa_staff)
    people = [
        {"organisation_name": "茅ヶ崎社保協", "count": "5"},
        {"organisation_name": "神奈川県社保協", "count": "1"},
    ]
    response = client.post(reverse("admin:municipalities_talk_add"), _talk_post(target, people=people))
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    talk = Talk.objects.get(target=target)
    assert sorted(talk.participations.values_list("organisation_name", "count")) == [
        ("神奈川県社保協", 1),
        ("茅ヶ崎社保協", 5),
    ]
    assert talk.history.get().history_user == kanagawa_staff
    # The talk and each inline row were written by the service, as the user.
    assert saved == [("Talk", kanagawa_staff)] + [("TalkParticipation", kanagawa_staff)] * 2

    url = reverse("admin:municipalities_caravantarget_change", args=[target.pk])
    data = {
        "caravan": kanagawa_caravan.pk,
        "municipality": target.municipality_id,
        "other_body": "",
        "course": "",
        "questionnaire_sent_on": "2023-06-01",
        "answered_on": "",
        "demands_handed_on": "",
        "visited_on": "2023-11-02",
        "written_answer_on": "",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    target.refresh_from_db()
    assert target.questionnaire_sent_on == D(2023, 6, 1)
    latest = target.history.first()
    assert (latest.history_type, latest.history_user) == ("~", kanagawa_staff)
    assert saved[-1] == ("CaravanTarget", kanagawa_staff)


def test_a_service_refusal_shows_as_a_form_error_and_nothing_is_written(client, national_staff, kanagawa_caravan):
    # National staff may pick any prefecture; the caravan's targets are Kanagawa's, so the service refuses.
    client.force_login(national_staff)
    url = reverse("admin:municipalities_caravan_change", args=[kanagawa_caravan.pk])
    data = {
        "council": kanagawa_caravan.council_id,
        "prefecture": Prefecture.objects.get(code="13").pk,
        "fiscal_year": "2023",
        "title": "書き換えた名称",
        "questionnaire": "",
        "visits_planned": "on",
        "note": "",
    }
    for prefix in ("courses", "targets"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
        data |= {f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
    response = client.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "東京都以外の市区町村（茅ヶ崎市）" in " ".join(errors["prefecture"])
    stored = Caravan.objects.get(pk=kanagawa_caravan.pk)
    assert (stored.title, stored.prefecture.code) == ("神奈川キャラバン", "14")
    assert stored.history.count() == 1  # only its creation


def test_an_inline_row_of_a_neighbours_talk_is_refused(kanagawa_staff, tokyo_staff, tokyo_caravan):
    talk = services.talk_record(
        user=tokyo_staff,
        target=tokyo_caravan.targets.get(),
        held_at=datetime.datetime(2023, 11, 2, 14, tzinfo=datetime.UTC),
    )
    row = TalkParticipation(talk=talk, organisation_name="神奈川県社保協", count=1)
    with pytest.raises(ValidationError, match="権限がありません"):
        services.row_save(user=kanagawa_staff, row=row)
    assert not talk.participations.exists()
