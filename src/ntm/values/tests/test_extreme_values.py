"""Every page shows any value the database holds, however large: values written straight into
the tables (bypassing the services, which refuse them) and audit rows that carry them."""

from __future__ import annotations

import math

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import Personas
from ntm.audit.models import AuditLog
from ntm.audit.services import record
from ntm.values.models import EntryVersion, Value
from ntm.values.record import VALUE_OBJECT, entry_version

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020
INCOME = "income_per_capita"
ROADS = "transport_village_roads_share"
HUGE = 1e28
TWENTY_NINE_DIGITS = "10." + ".".join(["000"] * 9)  # 1e28 in Vietnamese grouping


def _store(p: Personas, measure: str, **fields: float) -> Value:
    """A claimed entry written directly, with the audit row a save would have written."""
    value = Value.objects.create(
        unit=p.commune_a,
        measure=measure,
        period=YEAR,
        claimed_version=1,
        claimed_by=p.officer_a,
        **{f"claimed_{k}": v for k, v in fields.items()},
    )
    entry = value.entry("claimed")
    with transaction.atomic():
        audit = record(
            action="values.save_claimed",
            object_type=VALUE_OBJECT,
            object_id=value.pk,
            before={"stage": "claimed", **{k: None for k in entry}, "not_applicable": False},
            after={"stage": "claimed", **entry, "version": 1},
            acting_user=p.officer_a,
        )
        _version(value, audit)
    return value


def _version(value: Value, audit: AuditLog) -> None:
    """The version row a save writes beside the value (the read layer reads it)."""
    EntryVersion.objects.create(
        **entry_version(value, "claimed", value.entry("claimed"), 1, audit.created_at),
        acting_user_id=audit.acting_user_id,
        audit=audit,
    )


def _fetch(client: Client, p: Personas, measure: str) -> dict[str, str]:
    """The grid (the commune's own, with its editable fields, and the province office's, which
    shows the values as text), the value page and its history: all answer 200."""
    pages = {}
    for persona in ("officer_a", "province_office"):
        p.login(client, persona)
        for page, url in _pages(p, measure).items():
            response = client.get(url)
            assert response.status_code == 200, (persona, page, response.content.decode()[:300])
            pages[f"{persona} {page}"] = response.content.decode()
    return pages


def _pages(p: Personas, measure: str) -> dict[str, str]:
    a = p.commune_a.pk
    return {
        "entry": reverse("values:entry", args=[a, SET, YEAR]),
        "value": reverse("values:value", args=[a, YEAR, measure]),
        "history": reverse("values:history", args=[a, YEAR, measure]),
    }


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        (HUGE, TWENTY_NINE_DIGITS),
        (-HUGE, "-" + TWENTY_NINE_DIGITS),
        (1e300, "1" + ".000" * 100),
        (1.7976931348623157e308, "179.769.313.486.231.570"),
    ],
)
def test_pages_show_a_huge_number(client: Client, p: Personas, number: float, shown: str) -> None:
    _store(p, INCOME, value=number)
    pages = _fetch(client, p, INCOME)
    for page, html in pages.items():
        if page != "officer_a entry":
            assert shown in html, page
    # The commune's own field holds the number as it would be typed.
    assert f'value="{int(number)}"' in pages["officer_a entry"]


def test_pages_show_a_share_with_huge_parts(client: Client, p: Personas) -> None:
    _store(p, ROADS, numerator=1e300, denominator=3e300)
    for page, html in _fetch(client, p, ROADS).items():
        if page != "officer_a entry":
            assert "3" + ".000" * 100 in html, page
            assert "(33,33 %)" in html, page


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_pages_show_a_number_that_is_not_finite(client: Client, p: Personas, number: float) -> None:
    # A float column keeps ±infinity (SQLite, PostgreSQL) and NaN (PostgreSQL; SQLite reads it
    # back as NULL). No audit row: JSON has neither.
    value = Value.objects.create(
        unit=p.commune_a, measure=INCOME, period=YEAR, claimed_version=1, claimed_value=number
    )
    with transaction.atomic():
        _version(value, record(action="test", object_type=VALUE_OBJECT, actor="test"))
    value.refresh_from_db()
    stored = value.claimed_value
    pages = _fetch(client, p, INCOME)
    if stored is None:
        return
    shown = "NaN" if math.isnan(stored) else ("-∞" if stored < 0 else "∞")
    for page in ("province_office entry", "officer_a value", "province_office value"):
        assert shown in pages[page], page
