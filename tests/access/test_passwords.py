"""Passwords: Django's validators, at least 10 characters, with the messages in Japanese."""

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.councils.factories import UserFactory, prefectural_council


def test_a_nine_character_password_is_refused_in_japanese():
    with pytest.raises(ValidationError) as raised:
        validate_password("kx7#mq2pz")
    messages = " ".join(raised.value.messages)
    assert "このパスワードは短すぎます。最低 10 文字以上必要です。" in messages


def test_ten_characters_that_are_not_common_or_numeric_pass():
    validate_password("kx7#mq2pzw")


def test_common_and_numeric_passwords_are_refused_in_japanese():
    with pytest.raises(ValidationError) as raised:
        validate_password("1234567890")
    text = " ".join(raised.value.messages)
    assert "このパスワードは一般的すぎます。" in text and "このパスワードは数字しか使われていません。" in text


@pytest.mark.django_db
def test_the_password_change_page_names_the_rule_in_japanese(client):
    user = UserFactory(council=prefectural_council("14"))
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "test-pass-2025", "new_password1": "kx7#mq2p", "new_password2": "kx7#mq2p"},
    )
    assert response.status_code == 200
    assert "最低 10 文字以上必要です" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("test-pass-2025")
