"""The straightforward roll-up `ntm.stats.rollup` replaced: one `summarize` per geography and
period, dozens of small queries each. Kept as the reference the vectorised one must equal
(tests and benchmarks/rollup.py); not for production use (slow)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from ntm.criteria.schema import Band
from ntm.stats.bands import DEFAULT_BANDS
from ntm.stats.rollup import AS_RECORDED, Carried, Change, Figures, Geography, Statistics
from ntm.stats.summary import BandCount, PeriodSummary, require_columns, summarize

_RECOGNITION_COLUMNS = ("unit", "period", "tier", "decision_no", "decision_date")


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
    """`ntm.stats.rollup.statistics`, one geography and period at a time."""
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
