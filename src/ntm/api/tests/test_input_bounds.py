"""Input the API refuses before it reaches a service or the database, each with a 4xx whose
body is the documented `Error` (Vietnamese `detail`, a `code`, the fields' `problems`), and no
traceback ever, whatever DEBUG is."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client, override_settings

from ntm.accounts.testing import Personas
from ntm.api.tests.test_api import bearer
from ntm.audit.models import AuditLog
from ntm.values.models import Value

pytestmark = pytest.mark.django_db

ENTRY: dict[str, Any] = {
    "period": 2021,
    "stage": "claimed",
    "numerator": 8,
    "denominator": 10,
    "expected_version": 0,
}


def put_raw(client: Client, headers: dict[str, str], unit: int, body: str) -> Any:
    return client.put(
        f"/api/units/{unit}/values/transport_village_roads_share",
        body,
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert body["code"] == code
    assert isinstance(body["problems"], list)
    assert "Traceback" not in response.content.decode()
    return dict(body)


def problem(body: dict[str, Any], field: str) -> str:
    found = [p["message"] for p in body["problems"] if p["field"] == field]
    assert found, body
    return str(found[0])


@pytest.mark.parametrize(
    ("query", "field", "message"),
    [
        ("limit=100000000000000000000", "query.limit", "Phải nhỏ hơn hoặc bằng 500."),
        ("limit=0", "query.limit", "Phải lớn hơn hoặc bằng 1."),
        ("offset=100000000000000000000", "query.offset", "Phải nhỏ hơn hoặc bằng 1000000000."),
        ("offset=-1", "query.offset", "Phải lớn hơn hoặc bằng 0."),
        ("parent=100000000000000000000", "query.parent", "Phải nhỏ hơn hoặc bằng"),
        ("on=0", "query.on", "Cần một ngày (yyyy-mm-dd)."),
        ("kind=hamlet", "query.kind", "Cần một trong các giá trị"),
    ],
)
def test_unit_list_parameters_are_bounded(
    client: Client, personas: Personas, query: str, field: str, message: str
) -> None:
    response = client.get(f"/api/units?{query}", **bearer(personas, "officer_a"))  # type: ignore[arg-type]
    body = assert_error(response, 422, "invalid")
    assert problem(body, field).startswith(message)
    assert body["detail"].startswith("Yêu cầu không hợp lệ")


def test_the_largest_page_and_offset_still_answer(client: Client, personas: Personas) -> None:
    headers = bearer(personas, "central_viewer")
    response = client.get("/api/units?limit=500&offset=1000000000", **headers)  # type: ignore[arg-type]
    assert response.status_code == 200
    assert response.json() == {"items": [], "count": 3}


@pytest.mark.parametrize(
    "path",
    [
        "/api/units/100000000000000000000",
        "/api/units/0",
        "/api/units/100000000000000000000/lineage",
        "/api/units/100000000000000000000/values?period=2021",
        "/api/units/1/values?period=99999",
        "/api/units/1/values?period=0",
        "/api/units/100000000000000000000/evaluation",
        "/api/units/1/evaluation?period=100000000000000000000",
        "/api/units/1/statistics?baseline=100000000000000000000",
        "/api/units/1/statistics?as_of=" + "3" * 1000,
        "/api/units/1/narrative?date=" + "3" * 1000,
        "/api/units/1/narrative?date=31/12/2020&lang=fr",
        "/api/units/1/narrative?date=31/12/2020&baseline=100000000000000000000",
        "/api/units/1/evaluation?set=" + "x" * 1000,
        "/api/criteria/sets/" + "x" * 1000,
    ],
)
def test_ids_years_and_texts_out_of_bounds_are_422(
    client: Client, personas: Personas, path: str
) -> None:
    response = client.get(path, **bearer(personas, "central_viewer"))  # type: ignore[arg-type]
    body = assert_error(response, 422, "invalid")
    assert body["problems"][0]["message"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"expected_version": 1e20}, "body.expected_version", "Cần một số nguyên."),
        ({"expected_version": 2**31}, "body.expected_version", "Phải nhỏ hơn hoặc bằng"),
        ({"expected_version": -1}, "body.expected_version", "Phải lớn hơn hoặc bằng 0."),
        ({"period": 2101}, "body.period", "Phải nhỏ hơn hoặc bằng 2100."),
        ({"period": 0}, "body.period", "Phải lớn hơn hoặc bằng 2000."),
        ({"reason": "x" * 1_000_000}, "body.reason", "Tối đa 2000 ký tự."),
        ({"reason": "a\x00b"}, "body.reason", "Không đúng dạng yêu cầu."),
        ({"numerator": 1e300}, "body.numerator", "Phải nhỏ hơn"),
        ({"stage": "approved"}, "body.stage", "Cần một trong các giá trị"),
        ({"period": None}, "body.period", "Cần một số nguyên."),
    ],
)
def test_value_fields_are_bounded(
    client: Client, personas: Personas, change: dict[str, Any], field: str, message: str
) -> None:
    p = personas
    response = put_raw(client, bearer(p, "officer_a"), p.commune_a.pk, json.dumps(ENTRY | change))
    body = assert_error(response, 422, "invalid")
    assert problem(body, field).startswith(message)
    assert not Value.objects.exists()
    assert not AuditLog.objects.filter(action__startswith="values.").exists()


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_non_finite_numbers_in_json_are_400(
    client: Client, personas: Personas, number: str
) -> None:
    p = personas
    text = json.dumps(ENTRY).replace('"numerator": 8', f'"numerator": {number}')
    assert number in text
    body = assert_error(
        put_raw(client, bearer(p, "officer_a"), p.commune_a.pk, text), 400, "invalid_json"
    )
    assert "hữu hạn" in body["detail"]
    assert not Value.objects.exists()


def test_a_body_that_is_not_json_is_400(client: Client, personas: Personas) -> None:
    p = personas
    body = assert_error(
        put_raw(client, bearer(p, "officer_a"), p.commune_a.pk, "{not json"), 400, "invalid_json"
    )
    assert body["detail"] == "Nội dung yêu cầu không phải JSON hợp lệ."


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000)
def test_a_body_over_the_size_limit_is_400(client: Client, personas: Personas) -> None:
    p = personas
    big = json.dumps(ENTRY | {"reason": "x" * 2000})
    body = assert_error(
        put_raw(client, bearer(p, "officer_a"), p.commune_a.pk, big), 400, "too_large"
    )
    assert body["detail"] == "Yêu cầu quá lớn."


def test_the_errors_of_authentication_and_scope_have_the_error_body(
    client: Client, personas: Personas
) -> None:
    body = assert_error(client.get("/api/units"), 401, "unauthorized")
    assert body["detail"].startswith("Hãy đăng nhập")
    headers = bearer(personas, "officer_a")
    response = client.get(f"/api/units/{personas.commune_b.pk}", **headers)  # type: ignore[arg-type]
    assert assert_error(response, 404, "not_found")["detail"].startswith("Không tìm thấy")
    response = client.get("/api/criteria/sets/no-such-set", **headers)  # type: ignore[arg-type]
    assert_error(response, 404, "not_found")


@pytest.mark.parametrize("debug", [True, False])
def test_an_unexpected_error_is_a_json_500_without_traceback(
    client: Client,
    personas: Personas,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    debug: bool,
) -> None:
    def broken() -> list[str]:
        raise RuntimeError("secret internals")

    monkeypatch.setattr("ntm.api.api.bundled_set_ids", broken)
    with override_settings(DEBUG=debug), caplog.at_level(logging.ERROR, logger="ntm.api.errors"):
        response = client.get("/api/criteria/sets", **bearer(personas, "officer_a"))  # type: ignore[arg-type]
    body = assert_error(response, 500, "server_error")
    assert "secret internals" not in response.content.decode()
    assert body["detail"] == "Lỗi hệ thống; lỗi đã được ghi lại."
    # The operators get the traceback in the log.
    assert any(r.exc_info and "secret internals" in str(r.exc_info[1]) for r in caplog.records)


def test_english_callers_get_english_errors(client: Client, personas: Personas) -> None:
    client.cookies["django_language"] = "en"
    response = client.get("/api/units?limit=0", **bearer(personas, "officer_a"))  # type: ignore[arg-type]
    body = assert_error(response, 422, "invalid")
    assert body["detail"] == "The request is not valid: query.limit: Must be at least 1."


def test_every_operation_documents_its_errors_with_the_error_schema(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    error = schema["components"]["schemas"]["Error"]
    assert error["properties"]["detail"]["type"] == "string"
    assert error["properties"]["code"]["type"] == "string"
    assert error["properties"]["problems"]["type"] == "array"
    assert set(error["required"]) == {"detail", "code"}
    operations = [op for item in schema["paths"].values() for op in item.values()]
    assert len(operations) == 14
    for op in operations:
        for status in ("400", "401", "404", "422"):
            content = op["responses"][status]["content"]["application/json"]["schema"]
            assert content == {"$ref": "#/components/schemas/Error"}, (op["operationId"], status)
