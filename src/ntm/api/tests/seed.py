"""Results for the persona world, shared by the API and dashboard tests.

Criterion statuses are declared (the engine counts a declared status), and one real share value
gives commune B a measured shortfall:

- 2020 (2016–2020 set): A meets 15 of 19 criteria, B 12;
- 2021 (2021–2025 set, with the QĐ 18/2022 revocation rule): A meets all 19; B meets 17
  (criteria 2 and 3 not met; indicator 2.2 measured at 40 % of village roads hardened);
- 2022: A meets 19, B only 9 (criteria 10, 17 and 19 — all key criteria — among those not
  met), so B is at risk of revocation.
"""

from __future__ import annotations

from dataclasses import dataclass

from ntm.accounts.testing import Personas
from ntm.units.models import Unit
from ntm.values.models import Declaration, Value

SET_2020 = "vn-ntm-xa-2016-2020"
SET_2022 = "vn-ntm-xa-2021-2025"
ROADS = "transport_village_roads_share"


@dataclass(frozen=True)
class Seeded:
    a_met: dict[int, int]
    b_met: dict[int, int]


def declare(unit: Unit, period: int, set_id: str, not_met: set[int], total: int = 19) -> None:
    Declaration.objects.bulk_create(
        Declaration(
            unit=unit,
            period=period,
            set_id=set_id,
            criterion=c,
            status="not_met" if c in not_met else "met",
            version=1,
        )
        for c in range(1, total + 1)
    )


def seed(p: Personas) -> Seeded:
    Unit.objects.filter(pk__in=[p.commune_a.pk, p.commune_b.pk]).update(region="TDMNPB")
    Unit.objects.filter(pk=p.commune_a.pk).update(latitude=21.85, longitude=106.76)
    Unit.objects.filter(pk=p.commune_b.pk).update(latitude=21.60, longitude=106.40)
    for unit in (p.commune_a, p.commune_b):
        unit.refresh_from_db()
    declare(p.commune_a, 2020, SET_2020, {1, 2, 3, 4})
    declare(p.commune_b, 2020, SET_2020, {1, 2, 3, 4, 5, 6, 7})
    declare(p.commune_a, 2021, SET_2022, set())
    declare(p.commune_b, 2021, SET_2022, {2, 3})
    Value.objects.create(
        unit=p.commune_b,
        measure=ROADS,
        period=2021,
        claimed_numerator=4,
        claimed_denominator=10,
        claimed_version=1,
    )
    declare(p.commune_a, 2022, SET_2022, set())
    declare(p.commune_b, 2022, SET_2022, {1, 2, 3, 4, 5, 6, 10, 17, 18, 19})
    return Seeded(a_met={2020: 15, 2021: 19, 2022: 19}, b_met={2020: 12, 2021: 17, 2022: 9})
