"""A province's targets: who records them, what is refused (nothing written), and progress
measured on the same results and recognitions as the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.recognition.models import Target, TargetGroup, TargetKind, Tier
from ntm.recognition.services import DecisionBasis, RecognitionError, record_recognised
from ntm.recognition.targets import NewTarget, set_targets
from ntm.results.province import province_overview
from ntm.results.testing import SET_2022, History, seed

PLAN = DecisionBasis("TEST-18/KH-UBND", dt.date(2022, 1, 22), "UBND tỉnh Thử Nghiệm")
NEW_2 = NewTarget(2022, TargetKind.NEW_RECOGNITIONS, Decimal(2))


@pytest.mark.parametrize("persona", [n for n in PERSONAS if n != "anonymous"])
def test_only_the_province_office_sets_targets(personas: Personas, persona: PersonaName) -> None:
    user = personas.user(persona)
    if persona == "province_office":
        assert len(set_targets(personas.province, PLAN, [NEW_2], acting_user=user)) == 1
        assert AuditLog.objects.filter(action="recognition.target").count() == 1
        return
    with pytest.raises(RecognitionError, match="không có quyền"):
        set_targets(personas.province, PLAN, [NEW_2], acting_user=user)
    assert not Target.objects.exists()


@pytest.mark.parametrize(
    ("target", "basis", "message"),
    [
        (NEW_2, DecisionBasis("", None, ""), "cần có số"),
        (
            NewTarget(2022, TargetKind.RECOGNISED, Decimal(120), as_share=True),
            PLAN,
            "tối đa 100 %",
        ),
        (
            NewTarget(2022, TargetKind.GROUP_AVERAGE, Decimal(12), value_max=Decimal(11)),
            PLAN,
            "từ thấp đến cao",
        ),
        (
            NewTarget(2022, TargetKind.NEW_RECOGNITIONS, Decimal(3), group=TargetGroup.BORDER),
            PLAN,
            "mọi xã của tỉnh",
        ),
    ],
)
def test_bad_targets_are_refused_and_nothing_is_written(
    personas: Personas, target: NewTarget, basis: DecisionBasis, message: str
) -> None:
    with pytest.raises(RecognitionError, match=message):
        set_targets(personas.province, basis, [NEW_2, target], acting_user=personas.province_office)
    assert (
        not Target.objects.exists()
        and not AuditLog.objects.filter(action="recognition.target").exists()
    )


def test_progress_on_the_province_overview(personas: Personas) -> None:
    p = personas
    h = History()
    h.declare(p.commune_a, 2022, SET_2022, set())  # 19/19
    h.declare(p.commune_b, 2022, SET_2022, {2, 3, 4})  # 16/19
    seed(p, h)
    set_targets(
        p.province,
        PLAN,
        [
            NEW_2,
            NewTarget(2022, TargetKind.MIN_CRITERIA, Decimal(15)),
            NewTarget(2022, TargetKind.GROUP_AVERAGE, Decimal("17.5"), value_max=Decimal(18)),
            NewTarget(2022, TargetKind.GROUP_AVERAGE, Decimal(12), group=TargetGroup.BORDER),
        ],
        acting_user=p.province_office,
    )
    basis = DecisionBasis("TEST-1/QĐ-UBND", dt.date(2022, 12, 20), "UBND tỉnh Thử Nghiệm")
    record_recognised(p.commune_a, Tier.NTM, 2022, basis, acting_user=p.province_office)
    found = province_overview(p.province, period=2022, set_id=SET_2022).targets
    by = {(t.kind, t.group): t for t in found}
    new = by[(TargetKind.NEW_RECOGNITIONS, TargetGroup.ALL)]
    assert (new.actual, new.reached) == (1.0, False)  # 1 of the 2 planned
    assert by[(TargetKind.MIN_CRITERIA, TargetGroup.ALL)].actual == 16.0
    assert by[(TargetKind.MIN_CRITERIA, TargetGroup.ALL)].reached is True
    average = by[(TargetKind.GROUP_AVERAGE, TargetGroup.ALL)]
    assert (average.actual, average.reached) == (17.5, True)
    border = by[(TargetKind.GROUP_AVERAGE, TargetGroup.BORDER)]
    assert (border.actual, border.reached) == (None, None)  # no commune is marked: no guess
    assert "xã biên giới" in border.unmeasured
    assert new.basis == "TEST-18/KH-UBND 22/01/2022 UBND tỉnh Thử Nghiệm"
