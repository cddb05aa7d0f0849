"""Bearer tokens are throttled per client address: after too many failed tokens within the
window, every token from that address is refused with 429 until the window has passed."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from pytest_django.fixtures import Settings

from ntm.accounts.testing import Personas
from ntm.api.tokens import create_token

pytestmark = pytest.mark.django_db

ATTACKER = "192.0.2.30"  # documentation addresses (RFC 5737): only a value in REMOTE_ADDR here
OTHER = "192.0.2.40"
BAD = "Bearer ntm_not-a-token"


@pytest.fixture(autouse=True)
def fresh_cache() -> Iterator[None]:
    cache.clear()
    yield
    cache.clear()  # the counts must not reach the next test's client


@pytest.fixture
def good(personas: Personas) -> str:
    _, raw = create_token(personas.officer_a, actor="test")
    return f"Bearer {raw}"


def _get(client: Client, authorization: str, address: str = ATTACKER) -> int:
    response = client.get("/api/units", HTTP_AUTHORIZATION=authorization, REMOTE_ADDR=address)
    return response.status_code


def test_failed_tokens_lock_the_address_even_for_a_good_token(client: Client, good: str) -> None:
    limit = settings.NTM_TOKEN_FAILURE_LIMIT
    assert [_get(client, BAD) for _ in range(limit)] == [401] * limit
    response = client.get("/api/units", HTTP_AUTHORIZATION=good, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    detail = response.json()["detail"]
    assert detail.startswith("Quá nhiều yêu cầu với mã truy cập không hợp lệ từ địa chỉ này")
    assert "10 phút" in detail
    assert _get(client, BAD) == 429
    # Another address is not held back.
    assert _get(client, good, address=OTHER) == 200


def test_fewer_failures_than_the_limit_leave_good_tokens_working(client: Client, good: str) -> None:
    for _ in range(settings.NTM_TOKEN_FAILURE_LIMIT - 1):
        assert _get(client, BAD) == 401
    assert _get(client, good) == 200
    assert _get(client, good) == 200  # good tokens do not count


def test_the_lock_ends_with_the_window(client: Client, good: str, settings: Settings) -> None:
    settings.NTM_TOKEN_FAILURE_LIMIT = 3
    settings.NTM_TOKEN_FAILURE_WINDOW = dt.timedelta(seconds=1)
    for _ in range(3):
        assert _get(client, BAD) == 401
    assert _get(client, good) == 429
    time.sleep(1.2)
    assert _get(client, good) == 200


def test_the_message_in_english(client: Client, good: str) -> None:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for _ in range(settings.NTM_TOKEN_FAILURE_LIMIT):
        _get(client, BAD)
    response = client.get("/api/units", HTTP_AUTHORIZATION=good, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429
    assert response.json()["detail"].startswith("Too many requests with an invalid access token")
