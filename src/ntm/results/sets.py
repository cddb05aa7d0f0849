"""The criteria sets that apply to a period and a province: the bundled national sets, and the
sets the province's record was kept under that are not bundled
(`ntm.results.provenance.record_sets`).

Which set applies in a year (transition): a set stays in force until its successor takes
effect (`CriteriaSet.succeeded_by`), so a year may have two — 2021 and 2022 both 2016-2020 and
2021-2025, 2026 both 2021-2025 and 2026-2030. Both are offered; the default is the one in force
on the period's **assessment date**, its reference day `scope.period_day`: 31/12 of the year,
or today during the current year. 2021 (31/12/2021, before 08/03/2022) is thus read with
2016-2020 by default, 2022 with 2021-2025, 2026 with 2026-2030 once 15/02/2026 has passed."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from django.utils import timezone

from ntm.accounts import permissions
from ntm.criteria.loader import bundled_set_ids, in_force_first, load_set, sets_for_period
from ntm.criteria.schema import CriteriaSet
from ntm.decisions.queries import province_sets as decided_sets
from ntm.decisions.queries import with_decisions, with_decisions_on
from ntm.results.provenance import record_sets
from ntm.results.scope import period_day
from ntm.units.models import Unit
from ntm.units.queries import province_code
from ntm.vn.dates import format_date

if TYPE_CHECKING:
    from ntm.accounts.permissions import AnyUser


def sets_for(period: int, extra: Sequence[CriteriaSet] = ()) -> list[CriteriaSet]:
    """Commune sets applying to the year, bundled and `extra` ones (`province_sets`; an extra
    set of a bundled id replaces it), the one in force on the assessment date first."""
    day = period_day(period)
    found = {s.id: s for s in sets_for_period(period, on=day)}
    for s in extra:
        if s.level == "commune" and s.applies_to(period):
            found[s.id] = s  # a province's reading of a national set stands for it
    return in_force_first(found.values(), day)


def province_sets(province: Unit | None) -> tuple[CriteriaSet, ...]:
    """The sets a province's pages read besides or instead of the bundled ones, the `extra`
    of the functions here: the sets its record was kept under (`provenance.record_sets`), its
    own whole sets, and the national sets its transition rules re-time (`ntm.decisions`)."""
    if province is None:
        return ()
    return (*record_sets(province), *decided_sets(province.code))


def national_sets_of(province: Unit | None) -> list[CriteriaSet]:
    """The bundled commune sets as the province reads them (re-timed by its transition rules):
    the sets its communes are entered for, by id."""
    own = {s.id: s for s in decided_sets(province.code)} if province is not None else {}
    return [
        own.get(set_id, cset)
        for set_id in bundled_set_ids()
        if (cset := load_set(set_id)).level == "commune"
    ]


def entry_sets_of(province: Unit | None) -> list[CriteriaSet]:
    """The sets a commune of the province is entered for: the national sets as the province
    reads them, and its own whole sets."""
    return [*national_sets_of(province), *own_sets(province)]


def set_read_by(user: AnyUser, set_id: str) -> CriteriaSet:
    """The national set as the user's province reads it (its transition rule: an import's
    years), when all the user's roles are in one province; else as the nation does."""
    codes = {
        province_code(a.unit) for a in permissions.active_assignments(user) if a.unit is not None
    }
    own = {s.id: s for s in decided_sets(codes.pop())} if len(codes) == 1 else {}
    return own.get(set_id) or load_set(set_id)


def own_sets(province: Unit | None) -> list[CriteriaSet]:
    """The province's own whole sets (its advanced or model set), recorded by its decisions."""
    if province is None:
        return []
    bundled = set(bundled_set_ids())
    return [s for s in decided_sets(province.code) if s.id not in bundled]


def choose_set(
    period: int, set_id: str | None = None, extra: Sequence[CriteriaSet] = ()
) -> CriteriaSet | None:
    """The set `set_id` if it applies to the year, else the year's first set (a set chosen
    for another year gives way to the one in force: the set follows the year); None when no
    set applies."""
    covering = sets_for(period, extra)
    return next((s for s in covering if s.id == set_id), covering[0] if covering else None)


def set_of_tier(period: int, tier: str, extra: Sequence[CriteriaSet] = ()) -> CriteriaSet | None:
    """The set of that tier the year is read with by default (trends and histories cross the
    sets' periods, within one tier)."""
    return next((s for s in sets_for(period, extra) if s.tier == tier), None)


def years_with_sets(years: Iterable[int], extra: Sequence[CriteriaSet] = ()) -> list[int]:
    """The years some set applies to: the only ones a page offers."""
    return sorted(y for y in set(years) if sets_for(y, extra))


def with_province_decisions(cset: CriteriaSet, province: Unit | None, period: int) -> CriteriaSet:
    """The set as the province reads the year: with its decisions (`ntm.decisions`) in force
    on the assessment date, the period's reference day (`scope.period_day`). Pages, the entry
    grid, the API and commands all take their set through here, and the decisions are part
    of the set's fingerprint, so every cached figure moves with a new decision."""
    if province is None:
        return cset
    return with_decisions(cset, province.code, province.name, period_day(period))


def with_province_decisions_each(
    wanted: Sequence[tuple[CriteriaSet, int]], province: Unit | None
) -> list[CriteriaSet]:
    """`with_province_decisions` of each (set, period), from one query."""
    if province is None:
        return [c for c, _ in wanted]
    days = [(c, period_day(p)) for c, p in wanted]
    return with_decisions_on(days, province.code, province.name)


def with_province_decisions_now(sets: Sequence[CriteriaSet], province: Unit) -> list[CriteriaSet]:
    """Each set with every decision of the province in force today (the catalogue: what the
    province still has to decide), from one query."""
    today = timezone.localdate()
    return with_decisions_on([(c, today) for c in sets], province.code, province.name)


def threshold_source(cset: CriteriaSet, basis: str) -> str | None:
    """Where a threshold came from when not from the national set: "<number> (<date>)" of
    the province's decision whose legal basis is `basis` (an engine row's `basis`)."""
    for overlay in cset.overlays:
        lb = overlay.legal_basis
        if lb.number == basis:
            return f"{lb.number} ({format_date(lb.date_signed)})" if lb.date_signed else lb.number
    return None
