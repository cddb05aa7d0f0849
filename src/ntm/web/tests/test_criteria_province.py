"""The catalogue per province: `ntm criteria list --province` and the sets page count the
cells a province still has to decide once its decisions are applied."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from ntm.accounts.testing import PersonaName, Personas
from ntm.criteria.schema import CellChange
from ntm.decisions.services import Basis, record_decision, record_transition
from ntm.web.tests.matrix import PROVINCE_READS
from ntm.web.tests.test_criteria_sets import section
from ntm.web.tests.test_dashboards import html

pytestmark = pytest.mark.django_db

SET = "vn-ntm-xa-2016-2020"


def _decide(p: Personas) -> None:
    """Confirm one unconfirmed cell of 2016–2020 (indicator 2.2, national column)."""
    record_decision(
        p.province,
        SET,
        Basis("TEST-05/QĐ-UBND", dt.date(2019, 5, 2), "UBND tỉnh Thử Nghiệm (TEST)"),
        [CellChange(indicator="2.2", column="national", value=70, status="verified")],
        effective_from=None,
        acting_user=p.province_office,
    )


def _listed(*args: str) -> str:
    out = StringIO()
    call_command("criteria", "list", *args, stdout=out)
    return out.getvalue()


def _block(text: str, set_id: str) -> str:
    return text.split(f"\n{set_id}\n", 1)[1].split("\n\n", 1)[0]


def test_the_command_counts_the_cells_left_after_the_decisions(personas: Personas) -> None:
    line = "Tỉnh Thử Nghiệm: còn {total} ô ngưỡng cần bổ sung sau các quyết định của tỉnh"
    before = _block(_listed("--province", "99"), SET)
    assert line.format(total=164) + " (32 thiếu, 132 chưa xác minh)" in before
    _decide(personas)
    after = _block(_listed("--province", "99"), SET)
    assert line.format(total=163) + " (32 thiếu, 131 chưa xác minh)" in after
    assert "Tỉnh Thử Nghiệm" not in _listed()


def test_the_command_refuses_an_unknown_province(personas: Personas) -> None:
    with pytest.raises(CommandError):
        _listed("--province", "42")


def test_the_page_counts_them_for_the_province_user(client: Client, personas: Personas) -> None:
    personas.login(client, "province_office")
    url = reverse("web:criteria_sets")
    left = "Tỉnh Thử Nghiệm: sau các quyết định của tỉnh, còn {} ô chưa có ngưỡng và {} ô"
    assert left.format(32, 132) in section(html(client, url), SET)
    _decide(personas)
    assert left.format(32, 131) in section(html(client, url), SET)
    personas.login(client, "central_viewer")
    assert "Tỉnh Thử Nghiệm" not in html(client, url)
    assert left.format(32, 131) in section(html(client, url + "?province=99"), SET)


@pytest.mark.parametrize(
    ("persona", "status"),
    PROVINCE_READS,
)
def test_who_sees_a_province_catalogue(
    client: Client, personas: Personas, persona: PersonaName, status: int
) -> None:
    personas.login(client, persona)
    url = reverse("web:criteria_sets") + "?province=99"
    assert client.get(url).status_code == status
    assert client.get(reverse("web:criteria_sets") + "?province=42").status_code in {404, 302}


def test_the_catalogue_gives_the_province_dates(client: Client, personas: Personas) -> None:
    record_transition(
        personas.province,
        SET,
        Basis("TEST-11/QĐ-UBND", dt.date(2022, 2, 20), "UBND tỉnh Thử Nghiệm (TEST)"),
        dt.date(2023, 1, 1),
        acting_user=personas.province_office,
    )
    personas.login(client, "province_office")
    own = section(html(client, reverse("web:criteria_sets")), SET)
    assert "đến 31/12/2022" in own and "từ 01/01/2023" in own
    personas.login(client, "central_viewer")
    national = section(html(client, reverse("web:criteria_sets")), SET)
    assert "đến 07/03/2022" in national and "từ 08/03/2022" in national
    assert "Hiệu lực từ 01/12/2016 đến 31/12/2022" in _block(_listed("--province", "99"), SET)
