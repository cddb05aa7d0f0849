"""A set at a glance: criteria, indicators and threshold cells by status against the law's own
counts, and the years it applies to."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from ntm.criteria.schema import Cell, CellStatus, CriteriaSet
from ntm.vn.dates import format_date

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
    # The law's counts (`CriteriaSet.official`); None for a set file without them.
    official_criteria: int | None
    official_indicators: int | None


def summarize(cset: CriteriaSet) -> SetSummary:
    """The counts of the set's own cells (a province's decisions are counted by
    `ntm.exchange.gaps.gap_counts`)."""
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
        official_criteria=cset.official.criteria if cset.official else None,
        official_indicators=cset.official.indicators if cset.official else None,
    )


def years_span(cset: CriteriaSet) -> str:
    """The assessment years the set applies to (`CriteriaSet.years`), e.g. "2016–2022"."""
    return f"{cset.years[0]}–{cset.years[-1]}"


def in_force_text(cset: CriteriaSet) -> str:
    """When the set is in force, and why it stops (Vietnamese, for notes and listings)."""
    text = f"hiệu lực từ {format_date(cset.effective_from)}"
    if cset.effective_to is not None:
        text += f" đến {format_date(cset.effective_to)}"
    after = cset.succeeded_by
    if after is not None:
        text += (
            f", đến khi {after.legal_basis} có hiệu lực ({format_date(after.effective_from)}); "
            f"áp dụng cho đánh giá các năm {years_span(cset)}"
        )
    return text
