"""The recognition life cycle: each step by its role, the conditions checklist and its
override, revocation, the end of recognitions in a merger and the acknowledgement after it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.recognition.models import Recognition, RecognitionDecision, RecognitionStep, Status, Tier
from ntm.recognition.services import (
    DecisionBasis,
    RecognitionError,
    acknowledge,
    acknowledgeable,
    appraise,
    complete_dossier,
    end_by_merger,
    propose,
    recognise,
    record_recognised,
    revoke,
    verify,
)
from ntm.recognition.testing import BASIS, merge_both, recognise_both
from ntm.units.services import NewUnit, merge_units, rename_unit

REVOKING = DecisionBasis("TEST-9/QĐ-UBND", dt.date(2023, 5, 2), "UBND tỉnh Thử Nghiệm")


def _appraised(p: Personas, *, debt: bool = False) -> Recognition:
    case = propose(p.commune_a, Tier.NTM, 2020, acting_user=p.officer_a)
    case = complete_dossier(
        case,
        satisfaction=Decimal("93.5"),
        debt_outstanding=debt,
        security_complex=False,
        acting_user=p.officer_a,
    )
    case = verify(case, acting_user=p.appraiser)
    return appraise(case, votes_for=20, votes_total=22, acting_user=p.province_office)


def test_the_whole_life_cycle_writes_a_step_and_an_audit_row_each(personas: Personas) -> None:
    p = personas
    case = _appraised(p)
    decision = recognise([case], BASIS, set_met={case.pk: True}, acting_user=p.province_office)
    case.refresh_from_db()
    assert case.status == Status.RECOGNISED and case.decision == decision
    assert case.checklist["holds"] == {
        "set_met": True,
        "satisfaction": True,
        "no_debt": True,
        "security": True,
    }
    revoke(
        [case], REVOKING, reason="Only 9 of 19 criteria met in 2022", acting_user=p.province_office
    )
    case.refresh_from_db()
    assert case.status == Status.REVOKED and case.revocation is not None
    steps = list(case.steps.values_list("status", flat=True))
    assert steps == [
        Status.PROPOSED,
        Status.DOSSIER_COMPLETE,
        Status.VERIFIED,
        Status.APPRAISED,
        Status.RECOGNISED,
        Status.REVOKED,
    ]
    assert AuditLog.objects.filter(object_type="recognition", object_id=str(case.pk)).count() == 6
    revoked = AuditLog.objects.get(action="recognition.revoked")
    assert revoked.reason == "Only 9 of 19 criteria met in 2022"
    assert revoked.legal_basis.startswith("TEST-9/QĐ-UBND 02/05/2023")


def test_one_decision_covers_several_communes(personas: Personas) -> None:
    p = personas
    a = _appraised(p)
    b = propose(p.commune_b, Tier.NTM, 2020, acting_user=p.officer_b)
    b = complete_dossier(
        b,
        satisfaction=Decimal(95),
        debt_outstanding=False,
        security_complex=False,
        acting_user=p.officer_b,
    )
    b = appraise(
        verify(b, acting_user=p.appraiser),
        votes_for=22,
        votes_total=22,
        acting_user=p.province_office,
    )
    decision = recognise(
        [a, b], BASIS, set_met={a.pk: True, b.pk: True}, acting_user=p.province_office
    )
    assert decision.recognitions.count() == 2
    assert RecognitionDecision.objects.count() == 1


@pytest.mark.parametrize(
    ("set_met", "debt", "unmet"),
    [
        (False, False, "Đạt đầy đủ bộ tiêu chí"),
        (None, False, "Đạt đầy đủ bộ tiêu chí"),  # unknown is not shown to hold
        (True, True, "Không có nợ đọng xây dựng cơ bản"),
    ],
)
def test_an_unmet_condition_refuses_and_writes_nothing(
    personas: Personas, set_met: bool | None, debt: bool, unmet: str
) -> None:
    p = personas
    case = _appraised(p, debt=debt)
    audits = AuditLog.objects.count()
    with pytest.raises(RecognitionError) as refused:
        recognise([case], BASIS, set_met={case.pk: set_met}, acting_user=p.province_office)
    assert unmet in str(refused.value)
    case.refresh_from_db()
    assert case.status == Status.APPRAISED
    assert AuditLog.objects.count() == audits and not RecognitionDecision.objects.exists()


def test_the_province_office_overrides_with_a_written_reason(personas: Personas) -> None:
    p = personas
    case = _appraised(p, debt=True)
    reason = "The debt was settled on 20/01/2021 (KBNN receipt attached)"
    recognise(
        [case],
        BASIS,
        set_met={case.pk: True},
        acting_user=p.province_office,
        override_reason=reason,
    )
    case.refresh_from_db()
    assert case.status == Status.RECOGNISED and case.override_reason == reason
    assert case.checklist["holds"]["no_debt"] is False
    assert AuditLog.objects.get(action="recognition.recognised").reason == reason


def test_satisfaction_below_the_configured_level_is_unmet(
    personas: Personas, settings: object
) -> None:
    p = personas
    setattr(settings, "NTM_SATISFACTION_MIN_PERCENT", 95)  # noqa: B010 (pytest-django settings)
    case = _appraised(p)  # 93,5 %
    with pytest.raises(RecognitionError, match="hài lòng"):
        recognise([case], BASIS, set_met={case.pk: True}, acting_user=p.province_office)


def test_a_council_without_a_majority_does_not_approve(personas: Personas) -> None:
    p = personas
    case = propose(p.commune_a, Tier.NTM, 2020, acting_user=p.officer_a)
    case = complete_dossier(
        case,
        satisfaction=Decimal(91),
        debt_outstanding=False,
        security_complex=False,
        acting_user=p.officer_a,
    )
    case = appraise(
        verify(case, acting_user=p.appraiser),
        votes_for=11,
        votes_total=22,
        acting_user=p.province_office,
    )
    assert case.status == Status.NOT_APPROVED
    with pytest.raises(RecognitionError, match="Không thể thực hiện bước này"):
        recognise([case], BASIS, set_met={case.pk: True}, acting_user=p.province_office)


def test_steps_out_of_order_are_refused(personas: Personas) -> None:
    p = personas
    case = propose(p.commune_a, Tier.NTM, 2020, acting_user=p.officer_a)
    with pytest.raises(RecognitionError, match="Không thể thực hiện bước này"):
        verify(case, acting_user=p.appraiser)
    with pytest.raises(RecognitionError, match="đã có hồ sơ"):
        propose(p.commune_a, Tier.NTM, 2021, acting_user=p.officer_a)


def test_bad_decisions_are_refused_with_every_reason(personas: Personas) -> None:
    p = personas
    case = _appraised(p)
    bad = DecisionBasis(" ", None, "")
    with pytest.raises(RecognitionError) as refused:
        recognise([case], bad, set_met={case.pk: True}, acting_user=p.province_office)
    assert len(refused.value.problems) == 3
    early = DecisionBasis("TEST-1/QĐ-UBND", dt.date(2019, 12, 1), "UBND tỉnh")
    with pytest.raises(RecognitionError, match="không thể ký trước năm"):
        recognise([case], early, set_met={case.pk: True}, acting_user=p.province_office)
    with pytest.raises(RecognitionError, match="cần nêu lý do"):
        revoke([case], REVOKING, reason=" ", acting_user=p.province_office)
    assert not RecognitionDecision.objects.exists()


def test_a_ward_or_an_impossible_tier_is_refused(personas: Personas) -> None:
    p = personas
    with pytest.raises(RecognitionError, match="không thể được công nhận ở mức này"):
        propose(p.commune_a, Tier.COMPLETED, 2020, acting_user=p.province_office)
    with pytest.raises(RecognitionError, match="không thể được công nhận ở mức này"):
        record_recognised(p.province, Tier.NTM, 2020, BASIS, acting_user=p.province_office)
    assert not Recognition.objects.exists()


# Who may take each step (the roles of design.md): the commune's own officer or the province
# office proposes; the province's appraiser verifies; the province office appraises, decides,
# overrides and revokes; nobody else does anything.
STEP_ROLES: dict[str, set[str]] = {
    "propose": {"officer_a", "province_office"},
    "verify": {"appraiser"},
    "appraise": {"province_office"},
    "recognise": {"province_office"},
    "revoke": {"province_office"},
    "record": {"province_office"},
}


REACHES = {
    "propose": Status.PROPOSED,
    "verify": Status.VERIFIED,
    "appraise": Status.APPRAISED,
    "recognise": Status.RECOGNISED,
    "revoke": Status.REVOKED,
    "record": Status.RECOGNISED,
}


def _try(step: str, p: Personas, persona: PersonaName) -> None:
    user = p.user(persona)
    assert user is not None
    if step == "propose":
        propose(p.commune_a, Tier.NTM, 2020, acting_user=user)
        return
    if step == "record":
        record_recognised(p.commune_a, Tier.NTM, 2020, BASIS, acting_user=user)
        return
    case = propose(p.commune_a, Tier.NTM, 2020, acting_user=p.officer_a)
    case = complete_dossier(
        case,
        satisfaction=Decimal(95),
        debt_outstanding=False,
        security_complex=False,
        acting_user=p.officer_a,
    )
    if step == "verify":
        verify(case, acting_user=user)
        return
    case = verify(case, acting_user=p.appraiser)
    if step == "appraise":
        appraise(case, votes_for=3, votes_total=3, acting_user=user)
        return
    case = appraise(case, votes_for=3, votes_total=3, acting_user=p.province_office)
    if step == "recognise":
        recognise([case], BASIS, set_met={case.pk: True}, acting_user=user)
        return
    recognise([case], BASIS, set_met={case.pk: True}, acting_user=p.province_office)
    revoke([case], REVOKING, reason="test", acting_user=user)


@pytest.mark.parametrize("step", sorted(STEP_ROLES))
@pytest.mark.parametrize("persona", [n for n in PERSONAS if n != "anonymous"])
def test_who_may_take_each_step(personas: Personas, step: str, persona: PersonaName) -> None:
    if persona in STEP_ROLES[step]:
        _try(step, personas, persona)
        return
    with pytest.raises(RecognitionError, match="không có quyền thực hiện bước này"):
        _try(step, personas, persona)
    # The steps before the refused one were the test's own; the refused one left no trace.
    assert not RecognitionStep.objects.filter(status=REACHES[step]).exists()


def test_a_merger_ends_recognitions_and_offers_acknowledgement(personas: Personas) -> None:
    p = personas
    a, b = recognise_both(p)
    event = merge_both(p)
    # Recording the merger ended them (`ntm.units.signals`): nothing is left to end.
    assert end_by_merger(event, actor="test") == 0
    a.refresh_from_db()
    assert a.status == Status.ENDED and a.ended_on == dt.date(2024, 12, 1)
    new = event.links.first().new_unit  # type: ignore[union-attr]
    assert new is not None
    offered = acknowledgeable(new)
    assert [(o.tier, {r.pk for r in o.predecessors}) for o in offered] == [(Tier.NTM, {a.pk, b.pk})]
    basis = DecisionBasis("TEST-5/QĐ-UBND", dt.date(2025, 1, 10), "UBND tỉnh Thử Nghiệm")
    with pytest.raises(RecognitionError, match="Không phải mọi đơn vị hợp thành"):
        acknowledge(new, Tier.ADVANCED, basis, acting_user=p.province_office)
    case = acknowledge(new, Tier.NTM, basis, acting_user=p.province_office)
    assert case.status == Status.ACKNOWLEDGED
    assert {r.pk for r in case.predecessors.all()} == {a.pk, b.pk}


def test_no_acknowledgement_when_a_predecessor_was_not_recognised(personas: Personas) -> None:
    p = personas
    record_recognised(p.commune_a, Tier.NTM, 2020, BASIS, acting_user=p.province_office)
    event = merge_both(p)
    end_by_merger(event, actor="test")
    new = event.links.first().new_unit  # type: ignore[union-attr]
    assert new is not None and acknowledgeable(new) == []
    with pytest.raises(RecognitionError, match="Không phải mọi đơn vị hợp thành"):
        acknowledge(new, Tier.NTM, BASIS, acting_user=p.province_office)
    assert not Recognition.objects.filter(unit=new).exists()


def test_recording_a_merger_ends_recognitions_but_a_rename_does_not(personas: Personas) -> None:
    p = personas
    a = record_recognised(p.commune_a, Tier.NTM, 2020, BASIS, acting_user=p.province_office)
    b = record_recognised(p.commune_b, Tier.NTM, 2020, BASIS, acting_user=p.province_office)
    rename_unit(p.commune_b, "Xã Bình Minh Mới", date=dt.date(2023, 1, 1), actor="test")
    b.refresh_from_db()
    assert b.status == Status.RECOGNISED
    new = NewUnit(name="Xã Hợp Nhất", kind="commune", code="99003", parent=p.province)
    merge_units([p.commune_a], into=new, date=dt.date(2024, 12, 1), actor="test")
    a.refresh_from_db()
    assert (a.status, a.ended_on) == (Status.ENDED, dt.date(2024, 12, 1))
    assert AuditLog.objects.filter(action="recognition.ended", actor="test").count() == 1
