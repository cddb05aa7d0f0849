"""A province's statistics for a period as of a date, through the app's own code.

The same path as the province dashboard (`ntm.web.dashboards`: communes in force on the day,
results from `ntm.values.evaluation`, `ntm.stats.rollup.statistics`), with two additions the
dashboard does not offer yet:

- `as_of`: the record as it stood at a moment of the period (30/06/2020 vs 31/12/2020);
- sets without indicators (the demo's 2010–2015 set, declared statuses only): the engine
  cannot evaluate a set with no condition at all (polars ShapeError in
  `ntm.evaluation.engine._statuses`), so their results are built from the declarations by the
  engine's own rule for declared criteria (status = declared; basically met is not met).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from ntm.criteria.schema import CriteriaSet
from ntm.evaluation import Evaluation
from ntm.stats.rollup import Statistics, statistics
from ntm.units.models import Unit
from ntm.values.evaluation import declared_frame, results_for_units
from ntm.web.dashboards import communes_on, period_day, scope_frame, units_with_data


def declared_results(
    units: Sequence[Unit],
    period: int,
    cset: CriteriaSet,
    *,
    as_of: dt.datetime | dt.date | None = None,
) -> Evaluation:
    """The engine's criteria and communes frames for a set whose criteria are declared only."""
    ids = [u.pk for u in units]
    declared = declared_frame(ids, period, cset.id, as_of=as_of)
    numbers = pl.DataFrame(
        {"criterion": [c.number for c in cset.criteria]}, schema={"criterion": pl.Int32}
    )
    grid = (
        pl.DataFrame({"unit": [str(i) for i in ids]}, schema={"unit": pl.String})
        .join(numbers, how="cross")
        .with_columns(pl.lit(period, pl.Int32).alias("period"))
    )
    criteria = (
        grid.join(declared.drop("period"), on=["unit", "criterion"], how="left")
        .rename({"status": "declared_status"})
        .with_columns(
            pl.lit("missing_threshold").alias("computed_status"),
            pl.col("declared_status").fill_null("missing_threshold").alias("status"),
            pl.when(pl.col("declared_status").is_null())
            .then(pl.lit("computed"))
            .otherwise(pl.lit("declared"))
            .alias("basis"),
            pl.lit(False).alias("conflict"),
        )
        .select(
            "unit",
            "period",
            "criterion",
            "computed_status",
            "declared_status",
            "status",
            "basis",
            "conflict",
        )
    )
    total = len(cset.criteria)
    communes = (
        criteria.group_by("unit", "period", maintain_order=True)
        .agg(
            (pl.col("status") == "met").sum().cast(pl.Int64).alias("met"),
            (pl.col("status") == "basically_met").sum().cast(pl.Int64).alias("basically_met"),
            (pl.col("status") == "not_met").sum().cast(pl.Int64).alias("not_met"),
            pl.col("status")
            .is_in(["missing_data", "missing_threshold"])
            .sum()
            .cast(pl.Int64)
            .alias("missing"),
        )
        .with_columns(
            pl.lit(total, pl.Int64).alias("total"),
            (pl.col("met") == total).alias("meets_set"),
            ((pl.col("not_met") + pl.col("basically_met")) / total).alias("failing_share"),
            pl.lit(None, pl.Boolean).alias("revocation_risk"),
            pl.lit([], pl.List(pl.Int32)).alias("failing_key_criteria"),
        )
    )
    return Evaluation(
        set_id=cset.id,
        labels={period: cset.id},
        indicators=pl.DataFrame(),
        criteria=criteria,
        communes=communes,
    )


def _has_indicators(cset: CriteriaSet) -> bool:
    return any(c.indicators for c in cset.criteria)


def period_frames(
    province: Unit,
    period: int,
    cset: CriteriaSet,
    *,
    as_of: dt.datetime | dt.date | None = None,
    units_day: dt.date | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(scope, communes, criteria) of a period on the communes in force on `units_day`
    (default: the dashboard's day of the period), as the record stood at `as_of`."""
    communes = communes_on(province, units_day or period_day(period))
    data = units_with_data([u.pk for u in communes], period)
    evaluated = [u for u in communes if u.pk in data]
    if not evaluated:
        ev = None
    elif _has_indicators(cset):
        ev = results_for_units(evaluated, period, cset, as_of=as_of)
    else:
        ev = declared_results(evaluated, period, cset, as_of=as_of)
    scope = scope_frame(communes, period)
    if ev is None:
        empty = pl.DataFrame(schema={"unit": pl.String, "period": pl.Int32, "met": pl.Int64,
                                     "meets_set": pl.Boolean})  # fmt: skip
        crit = pl.DataFrame(schema={"unit": pl.String, "period": pl.Int32,
                                    "criterion": pl.Int32, "status": pl.String})  # fmt: skip
        return scope, empty, crit
    keep = ["unit", "period", "met", "meets_set"]
    return (
        scope,
        ev.communes.select(keep),
        ev.criteria.select("unit", "period", "criterion", "status"),
    )


def province_statistics(
    province: Unit,
    period: int,
    cset: CriteriaSet,
    *,
    as_of: dt.datetime | dt.date | None = None,
    units_day: dt.date | None = None,
    baseline: tuple[int, CriteriaSet] | None = None,
) -> Statistics:
    """`ntm.stats.rollup.statistics` of the province for the period (as of `as_of`), against
    `baseline` (year, set) when given — each year counted on its own units, as recorded."""
    parts = [period_frames(province, period, cset, as_of=as_of, units_day=units_day)]
    if baseline is not None:
        year, base_set = baseline
        parts.append(period_frames(province, year, base_set))
    scope = pl.concat([p[0] for p in parts], how="diagonal_relaxed")
    communes = pl.concat([p[1] for p in parts], how="diagonal_relaxed")
    criteria = pl.concat([p[2] for p in parts], how="diagonal_relaxed")
    return statistics(
        scope,
        communes,
        criteria,
        period=period,
        tier=cset.tier,
        parent=str(province.pk),
        bands=cset.bands,
        baseline=None if baseline is None else baseline[0],
    )
