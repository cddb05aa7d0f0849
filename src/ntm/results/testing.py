"""Results for the persona world, shared by the API and dashboard tests.

Criterion statuses are declared (the engine counts a declared status), and one real share value
gives commune B a measured shortfall:

- 2020 (2016–2020 set): A meets 15 of 19 criteria, B 12;
- 2021 (still the 2016–2020 set: it stays in force until QĐ 318/QĐ-TTg takes effect on
  08/03/2022): A meets all 19; B meets 17 (criteria 2 and 3 not met; indicator 2.2 measured at
  40 % of village roads hardened);
- 2022 (2021–2025 set, with the QĐ 18/2022 revocation rule): A meets 19, B only 9 (criteria
  10, 17 and 19 — all key criteria — among those not met), so B is at risk of revocation.

The record is loaded as a past record (`load_history`): each entry holds from the end of its
year unless a test gives it another history (`History`), e.g. what a commune had declared on
some day before.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ntm.accounts.testing import Personas, make_unit
from ntm.criteria.loader import load_set
from ntm.evaluation.semantics import Status
from ntm.recognition.models import Tier
from ntm.recognition.services import DecisionBasis, record_recognised
from ntm.units.models import Unit, UnitKind
from ntm.values.models import Stage
from ntm.values.services import Entry, PastApproval, PastDeclaration, PastValue, load_history

SET_2020 = "vn-ntm-xa-2016-2020"
SET_2022 = "vn-ntm-xa-2021-2025"
ROADS = "transport_village_roads_share"
TZ = dt.timezone(dt.timedelta(hours=7))


def at(day: str) -> dt.datetime:
    """17:00 (Vietnam) on an ISO day."""
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(17), TZ)


@dataclass
class History:
    """A past record of the persona world, loaded in one go by `seed` (or `load`)."""

    values: list[PastValue] = field(default_factory=list)
    declarations: list[PastDeclaration] = field(default_factory=list)
    approvals: list[PastApproval] = field(default_factory=list)

    def covers(self, unit: Unit, period: int, set_id: str) -> bool:
        return any(
            (d.unit.pk, d.period, d.set_id) == (unit.pk, period, set_id) for d in self.declarations
        )

    def declare(
        self,
        unit: Unit,
        period: int,
        set_id: str,
        not_met: set[int],
        *,
        day: str | None = None,
        total: int = 19,
    ) -> None:
        """Every criterion of the set declared met, but `not_met`, from `day` (the year's end)."""
        when = at(day or f"{period}-12-31")
        self.declarations += [
            PastDeclaration(
                unit, period, set_id, c, Status.NOT_MET if c in not_met else Status.MET, when
            )
            for c in range(1, total + 1)
        ]

    def approve(self, unit: Unit, period: int, set_id: str, day: str) -> None:
        self.approvals.append(PastApproval(unit, period, set_id, at(day)))

    def load(self) -> None:
        load_history(
            [load_set(SET_2020), load_set(SET_2022)],
            self.values,
            self.declarations,
            self.approvals,
            reason="test",
            actor="test:seed",
            stages=[Stage.CLAIMED],  # the communes' own entries, not yet verified
        )


@dataclass(frozen=True)
class Seeded:
    a_met: dict[int, int]
    b_met: dict[int, int]


def seed(p: Personas, history: History | None = None) -> Seeded:
    """The persona world's record; `history` may give some communes' years another one (its
    years are then left as it gives them) and more units."""
    Unit.objects.filter(pk__in=[p.commune_a.pk, p.commune_b.pk]).update(region="TDMNPB")
    Unit.objects.filter(pk=p.commune_a.pk).update(latitude=21.85, longitude=106.76)
    Unit.objects.filter(pk=p.commune_b.pk).update(latitude=21.60, longitude=106.40)
    for unit in (p.commune_a, p.commune_b):
        unit.refresh_from_db()
    h = history or History()
    base: tuple[tuple[Unit, int, str, set[int]], ...] = (
        (p.commune_a, 2020, SET_2020, {1, 2, 3, 4}),
        (p.commune_b, 2020, SET_2020, {1, 2, 3, 4, 5, 6, 7}),
        (p.commune_a, 2021, SET_2020, set()),
        (p.commune_b, 2021, SET_2020, {2, 3}),
        (p.commune_a, 2022, SET_2022, set()),
        (p.commune_b, 2022, SET_2022, {1, 2, 3, 4, 5, 6, 10, 17, 18, 19}),
    )
    for unit, period, set_id, not_met in base:
        if not h.covers(unit, period, set_id):
            h.declare(unit, period, set_id, not_met)
    h.values.append(
        PastValue(p.commune_b, ROADS, 2021, Entry(numerator=4, denominator=10), at("2021-12-31"))
    )
    h.load()
    return Seeded(a_met={2020: 15, 2021: 19, 2022: 19}, b_met={2020: 12, 2021: 17, 2022: 9})


def as_of_history(p: Personas) -> History:
    """What the communes had declared on each day: 2020 recorded on 30/12/2020 (commune A then
    met 14 criteria, corrected to 15 on 01/02/2021); in 2021 A declared 16 criteria on
    01/05/2021 and all 19 on 20/12/2021, when B declared its 17. A's 2021 is approved on
    20/01/2022; B's is not."""
    h = History()
    h.declare(p.commune_a, 2020, SET_2020, {1, 2, 3, 4, 5}, day="2020-12-30")
    h.declare(p.commune_a, 2020, SET_2020, {1, 2, 3, 4}, day="2021-02-01")
    h.declare(p.commune_b, 2020, SET_2020, {1, 2, 3, 4, 5, 6, 7}, day="2020-12-30")
    h.declare(p.commune_a, 2021, SET_2020, {1, 2, 3}, day="2021-05-01")
    h.declare(p.commune_a, 2021, SET_2020, set(), day="2021-12-20")
    h.declare(p.commune_b, 2021, SET_2020, {2, 3}, day="2021-12-20")
    h.approve(p.commune_a, 2021, SET_2020, "2022-01-20")
    return h


DISTRICT_BASIS = DecisionBasis("TEST-1/QĐ-UBND", dt.date(2021, 12, 20), "UBND tỉnh Thử Nghiệm")


def recognised_district(p: Personas, district: Unit | None = None) -> Unit:
    """A district of the province (`district`, or a new "Huyện Thử") recognised for 2021, with
    three communes recognised for 2021 that meet every criterion of SET_2022 in 2022: the
    district rule's first branch (communes revoked) does not reach it."""
    district = district or make_unit("Huyện Thử", UnitKind.DISTRICT, "998", p.province)
    communes = [
        make_unit(f"Xã Huyện {i}", UnitKind.COMMUNE, f"9902{i}", district) for i in range(3)
    ]
    h = History()
    for c in communes:
        h.declare(c, 2022, SET_2022, set())
    seed(p, h)
    for unit in [*communes, district]:
        record_recognised(unit, Tier.NTM, 2021, DISTRICT_BASIS, acting_user=p.province_office)
    return district
