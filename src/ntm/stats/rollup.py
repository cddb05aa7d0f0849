"""Statistics of a parent unit for a period and tier, and the same by child unit.

Pure: the caller passes the units in scope as a frame, so no database is needed.

scope: `unit` (str), `kind` (str: only "commune" rows count), `child_unit` (str|null: the
child of the parent the unit lies in, e.g. its district before 2025), optional `child_name`,
optional `name` (the unit's own name, for listings), optional `period` (i32: the units valid
in that period; without it one scope serves every period, as for figures re-based onto one
date's units).

communes / criteria: the engine's frames (several periods allowed). A `comparable` column
(bool) in `communes` marks results that could not be carried onto re-based units
(see `ntm.stats.rebase.transfer_results`); those communes count as "not comparable". A
`from_unit` column names the old unit whose result a re-based commune kept because its
territory is unchanged; those are listed in `Figures.unchanged_territory`.

recognitions (optional): `unit`, `period` (i32: year of the standard), `tier`,
`decision_no`, `decision_date`. A commune counts as recognised in period P when it has a
recognition of the tier for a period <= P. Revocations are not in this frame yet.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl

from ntm.criteria.schema import Band
from ntm.stats.bands import DEFAULT_BANDS
from ntm.stats.summary import (
    BandCount,
    CriterionCounts,
    PeriodSummary,
    fraction_dict,
    require_columns,
    summarize,
)

AS_RECORDED = "as_recorded"
_RECOGNITION_COLUMNS = ("unit", "period", "tier", "decision_no", "decision_date")


@dataclass(frozen=True)
class Carried:
    """A re-based commune that kept the result of the one old unit it is (unchanged
    territory)."""

    unit: str
    from_unit: str
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "from_unit": self.from_unit, "name": self.name}


@dataclass(frozen=True)
class Figures:
    """The figures of one geography in one period.

    `communes` is Y (communes in scope), `meeting` X. `evaluated` communes have a comparable
    result; `not_comparable` ones had a result that could not be carried onto re-based units;
    the rest of Y has no result at all (`not_evaluated`). `unchanged_territory` lists the
    evaluated communes whose result was carried onto re-based units unchanged.
    """

    period: int
    communes: int
    evaluated: int
    not_comparable: int
    meeting: int
    total_met: int
    criteria: tuple[CriterionCounts, ...]
    bands: tuple[BandCount, ...]
    unbanded: int
    communes_missing: int
    recognised: int | None
    recognised_in_period: int | None
    unchanged_territory: tuple[Carried, ...] = ()

    @property
    def not_evaluated(self) -> int:
        return self.communes - self.evaluated - self.not_comparable

    @property
    def meeting_percent(self) -> Fraction | None:
        return _share(self.meeting, self.communes)

    @property
    def recognised_percent(self) -> Fraction | None:
        return None if self.recognised is None else _share(self.recognised, self.communes)

    @property
    def average_met(self) -> Fraction | None:
        """Criteria met per evaluated commune (basically met does not count)."""
        return None if self.evaluated == 0 else Fraction(self.total_met, self.evaluated)

    @property
    def met_by_criterion(self) -> dict[int, int]:
        return {c.criterion: c.met for c in self.criteria}

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "communes": self.communes,
            "evaluated": self.evaluated,
            "not_evaluated": self.not_evaluated,
            "not_comparable": self.not_comparable,
            "meeting": self.meeting,
            "meeting_percent": fraction_dict(self.meeting_percent),
            "recognised": self.recognised,
            "recognised_in_period": self.recognised_in_period,
            "recognised_percent": fraction_dict(self.recognised_percent),
            "average_met": fraction_dict(self.average_met),
            "criteria": [c.to_dict() for c in self.criteria],
            "bands": [b.to_dict() for b in self.bands],
            "unbanded": self.unbanded,
            "communes_missing": self.communes_missing,
            "unchanged_territory": [c.to_dict() for c in self.unchanged_territory],
        }


@dataclass(frozen=True)
class Change:
    """Figures of `period` minus those of `against` (percentages in percentage points)."""

    period: int
    against: int
    communes: int
    meeting: int
    meeting_points: Fraction | None
    average_met: Fraction | None
    recognised: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "against": self.against,
            "communes": self.communes,
            "meeting": self.meeting,
            "meeting_points": fraction_dict(self.meeting_points),
            "average_met": fraction_dict(self.average_met),
            "recognised": self.recognised,
        }


@dataclass(frozen=True)
class Geography:
    """One geography (the parent, or one child unit) with its changes."""

    unit: str | None
    name: str | None
    figures: Figures
    previous: Change | None
    baseline: Change | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "name": self.name,
            "figures": self.figures.to_dict(),
            "change_previous": None if self.previous is None else self.previous.to_dict(),
            "change_baseline": None if self.baseline is None else self.baseline.to_dict(),
        }


@dataclass(frozen=True)
class Statistics:
    """Issue 3's statistics for a parent unit, period and tier.

    `basis` is "as_recorded" or "rebased:<YYYY-MM-DD>"; every figure of a re-based statistic
    is on the units of that date, and pass/fail figures count only comparable results
    (see `Figures.not_comparable`).
    """

    parent: str | None
    period: int
    tier: str
    basis: str
    total: Geography
    children: tuple[Geography, ...]
    parent_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "parent": self.parent,
            "parent_name": self.parent_name,
            "period": self.period,
            "tier": self.tier,
            "basis": self.basis,
            "total": self.total.to_dict(),
            "children": [c.to_dict() for c in self.children],
        }


def _share(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(100 * part, whole)


def _communes_in_scope(scope: pl.DataFrame, period: int) -> pl.DataFrame:
    rows = scope.filter(pl.col("kind") == "commune")
    if "period" in rows.columns:
        rows = rows.filter(pl.col("period") == period)
    return rows.unique("unit", keep="first", maintain_order=True)


def _figures(
    units: pl.DataFrame,
    communes: pl.DataFrame,
    criteria: pl.DataFrame,
    period: int,
    tier: str,
    bands: Sequence[Band],
    recognitions: pl.DataFrame | None,
) -> Figures:
    keys = units.select("unit").with_columns(pl.lit(period).cast(pl.Int32).alias("period"))
    results = communes.with_columns(pl.col("period").cast(pl.Int32)).join(
        keys, on=["unit", "period"], how="semi"
    )
    not_comparable = 0
    if "comparable" in results.columns:
        not_comparable = results.filter(~pl.col("comparable")).height
        results = results.filter(pl.col("comparable"))
    carried: tuple[Carried, ...] = ()
    if "from_unit" in results.columns:
        name = pl.col("name") if "name" in units.columns else pl.lit(None, pl.String)
        carried = tuple(
            Carried(unit, old, label)
            for unit, old, label in results.filter(pl.col("from_unit").is_not_null())
            .select("unit", "from_unit")
            .join(units.select("unit", name.alias("name")), on="unit", how="left")
            .sort("unit")
            .iter_rows()
        )
    crit = criteria.with_columns(pl.col("period").cast(pl.Int32))
    if "comparable" in crit.columns:
        crit = crit.filter(pl.col("comparable"))
    found = summarize(results, crit, bands).periods
    summary = (
        found[0]
        if found
        else PeriodSummary(
            period=period,
            communes=0,
            meeting=0,
            total_met=0,
            criteria=(),
            bands=tuple(BandCount(b, 0) for b in bands),
            unbanded=0,
            communes_missing=0,
        )
    )
    recognised: int | None = None
    recognised_now: int | None = None
    if recognitions is not None:
        held = recognitions.filter((pl.col("tier") == tier) & (pl.col("period") <= period)).join(
            units.select("unit"), on="unit", how="semi"
        )
        recognised = held.select(pl.col("unit").n_unique()).item()
        recognised_now = (
            held.filter(pl.col("period") == period).select(pl.col("unit").n_unique()).item()
        )
    return Figures(
        period=period,
        communes=units.height,
        evaluated=summary.communes,
        not_comparable=not_comparable,
        meeting=summary.meeting,
        total_met=summary.total_met,
        criteria=summary.criteria,
        bands=summary.bands,
        unbanded=summary.unbanded,
        communes_missing=summary.communes_missing,
        recognised=recognised,
        recognised_in_period=recognised_now,
        unchanged_territory=carried,
    )


def change(now: Figures, then: Figures) -> Change:
    """How `now` differs from `then`."""
    points = (
        None
        if now.meeting_percent is None or then.meeting_percent is None
        else now.meeting_percent - then.meeting_percent
    )
    average = (
        None
        if now.average_met is None or then.average_met is None
        else now.average_met - then.average_met
    )
    recognised = (
        None
        if now.recognised is None or then.recognised is None
        else now.recognised - then.recognised
    )
    return Change(
        period=now.period,
        against=then.period,
        communes=now.communes - then.communes,
        meeting=now.meeting - then.meeting,
        meeting_points=points,
        average_met=average,
        recognised=recognised,
    )


def statistics(
    scope: pl.DataFrame,
    communes: pl.DataFrame,
    criteria: pl.DataFrame,
    *,
    period: int,
    tier: str,
    parent: str | None = None,
    bands: Sequence[Band] = DEFAULT_BANDS,
    recognitions: pl.DataFrame | None = None,
    baseline: int | None = None,
    basis: str = AS_RECORDED,
    parent_name: str | None = None,
) -> Statistics:
    """Figures of the scope in `period`, against `period - 1` and `baseline`, and by child.

    A comparison where either period has no evaluated commune in scope gives no change
    (None) rather than a change against zero. As recorded, each period counts on its own
    units (scope rows of that period), as offices published them.
    """
    require_columns(scope, ("unit", "kind", "child_unit"), "scope")
    require_columns(communes, ("unit", "period", "met", "meets_set"), "communes")
    if recognitions is not None:
        require_columns(recognitions, _RECOGNITION_COLUMNS, "recognitions")

    def figures_for(units: pl.DataFrame, year: int) -> Figures:
        return _figures(units, communes, criteria, year, tier, bands, recognitions)

    def geography(unit: str | None, name: str | None, child: str | None) -> Geography:
        def units_of(year: int) -> pl.DataFrame:
            units = _communes_in_scope(scope, year)
            return units if child is None else units.filter(pl.col("child_unit") == child)

        now = figures_for(units_of(period), period)

        def against(year: int | None) -> Change | None:
            if year is None:
                return None
            then = figures_for(units_of(year), year)
            # Without results on either side there is no change, never one from or to zero.
            return None if now.evaluated == 0 or then.evaluated == 0 else change(now, then)

        return Geography(unit, name, now, against(period - 1), against(baseline))

    current = _communes_in_scope(scope, period)
    name = pl.col("child_name" if "child_name" in current.columns else "child_unit")
    children = (
        current.filter(pl.col("child_unit").is_not_null())
        .select("child_unit", name.alias("child_name"))
        .unique("child_unit", keep="first")
        .sort("child_unit")
    )
    return Statistics(
        parent=parent,
        period=period,
        tier=tier,
        basis=basis,
        total=geography(parent, parent_name, None),
        children=tuple(geography(code, name, code) for code, name in children.iter_rows()),
        parent_name=parent_name,
    )


def recognised_in(
    scope: pl.DataFrame, recognitions: pl.DataFrame, *, period: int, tier: str
) -> pl.DataFrame:
    """Communes of the scope recognised for `period` at `tier`, with decision numbers."""
    require_columns(recognitions, _RECOGNITION_COLUMNS, "recognitions")
    units = _communes_in_scope(scope, period)
    return (
        recognitions.filter((pl.col("tier") == tier) & (pl.col("period") == period))
        .join(units.select("unit", "child_unit"), on="unit", how="inner")
        .sort("decision_date", "unit")
    )
