"""Recognition records for tests, on the persona world (`ntm.accounts.testing`): communes A
and B recognised by past decisions, then merged, as the services and the pages test them."""

from __future__ import annotations

import datetime as dt

from ntm.accounts.testing import Personas
from ntm.recognition.models import Recognition, Tier
from ntm.recognition.services import DecisionBasis, record_recognised
from ntm.units.models import UnitEvent
from ntm.units.services import NewUnit, merge_units

BASIS = DecisionBasis("TEST-2165/QĐ-UBND", dt.date(2021, 1, 26), "UBND tỉnh Thử Nghiệm", "TEST")
LATER = DecisionBasis("TEST-77/QĐ-UBND", dt.date(2022, 1, 20), "UBND tỉnh Thử Nghiệm")
MERGED_ON = dt.date(2024, 12, 1)


def recognise_both(p: Personas) -> tuple[Recognition, Recognition]:
    """A recognised NTM for 2020 by BASIS, B for 2021 by LATER (decisions taken in the past)."""
    a = record_recognised(p.commune_a, Tier.NTM, 2020, BASIS, acting_user=p.province_office)
    b = record_recognised(p.commune_b, Tier.NTM, 2021, LATER, acting_user=p.province_office)
    return a, b


def merge_both(p: Personas) -> UnitEvent:
    """A and B merged into a new commune, Xã Hợp Nhất (99003), on MERGED_ON."""
    return merge_units(
        [p.commune_a, p.commune_b],
        into=NewUnit(name="Xã Hợp Nhất", kind="commune", code="99003", parent=p.province),
        date=MERGED_ON,
        legal_basis="TEST NQ 1/2024",
        actor="test",
    )
