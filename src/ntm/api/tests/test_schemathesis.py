"""The API against its own OpenAPI schema (schemathesis), once per persona with a token.

Generated requests, valid and invalid, must never get a server error, and every answer must
match the documented responses (status, content type, body schema). Part of the requests go
to the persona world's real units and measures, so that the services are reached, not only
the 404 of an unknown id. The run is bounded (examples per operation) and deterministic
(fixed seed, derandomized): the same requests in every run, so CI is stable; about 20–30 s.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from ntm.accounts.testing import PersonaName, Personas
from ntm.api.tokens import create_token
from ntm.results.testing import ROADS, seed
from ntm.wsgi import application

pytestmark = pytest.mark.django_db

# Every persona holding a token (the anonymous caller is covered by schemathesis' auth checks).
TOKEN_PERSONAS: tuple[PersonaName, ...] = (
    "officer_a",
    "officer_b",
    "appraiser",
    "province_office",
    "central_viewer",
    "administrator",
)
# Real targets mixed into the generated requests: units of the persona world and a share, a
# yes/no and a plain number measure.
UNITS = ("commune_a", "commune_b", "province")
# For each measure, an entry that fits it, in a year the 2021–2025 set reads, so that some
# saves get through (200) and later ones with a stale version conflict (409).
ENTRIES: dict[str, dict[str, Any]] = {
    ROADS: {"numerator": 3, "denominator": 10, "value": None},
    "planning_general_plan": {"value": 1, "numerator": None, "denominator": None},
    "population": {"value": 5000, "numerator": None, "denominator": None},
}

CONFIG = {
    "seed": 20240801,
    "generation": {"max-examples": 8, "deterministic": True, "database": "none"},
    # The one write gets more: it is where the services are reached the most ways.
    "operations": [{"include-method": "PUT", "generation": {"max-examples": 30}}],
    # Replaced by `refused_only_by_the_service`: valid input may still be refused by a rule
    # the schema cannot say (a set that does not read the measure, a numerator above its
    # denominator), but never by the validation of the schema's own bounds.
    "checks": {"positive_data_acceptance": {"enabled": False}},
}

# Loaded at collection (the schema needs no database): schemathesis' lazy `from_fixture`
# loader does not work with pytest 9.2 (it sets `Node._nodeid`).
schema = schemathesis.openapi.from_wsgi(
    "/api/openapi.json", application, config=schemathesis.Config.from_dict(CONFIG)
)


def refused_only_by_the_service(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: schemathesis.Case[Any]
) -> bool | None:
    """Schema-valid data passes the API's own validation: no 400, and a 422 names no field."""
    if case.meta is None or not case.meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status == 400 or (status == 422 and response.json().get("problems")):
        raise AssertionError(
            f"Schema-valid request refused by validation: {status} {response.text[:500]}"
        )
    return None


@pytest.fixture
def wsgi_db() -> Iterator[None]:
    """The WSGI handler closes the connection after each request, which would end the test's
    transaction; Django's test client disconnects the same receiver."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture(params=TOKEN_PERSONAS)
def caller(
    request: pytest.FixtureRequest, personas: Personas, wsgi_db: None
) -> tuple[dict[str, str], Personas]:
    seed(personas)
    user = personas.user(request.param)
    assert user is not None
    _, raw = create_token(user, actor="test")
    return {"Authorization": f"Bearer {raw}"}, personas


@schema.parametrize()
@schema.given(
    unit=st.sampled_from((None, *UNITS)),
    measure=st.sampled_from((None, *ENTRIES)),
    fit=st.booleans(),
)
# The fixtures (personas, token) are set up once per operation and persona, on purpose.
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_api_matches_its_schema(
    case: schemathesis.Case[Any],
    unit: str | None,
    measure: str | None,
    fit: bool,
    caller: tuple[dict[str, str], Personas],
) -> None:
    headers, p = caller
    # Only valid requests are re-aimed: an invalid one must stay invalid where it was made so.
    path: dict[str, Any] = case.path_parameters or {}
    if case.meta is not None and case.meta.generation.mode.is_positive:
        if unit is not None and "unit_id" in path:
            path["unit_id"] = getattr(p, unit).pk
        if measure is not None and "measure" in path:
            path["measure"] = measure
            if fit and isinstance(case.body, dict):
                case.body.update(ENTRIES[measure], period=2021, not_applicable=False)
    case.call_and_validate(headers=headers, additional_checks=[refused_only_by_the_service])
