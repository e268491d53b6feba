"""Privacy by design: every field classed once; free text only for the station's responders and coordinators."""

import pytest
from django.urls import reverse

from consultations import privacy, services
from consultations.admin import CallRecordAdmin
from consultations.models import CallRecord, Coordinator, FreeTextRead
from councils.models import Role
from tests.councils.factories import staff_of

from . import factories

pytestmark = pytest.mark.django_db


def test_every_call_field_is_classed_personal_or_statistical():
    assert privacy.unclassified_fields() == []
    assert set(privacy.personal_fields()) == {"summary", "advice", "referral"}


def test_no_field_for_a_callers_name_address_or_phone():
    names = {f.name for f in CallRecord._meta.get_fields()}
    assert not names & {"name", "caller_name", "address", "phone", "telephone", "email"}


def test_the_admin_shows_and_searches_statistical_fields_only():
    shown = set(CallRecordAdmin.fields) | set(CallRecordAdmin.list_display) | set(CallRecordAdmin.readonly_fields)
    assert not shown & set(privacy.personal_fields())
    assert not {f.split("__")[0] for f in CallRecordAdmin.search_fields} & set(privacy.personal_fields())


@pytest.fixture
def world(kanagawa, tokyo, national_staff):
    day = factories.national_day()
    k_station = factories.station(day, kanagawa)
    t_station = factories.station(day, tokyo)
    k_responder = factories.responder(k_station)
    t_responder = factories.responder(t_station)
    coordinator = staff_of(national_staff.council, role=Role.NATIONAL_STAFF, username="coord")
    Coordinator.objects.create(user=coordinator, appointed_by=national_staff)
    k_call = factories.call(
        k_responder, summary="母が要介護5で限度額を超えている", advice="区分変更を助言", referral="地域包括"
    )
    t_call = factories.call(t_responder, summary="東京の相談です", advice="東京の助言", referral="東京の紹介先")
    return locals()


def test_only_the_stations_responders_and_coordinators_may_read_free_text(world, kanagawa_staff, national_staff):
    w = world
    assert privacy.may_read_free_text(w["k_responder"].user, w["k_call"])
    assert not privacy.may_read_free_text(w["k_responder"].user, w["t_call"])
    assert privacy.may_read_free_text(w["coordinator"], w["t_call"])
    assert not privacy.may_read_free_text(kanagawa_staff, w["k_call"])
    assert not privacy.may_read_free_text(national_staff, w["k_call"])


def test_a_responder_reads_the_text_and_the_read_is_logged_without_the_text(client, world):
    w = world
    client.force_login(w["k_responder"].user)
    response = client.get(reverse("consultations:call", args=[w["k_call"].pk]))
    assert response.status_code == 200
    assert "限度額を超えている" in response.content.decode()
    read = FreeTextRead.objects.get()
    assert (read.user, read.call, read.purpose) == (w["k_responder"].user, w["k_call"], "detail")
    assert "限度額" not in repr(read.__dict__)


@pytest.mark.parametrize("who", ["kanagawa_staff", "national_staff"])
def test_prefectural_and_national_staff_see_the_call_but_not_its_text_and_nothing_is_logged(
    client, world, who, request
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("consultations:call", args=[world["k_call"].pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "限度額" not in body and "区分変更" not in body and "地域包括" not in body
    assert not FreeTextRead.objects.exists()


def test_a_responder_of_another_station_cannot_open_the_call(client, world):
    client.force_login(world["t_responder"].user)
    assert client.get(reverse("consultations:call", args=[world["k_call"].pk])).status_code == 404


def test_the_coordinator_sees_the_read_log_and_others_do_not(client, world, national_staff):
    client.force_login(world["k_responder"].user)
    client.get(reverse("consultations:call", args=[world["k_call"].pk]))
    client.force_login(world["coordinator"])
    page = client.get(reverse("consultations:read_log")).content.decode()
    assert f"#{world['k_call'].pk}" in page and "限度額" not in page
    client.force_login(national_staff)
    assert client.get(reverse("consultations:read_log")).status_code == 403


def test_coordinators_and_responders_must_use_two_factor(settings, world, kanagawa_staff):
    from shaho.core.access import otp_required_for

    settings.OTP_REQUIRED = True
    assert otp_required_for(world["coordinator"])
    assert otp_required_for(world["k_responder"].user)
    assert not otp_required_for(kanagawa_staff)


def test_a_coordinator_must_be_national_staff(kanagawa_staff):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="中央事務局"):
        Coordinator(user=kanagawa_staff).full_clean()


def test_phone_and_email_are_masked_before_saving(world):
    call = factories.call(world["k_responder"], summary="折り返しは０９０－１２３４－５６７８か taro@example.jp へ")
    assert "1234" not in call.summary and "example" not in call.summary
    assert services.PHONE_MASK in call.summary and services.EMAIL_MASK in call.summary


def test_fields_for_derives_what_each_user_may_be_shown(world, kanagawa_staff):
    shown = privacy.fields_for(world["k_responder"].user, world["k_call"])
    assert set(privacy.personal_fields()) <= set(shown)
    assert not set(privacy.fields_for(kanagawa_staff, world["k_call"])) & set(privacy.personal_fields())
