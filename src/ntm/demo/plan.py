"""Which criteria each demo commune meets, year by year: a deterministic simulated plan.

Pure (no Django): the loader hands in the communes of each date as keys, and this module
returns, for every (phase, commune), the set of criteria met. The plan is built so that the
published Lạng Sơn figures (docs/domain.md; shared/reference/langson_timeseries.csv) come out
of the app's own statistics once the values realising it are stored:

- end of 2020 (181 communes): 65 meet all 19 criteria; 2.263 criteria met in all
  (12,50 a commune); criterion 19 met by 165, criterion 18 by 93;
- 30/06/2020 (181 communes): 49 meet all 19; 2.089 criteria met (11,54 a commune);
- end of 2019 (the 207 communes before the NQ 818 mergers): 61 meet all 19 — the article's
  "61 of 207 counted on the units before the mergers". The communes that continue into 2020
  keep their 2019 standing until mid-2020 (recognition comes at the end of a year); the ones
  that disappeared in the mergers were last measured in 2019. A commune created by a merger
  is at the standard in mid-2020 only if every commune it was made of was at the end of 2019
  (the "acknowledged" practice, docs/domain.md) — none is, unless the records say so;
- 2011 (the same 207 communes): 532 criteria met (2,57 a commune), so that
  12,50 - 2,57 = +9,93 since 2011: the article's "đến hết năm 2020 đạt 12,5 tiêu chí/xã, tăng
  9,93 tiêu chí/xã so với năm 2011" measures it from the end-2020 average (the corrected
  reading of langson_timeseries.csv; from mid-2020 it is +8,97).

Between those dates each commune gains about one criterion a year (the article's "about one
criterion per commune per year"). Communes the reference names as recognised (langson_
recognitions.csv) meet every criterion from their year on. Everything else is simulated.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

SEED = 20201231
CRITERIA = tuple(range(1, 20))

# Published targets (see the module docstring).
END_2020_MEETING = 65
END_2020_TOTAL = 2263  # 2.263 / 181 = 12,50
END_2020_CRITERION_19 = 165
END_2020_CRITERION_18 = 93
MID_2020_MEETING = 49
MID_2020_TOTAL = 2089  # 2.089 / 181 = 11,54
END_2019_MEETING = 61  # of 207, on the units before the mergers
BASELINE_2011_TOTAL = 532  # 532 / 207 = 2,57; 12,50 - 2,57 = 9,93

# Average criteria met per commune in the years between (simulated, ~+1.1 a year).
AVERAGE = {2012: 2.7, 2013: 3.8, 2014: 4.9, 2015: 6.0, 2016: 7.1, 2017: 8.2, 2018: 9.3, 2019: 10.4}

# How hard each criterion is (higher: met later). Simulated; income, poverty, environment and
# the political-system criterion are the ones reports name as lagging in mountain provinces.
DIFFICULTY = {
    1: 0.15,
    2: 0.65,
    3: 0.3,
    4: 0.1,
    5: 0.6,
    6: 0.7,
    7: 0.55,
    8: 0.2,
    9: 0.5,
    10: 0.9,
    11: 0.8,
    12: 0.35,
    13: 0.6,
    14: 0.4,
    15: 0.45,
    16: 0.5,
    17: 0.95,
    18: 0.85,
    19: 0.05,
}

# Communes meeting every criterion at the end of each year before 2020 (8 at the end of 2015
# is the reference's count, "8 incl. 4 just appraised", 07/12/2015; 61 at the end of 2019 is
# the published figure; the years between are simulated).
FULL = {
    2019: END_2019_MEETING,
    2018: 45,
    2017: 30,
    2016: 17,
    2015: 8,
    2014: 4,
    2013: 2,
    2012: 0,
    2011: 0,
}

MID_2020 = "2020-06-30"
END_2020 = "2020-12-31"


class PlanError(ValueError):
    """The units cannot carry the published figures (e.g. fewer communes than expected)."""


@dataclass(frozen=True)
class Plan:
    """phase -> commune key -> criteria met. Phases: "2011" … "2019", MID_2020, END_2020."""

    met: dict[str, dict[str, frozenset[int]]]

    def total(self, phase: str) -> int:
        return sum(len(v) for v in self.met[phase].values())

    def meeting(self, phase: str) -> int:
        return sum(len(v) == len(CRITERIA) for v in self.met[phase].values())


def _score(rng: random.Random, ability: float, k: int) -> float:
    return ability - DIFFICULTY[k] + rng.gauss(0, 0.25)


def _end_2020(
    rng: random.Random, units: Sequence[str], ability: dict[str, float], full: list[str]
) -> dict[str, set[int]]:
    rows: dict[str, set[int]] = {u: set() for u in units}
    for u in full:
        rows[u] = set(CRITERIA)
    rest = [u for u in units if u not in set(full)]
    # Criteria 19 and 18: exactly the published counts (the full communes meet both).
    for k, target in ((19, END_2020_CRITERION_19), (18, END_2020_CRITERION_18)):
        ranked = sorted(rest, key=lambda u: -_score(rng, ability[u], k))
        for u in ranked[: target - len(full)]:
            rows[u].add(k)
    # Criteria 1-17: the best-placed cells until the total is reached.
    remaining = END_2020_TOTAL - sum(len(r) for r in rows.values())
    cells = sorted(
        ((u, k) for u in rest for k in CRITERIA if k < 18),
        key=lambda c: -_score(rng, ability[c[0]], c[1]),
    )
    for u, k in cells[:remaining]:
        rows[u].add(k)
    # A commune outside the full ones must miss something: move its weakest criterion (1-17)
    # to the best-placed commune that can still take one.
    spare = iter(c for c in cells[remaining:])
    for u in rest:
        if len(rows[u]) == len(CRITERIA):
            k = max((k for k in rows[u] if k < 18), key=lambda k: DIFFICULTY[k])
            rows[u].discard(k)
            for v, j in spare:
                if j not in rows[v] and len(rows[v]) < len(CRITERIA) - 1:
                    rows[v].add(j)
                    break
    return rows


def _remove(rng: random.Random, rows: dict[str, set[int]], count: int, keep_full: set[str]) -> None:
    """Remove `count` met criteria, hard ones first, never from `keep_full` communes."""
    cells = [(u, k) for u, r in rows.items() if u not in keep_full for k in r]
    weights = [DIFFICULTY[k] + 0.05 for _, k in cells]
    if count > len(cells):
        raise PlanError("not enough met criteria to remove")
    chosen: set[tuple[str, int]] = set()
    while len(chosen) < count:
        for cell in rng.choices(cells, weights=weights, k=count - len(chosen)):
            chosen.add(cell)
    for u, k in chosen:
        rows[u].discard(k)


def build_plan(
    units_2011: Sequence[str],
    units_2019: Sequence[str],
    units_2020: Sequence[str],
    recognised: dict[str, int],
    predecessors: Mapping[str, Sequence[str]],
    *,
    seed: int = SEED,
) -> Plan:
    """The plan over the communes in force at the end of 2011, 2019 and 2020 (keys in a stable
    order). `recognised`: commune key -> first year it meets every criterion (real
    recognitions); `predecessors`: a commune created by the 2019-2020 mergers -> the
    communes of 2019 it was made of, wholly or in part."""
    if len(units_2020) < END_2020_MEETING or not units_2019:
        raise PlanError(f"{len(units_2020)} communes in 2020: too few for the published figures")
    rng = random.Random(seed)
    ability = {u: rng.random() for u in sorted({*units_2011, *units_2019, *units_2020})}
    anchored_2020 = [u for u in units_2020 if recognised.get(u, 9999) <= 2020]
    by_ability = sorted(units_2020, key=lambda u: -ability[u])
    # Mid-2020 full communes: the recognised ones, then the ablest continuing communes (so the
    # figure on the pre-2019 units counts them too), then the rest.
    continuing = set(units_2019)
    mid_full = list(anchored_2020)
    for u in sorted(by_ability, key=lambda u: u not in continuing):
        if len(mid_full) >= MID_2020_MEETING:
            break
        if u not in mid_full:
            mid_full.append(u)
    end_full = list(mid_full)
    for u in by_ability:
        if len(end_full) >= END_2020_MEETING:
            break
        if u not in end_full:
            end_full.append(u)
    end = _end_2020(rng, units_2020, ability, end_full)

    mid = {u: set(r) for u, r in end.items()}
    for u in end_full:
        if u not in mid_full:  # became full in the second half of 2020
            for k in sorted(mid[u], key=lambda k: -DIFFICULTY[k])[: rng.randint(1, 2)]:
                mid[u].discard(k)
    _remove(rng, mid, sum(map(len, mid.values())) - MID_2020_TOTAL, set(mid_full))

    met: dict[str, dict[str, frozenset[int]]] = {
        END_2020: {u: frozenset(r) for u, r in end.items()},
        MID_2020: {u: frozenset(r) for u, r in mid.items()},
    }
    # 2019 on the pre-2019 communes: continuing ones start from mid-2020, the others (merged or
    # dissolved at the end of 2019) from their own simulated state. At the standard: the
    # recognised ones, those a merged commune at the standard in mid-2020 was made of, the
    # continuing ones at the standard in mid-2020, then the ablest of the others up to 61.
    made_of = {p for u in mid_full if u not in continuing for p in predecessors.get(u, ())}
    rows = {}
    for u in units_2019:
        if u in mid:
            rows[u] = set(mid[u])
        else:
            n = max(0, min(18, round(9 + 6 * ability[u] + rng.gauss(0, 1.5))))
            rows[u] = set(sorted(CRITERIA, key=lambda k: -_score(rng, ability[u], k))[:n])
        if recognised.get(u, 9999) <= 2019 or u in made_of:
            rows[u] = set(CRITERIA)
    gone = sorted((u for u in units_2019 if u not in mid), key=lambda u: -ability[u])
    short = FULL[2019] - sum(len(r) == len(CRITERIA) for r in rows.values())
    candidates = [u for u in gone if len(rows[u]) < len(CRITERIA)]
    if not 0 <= short <= len(candidates):
        raise PlanError(f"the units of 2019 cannot carry {FULL[2019]} communes at the standard")
    for u in candidates[:short]:
        rows[u] = set(CRITERIA)
    for year in sorted([*AVERAGE, 2011], reverse=True):
        must = {u for u in rows if recognised.get(u, 9999) <= year}
        for u in must:
            rows[u] = set(CRITERIA)
        was_full = sorted(
            (u for u in rows if len(rows[u]) == len(CRITERIA) and u not in must),
            key=lambda u: -ability[u],
        )
        keep = must | set(was_full[: max(0, FULL[year] - len(must))])
        for u in was_full:
            if u not in keep:  # not yet at the standard that year
                rows[u].discard(rng.choices(CRITERIA, weights=[DIFFICULTY[k] for k in CRITERIA])[0])
        target = BASELINE_2011_TOTAL if year == 2011 else round(AVERAGE[year] * len(units_2019))
        _remove(rng, rows, max(0, sum(map(len, rows.values())) - target), keep)
        met[str(year)] = {u: frozenset(rows[u]) for u in units_2019}
    extra = set(units_2011) - set(units_2019)
    if extra:
        raise PlanError(f"{len(extra)} communes of 2011 are not in force at the end of 2019")
    return Plan(met)
