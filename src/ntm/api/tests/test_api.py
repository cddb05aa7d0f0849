"""The API, persona by persona: who may read and write what, and that nothing leaks."""

from __future__ import annotations

import datetime as dt
import json
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.api.models import ApiToken
from ntm.api.tokens import create_token, revoke_token, user_for_token
from ntm.audit.models import AuditLog
from ntm.recognition.models import Tier
from ntm.recognition.services import DecisionBasis, record_recognised
from ntm.results.testing import ROADS, SET_2020, SET_2022, seed
from ntm.values.models import Value

pytestmark = pytest.mark.django_db

# (persona, sees commune A, sees commune B, sees the province)
SCOPE: dict[PersonaName, tuple[bool, bool, bool]] = {
    "officer_a": (True, False, False),
    "officer_b": (False, True, False),
    "appraiser": (True, True, True),
    "province_office": (True, True, True),
    "central_viewer": (True, True, True),
    "administrator": (True, True, True),
}


NOT_FOUND = {
    "detail": "Không tìm thấy, hoặc bạn không có quyền xem.",
    "code": "not_found",
    "problems": [],
}


def bearer(p: Personas, name: PersonaName) -> dict[str, str]:
    user = p.user(name)
    assert user is not None
    _, raw = create_token(user, actor="test")
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def get(client: Client, url: str, headers: dict[str, str]) -> tuple[int, Any]:
    response = client.get(url, **headers)  # type: ignore[arg-type]
    return response.status_code, response.json()


@pytest.mark.parametrize(
    "path",
    [
        "/api/units",
        "/api/units/1",
        "/api/units/1/lineage",
        "/api/units/1/values?period=2021",
        "/api/units/1/evaluation",
        "/api/units/1/statistics",
        "/api/criteria/sets",
    ],
)
def test_anonymous_gets_401(client: Client, personas: Personas, path: str) -> None:
    assert client.get(path).status_code == 401
    bad = {"HTTP_AUTHORIZATION": "Bearer ntm_not-a-token"}
    assert client.get(path, **bad).status_code == 401  # type: ignore[arg-type]


def test_openapi_schema_is_served(client: Client) -> None:
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for path in (
        "/api/units",
        "/api/units/{unit_id}",
        "/api/units/{unit_id}/lineage",
        "/api/units/{unit_id}/values",
        "/api/units/{unit_id}/values/{measure}",
        "/api/units/{unit_id}/evaluation",
        "/api/units/{unit_id}/statistics",
        "/api/criteria/sets",
    ):
        assert path in paths, path
    # No docs page: it would load its scripts from a CDN.
    assert client.get("/api/docs").status_code == 404


@pytest.mark.parametrize("persona", list(SCOPE))
def test_unit_list_and_detail_follow_the_scope(
    client: Client, personas: Personas, persona: PersonaName
) -> None:
    p = personas
    sees_a, sees_b, sees_province = SCOPE[persona]
    headers = bearer(p, persona)
    status, body = get(client, "/api/units?limit=100", headers)
    assert status == 200
    ids = {u["id"] for u in body["items"]}
    assert (p.commune_a.pk in ids) is sees_a
    assert (p.commune_b.pk in ids) is sees_b
    assert (p.province.pk in ids) is sees_province
    text = json.dumps(body, ensure_ascii=False)
    if not sees_b:
        assert p.commune_b.name not in text
    for unit, allowed in (
        (p.commune_a, sees_a),
        (p.commune_b, sees_b),
        (p.province, sees_province),
    ):
        status, body = get(client, f"/api/units/{unit.pk}", headers)
        if allowed:
            assert status == 200 and body["name"] == unit.name
        else:
            assert (status, body) == (404, NOT_FOUND)
    # A unit that does not exist answers exactly like one outside the scope.
    assert get(client, "/api/units/999999", headers) == (404, NOT_FOUND)


def test_unit_list_filters(client: Client, personas: Personas) -> None:
    headers = bearer(personas, "province_office")
    status, body = get(client, "/api/units?kind=commune", headers)
    assert status == 200
    assert sorted(u["code"] for u in body["items"]) == ["99001", "99002"]
    status, body = get(client, "/api/units?on=2019-06-30", headers)
    assert status == 200 and body["items"] == []  # the persona units start in 2020
    assert get(client, "/api/units?kind=planet", headers)[0] == 422


def test_session_auth_works_for_reading_and_needs_csrf_for_writing(
    personas: Personas,
) -> None:
    client = Client(enforce_csrf_checks=True)
    personas.login(client, "officer_a")
    assert client.get(f"/api/units/{personas.commune_a.pk}").status_code == 200
    response = client.put(
        f"/api/units/{personas.commune_a.pk}/values/{ROADS}",
        data=json.dumps(
            {
                "period": 2021,
                "stage": "claimed",
                "numerator": 1,
                "denominator": 2,
                "expected_version": 0,
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 403
    assert response.json() == {
        "detail": "Thiếu mã CSRF hoặc mã không đúng: hãy tải lại trang rồi thử lại.",
        "code": "csrf",
        "problems": [],
    }
    assert not Value.objects.exists()


@pytest.mark.parametrize("persona", list(SCOPE))
def test_values_are_read_within_the_scope(
    client: Client, personas: Personas, persona: PersonaName
) -> None:
    p = personas
    seed(p)
    sees_b = SCOPE[persona][1]
    status, body = get(
        client, f"/api/units/{p.commune_b.pk}/values?period=2021", bearer(p, persona)
    )
    if sees_b:
        assert status == 200
        assert [(v["measure"], v["claimed"]["numerator"]) for v in body] == [(ROADS, 4.0)]
    else:
        assert status == 404


def _put(
    client: Client, headers: dict[str, str], unit_id: int, body: dict[str, Any]
) -> tuple[int, Any]:
    response = client.put(
        f"/api/units/{unit_id}/values/{ROADS}",
        data=json.dumps(body),
        content_type="application/json",
        **headers,  # type: ignore[arg-type]
    )
    return response.status_code, response.json()


def test_officer_writes_claimed_values_of_their_own_commune_only(
    client: Client, personas: Personas
) -> None:
    p = personas
    entry = {
        "period": 2021,
        "stage": "claimed",
        "numerator": 8,
        "denominator": 10,
        "expected_version": 0,
    }
    headers = bearer(p, "officer_a")
    status, body = _put(client, headers, p.commune_a.pk, entry)
    assert status == 200, body
    assert body["claimed"]["numerator"] == 8 and body["claimed"]["version"] == 1
    assert AuditLog.objects.filter(action="values.save_claimed").count() == 1
    # Commune B: not in the scope, so 404 and nothing written.
    status, _ = _put(client, headers, p.commune_b.pk, entry)
    assert status == 404
    assert not Value.objects.filter(unit=p.commune_b).exists()
    # The verified stage is the appraiser's: 403 inside the scope.
    status, body = _put(client, headers, p.commune_a.pk, entry | {"stage": "verified"})
    assert status == 403 and "không có quyền" in body["detail"]


def test_readers_of_the_province_and_the_country_do_not_enter_values(
    client: Client, personas: Personas
) -> None:
    p = personas
    entry = {
        "period": 2021,
        "stage": "claimed",
        "numerator": 8,
        "denominator": 10,
        "expected_version": 0,
    }
    status, _ = _put(client, bearer(p, "province_office"), p.commune_a.pk, entry)
    assert status == 403
    status, _ = _put(client, bearer(p, "central_viewer"), p.commune_a.pk, entry)
    assert status == 403
    status, _ = _put(client, bearer(p, "administrator"), p.commune_a.pk, entry)
    assert status == 403
    # The appraiser verifies; the claimed entry is the commune's.
    status, _ = _put(client, bearer(p, "appraiser"), p.commune_a.pk, entry)
    assert status == 403
    assert not Value.objects.exists()


def test_appraiser_writes_verified_values(client: Client, personas: Personas) -> None:
    p = personas
    entry = {
        "period": 2021,
        "stage": "verified",
        "numerator": 7,
        "denominator": 10,
        "expected_version": 0,
    }
    status, body = _put(client, bearer(p, "appraiser"), p.commune_b.pk, entry)
    assert status == 200, body
    assert body["verified"]["numerator"] == 7 and body["claimed"]["numerator"] is None


def test_conflict_and_invalid_entries(client: Client, personas: Personas) -> None:
    p = personas
    headers = bearer(p, "officer_a")
    entry = {
        "period": 2021,
        "stage": "claimed",
        "numerator": 8,
        "denominator": 10,
        "expected_version": 0,
    }
    assert _put(client, headers, p.commune_a.pk, entry)[0] == 200
    status, body = _put(client, headers, p.commune_a.pk, entry | {"numerator": 9})
    assert status == 409 and body["code"] == "conflict"
    assert body["theirs"]["numerator"] == 8 and body["current_version"] == 1
    again = entry | {"numerator": 12, "expected_version": 1}
    status, body = _put(client, headers, p.commune_a.pk, again)
    assert status == 422 and "Tử số lớn hơn mẫu số" in body["detail"]
    assert Value.objects.get(unit=p.commune_a).claimed_numerator == 8


@pytest.mark.parametrize("persona", list(SCOPE))
def test_evaluation_follows_the_scope(
    client: Client, personas: Personas, persona: PersonaName
) -> None:
    p = personas
    seed(p)
    sees_a, sees_b, _ = SCOPE[persona]
    headers = bearer(p, persona)
    for unit, allowed in ((p.commune_a, sees_a), (p.commune_b, sees_b)):
        status, body = get(client, f"/api/units/{unit.pk}/evaluation?period=2021", headers)
        assert status == (200 if allowed else 404)
    if sees_b:
        status, body = get(
            client, f"/api/units/{p.commune_b.pk}/evaluation?period=2021&set={SET_2020}", headers
        )
        assert (body["met"], body["total"], body["meets_set"]) == (17, 19, False)
        roads = next(
            c
            for k in body["criteria"]
            if k["number"] == 2
            for c in k["conditions"]
            if c["indicator"] == "2.2"
        )
        assert (roads["value"], roads["stage"], roads["status"]) == (40.0, "claimed", "not_met")
        assert roads["threshold"] is not None and roads["gap"] < 0


def test_evaluation_refuses_a_set_outside_its_period(client: Client, personas: Personas) -> None:
    headers = bearer(personas, "officer_a")
    status, body = get(
        client,
        f"/api/units/{personas.commune_a.pk}/evaluation?period=2023&set=vn-ntm-xa-2016-2020",
        headers,
    )
    assert status == 422 and "không áp dụng cho năm 2023" in body["detail"]
    status, _ = get(
        client,
        f"/api/units/{personas.commune_a.pk}/evaluation?period=2021&set=/etc/passwd",
        headers,
    )
    assert status == 422


@pytest.mark.parametrize("persona", list(SCOPE))
def test_statistics_for_readers_of_the_province_only(
    client: Client, personas: Personas, persona: PersonaName
) -> None:
    p = personas
    seed(p)
    status, body = get(
        client,
        f"/api/units/{p.province.pk}/statistics?period=2021&baseline=2020",
        bearer(p, persona),
    )
    if not SCOPE[persona][2]:
        assert status == 404
        return
    assert status == 200
    total = body["statistics"]["total"]
    assert (total["figures"]["meeting"], total["figures"]["communes"]) == (1, 2)
    assert total["change_previous"]["meeting"] == 1  # 2020: nobody met the standard
    assert total["change_baseline"]["against"] == 2020
    assert body["basis"] == "as_recorded"
    assert [c["unit"]["code"] for c in body["close_to_standard"]] == ["99002"]
    close = body["close_to_standard"][0]
    assert close["unit"]["id"] == p.commune_b.pk
    assert {"criterion", "name", "status"} == set(close["criteria"][0])
    assert close["short"] == len(close["criteria"])
    assert [t["period"] for t in body["trend"]] == [2020, 2021, 2022]


def test_statistics_rebased_and_revocation(client: Client, personas: Personas) -> None:
    p = personas
    seed(p)
    headers = bearer(p, "province_office")
    url = f"/api/units/{p.province.pk}/statistics?period=2022&geography=rebased"
    # The rule watches recognised communes only: none is recognised yet.
    status, body = get(client, url, headers)
    assert status == 200 and body["revocation_warnings"] == []
    assert body["recognition"]["recognised"] == 0
    basis = DecisionBasis("TEST-1/QĐ-UBND", dt.date(2022, 1, 10), "UBND tỉnh Thử Nghiệm")
    record_recognised(p.commune_b, Tier.NTM, 2021, basis, acting_user=p.province_office)
    status, body = get(client, url, headers)
    assert status == 200
    assert body["recognition"]["recognised"] == 1
    assert [u["code"] for u in body["recognition"]["recognised_not_meeting"]] == ["99002"]
    assert body["basis"].startswith("rebased:")
    assert [r["unit"]["code"] for r in body["revocation_warnings"]] == ["99002"]
    warning = body["revocation_warnings"][0]
    assert [k["number"] for k in warning["key_criteria"]] == [10, 17, 19]
    assert warning["key_criteria"][0]["name"] == "Thu nhập"
    assert warning["unknown_criteria"] == []
    assert warning["unit"]["id"] == p.commune_b.pk
    assert body["revocation_scope"] == "recognised_communes"
    status, _ = get(client, f"/api/units/{p.province.pk}/statistics?geography=moon", headers)
    assert status == 422
    # A commune is not a province: the statistics endpoint answers 404.
    assert get(client, f"/api/units/{p.commune_a.pk}/statistics", headers)[0] == 404


def test_criteria_sets(client: Client, personas: Personas) -> None:
    headers = bearer(personas, "officer_a")
    status, body = get(client, "/api/criteria/sets", headers)
    assert status == 200 and SET_2022 in {s["id"] for s in body}
    status, body = get(client, f"/api/criteria/sets/{SET_2022}", headers)
    assert status == 200 and len(body["criteria"]) == 19
    # Only bundled ids: the loader would also read a file path.
    assert get(client, "/api/criteria/sets/secret.yaml", headers)[0] == 404


def test_lineage_hides_units_outside_the_scope(client: Client, personas: Personas) -> None:
    p = personas
    status, body = get(client, f"/api/units/{p.commune_a.pk}/lineage", bearer(p, "officer_a"))
    assert status == 200 and body["unit"]["id"] == p.commune_a.pk
    assert get(client, f"/api/units/{p.commune_b.pk}/lineage", bearer(p, "officer_a"))[0] == 404


# ---------------------------------------------------------------------------- tokens


def test_tokens_are_stored_hashed_revocable_and_audited(personas: Personas) -> None:
    user = personas.officer_a
    token, raw = create_token(user, name="tích hợp", actor="test")
    assert raw.startswith("ntm_") and raw not in (token.digest, token.prefix)
    assert token.digest != raw and len(token.digest) == 64
    assert user_for_token(raw) == user
    token.refresh_from_db()
    assert token.last_used_at is not None
    revoke_token(token, actor="test")
    assert user_for_token(raw) is None
    actions = list(
        AuditLog.objects.filter(object_type="api.token").values_list("action", flat=True)
    )
    assert actions == ["api.create_token", "api.revoke_token"]


def test_a_token_of_a_deactivated_user_stops_working(client: Client, personas: Personas) -> None:
    headers = bearer(personas, "officer_a")
    assert client.get("/api/units", **headers).status_code == 200  # type: ignore[arg-type]
    personas.officer_a.is_active = False
    personas.officer_a.save()
    assert client.get("/api/units", **headers).status_code == 401  # type: ignore[arg-type]


def test_management_command_creates_lists_and_revokes(personas: Personas) -> None:
    out, err = StringIO(), StringIO()
    call_command("api", "token", "create", "officer_a", "--name", "báo cáo", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    assert user_for_token(raw) == personas.officer_a
    assert "chỉ hiển thị một lần" in err.getvalue()
    out = StringIO()
    call_command("api", "token", "list", "officer_a", stdout=out)
    prefix = ApiToken.objects.get().prefix
    assert prefix in out.getvalue() and "còn hiệu lực" in out.getvalue()
    call_command("api", "token", "revoke", prefix, stdout=StringIO())
    assert user_for_token(raw) is None
    with pytest.raises(CommandError, match="Không có người dùng"):
        call_command("api", "token", "create", "nobody", stdout=StringIO())


def test_every_persona_is_covered() -> None:
    assert set(SCOPE) | {"anonymous"} == set(PERSONAS)
