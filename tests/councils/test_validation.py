"""Bad input is refused with a Japanese message naming the field, and nothing is saved."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from councils import services
from councils.forms import CouncilForm
from councils.models import Council, CouncilKind, Role
from municipalities.models import Municipality, Prefecture
from shaho.core.japanese import code_check_digit

from .factories import local_council, national_council, prefectural_council, staff_of


def _form(**data):
    base = {"status": "active", "name": "テスト社保協"}
    base.update(data)
    return CouncilForm(data=base)


@pytest.mark.django_db
def test_local_council_with_national_parent_is_refused():
    form = _form(kind=CouncilKind.LOCAL, parent=national_council().pk, prefecture=Prefecture.objects.get(code="14").pk)
    assert not form.is_valid()
    assert "上部組織" in form.errors["parent"][0] and "都道府県社保協" in form.errors["parent"][0]


@pytest.mark.django_db
def test_prefectural_council_with_prefectural_parent_is_refused():
    form = _form(
        kind=CouncilKind.PREFECTURAL,
        parent=prefectural_council("13").pk,
        prefecture=Prefecture.objects.get(code="14").pk,
    )
    assert not form.is_valid() and "parent" in form.errors


@pytest.mark.django_db
def test_local_council_covering_another_prefectures_municipality_is_refused():
    kanagawa = prefectural_council("14")
    shibuya = Municipality.objects.get(code="131130")
    yokohama = Municipality.objects.get(code="141003")
    before = Council.objects.count()
    form = _form(
        kind=CouncilKind.LOCAL,
        parent=kanagawa.pk,
        prefecture=kanagawa.prefecture_id,
        municipalities=[shibuya.pk, yokohama.pk],
    )
    assert not form.is_valid()
    message = form.errors["municipalities"][0]
    assert "渋谷区" in message and "神奈川県" in message and "横浜市" not in message
    assert Council.objects.count() == before


@pytest.mark.django_db
def test_dissolved_before_founded_is_refused():
    kanagawa = prefectural_council("14")
    form = _form(
        kind=CouncilKind.LOCAL,
        parent=kanagawa.pk,
        prefecture=kanagawa.prefecture_id,
        founded_on="2020-04-01",
        dissolved_on="2019-04-01",
    )
    assert not form.is_valid()
    assert "解散日" in form.errors["dissolved_on"][0]


@pytest.mark.django_db
def test_local_council_in_other_prefecture_than_parent_is_refused():
    form = _form(
        kind=CouncilKind.LOCAL, parent=prefectural_council("14").pk, prefecture=Prefecture.objects.get(code="13").pk
    )
    assert not form.is_valid() and "prefecture" in form.errors


@pytest.mark.django_db
def test_municipality_code_with_wrong_check_digit_is_refused():
    m = Municipality(
        code="141004", name="架空市", kind=Municipality.Kind.CITY, prefecture=Prefecture.objects.get(code="14")
    )
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert "検査数字" in exc.value.message_dict["code"][0]


@pytest.mark.django_db
def test_duplicate_municipality_code_is_refused():
    m = Municipality(
        code="141003", name="二つ目の横浜市", kind=Municipality.Kind.CITY, prefecture=Prefecture.objects.get(code="14")
    )
    with pytest.raises(ValidationError) as exc:
        m.full_clean()
    assert "code" in exc.value.message_dict


@pytest.mark.django_db
def test_full_width_code_is_normalised_with_check_digit(client):
    user = staff_of(national_council(), role=Role.NATIONAL_STAFF)
    client.force_login(user)
    response = client.post(
        reverse("admin:municipalities_municipality_add"),
        {
            "code": "１４９９９",
            "name": "試験市",
            "kana": "シケンシ",
            "kind": "city",
            "prefecture": Prefecture.objects.get(code="14").pk,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    created = Municipality.objects.get(name="試験市")
    assert created.code == "14999" + str(code_check_digit("14999"))
    assert created.history.latest().history_user == user


@pytest.mark.django_db
def test_admin_add_with_bad_input_saves_nothing_and_names_field(client):
    kanagawa = prefectural_council("14")
    client.force_login(staff_of(kanagawa))
    before = Council.objects.count()
    response = client.post(
        reverse("admin:councils_council_add"),
        {
            "name": "逆転社保協",
            "kind": "local",
            "parent": kanagawa.pk,
            "prefecture": kanagawa.prefecture_id,
            "status": "active",
            "founded_on": "2021-01-01",
            "dissolved_on": "2020-01-01",
            **{f"{p}-TOTAL_FORMS": 0 for p in ("children", "stages", "officers", "memberships")},
            **{f"{p}-INITIAL_FORMS": 0 for p in ("children", "stages", "officers", "memberships")},
        },
    )
    assert response.status_code == 200
    assert "dissolved_on" in response.context["adminform"].form.errors
    assert Council.objects.count() == before


@pytest.mark.django_db
def test_stage_history_records_preparatory_becoming_local():
    prep = local_council(
        "14", name="座間社保協準備会", kind=CouncilKind.PREPARATORY, founded_on=datetime.date(2019, 6, 1)
    )
    services.council_update(council=prep, kind=CouncilKind.LOCAL)
    kinds = list(prep.stages.order_by("since").values_list("kind", flat=True))
    assert kinds == [CouncilKind.PREPARATORY, CouncilKind.LOCAL]
    assert prep.kind_on(datetime.date(2019, 7, 1)) == CouncilKind.PREPARATORY


@pytest.mark.django_db
def test_corrected_founding_date_moves_the_first_stage():
    council = local_council("14", name="大和社保協", founded_on=datetime.date(2015, 4, 1))
    services.council_update(council=council, founded_on=datetime.date(2012, 10, 1))
    assert list(council.stages.values_list("since", flat=True)) == [datetime.date(2012, 10, 1)]
    assert council.kind_on(datetime.date(2013, 1, 1)) == CouncilKind.LOCAL


@pytest.mark.django_db
def test_dissolved_status_requires_a_date():
    kanagawa = prefectural_council("14")
    form = _form(kind=CouncilKind.LOCAL, parent=kanagawa.pk, prefecture=kanagawa.prefecture_id, status="dissolved")
    assert not form.is_valid() and "解散日" in form.errors["dissolved_on"][0]
