"""Counts that describe a set at a glance: criteria, indicators and threshold cells by status."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ntm.criteria.schema import Cell, CellStatus, CriteriaSet

_MISSING = Cell(status="missing")


@dataclass(frozen=True, slots=True)
class SetSummary:
    criteria: int
    indicators: int
    # Numeric threshold cells of the base version: one per (condition, column), and for
    # year-dependent conditions one per year of the period (a year without a row is missing).
    verified: int
    unverified: int
    missing: int


def summarize(cset: CriteriaSet) -> SetSummary:
    counts: Counter[CellStatus] = Counter()
    columns = [c.code for c in cset.columns]
    years = range(cset.period.start_year, cset.period.end_year + 1)
    for criterion in cset.criteria:
        for ind in criterion.indicators:
            for cond in ind.conditions:
                if not cond.numeric:
                    continue
                rows = (
                    [cond.by_year.get(y, {}) for y in years] if cond.by_year else [cond.thresholds]
                )
                for row in rows:
                    counts.update(row.get(c, _MISSING).status for c in columns)
    return SetSummary(
        criteria=len(cset.criteria),
        indicators=sum(len(c.indicators) for c in cset.criteria),
        verified=counts["verified"],
        unverified=counts["unverified"],
        missing=counts["missing"],
    )
