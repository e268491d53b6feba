"""The phone entry's lists, kept in the shared cache (petitions/entry_choices.py): never staler than their rows."""

import datetime

import pytest
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache

from councils.models import Council, Membership, Role
from councils.services import council_update
from petitions.entry_choices import GENERATION_KEY, entry_choices
from petitions.models import PetitionDrive, TallyEntry
from tests.councils.factories import OrganisationFactory, local_council, staff_of

from .test_views import _form, _post

pytestmark = pytest.mark.django_db


def test_a_closed_drive_is_neither_offered_nor_accepted(client, organizer, petition):
    client.force_login(organizer)
    form = _form(client)  # the lists read and kept
    petition.status = PetitionDrive.Status.CLOSED
    petition.save()
    assert petition not in _form(client).petition_choices
    refused = _post(client, form, count="42")
    assert refused.status_code == 200 and refused.context["form"].errors["petition"] == ["「署名」: 選べない値です。"]
    assert not TallyEntry.objects.exists()


def test_a_council_moved_out_of_scope_is_neither_offered_nor_accepted(client, kanagawa_staff, kanagawa, petition):
    yokohama = local_council("14", name="横浜社保協")
    tokyo_side = local_council("13", name="八王子社保協")
    client.force_login(kanagawa_staff)
    form = _form(client)
    assert yokohama in form.fields["council"].rows.values()
    # under Tokyo's council: out of Kanagawa's scope
    council_update(council=yokohama, parent=tokyo_side.parent, prefecture=tokyo_side.prefecture)
    assert yokohama.pk not in _form(client).fields["council"].rows
    refused = _post(client, form, council=yokohama.pk, count="42")
    assert refused.status_code == 200 and refused.context["form"].errors["council"] == ["「社保協」: 選べない値です。"]
    assert not TallyEntry.objects.exists()


def test_a_membership_ended_takes_the_organisation_off_the_list(kawasaki, organizer, petition):
    union = OrganisationFactory(name="川崎の組合", home_council=local_council("14", name="横浜社保協"))
    membership = Membership.objects.create(organisation=union, council=kawasaki)
    assert union in entry_choices(organizer).organisations
    membership.delete()
    assert union not in entry_choices(organizer).organisations


def test_a_user_given_another_council_or_role_reads_their_own_lists(kawasaki, kanagawa, petition):
    user = staff_of(kawasaki, role=Role.ORGANIZER)
    assert [c.pk for c in entry_choices(user).councils] == [kawasaki.pk]
    Council.objects.filter(pk=kawasaki.pk).update(name="川崎社保協（改称前の一覧）")  # no signal: the list is kept
    assert entry_choices(user).councils[0].name == "川崎社保協"
    user.council = kanagawa
    user.role = Role.COUNCIL_STAFF
    user.save()
    assert kanagawa.pk in {c.pk for c in entry_choices(user).councils}


def test_a_bulk_update_is_seen_once_the_lists_expire(organizer, petition, monkeypatch):
    assert petition in entry_choices(organizer).drives
    PetitionDrive.objects.filter(pk=petition.pk).update(status=PetitionDrive.Status.CLOSED)  # bypasses signals
    assert petition in entry_choices(organizer).drives  # kept: a minute at most
    later = datetime.datetime.now() + datetime.timedelta(seconds=61)
    monkeypatch.setattr("django.core.cache.backends.locmem.time.time", lambda: later.timestamp())
    assert petition not in entry_choices(organizer).drives


def test_the_entry_works_with_the_cache_down(client, organizer, kawasaki, petition, monkeypatch):
    def down(*args, **kwargs):
        raise ConnectionError("the cache is down")

    client.force_login(organizer)
    form = _form(client)
    for name in ("get", "get_many", "set", "add", "incr"):
        monkeypatch.setattr(LocMemCache, name, down)
    answer = _post(client, form, count="42")
    assert answer.status_code == 302
    assert TallyEntry.objects.get().count == 42


def test_each_test_starts_with_a_new_generation():
    assert cache.get(GENERATION_KEY) is None  # tests/conftest.py; the lists of another test are never offered
