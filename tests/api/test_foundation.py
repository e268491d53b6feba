"""The API's foundation, as a client meets it: the token header, the scope, the error shape, read only."""

import pytest
from django.urls import reverse

from tests.api.kit import api_get

pytestmark = pytest.mark.django_db


def test_a_kanagawa_token_lists_kanagawa_councils_and_no_tokyo_council(client, kanagawa_token, kawasaki, tokyo):
    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:council-list"))
    assert response.status_code == 200, response.content
    names = [row["name"] for row in response.json()["results"]]
    assert names and all("東京" not in n for n in names)
    assert kawasaki.name in names
    assert tokyo.name not in response.content.decode()


def test_no_token_gets_the_json_401(client, kanagawa):
    response = client.get(reverse("api:council-list"))
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"
    assert response["WWW-Authenticate"]


def test_post_is_405_with_a_token(client, kanagawa_token):
    _, secret = kanagawa_token
    response = client.post(reverse("api:council-list"), {}, HTTP_AUTHORIZATION=f"Token {secret}")
    assert response.status_code == 405
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_census_and_coverage_answer(client, kanagawa_token):
    _, secret = kanagawa_token
    census = api_get(client, secret, reverse("api:council-census") + "?date=2026-04-01")
    assert census.status_code == 200, census.content
    assert census.json()["date"] == "2026-04-01"
    coverage = api_get(client, secret, reverse("api:council-coverage") + "?prefecture=14")
    assert coverage.status_code == 200, coverage.content
    assert coverage.json()[-1]["prefecture_name"] == "全国"
    bad = api_get(client, secret, reverse("api:council-census") + "?date=昨日")
    assert bad.status_code == 400 and "date" in bad.json()["error"]["fields"]


def test_csv_has_a_bom_and_xlsx_opens(client, kanagawa_token):
    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:council-list") + "?format=csv")
    assert response.status_code == 200
    assert response.content.startswith(b"\xef\xbb\xbf")
    assert response.content.decode("utf-8-sig").splitlines()[0].startswith("id,name,kind")
    xlsx = api_get(client, secret, reverse("api:council-list") + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


def test_unknown_api_path_is_the_json_404(client, kanagawa_token):
    _, secret = kanagawa_token
    response = api_get(client, secret, "/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_token_acts_as_its_councils_staff_or_member_with_the_same_scope(kanagawa, kawasaki, kanagawa_staff):
    from shaho.core.api.authentication import principal_for
    from shaho.core.api.models import ApiAccess
    from shaho.core.api.tokens import lookup
    from shaho.core.roles import Role, is_staff_user
    from shaho.core.scoping import scope_for
    from tests.api.kit import make_token

    staff_token, _ = make_token(kanagawa, access=ApiAccess.STAFF)
    member_token, _ = make_token(kanagawa, access=ApiAccess.MEMBER, name="会員向け")
    as_staff, as_member = principal_for(lookup(staff_token.key)), principal_for(lookup(member_token.key))
    seen = set(scope_for(kanagawa_staff).values_list("pk", flat=True))
    assert set(scope_for(as_staff).values_list("pk", flat=True)) == seen
    assert set(scope_for(as_member).values_list("pk", flat=True)) == seen
    assert as_staff.role == Role.COUNCIL_STAFF and is_staff_user(as_staff) and as_staff.pk is None
    assert as_member.role == Role.MEMBER and not is_staff_user(as_member)


def test_csv_reads_in_excel_as_the_json_does(client, kanagawa_token, kawasaki):
    from tests.api.kit import read_csv_as_excel

    _, secret = kanagawa_token
    rows = read_csv_as_excel(api_get(client, secret, reverse("api:council-coverage") + "?prefecture=14&format=csv"))
    data = api_get(client, secret, reverse("api:council-coverage") + "?prefecture=14").json()
    assert rows[0] == ["prefecture_code", "prefecture_name", "covered", "total", "percent"]
    assert [r[1] for r in rows[1:]] == [d["prefecture_name"] for d in data]
    assert [int(r[3]) for r in rows[1:]] == [d["total"] for d in data]


def test_a_page_past_the_end_says_so_in_japanese(client, kanagawa_token):
    _, secret = kanagawa_token
    response = api_get(client, secret, reverse("api:council-list") + "?page=999")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "そのページはありません。"}}
