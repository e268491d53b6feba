"""Organizers and members use the site, not the admin: Japanese login, own page, password reset by e-mail."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from councils.models import Role

from .factories import UserFactory, local_council, prefectural_council


@pytest.mark.django_db
def test_member_logs_in_and_lands_on_own_page(client):
    council = prefectural_council("14")
    UserFactory(username="kanagawa-member", council=council, role=Role.MEMBER)
    page = client.get(reverse("login")).content.decode()
    assert "ログイン" in page and "パスワード" in page
    response = client.post(reverse("login"), {"username": "kanagawa-member", "password": "test-pass-2025"}, follow=True)
    body = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "マイページ" in body and council.name in body and "会員" in body
    assert "管理画面" not in body


@pytest.mark.django_db
def test_wrong_password_gets_japanese_error(client):
    UserFactory(username="organizer1", council=prefectural_council("14"), role=Role.ORGANIZER)
    body = client.post(reverse("login"), {"username": "organizer1", "password": "wrong"}).content.decode()
    assert "正しいユーザー名とパスワードを入力してください" in body


@pytest.mark.django_db
def test_home_requires_login(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


@pytest.mark.django_db
def test_prefectural_staff_home_lists_local_councils(client):
    kanagawa = prefectural_council("14")
    local_council("14", name="横浜市社保協")
    client.force_login(UserFactory(council=kanagawa, role=Role.COUNCIL_STAFF))
    body = client.get(reverse("home")).content.decode()
    assert "横浜市社保協" in body and "管理画面" in body


@pytest.mark.django_db
def test_password_reset_sends_japanese_mail_and_link_works(client):
    user = UserFactory(
        username="member2", email="member2@example.jp", council=prefectural_council("14"), role=Role.MEMBER
    )
    response = client.post(reverse("password_reset"), {"email": "member2@example.jp"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert "パスワード再設定" in message.subject
    link = re.search(r"http://testserver(\S+)", message.body).group(1)
    response = client.get(link, follow=True)
    assert response.status_code == 200
    response = client.post(
        response.redirect_chain[-1][0], {"new_password1": "atarashii-pass-77", "new_password2": "atarashii-pass-77"}
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("atarashii-pass-77")
