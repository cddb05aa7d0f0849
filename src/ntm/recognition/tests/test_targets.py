"""A province's targets: who records them, and what is refused (nothing written). Their
progress is tested with the read layer (`ntm.results.tests.test_targets`)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from ntm.accounts.testing import PERSONAS, PersonaName, Personas
from ntm.audit.models import AuditLog
from ntm.recognition.models import Target, TargetGroup, TargetKind
from ntm.recognition.services import DecisionBasis, RecognitionError
from ntm.recognition.targets import NewTarget, set_targets

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
