"""The OpenAPI schema validates and speaks Japanese; the docs page comes from our static files under the strict CSP."""

import re

import pytest
from django.urls import reverse
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_validates_and_labels_are_japanese(client):
    response = client.get(reverse("api:schema") + "?format=json")
    assert response.status_code == 200
    schema = response.json()
    validate_schema(schema)  # raises on an invalid OpenAPI document
    council_list = schema["paths"]["/api/v1/councils/"]["get"]
    assert council_list["summary"] == "社保協の一覧" and council_list["tags"] == ["社保協"]
    assert {"200", "401", "404", "429"} <= set(council_list["responses"])
    council = schema["components"]["schemas"]["Council"]["properties"]
    assert council["name"]["title"] == "名称"  # the model's verbose_name
    assert "address" not in council and "phone" not in council and "note" not in council
    assert schema["components"]["securitySchemes"]["token"]["name"] == "Authorization"
    assert "format" not in {p["name"] for p in council_list.get("parameters", [])}


def test_the_docs_page_holds_the_strict_csp(client):
    page = client.get(reverse("api:docs"))
    assert page.status_code == 200
    policy = page["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    html = page.content.decode()
    assert "<style" not in html
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", html, re.S)
    assert scripts and all("src=" in attrs and not body.strip() for attrs, body in scripts)
    sources = [re.search(r'src="([^"]+)"', attrs).group(1) for attrs, _ in scripts]
    assert all(s.startswith("/") for s in sources), sources  # our own static files, no CDN
    assert any("swagger-ui-bundle.js" in s for s in sources)
    links = re.findall(r'<link[^>]+href="([^"]+)"', html)
    assert all(href.startswith("/") for href in links), links
    init = client.get(next(s for s in sources if "script" in s).replace("&amp;", "&"))
    assert init.status_code == 200 and init["Content-Type"].startswith("application/javascript")
    assert "SwaggerUIBundle" in init.content.decode()
