"""The criteria sets that apply to a period and a province: the bundled national sets of the
period, and the sets the province's record was kept under that are not bundled
(`ntm.results.provenance.record_sets`). The standard tier comes first."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ntm.criteria.loader import sets_for_period
from ntm.criteria.schema import CriteriaSet


def covers(cset: CriteriaSet, period: int) -> bool:
    return cset.period.start_year <= period <= cset.period.end_year


def sets_for(period: int, extra: Sequence[CriteriaSet] = ()) -> list[CriteriaSet]:
    """Commune sets applying to the year: bundled, then `extra` ones (no id twice)."""
    found = {s.id: s for s in sets_for_period(period)}
    for s in extra:
        if s.level == "commune" and covers(s, period):
            found.setdefault(s.id, s)
    return sorted(found.values(), key=lambda s: (s.tier != "standard", s.id))


def choose_set(
    period: int, set_id: str | None = None, extra: Sequence[CriteriaSet] = ()
) -> CriteriaSet | None:
    """The set `set_id` if it applies to the year, else the year's first set (a set chosen
    for another year gives way to the one in force: the set follows the year); None when no
    set applies."""
    covering = sets_for(period, extra)
    return next((s for s in covering if s.id == set_id), covering[0] if covering else None)


def set_of_tier(period: int, tier: str, extra: Sequence[CriteriaSet] = ()) -> CriteriaSet | None:
    """The first set of that tier applying to the year (trends and histories cross the sets'
    periods, within one tier)."""
    return next((s for s in sets_for(period, extra) if s.tier == tier), None)


def years_with_sets(years: Iterable[int], extra: Sequence[CriteriaSet] = ()) -> list[int]:
    """The years some set applies to: the only ones a page offers."""
    return sorted(y for y in set(years) if sets_for(y, extra))
