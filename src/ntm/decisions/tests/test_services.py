"""Recording a province's decisions: who may, what is refused (nothing written), versions."""

from __future__ import annotations

import datetime as dt

import pytest

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_set
from ntm.criteria.schema import CellChange
from ntm.decisions.models import CellVersion, Decision
from ntm.decisions.queries import in_force, with_decisions
from ntm.decisions.services import Basis, DecisionError, NotAllowed, import_overlay, record_decision

SET = "vn-ntm-xa-2016-2020"
BASIS = Basis("TEST-01/QĐ-UBND", dt.date(2019, 3, 1), "UBND tỉnh Thử Nghiệm (TEST)")
CELL = CellChange(indicator="15.1", column="province", value=90, status="verified")

OVERLAY = """
schema_version: 1
kind: overlay
id: test-99
extends: vn-ntm-xa-2016-2020
province_code: "{code}"
province_name: Tỉnh Thử Nghiệm (TEST)
legal_basis:
  number: TEST-02/QĐ-UBND
  issuer: UBND tỉnh Thử Nghiệm (TEST)
  date_signed: 2019-05-02
cells:
  - {{indicator: "15.1", column: province, value: 92, status: verified}}
  - {{indicator: "10", column: province, year: 2019, value: 32, status: unverified}}
"""


def _record(p: Personas, *cells: CellChange, basis: Basis = BASIS) -> int:
    return record_decision(
        p.province, SET, basis, cells or (CELL,), effective_from=None, acting_user=p.province_office
    ).written


@pytest.mark.parametrize("persona", [n for n in PERSONAS if n != "anonymous"])
def test_only_the_province_office_records(personas: Personas, persona: PersonaName) -> None:
    user = personas.user(persona)
    assert user is not None
    if persona == "province_office":
        assert (
            record_decision(
                personas.province, SET, BASIS, [CELL], effective_from=None, acting_user=user
            ).written
            == 1
        )
        return
    with pytest.raises(NotAllowed):
        record_decision(
            personas.province, SET, BASIS, [CELL], effective_from=None, acting_user=user
        )
    assert not CellVersion.objects.exists()
    assert not AuditLog.objects.filter(action="decisions.record").exists()


def test_a_commune_is_no_province(personas: Personas) -> None:
    with pytest.raises(NotAllowed):
        record_decision(
            personas.commune_a,
            SET,
            BASIS,
            [CELL],
            effective_from=None,
            acting_user=personas.province_office,
        )


def test_every_problem_is_reported_and_nothing_written(personas: Personas) -> None:
    bad = [
        CellChange(indicator="99.9", column="province", value=1, status="verified"),
        CellChange(indicator="15.1", column="NOWHERE", value=1, status="verified"),
        CellChange(indicator="15.1", column="province", value=150, status="verified"),
        CellChange(indicator="10", column="province", year=2030, value=30, status="verified"),
        CELL,
        CELL,
    ]
    with pytest.raises(DecisionError) as caught:
        _record(personas, *bad, basis=Basis("", None, ""))
    problems = caught.value.problems
    assert "Căn cứ pháp lý cần số quyết định." in problems
    assert "Căn cứ pháp lý cần ngày ký quyết định." in problems
    assert "Căn cứ pháp lý cần cơ quan ban hành quyết định." in problems
    assert any("cells[0].indicator: unknown indicator '99.9'" in m for m in problems)
    assert any("cells[1].column: unknown column 'NOWHERE'" in m for m in problems)
    assert any("cells[2]" in m and "0 to 100" in m for m in problems)
    assert any("cells[3].year: 2030" in m for m in problems)
    assert "cells[5]: cùng một ô được khai hai lần." in problems
    assert not Decision.objects.exists() and not CellVersion.objects.exists()


def test_a_change_is_a_new_version_with_its_audit_row(personas: Personas) -> None:
    assert _record(personas) == 1
    assert _record(personas) == 0  # the same cell again: unchanged
    later = Basis("TEST-03/QĐ-UBND", dt.date(2020, 2, 1), BASIS.issuer)
    assert _record(personas, CELL.model_copy(update={"value": 95.0}), basis=later) == 1
    rows = list(CellVersion.objects.order_by("version"))
    assert [(r.version, r.value, r.effective_from) for r in rows] == [
        (1, 90, dt.date(2019, 3, 1)),
        (2, 95, dt.date(2020, 2, 1)),
    ]
    assert rows[1].audit.action == "decisions.record"
    assert rows[1].audit.before == [
        {
            "cell": "15.1|0|province|*",
            "version": 1,
            "value": 90,
            "status": "verified",
            "effective_from": "2019-03-01",
            "decision": rows[0].decision_id,
        }
    ]
    assert rows[1].audit.legal_basis == "TEST-03/QĐ-UBND (01/02/2020)"
    # Each day reads the version in force then.
    assert [r.value for r in in_force("99", SET, dt.date(2018, 12, 31))] == []
    assert [r.value for r in in_force("99", SET, dt.date(2019, 12, 31))] == [90]
    assert [r.value for r in in_force("99", SET, dt.date(2020, 12, 31))] == [95]


def test_the_set_with_decisions_carries_them(personas: Personas) -> None:
    _record(personas)
    base = load_set(SET)
    day = dt.date(2019, 12, 31)
    overlaid = with_decisions(base, "99", "Tỉnh Thử Nghiệm", day)
    assert overlaid is with_decisions(base, "99", "Tỉnh Thử Nghiệm", day)  # one object
    (overlay,) = overlaid.overlays
    assert overlay.legal_basis.number == "TEST-01/QĐ-UBND"
    assert overlay.legal_basis.date_signed == dt.date(2019, 3, 1)
    assert [(c.indicator, c.value) for c in overlay.cells] == [("15.1", 90)]
    assert with_decisions(base, "99", "Tỉnh Thử Nghiệm", dt.date(2018, 12, 31)) is base
    assert with_decisions(base, None, "", day) is base


def test_an_overlay_file_is_recorded_whole(personas: Personas) -> None:
    found = import_overlay(
        personas.province,
        OVERLAY.format(code="99"),
        "tinh.yaml",
        acting_user=personas.province_office,
    )
    assert found.written == 2
    assert found.decision.number == "TEST-02/QĐ-UBND"
    assert {r.effective_from for r in CellVersion.objects.all()} == {dt.date(2019, 5, 2)}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            OVERLAY.format(code="20"),
            "tinh.yaml: tệp dành cho tỉnh mã 20, không phải Tỉnh Thử Nghiệm.",
        ),
        (OVERLAY.format(code="99").replace('"15.1"', '"99.9"'), "unknown indicator '99.9'"),
        (
            OVERLAY.format(code="99").replace("  date_signed: 2019-05-02\n", ""),
            "ngày ký quyết định",
        ),
        ("kind: [", "not valid YAML"),
    ],
)
def test_a_bad_overlay_file_writes_nothing(personas: Personas, text: str, expected: str) -> None:
    with pytest.raises(DecisionError) as caught:
        import_overlay(personas.province, text, "tinh.yaml", acting_user=personas.province_office)
    assert any(expected in m for m in caught.value.problems), caught.value.problems
    assert not Decision.objects.exists() and not CellVersion.objects.exists()
