"""The demo's recognitions, written through `ntm.recognition.services` like any other.

Each commune at the standard at the end of 2020 is recognised (NTM) for the first year of its
unbroken run at the standard up to 2020; a commune the 2019–2020 mergers ended is recognised
for its run up to 2019 and its recognition ends with the merger (NQ 818). That makes the
published "65/181 xã được công nhận (35,91 %)" at the end of 2020 a count of recognition
records. Real decisions come from the reference list (`data/langson-recognitions.csv`, a copy
of `shared/reference/langson_recognitions.csv`) where it gives their numbers: read for the NTM
decisions of the communes the plan recognises, then imported whole through the recognition
import, which records its other recognitions (advanced NTM for 2022, decided on 26/01/2023)
and finds the NTM ones recorded already. Every other decision number is made up, marked
simulated, one per year. Thành phố Lạng Sơn completed the task in 2017 (docs/domain.md): its
decision is simulated too (the reference has no number), and its three communes are at the
standard from 2017 (the plan).
The province's real 2020 targets (KH 18/KH-UBND) are recorded too.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from importlib import resources
from pathlib import Path

from ntm.demo import plan as demo_plan
from ntm.exchange import recognitions as reference
from ntm.recognition.imports import import_recognitions
from ntm.recognition.models import TargetGroup, TargetKind, Tier
from ntm.recognition.services import DecisionBasis, end_by_merger, record_recognised
from ntm.recognition.targets import NewTarget, set_targets
from ntm.units.models import Unit, UnitEvent, UnitKind
from ntm.vn.text import name_key

ISSUER = "UBND tỉnh Lạng Sơn"
LIST = "data/langson-recognitions.csv"
# Commune, district -> a real decision.
Real = dict[tuple[str, str], DecisionBasis]
# The province's real 2020 plan (langson_timeseries.csv: KH 18/KH-UBND of 22/01/2020).
PLAN_2020 = DecisionBasis("18/KH-UBND", dt.date(2020, 1, 22), ISSUER)
TARGETS_2020 = [
    NewTarget(2020, TargetKind.NEW_RECOGNITIONS, Decimal(13), Tier.NTM),
    NewTarget(2020, TargetKind.NEW_RECOGNITIONS, Decimal(3), Tier.ADVANCED),
    NewTarget(
        2020,
        TargetKind.GROUP_AVERAGE,
        Decimal("11.5"),
        group=TargetGroup.BORDER,
        value_max=Decimal(12),
        note="20 xã biên giới",
    ),
]
CITY_CODE = "178"  # Thành phố Lạng Sơn (GSO district code)
CITY_YEAR = 2017


def _simulated(year: int) -> DecisionBasis:
    return DecisionBasis(
        f"MP-{year}/QĐ-UBND (mô phỏng)", dt.date(year, 12, 20), ISSUER, simulated=True
    )


def _year_phases(last: str) -> list[str]:
    """The year-end phases from `last` back to 2011, latest first."""
    years = [str(y) for y in range(2019, 2010, -1)]
    return ([demo_plan.END_2020] if last == demo_plan.END_2020 else []) + years


def _first_full_year(plan: demo_plan.Plan, key: str, last: str) -> int | None:
    """The first year of the commune's unbroken run at the standard ending at `last`."""
    first = None
    for phase in _year_phases(last):
        met = plan.met.get(phase, {}).get(key)
        if met is None or len(met) != len(demo_plan.CRITERIA):
            break
        first = 2020 if phase == demo_plan.END_2020 else int(phase)
    return first


def real_ntm(path: Path) -> Real:
    """The list's NTM decisions by commune and district."""
    found = reference.read_recognitions(path)
    return {
        (name_key(r.commune), name_key(r.district or "")): DecisionBasis(r.number, r.date, ISSUER)
        for r in found.rows
        if r.tier == reference.NTM and r.commune is not None and r.date is not None
    }


def _basis(unit: Unit, year: int, real: Real) -> DecisionBasis:
    parent = unit.parent.name_key if unit.parent is not None else ""
    return real.get((unit.name_key, parent)) or _simulated(year)


def recognise_demo(
    province: Unit,
    plan: demo_plan.Plan,
    units: dict[str, Unit],
    continuing: set[str],
    listed: dict[str, int],
    actor: str,
) -> int:
    """Record the demo's recognitions (see the module's docstring) and the province's 2020
    targets; `continuing`: the keys of the communes in force at the end of 2020, `listed`:
    key -> year for the communes the reference names. Returns how many recognitions were
    recorded."""
    with resources.as_file(resources.files("ntm.demo").joinpath(LIST)) as path:
        real = real_ntm(path)
        count = _recognise_plan(plan, units, continuing, listed, actor, real)
        listed_elsewhere = import_recognitions(path, province, actor=actor)
    # The units were loaded before their recognitions: each change of units since ends the
    # recognitions of the units it replaced (as recording it would have).
    ended = UnitEvent.objects.filter(links__old_unit__recognitions__isnull=False).distinct()
    for event in ended.order_by("date", "pk"):
        end_by_merger(event, actor=actor)
    set_targets(province, PLAN_2020, TARGETS_2020, acting_user=None, actor=actor)
    return count + len(listed_elsewhere.written)


def _recognise_plan(
    plan: demo_plan.Plan,
    units: dict[str, Unit],
    continuing: set[str],
    listed: dict[str, int],
    actor: str,
    real: Real,
) -> int:
    count = 0
    for key, unit in sorted(units.items()):
        last = demo_plan.END_2020 if key in continuing else "2019"
        year = _first_full_year(plan, key, last)
        if year is None:
            continue
        year = max(year, listed.get(key, year))  # a listed recognition keeps its own year
        record_recognised(
            unit, Tier.NTM, year, _basis(unit, year, real), acting_user=None, actor=actor
        )
        count += 1
    city = Unit.objects.valid_on(dt.date(CITY_YEAR, 12, 31)).filter(
        kind=UnitKind.DISTRICT, code=CITY_CODE
    )
    for unit in city:
        basis = DecisionBasis(
            f"MP-{CITY_YEAR}/QĐ-TTg (mô phỏng)",
            dt.date(CITY_YEAR + 1, 1, 15),
            "Thủ tướng Chính phủ",
            simulated=True,
        )
        record_recognised(unit, Tier.COMPLETED, CITY_YEAR, basis, acting_user=None, actor=actor)
        count += 1
    return count
