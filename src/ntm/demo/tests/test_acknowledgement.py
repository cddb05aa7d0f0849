"""The real case in the bundled units: Xã Châu Sơn (06637, from 01/07/2025) was formed from Bắc
Lãng, Đồng Thắng, Cường Lợi, Châu Sơn and part of Kiên Mộc. It may be acknowledged at a tier
only if every one of them held it until the merger, and never silently."""

from __future__ import annotations

import datetime as dt

from ntm.demo.loader import DemoResult
from ntm.recognition.models import Recognition, Status, Tier
from ntm.recognition.services import (
    DecisionBasis,
    acknowledgeable,
    end_by_merger,
    record_recognised,
)
from ntm.units.models import Unit, UnitEventLink

BASIS = DecisionBasis("TEST-7/QĐ-UBND", dt.date(2023, 1, 26), "UBND tỉnh Lạng Sơn (TEST)")


def test_chau_son_is_offered_the_tier_only_when_every_predecessor_held_it(
    demo: DemoResult,
) -> None:
    new = Unit.objects.get(code="06637", valid_from=dt.date(2025, 7, 1))
    links = UnitEventLink.objects.filter(new_unit=new, old_unit__isnull=False)
    olds = {link.old_unit.name: link.old_unit for link in links if link.old_unit is not None}
    assert sorted(olds) == sorted(
        ["Xã Bắc Lãng", "Xã Đồng Thắng", "Xã Cường Lợi", "Xã Châu Sơn", "Xã Kiên Mộc"]
    )
    partly = [link for link in links if link.weight < 1]
    assert [link.old_unit.name for link in partly if link.old_unit] == ["Xã Kiên Mộc"]
    # The advanced tier: the demo records Bắc Lãng's real decision (105/QĐ-UBND of 26/01/2023,
    # from the reference list); the test gives it to the others.
    assert Recognition.objects.get(unit=olds["Xã Bắc Lãng"], tier=Tier.ADVANCED).decision
    for name, unit in olds.items():
        if name not in {"Xã Kiên Mộc", "Xã Bắc Lãng"}:
            record_recognised(unit, Tier.ADVANCED, 2022, BASIS, acting_user=None, actor="test")
    # Kiên Mộc, merged in part, did not hold it: it is not offered.
    assert Tier.ADVANCED not in {a.tier for a in acknowledgeable(new)}
    kien_moc = olds["Xã Kiên Mộc"]
    record_recognised(kien_moc, Tier.ADVANCED, 2022, BASIS, acting_user=None, actor="test")
    [offer] = [a for a in acknowledgeable(new) if a.tier == Tier.ADVANCED]
    assert offer.day == dt.date(2025, 7, 1) and len(offer.predecessors) == 5
    # Offered, not done: the merger only ends the predecessors' recognitions (Bắc Lãng's own
    # ended when the demo was loaded, the four the test recorded end now).
    ended = sum(end_by_merger(e, actor="test") for e in offer.events)
    assert ended == 4
    assert not Recognition.objects.filter(unit=new).exists()
    held = Recognition.objects.filter(unit__in=olds.values(), tier=Tier.ADVANCED)
    assert {r.status for r in held} == {Status.ENDED}
