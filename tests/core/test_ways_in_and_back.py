"""Ways in and back: the login page and the visitors' header lead to /public/, the public consultation pages
lead back to it, a past day's totals are that day's (not 「18:03 現在」), /favicon.ico answers, and the error
pages (403, 404, 500, CSRF) are Japanese, in the site's layout, with a way back."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.template.loader import render_to_string
from django.test import Client
from django.urls import path
from django.utils import timezone

from shaho import urls as shaho_urls
from tests.consultations import factories

pytestmark = pytest.mark.django_db


def test_login_page_links_the_public_pages(client):
    html = client.get("/login/").content.decode()

    assert 'href="/public/"' in html and 'id="login-public"' in html


def test_visitors_header_leads_to_public_pages_not_to_the_login(client):
    html = client.get("/public/").content.decode()

    assert '<a class="brand" href="/public/">' in html
    assert 'id="header-login"' in html  # the way in stays, as a link of its own


def test_staff_header_brand_leads_home(client, kanagawa_staff):
    client.force_login(kanagawa_staff)

    html = client.get("/consultations/").content.decode()

    assert '<a class="brand" href="/">' in html


def test_public_consultation_pages_link_back_to_public(client):
    day = factories.national_day(datetime.date(2023, 11, 11), published=True)

    for url in ["/public/consultations/", f"/public/consultations/{day.pk}/"]:
        html = client.get(url).content.decode()
        assert '<a href="/public/" id="back-public">公開ページ</a>' in html, url


def test_a_past_day_shows_its_own_totals_not_the_current_time(client, national_staff):
    past = factories.national_day(datetime.date(2023, 11, 11), published=True)
    today = factories.national_day(timezone.localdate(), published=True)
    client.force_login(national_staff)

    for url in [f"/public/consultations/{past.pk}/", f"/consultations/days/{past.pk}/"]:
        html = client.get(url).content.decode()
        assert "現在の集計" not in html, url
        assert "2023年11月11日の相談の集計" in html, url
    assert "現在の集計" in client.get(f"/public/consultations/{today.pk}/").content.decode()


def test_favicon_is_served(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/x-icon"
    assert b"".join(response.streaming_content)[:4] == b"\x00\x00\x01\x00"  # an ICO header


REASON = "この会場の相談を記録できるのは、その会場の相談員と全国コーディネーターだけです。"


def _forbidden(request):
    raise PermissionDenied(REASON)


@pytest.fixture
def forbidden_url(settings):
    urlconf = type("urlconf", (), {"urlpatterns": [path("forbidden/", _forbidden), *shaho_urls.urlpatterns]})
    settings.ROOT_URLCONF = urlconf
    return "/forbidden/"


def _is_site_error_page(html, heading):
    return (
        '<html lang="ja">' in html
        and 'class="site-header"' in html
        and f"<h1>{heading}</h1>" in html
        and 'href="/public/" id="error-public"' in html
        and 'id="error-home"' in html
        and "Forbidden" not in html
        and "Not Found" not in html
    )


def test_403_is_japanese_in_the_site_layout_with_a_way_back(client, forbidden_url, settings):
    settings.DEBUG = False

    response = client.get(forbidden_url)

    assert response.status_code == 403
    html = response.content.decode()
    assert _is_site_error_page(html, "このページは開けません")
    assert f'<p id="error-reason">{REASON}</p>' in html


def test_404_is_japanese_in_the_site_layout_with_a_way_back(client, settings):
    settings.DEBUG = False

    response = client.get("/no-such-page/")

    assert response.status_code == 404
    assert _is_site_error_page(response.content.decode(), "ページが見つかりません")


def test_500_renders_without_a_request():
    # Django's server_error renders 500.html with no request and no context processors.
    html = render_to_string("500.html")

    assert _is_site_error_page(html, "エラーが起きました")


def test_csrf_failure_is_japanese_in_the_site_layout(settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)

    response = client.post("/login/", {"username": "x", "password": "y"})

    assert response.status_code == 403
    assert _is_site_error_page(response.content.decode(), "送信を受け付けられませんでした")
