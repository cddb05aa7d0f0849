"""Logins are throttled per account and client address (django-axes): guessing stops working
after a few failures, even with the right password, until the cool-off has passed."""

from __future__ import annotations

import datetime as dt

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django.fixtures import Settings

from ntm.accounts.testing import Personas

pytestmark = pytest.mark.django_db

PASSWORD = "Mật-khẩu-đúng-2020"
ATTACKER = "192.0.2.10"  # documentation addresses (RFC 5737): only a value in REMOTE_ADDR here
OFFICE = "192.0.2.20"
LOCKED = "Đăng nhập sai quá nhiều lần với tài khoản này từ địa chỉ này"


@pytest.fixture(autouse=True)
def fast_hashing(settings: Settings) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(personas: Personas) -> User:
    personas.officer_a.set_password(PASSWORD)
    personas.officer_a.save()
    return personas.officer_a


def _log_in(client: Client, username: str, password: str, address: str = ATTACKER) -> int:
    response = client.post(
        reverse("web:login"),
        {"username": username, "password": password},
        REMOTE_ADDR=address,
    )
    return response.status_code


def _logged_in(client: Client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client: Client, user: User) -> None:
    codes = [_log_in(client, user.username, f"sai-{i}") for i in range(30)]
    limit = settings.AXES_FAILURE_LIMIT
    assert codes[: limit - 1] == [200] * (limit - 1)  # the form again, "wrong password"
    assert set(codes[limit - 1 :]) == {429}
    response = client.post(
        reverse("web:login"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )
    assert response.status_code == 429
    html = response.content.decode()
    assert LOCKED in html and "15 phút" in html
    assert 'name="username"' in html and f'value="{user.username}"' in html
    assert not _logged_in(client)


def test_the_lock_holds_one_account_from_one_address(client: Client, user: User) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, user.username, f"sai-{i}")
    assert _log_in(client, user.username, PASSWORD) == 429
    # The officer at the office is not locked out by someone guessing elsewhere.
    assert _log_in(client, user.username, PASSWORD, address=OFFICE) == 302
    assert _logged_in(client)


def test_the_lock_ends_after_the_cool_off(client: Client, user: User) -> None:
    for i in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, user.username, f"sai-{i}")
    assert _log_in(client, user.username, PASSWORD) == 429
    past = timezone.now() - settings.AXES_COOLOFF_TIME - dt.timedelta(seconds=1)
    AccessAttempt.objects.update(attempt_time=past)
    assert _log_in(client, user.username, PASSWORD) == 302
    assert _logged_in(client)


def test_a_success_clears_the_count(client: Client, user: User) -> None:
    for _round in range(3):
        for i in range(settings.AXES_FAILURE_LIMIT - 1):
            assert _log_in(client, user.username, f"sai-{i}") == 200
        assert _log_in(client, user.username, PASSWORD) == 302
        client.logout()


def test_the_lockout_speaks_english_when_chosen(client: Client, user: User) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for i in range(settings.AXES_FAILURE_LIMIT):
        _log_in(client, user.username, f"sai-{i}")
    response = client.post(
        reverse("web:login"),
        {"username": user.username, "password": PASSWORD},
        REMOTE_ADDR=ATTACKER,
    )
    assert response.status_code == 429
    assert "Too many failed log-in attempts" in response.content.decode()


def test_force_login_is_untouched(client: Client, personas: Personas) -> None:
    personas.login(client, "officer_a")
    assert client.get(reverse("web:home")).status_code == 200


def test_the_test_clients_login_is_untouched(client: Client, user: User) -> None:
    # Client.login() authenticates without a request: nothing to count, ModelBackend decides.
    assert not client.login(username=user.username, password="sai")
    assert client.login(username=user.username, password=PASSWORD)
    assert client.get(reverse("web:home")).status_code == 200
