"""What the services refuse, the API answers with the documented `Error` body and writes
nothing: a year no criteria set covers, a measure the year's sets do not read, a locked period;
an empty entry of a value never saved answers without a row. And whatever the record holds,
the answer is JSON as RFC 8259 has it (no NaN or Infinity)."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from django.test import Client

from ntm.accounts.testing import Personas
from ntm.api.tests.test_api import bearer
from ntm.api.tests.test_input_bounds import assert_error
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_measures, load_set, sets_for_period
from ntm.values.models import Value
from ntm.values.services import Entry, approve, save_value, set_reads, submit

pytestmark = pytest.mark.django_db

INCOME = "income_per_capita"


def _read_in(year: int) -> set[str]:
    return {m for s in sets_for_period(year) for m in set_reads(s.id)}


# A measure of the 2021–2025 set that no set of 2020 reads.
LATER = next(k for k in sorted(load_measures()) if k not in _read_in(2020) and k in _read_in(2022))


def put(client: Client, p: Personas, persona: str, measure: str, body: dict[str, Any]) -> Any:
    return client.put(
        f"/api/units/{p.commune_a.pk}/values/{measure}",
        json.dumps({"stage": "claimed", "expected_version": 0} | body),
        content_type="application/json",
        **bearer(p, persona),  # type: ignore[arg-type]
    )


def nothing_written() -> None:
    assert not Value.objects.exists()
    assert not AuditLog.objects.filter(object_type="values.value").exists()


def test_a_year_no_set_covers_is_422(client: Client, personas: Personas) -> None:
    response = put(client, personas, "officer_a", INCOME, {"period": 2099, "value": 40})
    body = assert_error(response, 422, "invalid")
    assert body["detail"] == "Không có bộ tiêu chí nào cho năm 2099."
    nothing_written()


def test_a_measure_the_years_sets_do_not_read_is_422(client: Client, personas: Personas) -> None:
    response = put(client, personas, "officer_a", LATER, {"period": 2020, "value": 1})
    body = assert_error(response, 422, "invalid")
    assert "không dùng chỉ tiêu" in body["detail"] and LATER in body["detail"]
    nothing_written()


def test_an_empty_entry_of_a_new_value_writes_no_row(client: Client, personas: Personas) -> None:
    response = put(client, personas, "officer_a", INCOME, {"period": 2020})
    assert response.status_code == 200, response.content
    assert response.json()["claimed"] == {
        "value": None,
        "numerator": None,
        "denominator": None,
        "not_applicable": False,
        "version": 0,
        "by": None,
        "at": None,
    }
    nothing_written()


def test_a_locked_period_is_409(client: Client, personas: Personas) -> None:
    p = personas
    cset = load_set("vn-ntm-xa-2016-2020")
    save_value(
        p.commune_a,
        INCOME,
        2020,
        Entry(value=40.0),
        stage="claimed",
        expected_version=0,
        acting_user=p.officer_a,
    )
    submit(p.commune_a, 2020, cset, acting_user=p.officer_a)
    body = assert_error(
        put(client, p, "officer_a", INCOME, {"period": 2020, "value": 41, "expected_version": 1}),
        409,
        "locked",
    )
    assert "đang chờ duyệt" in body["detail"]
    approve(p.commune_a, 2020, cset, acting_user=p.province_office)
    response = put(
        client, p, "appraiser", INCOME, {"period": 2020, "value": 41, "stage": "verified"}
    )
    assert "đã được duyệt" in assert_error(response, 409, "locked")["detail"]
    assert Value.objects.get().entry("claimed")["value"] == 40.0
    assert Value.objects.get().entry("verified")["value"] is None


def _strict(text: bytes) -> Any:
    def refuse(name: str) -> Any:
        raise AssertionError(f"{name} is not JSON")

    return json.loads(text, parse_constant=refuse)


@pytest.mark.parametrize("number", [math.inf, -math.inf, math.nan])
def test_a_stored_number_that_is_not_finite_answers_valid_json(
    client: Client, personas: Personas, number: float
) -> None:
    """Only a write around the services can store one; the answer stays JSON (null there)."""
    p = personas
    Value.objects.create(
        unit=p.commune_a, measure=INCOME, period=2020, claimed_version=1, claimed_value=number
    )
    headers = bearer(p, "province_office")
    response = client.get(f"/api/units/{p.commune_a.pk}/values?period=2020", **headers)  # type: ignore[arg-type]
    assert response.status_code == 200
    [value] = _strict(response.content)
    assert value["claimed"]["value"] is None and value["claimed"]["version"] == 1
    # The results computed from it, too.
    for path in (
        f"/api/units/{p.commune_a.pk}/evaluation?period=2020",
        f"/api/units/{p.province.pk}/statistics?period=2020",
    ):
        response = client.get(path, **headers)  # type: ignore[arg-type]
        assert response.status_code == 200 and _strict(response.content)
