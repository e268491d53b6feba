"""The councils services keep what a bare save() no longer does: tree paths, sort keys, stages, is_staff."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from councils import services
from councils.models import EARLIEST, Council, CouncilKind, CouncilStage, Role, User
from councils.selectors import council_tree, home_summary
from municipalities.models import Municipality, Prefecture

from .factories import local_council, national_council, prefectural_council, staff_of

D = datetime.date
KANAGAWA, TOKYO = "14", "13"


def _inline_management(prefixes=("children", "stages", "officers", "memberships")):
    return {
        **{f"{p}-TOTAL_FORMS": 0 for p in prefixes},
        **{f"{p}-INITIAL_FORMS": 0 for p in prefixes},
    }


# --- creating --------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_council_create_gives_path_sort_key_first_stage_and_municipalities():
    kanagawa = prefectural_council(KANAGAWA)
    yokohama_city = Municipality.objects.get(code="141003")
    council = services.council_create(
        name="横浜社保協",
        kind=CouncilKind.LOCAL,
        parent=kanagawa,
        prefecture=kanagawa.prefecture,
        founded_on=D(1966, 5, 15),
        municipalities=[yokohama_city],
    )
    council.refresh_from_db()
    assert council.path == f"{kanagawa.path}{council.pk}/"
    assert council.sort_key == f"14/141003/{council.pk:09d}"
    assert list(council.stages.values_list("kind", "since")) == [(CouncilKind.LOCAL, D(1966, 5, 15))]
    assert list(council.municipalities.all()) == [yokohama_city]


@pytest.mark.django_db
def test_council_create_without_founding_date_counts_from_the_beginning():
    council = local_council(KANAGAWA, name="日付不明社保協")
    assert list(council.stages.values_list("since", flat=True)) == [EARLIEST]


@pytest.mark.django_db
def test_council_create_refuses_bad_input_and_saves_nothing():
    national = national_council()
    before = (Council.objects.count(), CouncilStage.objects.count())
    with pytest.raises(ValidationError) as caught:
        services.council_create(
            name="国直属の地域社保協",
            kind=CouncilKind.LOCAL,
            parent=national,
            prefecture=Prefecture.objects.get(code=KANAGAWA),
        )
    assert "都道府県社保協" in caught.value.message_dict["parent"][0]
    assert (Council.objects.count(), CouncilStage.objects.count()) == before


@pytest.mark.django_db
def test_council_create_refuses_another_prefectures_municipality_and_saves_nothing():
    kanagawa = prefectural_council(KANAGAWA)
    before = Council.objects.count()
    with pytest.raises(ValidationError) as caught:
        services.council_create(
            name="越境社保協",
            kind=CouncilKind.LOCAL,
            parent=kanagawa,
            prefecture=kanagawa.prefecture,
            municipalities=[Municipality.objects.get(code="131130")],  # 渋谷区
        )
    assert "渋谷区" in caught.value.message_dict["municipalities"][0]
    assert Council.objects.count() == before


# --- changing ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_council_update_kind_adds_a_stage_from_the_given_date():
    committee = local_council(KANAGAWA, name="座間準備会", kind=CouncilKind.PREPARATORY, founded_on=D(2019, 6, 1))
    services.council_update(council=committee, kind=CouncilKind.LOCAL, kind_since=D(2020, 4, 1), kind_note="結成総会")
    assert list(committee.stages.order_by("since").values_list("kind", "since", "note")) == [
        (CouncilKind.PREPARATORY, D(2019, 6, 1), ""),
        (CouncilKind.LOCAL, D(2020, 4, 1), "結成総会"),
    ]
    assert committee.kind_on(D(2020, 3, 31)) == CouncilKind.PREPARATORY


@pytest.mark.django_db
def test_council_update_kind_without_date_starts_today():
    committee = local_council(KANAGAWA, kind=CouncilKind.PREPARATORY, founded_on=D(2019, 6, 1))
    services.council_update(council=committee, kind=CouncilKind.LOCAL)
    assert committee.stages.order_by("since").last().since == timezone.localdate()


@pytest.mark.django_db
def test_council_update_refuses_a_kind_change_before_the_latest_stage():
    committee = local_council(KANAGAWA, kind=CouncilKind.PREPARATORY, founded_on=D(2019, 6, 1))
    with pytest.raises(ValidationError) as caught:
        services.council_update(council=committee, kind=CouncilKind.LOCAL, kind_since=D(2019, 6, 1))
    assert "2019年6月1日" in caught.value.message_dict["kind"][0]
    committee.refresh_from_db()
    assert committee.kind == CouncilKind.PREPARATORY and committee.stages.count() == 1


@pytest.mark.django_db
def test_council_update_without_kind_change_adds_no_stage():
    council = local_council(KANAGAWA, founded_on=D(2000, 1, 1))
    services.council_update(council=council, name="改名社保協", phone="045-000-0000")
    assert council.stages.count() == 1
    assert Council.objects.get(pk=council.pk).name == "改名社保協"


@pytest.mark.django_db
def test_council_change_kind_inserts_an_earlier_stage_without_changing_the_kind():
    council = local_council(KANAGAWA, kind=CouncilKind.PREPARATORY, founded_on=D(2010, 1, 1))
    services.council_change_kind(council=council, kind=CouncilKind.LOCAL, since=D(2020, 4, 1), note="結成総会")
    assert Council.objects.get(pk=council.pk).kind == CouncilKind.LOCAL
    with pytest.raises(ValidationError):  # that day already has a stage
        services.council_change_kind(council=council, kind=CouncilKind.PREPARATORY, since=D(2020, 4, 1))
    services.council_change_kind(council=council, kind=CouncilKind.LOCAL, since=D(2015, 1, 1), note="訂正")
    assert Council.objects.get(pk=council.pk).kind == CouncilKind.LOCAL
    assert council.kind_on(D(2016, 1, 1)) == CouncilKind.LOCAL
    assert council.stages.count() == 3


# --- moving ----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_council_move_changes_path_and_sort_key():
    local = local_council(KANAGAWA, name="相模原社保協")
    tokyo = prefectural_council(TOKYO)
    services.council_update(council=local, parent=tokyo, prefecture=tokyo.prefecture)
    local.refresh_from_db()
    assert local.path == f"{tokyo.path}{local.pk}/"
    assert local.sort_key.startswith("13/")


@pytest.mark.django_db
def test_council_move_rewrites_every_descendants_path():
    national = national_council()
    kanagawa = prefectural_council(KANAGAWA)
    children = [local_council(KANAGAWA, name=f"地域{i}") for i in range(3)]
    # A prefectural council whose path went stale (a repair): moving it puts it and its subtree right.
    Council.objects.filter(pk=kanagawa.pk).update(path=f"/999/{kanagawa.pk}/")
    for child in children:
        Council.objects.filter(pk=child.pk).update(path=f"/999/{kanagawa.pk}/{child.pk}/")
    kanagawa.refresh_from_db()
    services.council_move(council=kanagawa, parent=national)
    assert Council.objects.get(pk=kanagawa.pk).path == f"{national.path}{kanagawa.pk}/"
    assert sorted(Council.objects.filter(parent=kanagawa).values_list("path", flat=True)) == sorted(
        f"{national.path}{kanagawa.pk}/{c.pk}/" for c in children
    )


@pytest.mark.django_db
def test_council_move_under_a_council_of_the_wrong_kind_is_refused_and_changes_nothing():
    local = local_council(KANAGAWA, name="移動できない社保協")
    other_local = local_council(TOKYO, name="渋谷社保協")
    path = local.path
    with pytest.raises(ValidationError) as caught:
        services.council_move(council=local, parent=other_local)
    assert "parent" in caught.value.message_dict
    assert Council.objects.get(pk=local.pk).path == path


# --- accounts --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize(
    "role, staff",
    [(Role.NATIONAL_STAFF, True), (Role.COUNCIL_STAFF, True), (Role.ORGANIZER, False), (Role.MEMBER, False)],
)
def test_user_set_role_makes_is_staff_follow_the_role(role, staff):
    council = national_council() if role == Role.NATIONAL_STAFF else prefectural_council(KANAGAWA)
    user = services.user_create(username=f"u-{role}", password="long-enough-pass-1", role=Role.MEMBER, council=council)
    assert not user.is_staff
    services.user_set_role(user=user, role=role, council=council)
    assert User.objects.get(pk=user.pk).is_staff is staff


@pytest.mark.django_db
def test_user_set_role_refuses_national_staff_outside_the_national_council():
    user = staff_of(prefectural_council(KANAGAWA))
    with pytest.raises(ValidationError) as caught:
        services.user_set_role(user=user, role=Role.NATIONAL_STAFF, council=user.council)
    assert "role" in caught.value.message_dict
    assert User.objects.get(pk=user.pk).role == Role.COUNCIL_STAFF


@pytest.mark.django_db
def test_user_set_role_refuses_an_account_without_council():
    user = services.user_create(
        username="noone", password="long-enough-pass-1", role=Role.MEMBER, council=prefectural_council(KANAGAWA)
    )
    with pytest.raises(ValidationError) as caught:
        services.user_set_role(user=user, role=Role.MEMBER, council=None)
    assert "council" in caught.value.message_dict


# --- save() alone has no side effects -----------------------------------------------------------------


@pytest.mark.django_db
def test_council_save_alone_writes_no_stage_path_or_sort_key():
    kanagawa = prefectural_council(KANAGAWA)
    council = Council(name="素の保存", kind=CouncilKind.LOCAL, parent=kanagawa, prefecture=kanagawa.prefecture)
    council.save()
    council.refresh_from_db()
    assert council.path == "" and council.sort_key == ""
    assert not CouncilStage.objects.filter(council=council).exists()
    council.kind = CouncilKind.PREPARATORY
    council.save()
    assert not CouncilStage.objects.filter(council=council).exists()


@pytest.mark.django_db
def test_user_save_alone_leaves_is_staff_alone():
    user = User(username="plain", role=Role.COUNCIL_STAFF, council=prefectural_council(KANAGAWA))
    user.set_password("long-enough-pass-1")
    user.save()
    assert User.objects.get(pk=user.pk).is_staff is False


# --- the admin path goes through the services ------------------------------------------------------


@pytest.mark.django_db
def test_council_form_save_goes_through_the_services():
    from councils.forms import CouncilForm

    kanagawa = prefectural_council(KANAGAWA)
    data = {"name": "綾瀬社保協", "kind": "local", "parent": kanagawa.pk, "prefecture": kanagawa.prefecture_id,
            "status": "active", "founded_on": "2001-04-01"}  # fmt: skip
    form = CouncilForm(data=data)
    assert form.is_valid(), form.errors
    council = form.save()
    assert council.path == f"{kanagawa.path}{council.pk}/" and council.sort_key.startswith("14/")
    assert list(council.stages.values_list("since", flat=True)) == [D(2001, 4, 1)]
    form = CouncilForm(data={**data, "kind": "preparatory"}, instance=Council.objects.get(pk=council.pk))
    assert form.is_valid(), form.errors
    form.save()
    assert council.stages.count() == 2


@pytest.mark.django_db
def test_admin_add_and_change_of_a_council_keep_path_sort_key_and_stages(client):
    kanagawa = prefectural_council(KANAGAWA)
    client.force_login(staff_of(national_council(), role=Role.NATIONAL_STAFF))
    zama = Municipality.objects.get(prefecture__code=KANAGAWA, name="座間市")
    data = {
        "name": "座間社保協準備会",
        "kind": "preparatory",
        "parent": kanagawa.pk,
        "prefecture": kanagawa.prefecture_id,
        "status": "active",
        "founded_on": "2019-06-01",
        "municipalities": [zama.pk],
        **_inline_management(),
    }
    response = client.post(reverse("admin:councils_council_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    council = Council.objects.get(name="座間社保協準備会")
    assert council.path == f"{kanagawa.path}{council.pk}/"
    assert council.sort_key == f"14/{zama.code}/{council.pk:09d}"
    assert list(council.stages.values_list("kind", "since")) == [(CouncilKind.PREPARATORY, D(2019, 6, 1))]
    assert list(council.municipalities.all()) == [zama]

    data = {
        **data,
        "kind": "local",
        "name": "座間社保協",
        "stages-TOTAL_FORMS": 1,
        "stages-INITIAL_FORMS": 1,
        "stages-0-id": council.stages.get().pk,
        "stages-0-council": council.pk,
        "stages-0-since": "2019-06-01",
        "stages-0-kind": "preparatory",
    }
    response = client.post(reverse("admin:councils_council_change", args=[council.pk]), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    kinds = list(council.stages.order_by("since").values_list("kind", flat=True))
    assert kinds == [CouncilKind.PREPARATORY, CouncilKind.LOCAL]
    assert list(council.municipalities.all()) == [zama]


@pytest.mark.django_db
def test_admin_change_of_an_accounts_role_sets_is_staff(client):
    kanagawa = prefectural_council(KANAGAWA)
    client.force_login(staff_of(kanagawa))
    member = services.user_create(username="hanako", password="long-enough-pass-1", role=Role.MEMBER, council=kanagawa)
    response = client.post(
        reverse("admin:councils_user_change", args=[member.pk]),
        {
            "username": "hanako",
            "council": kanagawa.pk,
            "role": "council_staff",
            "is_active": "on",
            "display_name": "",
            "email": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert User.objects.get(pk=member.pk).is_staff is True


# --- order: JIS prefecture code, then municipality code ---------------------------------------------


def _all_prefectural_councils():
    return [prefectural_council(code) for code in Prefecture.objects.order_by("-code").values_list("code", flat=True)]


@pytest.mark.django_db
def test_council_tree_lists_prefectures_in_jis_order_hokkaido_first_okinawa_last():
    _all_prefectural_councils()  # created 沖縄 first, so creation order would put it first
    national = national_council()
    tree = list(council_tree(user=staff_of(national, role=Role.NATIONAL_STAFF)))
    prefectural = [c.prefecture.name for c in tree if c.kind == CouncilKind.PREFECTURAL]
    assert prefectural[0] == "北海道" and prefectural[-1] == "沖縄県"
    assert prefectural == list(Prefecture.objects.order_by("code").values_list("name", flat=True))
    assert tree[0] == national


@pytest.mark.django_db
def test_local_councils_of_a_prefecture_come_by_municipality_code_after_their_prefectural_council():
    kanagawa = prefectural_council(KANAGAWA)
    city = Municipality.objects.get
    # Created out of order: 茅ヶ崎 (142077), 横浜 (141003), 川崎 (141305).
    chigasaki = local_council(KANAGAWA, name="茅ヶ崎社保協", municipalities=[city(code="142077")])
    yokohama = local_council(KANAGAWA, name="横浜社保協", municipalities=[city(code="141003")])
    kawasaki = local_council(KANAGAWA, name="川崎社保協", municipalities=[city(code="141305")])
    tree = list(council_tree(user=staff_of(kanagawa)))
    assert tree == [kanagawa, yokohama, kawasaki, chigasaki]
    children = [c.name for c in home_summary(user=staff_of(kanagawa))["children"]]
    assert children == ["横浜社保協", "川崎社保協", "茅ヶ崎社保協"]


@pytest.mark.django_db
def test_admin_add_of_an_account_gives_is_staff_by_role(client):
    kanagawa = prefectural_council(KANAGAWA)
    client.force_login(staff_of(kanagawa))
    for username, role, staff in [("jimu", "council_staff", True), ("kaiin", "member", False)]:
        response = client.post(
            reverse("admin:councils_user_add"),
            {
                "username": username,
                "password1": "long-enough-pass-1",
                "password2": "long-enough-pass-1",
                "usable_password": "true",
                "council": kanagawa.pk,
                "role": role,
                "display_name": "",
                "email": "",
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
        assert User.objects.get(username=username).is_staff is staff


# --- organisations, memberships, officers, passwords ---------------------------------------------------


@pytest.mark.django_db
def test_membership_and_officer_are_recorded_once_and_bad_dates_are_refused():
    from councils.models import Membership, Officer, Organisation

    kanagawa = prefectural_council(KANAGAWA)
    union = services.organisation_create(
        name="神奈川テスト労組", level=Organisation.Level.PREFECTURAL, home_council=kanagawa,
        prefecture=kanagawa.prefecture,
    )  # fmt: skip
    first, created = services.membership_add(organisation=union, council=kanagawa, since=D(2000, 4, 1))
    again, created_again = services.membership_add(organisation=union, council=kanagawa, since=D(2000, 4, 1))
    assert created and not created_again and first == again and Membership.objects.count() == 1
    with pytest.raises(ValidationError) as caught:
        services.membership_add(organisation=union, council=kanagawa, since=D(2010, 4, 1), until=D(2009, 3, 31))
    assert "until" in caught.value.message_dict and Membership.objects.count() == 1
    _, created = services.officer_add(council=kanagawa, role=Officer.Role.PRESIDENT, person_name="山田 太郎")
    _, created_again = services.officer_add(council=kanagawa, role=Officer.Role.PRESIDENT, person_name="山田 太郎")
    assert created and not created_again and Officer.objects.count() == 1
    with pytest.raises(ValidationError):
        services.organisation_create(name="県のない団体", level=Organisation.Level.PREFECTURAL, home_council=kanagawa)


@pytest.mark.django_db
def test_user_set_password_changes_only_the_password():
    from django.contrib.auth import authenticate

    user = staff_of(prefectural_council(KANAGAWA), username="pw-user")
    services.user_set_password(user=user, password="another-long-pass-9")
    assert authenticate(username="pw-user", password="another-long-pass-9") is not None
    assert User.objects.get(pk=user.pk).is_staff
