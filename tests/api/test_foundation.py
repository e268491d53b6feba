"""The API's foundation, as a client meets it: the token header, the scope, the error shape, read only."""

import pytest
from django.urls import reverse

from tests.api.conftest import api_get

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
