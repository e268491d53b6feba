"""The assemblies' admin writes through the services on the shared base (shaho.core.admin.ServiceAdmin):
assemblies, party groups and sittings (also as inline rows), petitions and 意見書 are checked, saved and deleted by
`<noun>_check` / `<noun>_save` / `<noun>_delete` with the user, which the history records."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from municipalities.assemblies import services
from municipalities.assemblies.models import Assembly, PartyGroup, Season, Sitting
from municipalities.registry.models import Municipality

pytestmark = pytest.mark.django_db
D = datetime.date
CHIGASAKI, SHIBUYA = "142077", "131130"


def _assembly_post(municipality, *, groups=(), sittings=()):
    data = {"prefecture": municipality.prefecture_id, "municipality": municipality.pk, "note": ""}
    for prefix, rows in (("groups", groups), ("sittings", sittings)):
        data |= {f"{prefix}-TOTAL_FORMS": len(rows), f"{prefix}-INITIAL_FORMS": 0}
        data |= {f"{prefix}-MIN_NUM_FORMS": 0, f"{prefix}-MAX_NUM_FORMS": 1000}
        for i, row in enumerate(rows):
            data |= {f"{prefix}-{i}-{name}": value for name, value in row.items()}
    return data


def _spy(monkeypatch, calls, name):
    original = getattr(services, name)

    def spy(**kwargs):
        calls.append((name, kwargs["user"]))
        return original(**kwargs)

    monkeypatch.setattr(services, name, spy)


def test_an_admin_add_with_inline_groups_and_sittings_goes_through_the_services(
    client, kanagawa, kanagawa_staff, monkeypatch
):
    calls = []
    for name in ("assembly_save", "party_group_save", "sitting_save"):
        _spy(monkeypatch, calls, name)
    chigasaki = Municipality.objects.get(code=CHIGASAKI)
    client.force_login(kanagawa_staff)
    data = _assembly_post(
        chigasaki,
        groups=[{"name": "市民の会", "party": "", "seats": "３", "valid_from": "", "valid_until": ""}],
        sittings=[
            {"season": Season.DECEMBER, "year": "2025", "starts_on": "令和7年11月28日", "ends_on": "", "name": ""}
        ],
    )
    response = client.post(reverse("admin:municipalities_assembly_add"), data)
    assert response.status_code == 302, response.context and response.context["adminform"].form.errors
    assembly = Assembly.objects.get(municipality=chigasaki)
    assert calls == [("assembly_save", kanagawa_staff), ("party_group_save", kanagawa_staff),
                     ("sitting_save", kanagawa_staff)]  # fmt: skip
    group, sitting = assembly.groups.get(), assembly.sittings.get()
    assert group.seats == 3 and sitting.starts_on == D(2025, 11, 28)
    for row in (assembly, group, sitting):
        assert row.history.get().history_user == kanagawa_staff


def test_an_admin_delete_goes_through_the_services(client, kanagawa, kanagawa_staff, monkeypatch):
    calls = []
    _spy(monkeypatch, calls, "party_group_delete")
    assembly = services.assembly_of(municipality=Municipality.objects.get(code=CHIGASAKI))
    group = services.party_group_of(assembly=assembly, name="市民の会")
    client.force_login(kanagawa_staff)
    response = client.post(reverse("admin:municipalities_partygroup_delete", args=[group.pk]), {"post": "yes"})
    assert response.status_code == 302 and not PartyGroup.objects.filter(pk=group.pk).exists()
    assert calls == [("party_group_delete", kanagawa_staff)]
    assert PartyGroup.history.filter(id=group.pk, history_type="-").get().history_user == kanagawa_staff


def test_the_services_refuse_a_neighbours_rows(kanagawa_staff):
    shibuya = services.assembly_of(municipality=Municipality.objects.get(code=SHIBUYA))
    sitting = services.sitting_for(assembly=shibuya, season=Season.DECEMBER, year=2025, starts_on=D(2025, 11, 28))
    group = services.party_group_of(assembly=shibuya, name="区民の会")
    with pytest.raises(ValidationError, match="見つかりません"):
        services.party_group_save(user=kanagawa_staff, group=PartyGroup(assembly=shibuya, name="乗っ取り"))
    # A neighbour's sitting moved to one's own assembly is judged by the sitting as stored.
    sitting.assembly = services.assembly_of(municipality=Municipality.objects.get(code=CHIGASAKI))
    with pytest.raises(ValidationError, match="見つかりません"):
        services.sitting_save(user=kanagawa_staff, sitting=sitting)
    for delete, row in (
        (services.party_group_delete, {"group": group}),
        (services.assembly_delete, {"assembly": shibuya}),
    ):
        with pytest.raises(PermissionDenied):
            delete(user=kanagawa_staff, **row)
    assert Sitting.objects.get(pk=sitting.pk).assembly == shibuya and PartyGroup.objects.filter(pk=group.pk).exists()
