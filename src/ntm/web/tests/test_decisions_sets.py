"""The decisions page's transition rule and the province's own sets: recorded by the province
office only, refused with every problem and nothing written."""

from __future__ import annotations

import html

import pytest
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PersonaName, Personas
from ntm.decisions.models import Decision, SetDecision
from ntm.web.tests.matrix import OFFICE_ACTS

pytestmark = pytest.mark.django_db

OLD = "vn-ntm-xa-2016-2020"
RULE = {
    "set_id": OLD,
    "successor_from": "01/01/2023",
    "number": "TEST-11/QĐ-UBND",
    "date_signed": "20/02/2022",
    "issuer": "UBND tỉnh Thử Nghiệm (TEST)",
}


def _text(response: object) -> str:
    return html.unescape(response.content.decode())  # type: ignore[attr-defined]


def test_the_office_records_the_transition_and_the_page_shows_it(
    client: Client, p: Personas
) -> None:
    p.login(client, "province_office")
    url = reverse("web:province_decisions_transition", args=[p.province.pk])
    response = client.post(url, RULE)
    assert response.status_code == 302
    (rule,) = SetDecision.objects.all()
    assert (rule.set_id, rule.successor_from.isoformat()) == (OLD, "2023-01-01")  # type: ignore[union-attr]
    page = _text(client.get(reverse("web:province_decisions", args=[p.province.pk])))
    assert "Chuyển tiếp giữa các bộ" in page and "01/01/2023" in page


def test_a_bad_transition_shows_its_problems_and_writes_nothing(
    client: Client, p: Personas
) -> None:
    p.login(client, "province_office")
    url = reverse("web:province_decisions_transition", args=[p.province.pk])
    response = client.post(url, {**RULE, "successor_from": "01/01/2022", "issuer": ""})
    assert response.status_code == 400
    text = _text(response)
    assert "trước ngày áp dụng trên toàn quốc (08/03/2022)" in text
    assert "cơ quan ban hành" in text
    assert not SetDecision.objects.exists() and not Decision.objects.exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    OFFICE_ACTS,
)
def test_who_records_a_transition(
    client: Client, p: Personas, persona: PersonaName, status: int
) -> None:
    p.login(client, persona)
    url = reverse("web:province_decisions_transition", args=[p.province.pk])
    assert client.post(url, RULE).status_code == status
    assert SetDecision.objects.exists() == (persona == "province_office")
