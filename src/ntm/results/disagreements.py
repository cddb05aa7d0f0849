"""Where a declared status differs from the result the values decide, for the province office.

The computed result stands (`ntm.evaluation.engine`); each disagreement is listed here until
the province office decides the criterion (*quyết định của tỉnh*), and stays listed beside
the decision. Read live, on the communes of the period's reference day, as the province
overview counts them as recorded.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from ntm.criteria.schema import CriteriaSet
from ntm.evaluation.semantics import Source
from ntm.results.periods import PeriodResults, recorded_results
from ntm.results.province import criterion_name, default_period, set_for_year
from ntm.results.record import STORED
from ntm.results.scope import UnitRef, all_communes
from ntm.results.sets import province_sets, sets_for, years_with_sets
from ntm.units.models import Unit


@dataclass(frozen=True)
class Disagreement:
    unit: UnitRef
    criterion: int
    criterion_name: str
    computed_status: str
    declared_status: str
    status: str  # the status that stands: computed, or the province's decision
    source: str  # `semantics.Source`: computed or province
    decision_reason: str

    @property
    def decided(self) -> bool:
        return self.source == Source.PROVINCE


@dataclass(frozen=True)
class Disagreements:
    province: Unit
    period: int
    cset: CriteriaSet
    sets: tuple[CriteriaSet, ...]
    periods: tuple[int, ...]
    rows: tuple[Disagreement, ...]

    @property
    def open(self) -> int:
        """Disagreements the province office has not decided."""
        return sum(not r.decided for r in self.rows)

    @property
    def decided(self) -> int:
        return sum(r.decided for r in self.rows)


def listed(res: PeriodResults, language: str = "vi") -> list[Disagreement]:
    """The disagreements among a period's results, by commune and criterion."""
    ev = res.evaluation
    if ev is None:
        return []
    names = {c.number: criterion_name(c, language) for c in res.cset.criteria}
    found = ev.criteria.filter(pl.col("conflict"))
    out = [
        Disagreement(
            unit=UnitRef.of(res.units[str(r["unit"])]),
            criterion=int(r["criterion"]),
            criterion_name=names.get(int(r["criterion"]), ""),
            computed_status=str(r["computed_status"]),
            declared_status=str(r["declared_status"]),
            status=str(r["status"]),
            source=str(r["source"]),
            decision_reason=str(r.get("decision_reason") or ""),
        )
        for r in found.iter_rows(named=True)
    ]
    return sorted(out, key=lambda d: (d.unit.name_key, d.unit.id, d.criterion))


def disagreements(
    province: Unit, *, period: int | None = None, set_id: str | None = None, language: str = "vi"
) -> Disagreements:
    """A province's disagreements in a period (default: the year its overview opens on) under
    a set (default: the year's own). Raises `ChoiceError` for a year without a set."""
    extra = province_sets(province)
    ids = [u.pk for u in all_communes(province)]
    years = years_with_sets(STORED.periods_with_data(ids), extra)
    if period is None:
        period, _ = default_period(ids, years, extra)
    cset = set_for_year(period, set_id, extra)
    res = recorded_results(province, period, cset)
    return Disagreements(
        province=province,
        period=period,
        cset=cset,
        sets=tuple(sets_for(period, extra)),
        periods=tuple(years),
        rows=tuple(listed(res, language)),
    )
