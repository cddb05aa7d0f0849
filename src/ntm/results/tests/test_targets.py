"""A province's targets against its results and recognitions, on the province overview."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ntm.accounts.testing import Personas
from ntm.recognition.models import TargetGroup, TargetKind, Tier
from ntm.recognition.services import DecisionBasis, record_recognised
from ntm.recognition.targets import NewTarget, set_targets
from ntm.results.province import province_overview
from ntm.results.testing import SET_2022, History, seed

PLAN = DecisionBasis("TEST-18/KH-UBND", dt.date(2022, 1, 22), "UBND tỉnh Thử Nghiệm")
NEW_2 = NewTarget(2022, TargetKind.NEW_RECOGNITIONS, Decimal(2))


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
