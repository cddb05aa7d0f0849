"""The QĐ 18/2022 district rule on the province overview: a recognised district with 30 % of
its communes revoked, or reached by the commune rule; or by its own criteria (QĐ 320 Phụ lục I)
as the province office recorded them, never safe while they are unrecorded."""

from __future__ import annotations

import datetime as dt

from django.utils import translation

from ntm.accounts.testing import Personas, make_unit
from ntm.criteria.loader import load_set
from ntm.recognition.models import Tier
from ntm.recognition.services import DecisionBasis, record_recognised, revoke
from ntm.results.province import province_overview
from ntm.results.testing import SET_2022, History, recognised_district, seed
from ntm.units.models import Unit, UnitKind
from ntm.values.services import declare_district_statuses

BASIS = DecisionBasis("TEST-1/QĐ-UBND", dt.date(2021, 12, 20), "UBND tỉnh Thử Nghiệm")
DISTRICT_SET = "vn-ntm-huyen-2021-2025"
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
    _record(p, district, {n: "met" for n in range(1, 10)})  # its own criteria all met
    assert province_overview(p.province, period=2022, set_id=SET_2022).district_risk == ()
    revoke([cases[0]], REVOKING, reason="TEST", acting_user=office)
    [row] = province_overview(p.province, period=2022, set_id=SET_2022).district_risk
    assert (row.district.name, row.communes, row.revoked, row.reached) == ("Huyện Thử", 3, 1, 0)
    assert row.certain and row.by_communes and not row.by_criteria
    # As of a day before the revocation, only its unrecorded criteria were on the watch.
    before = province_overview(p.province, period=2022, set_id=SET_2022, as_of=dt.date(2022, 5, 31))
    [early] = before.district_risk
    assert (early.revoked, early.by_communes, early.certain) == (0, False, False)
    assert len(early.unknown_criteria) == 9


def _record(p: Personas, district: Unit, statuses: dict[int, str]) -> None:
    cset = load_set(DISTRICT_SET)
    declare_district_statuses(district, 2022, cset, statuses, acting_user=p.province_office)


def test_a_district_whose_own_criteria_are_unrecorded_cannot_be_ruled_out(
    personas: Personas,
) -> None:
    recognised_district(personas)
    [row] = province_overview(personas.province, period=2022, set_id=SET_2022).district_risk
    assert (row.revoked, row.reached, row.by_communes) == (0, 0, False)
    assert not row.certain and not row.by_criteria
    assert row.criteria_set == DISTRICT_SET and row.criteria_total == 9
    assert [k.number for k in row.unknown_criteria] == list(range(1, 10))
    assert row.unknown_criteria[5].name == "Kinh tế"


def test_a_district_whose_recorded_criteria_reach_the_rule(personas: Personas) -> None:
    p = personas
    district = recognised_district(p)
    # 3/9 not met, with economy (6), a key criterion: 33,3 %, reached.
    _record(p, district, {n: "met" for n in range(1, 10)} | {1: "not_met", 2: "not_met"})
    before = province_overview(p.province, period=2022, set_id=SET_2022)
    assert before.district_risk == ()  # 2/9 recorded, all known: ruled out
    _record(p, district, {6: "basically_met"})
    [row] = province_overview(p.province, period=2022, set_id=SET_2022).district_risk
    assert row.certain and row.by_criteria and not row.by_communes
    assert [k.number for k in row.failing_criteria] == [1, 2, 6]
    assert [k.name for k in row.key_criteria] == ["Kinh tế"]
    assert row.unknown_criteria == ()
    assert round(row.failing_share, 3) == 0.333
    with translation.override("en"):
        [row_en] = province_overview(
            p.province, period=2022, set_id=SET_2022, language="en"
        ).district_risk
    assert [k.name for k in row_en.key_criteria] == ["Economy"]
    # 3/9 without a key criterion: not reached.
    _record(p, district, {6: "met", 3: "not_met"})
    assert province_overview(p.province, period=2022, set_id=SET_2022).district_risk == ()


def test_a_district_with_one_criterion_unrecorded_is_reported_on_what_it_could_be(
    personas: Personas,
) -> None:
    p = personas
    district = recognised_district(p)
    # 2/9 not met and the living environment (8, key) not recorded: 3/9 with a key at worst.
    _record(p, district, {n: "met" for n in range(1, 10) if n != 8} | {1: "not_met", 2: "not_met"})
    [row] = province_overview(p.province, period=2022, set_id=SET_2022).district_risk
    assert not row.certain and [k.number for k in row.unknown_criteria] == [8]
    # As of a day before anything was recorded, every criterion was unknown.
    assert (
        province_overview(p.province, period=2022, set_id=SET_2022, as_of=dt.date(2022, 1, 1))
        .district_risk[0]
        .unknown_criteria
        != row.unknown_criteria
    )
