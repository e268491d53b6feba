"""The fast call form: refusals keep what was typed, contacts are masked first, one call per form."""

import uuid

import pytest
from django.urls import reverse

from consultations.models import CallRecord

from . import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(kanagawa, tokyo):
    day = factories.national_day()
    station = factories.station(day, kanagawa)
    other = factories.station(day, tokyo)
    return {
        "station": station,
        "me": factories.responder(station),
        "other_responder": factories.responder(other),
        "cost": factories.category("利用料・費用"),
        "leave": factories.category("介護離職"),
    }


def _data(s, **over):
    data = {
        "line": "2", "responder": str(s["me"].pk), "started_at": "１２：１０", "duration_minutes": "３５",
        "caller_type": "family", "caller_relation": "child", "age_band": "85_plus", "sex": "female",
        "care_level": "care_5", "categories": [str(s["cost"].pk), str(s["leave"].pk)],
        "summary": "母は要介護5で自宅介護。正社員を辞めた。利用料が限度額を超える。",
        "advice": "区分支給限度額と負担軽減を説明",
        "referral": "地域包括支援センター", "municipality": "", "submission_token": str(uuid.uuid4()),
    }  # fmt: skip
    data.update(over)
    return data


def _post(client, s, **over):
    client.force_login(s["me"].user)
    return client.post(reverse("consultations:call_new", args=[s["station"].pk]), _data(s, **over))


def test_a_call_is_recorded_with_fullwidth_numbers_and_two_categories(client, setup):
    response = _post(client, setup)
    assert response.status_code == 302
    call = CallRecord.objects.get()
    assert (call.line, call.duration_minutes, call.care_level) == (2, 35, "care_5")
    assert set(call.categories.values_list("name", flat=True)) == {"利用料・費用", "介護離職"}


def test_sending_the_form_twice_records_one_call(client, setup):
    token = str(uuid.uuid4())
    _post(client, setup, submission_token=token)
    _post(client, setup, submission_token=token)
    assert CallRecord.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("duration_minutes", "-5", "相談時間（分）"),
        ("duration_minutes", "481", "480分"),
        ("categories", ["999999"], "分類"),
        ("line", "4", "回線"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_the_summary_comes_back(client, setup, field, value, message):
    response = _post(client, setup, **{field: value})
    assert response.status_code == 200
    body = response.content.decode()
    assert message in body
    assert "正社員を辞めた" in body  # the typed summary is kept
    assert not CallRecord.objects.exists()


def test_a_responder_of_another_station_is_refused(client, setup):
    response = _post(client, setup, responder=str(setup["other_responder"].pk))
    assert response.status_code == 200 and "相談員" in response.content.decode()
    assert not CallRecord.objects.exists()


def test_a_phone_number_in_the_summary_is_masked_and_shown_before_saving(client, setup):
    response = _post(client, setup, summary="娘です。連絡先は090-1234-5678、mail: a.b@example.com")
    body = response.content.decode()
    assert response.status_code == 200 and "伏せ字にしました" in body
    assert "1234-5678" not in body and "［電話番号］" in body and "［メールアドレス］" in body
    assert not CallRecord.objects.exists()
    # sent again as shown: saved, masked
    again = _post(client, setup, summary="娘です。連絡先は［電話番号］、mail: ［メールアドレス］")
    assert again.status_code == 302
    assert "［電話番号］" in CallRecord.objects.get().summary


def test_a_call_outside_the_hours_is_accepted_with_a_warning(client, setup):
    response = _post(client, setup, started_at="17:40")
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "受付時間" in page and "時間外" in page
    assert CallRecord.objects.count() == 1


def test_prefectural_staff_cannot_open_the_call_form(client, setup, kanagawa_staff):
    client.force_login(kanagawa_staff)
    assert client.get(reverse("consultations:call_new", args=[setup["station"].pk])).status_code == 403


def test_the_service_refuses_a_responder_of_another_station_whatever_the_form(setup):
    import datetime

    from django.core.exceptions import ValidationError
    from django.utils import timezone

    from consultations import services

    with pytest.raises(ValidationError) as refused:
        services.call_record(
            user=setup["me"].user, station=setup["station"], responder=setup["other_responder"],
            started_at=timezone.make_aware(datetime.datetime(2023, 11, 11, 12)), duration_minutes=10,
            caller_type="self",
        )  # fmt: skip
    assert "相談員" in refused.value.message_dict["responder"][0]
    assert not CallRecord.objects.exists()


def test_the_edit_form_shows_the_call_time_in_tokyo(client, setup):
    _post(client, setup, started_at="09:05")
    call = CallRecord.objects.get()
    page = client.get(reverse("consultations:call_edit", args=[call.pk])).content.decode()
    assert 'value="09:05"' in page
