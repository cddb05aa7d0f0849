"""The API says where each criterion's status comes from: computed, declared, or the province
office's decision with its reason (the reported bug's record, `ntm.values.testing`)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from ntm.accounts.testing import Personas
from ntm.api.tokens import create_token
from ntm.criteria.loader import load_set
from ntm.values.services import decide_status
from ntm.values.testing import SET, YEAR, declared_over_a_failing_value

pytestmark = pytest.mark.django_db

REASON = "Biên bản thẩm định bổ sung số 12/BB-VPĐP"


def test_the_api_says_where_each_status_comes_from(client: Client, personas: Personas) -> None:
    p = personas
    declared_over_a_failing_value(p)
    _, raw = create_token(p.province_office, actor="test")
    headers: dict[str, Any] = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    url = f"/api/units/{p.commune_a.pk}/evaluation?period={YEAR}&set={SET}"

    def criterion(number: int) -> dict[str, Any]:
        body = json.loads(client.get(url, **headers).content)
        found: dict[str, Any] = next(c for c in body["criteria"] if c["number"] == number)
        return found

    c10 = criterion(10)
    assert (c10["status"], c10["source"], c10["conflict"]) == ("not_met", "computed", True)
    decide_status(
        p.commune_a, YEAR, load_set(SET), 10, "met", reason=REASON, acting_user=p.province_office
    )
    c10 = criterion(10)
    assert (c10["status"], c10["source"], c10["decision_reason"]) == ("met", "province", REASON)
    assert (c10["computed_status"], c10["declared_status"]) == ("not_met", "met")
