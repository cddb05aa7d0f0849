"""Simulated indicator values that realise a plan's statuses under the 2016–2020 set.

Pure (no Django). For a commune and a year: every condition of a criterion the plan says is
met gets a value on the good side of its threshold; a criterion not met gets one (sometimes
two) conditions on the wrong side. Where the year has no threshold for a condition (income
before 2020: the set gives the 2020 figure only), a plausible value is stored all the same
and the criterion's status is DECLARED instead (`Realised.declared`), so the data say which
statuses are computed and which declared.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from ntm.criteria.resolve import ResolvedSet
from ntm.criteria.schema import CriteriaSet, Measure, Op
from ntm.evaluation.semantics import Status

# Denominators of shares, per commune (simulated): what the measure counts.
_DENOMINATORS: dict[str, tuple[int, int]] = {
    "villages": (6, 22),
    "schools": (3, 6),
    "establishments": (4, 30),
    "organisations": (4, 6),
    "households": (700, 2600),
    "persons": (1500, 6000),
    "children": (150, 600),
    "km": (8, 60),
    "ha": (80, 900),
}
_DENOMINATOR_OF: dict[str, str] = {
    "villages_cultural_house_share": "villages",
    "cultural_villages_share": "villages",
    "schools_national_standard_share": "schools",
    "establishments_environment_compliant_share": "establishments",
    "food_safety_compliant_share": "establishments",
    "mass_organisations_rated_good_share": "organisations",
    "employed_working_age_share": "persons",
    "lower_secondary_continuing_share": "persons",
    "employed_trained_share": "persons",
    "health_insurance_share": "persons",
    "under5_stunting_share": "children",
    "transport_village_roads_share": "km",
    "transport_alleys_clean_share": "km",
    "transport_alleys_hardened_share": "km",
    "transport_field_roads_share": "km",
    "farmland_active_irrigation_share": "ha",
}
# Income before 2020 has no threshold in the set: simulated from the 2020 floor (36 triệu
# đồng/người/năm in the northern-mountain column), about 8 % lower for each earlier year.
INCOME = "income_per_capita"
INCOME_2020_FLOOR = 36.0


@dataclass
class Realised:
    """entries: measure -> entry dict (value, numerator, denominator, not_applicable);
    declared: criterion -> "met" / "not_met" for criteria whose threshold is missing."""

    entries: dict[str, dict[str, Any]] = field(default_factory=dict)
    declared: dict[int, Status] = field(default_factory=dict)


def _entry(
    value: float | None = None, numerator: float | None = None, denominator: float | None = None
) -> dict[str, Any]:
    return {
        "value": value,
        "numerator": numerator,
        "denominator": denominator,
        "not_applicable": False,
    }


def _share(rng: random.Random, op: Op, t: float, den: int, good: bool) -> dict[str, Any]:
    """numerator/denominator whose percentage is on the good (or wrong) side of t."""
    if op == Op.AT_LEAST:
        lowest_pass = math.ceil(t * den / 100 - 1e-9)
        if good:
            num = rng.randint(lowest_pass, den) if lowest_pass <= den else den
        else:
            num = rng.randint(max(0, lowest_pass - max(1, den // 5)), lowest_pass - 1)
    elif op == Op.AT_MOST:
        highest_pass = math.floor(t * den / 100 + 1e-9)
        if good:
            num = rng.randint(max(0, highest_pass - max(1, den // 10)), highest_pass)
        else:
            num = rng.randint(highest_pass + 1, min(den, highest_pass + max(1, den // 8)))
    else:  # "==": only 100 % is used by the set
        num = den if good else den - rng.randint(1, max(1, den // 6))
    return _entry(numerator=float(num), denominator=float(den))


def _number(rng: random.Random, op: Op, t: float, good: bool) -> dict[str, Any]:
    if op == Op.AT_LEAST:
        x = t * (1 + rng.uniform(0.01, 0.35)) if good else t * rng.uniform(0.7, 0.97)
    elif op == Op.AT_MOST:
        x = t * rng.uniform(0.5, 0.99) if good else t * (1 + rng.uniform(0.03, 0.3))
    else:
        x = t if good else t + 1
    return _entry(value=round(x, 1))


def commune_sizes(rng: random.Random) -> dict[str, int]:
    """A commune's simulated denominators (stable over the years)."""
    return {name: rng.randint(lo, hi) for name, (lo, hi) in _DENOMINATORS.items()}


def realise(
    cset: CriteriaSet,
    resolved: ResolvedSet,
    column: str,
    met: frozenset[int],
    sizes: dict[str, int],
    measures: dict[str, Measure],
    rng: random.Random,
) -> Realised:
    """Values (and declarations) for one commune and year under `cset`."""
    out = Realised()
    year = resolved.year
    out.entries["population"] = _entry(value=float(sizes["households"] * 4))
    for criterion in cset.criteria:
        good = criterion.number in met
        conds = [
            (ind.code, i, cond)
            for ind in criterion.indicators
            for i, cond in enumerate(ind.conditions)
        ]
        failing: set[int] = set()
        if not good and conds:
            failing = set(rng.sample(range(len(conds)), k=min(len(conds), rng.choice((1, 1, 2)))))
        for n, (code, i, cond) in enumerate(conds):
            ok = n not in failing
            kind = measures[cond.measure].kind
            if cond.op == Op.YES:
                entry = _entry(value=1.0 if ok else 0.0)
            elif cond.op == Op.NONE:
                entry = _entry(value=0.0 if ok else float(rng.randint(2, 40)))
            else:
                _, cell = resolved.lookup(code, i, column)
                if cell.value is None:  # no threshold this year: value stored, status declared
                    out.declared[criterion.number] = Status.MET if good else Status.NOT_MET
                    if cond.measure == INCOME:
                        base = INCOME_2020_FLOOR * 0.92 ** (2020 - year)
                        entry = _number(rng, Op.AT_LEAST, base, good)
                    else:
                        entry = _entry(value=None)
                elif kind == "share":
                    den = sizes[_DENOMINATOR_OF.get(cond.measure, "households")]
                    entry = _share(rng, cond.op, cell.value, den, ok)
                else:
                    entry = _number(rng, cond.op, cell.value, ok)
            if cond.measure in out.entries and out.entries[cond.measure] != entry:
                # Two conditions read one measure: keep the first entry (never seen in the
                # 2016-2020 set, where each condition has its own measure).
                continue
            out.entries[cond.measure] = entry
    return out
