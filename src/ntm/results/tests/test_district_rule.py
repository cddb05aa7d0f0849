"""The QĐ 18/2022 district rule on the province overview: a recognised district with 30 % of
its communes revoked, or reached by the commune rule."""

from __future__ import annotations

import datetime as dt

from ntm.accounts.testing import Personas, make_unit
from ntm.recognition.models import Tier
from ntm.recognition.services import DecisionBasis, record_recognised, revoke
from ntm.results.province import province_overview
from ntm.results.testing import SET_2022, History, seed
from ntm.units.models import UnitKind

BASIS = DecisionBasis("TEST-1/QĐ-UBND", dt.date(2021, 12, 20), "UBND tỉnh Thử Nghiệm")
REVOKING = DecisionBasis("TEST-2/QĐ-UBND", dt.date(2022, 6, 1), "UBND tỉnh Thử Nghiệm")


def test_a_district_with_a_third_of_its_communes_revoked(personas: Personas) -> None:
    p = personas
    district = make_unit("Huyện Thử", UnitKind.DISTRICT, "998", p.province)
    communes = [
        make_unit(f"Xã Huyện {i}", UnitKind.COMMUNE, f"9902{i}", district) for i in range(3)
    ]
    h = History()
    for c in communes:
        h.declare(c, 2022, SET_2022, set())  # every criterion met
    seed(p, h)
    office = p.province_office
    cases = [record_recognised(c, Tier.NTM, 2021, BASIS, acting_user=office) for c in communes]
    record_recognised(district, Tier.NTM, 2021, BASIS, acting_user=office)
    assert province_overview(p.province, period=2022, set_id=SET_2022).district_risk == ()
    revoke([cases[0]], REVOKING, reason="TEST", acting_user=office)
    [row] = province_overview(p.province, period=2022, set_id=SET_2022).district_risk
    assert (row.district.name, row.communes, row.revoked, row.reached) == ("Huyện Thử", 3, 1, 0)
    assert row.certain
    # As of a day before the revocation, nothing had happened yet.
    before = province_overview(p.province, period=2022, set_id=SET_2022, as_of=dt.date(2022, 5, 31))
    assert before.district_risk == ()
