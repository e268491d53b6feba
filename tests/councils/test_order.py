"""Everywhere councils are listed they come in JIS prefecture code order, then by municipality code.

Created backwards (沖縄 first) so that neither creation order nor the text order of tree paths
(`/1/10/` before `/1/2/`) can pass for the right one.
"""

import datetime

import pytest

from councils.models import Council, CouncilKind, Role
from councils.selectors import council_directory, council_tree, local_council_list
from municipalities.models import Municipality, Prefecture
from petitions.forms import TallyEntryForm
from petitions.selectors import tally_table
from tests.petitions.factories import PetitionDriveFactory

from .factories import CouncilFactory, local_council, national_council, prefectural_council, staff_of

D = datetime.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def federation():
    national = national_council()
    for code in Prefecture.objects.order_by("-code").values_list("code", flat=True):
        prefectural_council(code)
    city = Municipality.objects.get
    councils = {}
    for pref, name, code in [("47", "那覇社保協", "472018"), ("14", "茅ヶ崎社保協", "142077"),
                             ("14", "横浜社保協", "141003"), ("01", "札幌社保協", "011002"),
                             ("14", "川崎社保協", "141305")]:  # fmt: skip
        councils[name] = local_council(pref, name=name, founded_on=D(2000, 1, 1), municipalities=[city(code=code)])
    councils["相模原準備会"] = local_council(
        "14", name="相模原準備会", kind=CouncilKind.PREPARATORY, founded_on=D(2000, 1, 1),
        municipalities=[city(code="141500")],
    )  # fmt: skip
    CouncilFactory(name="友好組織", kind=CouncilKind.FRIENDLY, parent=national, founded_on=D(2000, 1, 1))
    return national


def test_council_tree_and_the_model_order_hokkaido_first_okinawa_last(federation):
    for councils in (
        list(council_tree(user=staff_of(federation, role=Role.NATIONAL_STAFF))),
        list(Council.objects.all()),
    ):
        names = [c.name for c in councils]
        assert names[:3] == ["中央社会保障推進協議会", "北海道社会保障推進協議会", "札幌社保協"]
        # Friendly organisations after the prefectural and local councils, as the seeds list them.
        assert names[-3:] == ["沖縄県社会保障推進協議会", "那覇社保協", "友好組織"]


def test_prefecture_tally_table_rows_come_by_municipality_code(federation):
    table = tally_table(petition=PetitionDriveFactory(), prefecture=Prefecture.objects.get(code="14"))
    assert [r.label for r in table.rows] == [
        "神奈川県社会保障推進協議会", "横浜社保協", "川崎社保協", "相模原準備会", "茅ヶ崎社保協",
    ]  # fmt: skip


def test_entry_form_council_choices_come_in_the_same_order(federation):
    form = TallyEntryForm(user=staff_of(prefectural_council("14")))
    assert [c.name for c in form.fields["council"].rows.values()] == [
        "神奈川県社会保障推進協議会", "横浜社保協", "川崎社保協", "相模原準備会", "茅ヶ崎社保協",
    ]  # fmt: skip


def test_local_council_list_and_directory_for_the_pdfs(federation):
    groups = local_council_list(date=D(2020, 9, 1))
    assert [g.prefecture.name for g in groups] == ["北海道", "神奈川県", "沖縄県"]
    assert [c.name for c in groups[1].councils] == ["横浜社保協", "川崎社保協", "相模原準備会", "茅ヶ崎社保協"]
    assert groups[1].councils[2].is_preparatory and not groups[1].councils[0].is_preparatory
    directory = [c.name for c in council_directory(date=D(2020, 9, 1))]
    assert directory[:3] == ["中央社会保障推進協議会", "北海道社会保障推進協議会", "札幌社保協"]
    assert directory[-2:] == ["那覇社保協", "友好組織"]


def test_admin_autocomplete_offers_councils_in_the_same_order(client, federation):
    from django.urls import reverse

    client.force_login(staff_of(prefectural_council("14")))
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "councils", "model_name": "user", "field_name": "council", "term": ""},
    )
    assert response.status_code == 200
    names = [r["text"] for r in response.json()["results"]]
    assert names == ["神奈川県社会保障推進協議会", "横浜社保協", "川崎社保協", "相模原準備会", "茅ヶ崎社保協"]
