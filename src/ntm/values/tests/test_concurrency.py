"""Two people saving the same value: the second gets the first one's value back, nothing is
lost. Real concurrent requests (threads, each with its own database connection)."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection, connections
from django.test import Client
from django.urls import reverse

from ntm.accounts.models import Role
from ntm.accounts.services import create_user
from ntm.accounts.testing import ACTOR, UNITS_START, Personas, make_personas
from ntm.audit.models import AuditLog
from ntm.values.models import Value

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME = "income_per_capita"


@pytest.fixture
def world(transactional_db: None) -> tuple[Personas, Any]:
    p = make_personas()
    second = create_user(
        "officer_a2",
        password=None,
        role=Role.COMMUNE_OFFICER,
        unit=p.commune_a,
        full_name="Cán bộ thứ hai xã An Bình",
        valid_from=UNITS_START,
        actor=ACTOR,
    )
    return p, second


def _url(p: Personas) -> str:
    return reverse("values:save_cell", args=[p.commune_a.pk, SET, YEAR, INCOME, "claimed"])


def test_two_clients_one_after_the_other(world: tuple[Personas, Any]) -> None:
    """Both loaded the grid at version 0; the second save is refused with the first value."""
    p, second = world
    one, two = Client(), Client()
    one.force_login(p.officer_a)
    two.force_login(second)
    assert one.post(_url(p), {"value": "41", "version": "0"}).status_code == 302
    response = two.post(_url(p), {"value": "39", "version": "0"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Giá trị này vừa được Cán bộ xã An Bình lưu" in html
    assert "41 triệu đồng/người/năm" in html and 'value="39"' in html
    assert Value.objects.get().claimed_value == 41.0
    assert AuditLog.objects.filter(action="values.save_claimed").count() == 1


@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite test databases live in shared-cache memory, which refuses a second writer "
    "instead of queueing it; the one-after-the-other test covers SQLite",
)
def test_two_concurrent_requests(world: tuple[Personas, Any]) -> None:
    p, second = world
    barrier = threading.Barrier(2)
    results: dict[str, Any] = {}

    def save(name: str, user: Any, value: str) -> None:
        client = Client()
        client.force_login(user)
        barrier.wait()
        try:
            results[name] = client.post(_url(p), {"value": value, "version": "0"})
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=save, args=("one", p.officer_a, "41")),
        threading.Thread(target=save, args=("two", second, "39")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    codes = sorted(r.status_code for r in results.values())
    assert codes == [302, 409]
    winner = next(n for n, r in results.items() if r.status_code == 302)
    loser = results["two" if winner == "one" else "one"].content.decode()
    kept = {"one": 41.0, "two": 39.0}[winner]
    who = {"one": "Cán bộ xã An Bình", "two": "Cán bộ thứ hai xã An Bình"}[winner]
    assert f"Giá trị này vừa được {who} lưu" in loser
    assert f"{int(kept)} triệu đồng/người/năm" in loser
    value = Value.objects.get()
    assert value.claimed_value == kept and value.claimed_version == 1
    assert AuditLog.objects.filter(action="values.save_claimed").count() == 1
