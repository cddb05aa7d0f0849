"""The province office's decision over a computed result (`decide_status`), and the reported
bug: a commune's declaration "Đạt" counted as met over the appraiser's failing verified value."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.values.models import (
    PeriodStamp,
    ProvinceDecision,
    ProvinceDecisionVersion,
)
from ntm.values.services import (
    Locked,
    NotAllowed,
    ValuesError,
    approve,
    decide_status,
    submit,
)
from ntm.values.testing import declared_over_a_failing_value
from ntm.values.tests.stored import stored_results

pytestmark = pytest.mark.django_db

YEAR = 2020
REASON = "Biên bản thẩm định số 12/BB-VPĐP: thu nhập đã đạt theo số liệu điều tra bổ sung"


def _criterion(p: Personas, cset: Any, number: int = 10) -> dict[str, Any]:
    crit = stored_results(p.commune_a, YEAR, cset).criteria
    return dict(crit.filter(crit["criterion"] == number).row(0, named=True))


def _nothing_written() -> None:
    assert not ProvinceDecision.objects.exists()
    assert not ProvinceDecisionVersion.objects.exists()
    assert not AuditLog.objects.filter(action="values.decide").exists()


def test_reported_bug_a_declaration_does_not_override_a_failing_verified_value(
    p: Personas, cset: Any
) -> None:
    declared_over_a_failing_value(p)
    row = _criterion(p, cset)
    assert (row["status"], row["source"], row["declared_status"], row["conflict"]) == (
        "not_met",
        "computed",
        "met",
        True,
    )
    decide_status(p.commune_a, YEAR, cset, 10, "met", reason=REASON, acting_user=p.province_office)
    row = _criterion(p, cset)
    assert (row["status"], row["source"], row["computed_status"], row["conflict"]) == (
        "met",
        "province",
        "not_met",
        True,
    )


def test_a_decision_writes_its_version_audit_row_and_stamp(p: Personas, cset: Any) -> None:
    decision = decide_status(
        p.commune_a, YEAR, cset, 10, "met", reason=f"  {REASON}  ", acting_user=p.province_office
    )
    assert (decision.status, decision.reason, decision.version) == ("met", REASON, 1)
    audit = AuditLog.objects.get(action="values.decide")
    assert audit.acting_user_id == p.province_office.pk
    assert audit.reason == REASON
    assert audit.before is not None and audit.after is not None
    assert (audit.before["status"], audit.after["status"]) == ("", "met")
    assert audit.after["reason"] == REASON
    version = ProvinceDecisionVersion.objects.get()
    assert (version.status, version.reason, version.audit_id, version.superseded_at) == (
        "met",
        REASON,
        audit.pk,
        None,
    )
    assert PeriodStamp.objects.get(unit=p.commune_a, period=YEAR).audit_id == audit.pk

    # Withdrawn with a reason: the version closes, the criterion is computed again.
    decide_status(p.commune_a, YEAR, cset, 10, "", reason="Nhầm xã", acting_user=p.province_office)
    first, second = ProvinceDecisionVersion.objects.order_by("version")
    assert first.superseded_at == second.effective_at and second.status == ""
    assert _criterion(p, cset)["source"] == "computed"
    assert AuditLog.objects.filter(action="values.decide").count() == 2


@pytest.mark.parametrize("persona", [n for n in PERSONAS if n != "province_office"])
def test_only_the_province_office_may_decide(p: Personas, cset: Any, persona: PersonaName) -> None:
    user = p.user(persona) or AnonymousUser()
    with pytest.raises(NotAllowed, match="Chỉ văn phòng điều phối tỉnh"):
        decide_status(p.commune_a, YEAR, cset, 10, "met", reason=REASON, acting_user=user)  # type: ignore[arg-type]
    _nothing_written()


def test_an_empty_reason_is_refused_and_nothing_written(p: Personas, cset: Any) -> None:
    for reason in ("", "   \n "):
        with pytest.raises(ValuesError, match="Cần ghi lý do"):
            decide_status(
                p.commune_a, YEAR, cset, 10, "met", reason=reason, acting_user=p.province_office
            )
    _nothing_written()


@pytest.mark.parametrize(
    ("criterion", "status", "message"),
    [
        (10, "missing_data", "Trạng thái không hợp lệ"),
        (42, "met", "không có tiêu chí 42"),
        (10, "", "Không có quyết định nào của tỉnh để hủy"),
    ],
)
def test_bad_input_is_refused_and_nothing_written(
    p: Personas, cset: Any, criterion: int, status: str, message: str
) -> None:
    with pytest.raises(ValuesError, match=message):
        decide_status(
            p.commune_a, YEAR, cset, criterion, status, reason=REASON, acting_user=p.province_office
        )
    _nothing_written()


def test_an_approved_period_is_locked(p: Personas, cset: Any) -> None:
    submit(p.commune_a, YEAR, cset, acting_user=p.officer_a)
    # Submitted: the province office still decides (as it still verifies and declares).
    decide_status(p.commune_a, YEAR, cset, 10, "met", reason=REASON, acting_user=p.province_office)
    approve(p.commune_a, YEAR, cset, acting_user=p.province_office)
    with pytest.raises(Locked, match="đã được duyệt"):
        decide_status(
            p.commune_a, YEAR, cset, 10, "not_met", reason=REASON, acting_user=p.province_office
        )
    assert ProvinceDecision.objects.get().status == "met"
    assert ProvinceDecisionVersion.objects.count() == 1


def test_the_same_decision_again_writes_nothing(p: Personas, cset: Any) -> None:
    decide_status(p.commune_a, YEAR, cset, 10, "met", reason=REASON, acting_user=p.province_office)
    decide_status(p.commune_a, YEAR, cset, 10, "met", reason=REASON, acting_user=p.province_office)
    assert ProvinceDecisionVersion.objects.count() == 1
