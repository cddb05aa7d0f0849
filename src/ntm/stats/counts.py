"""Count-only records in the engine's frames.

A count-only record says how many of a set's criteria a commune met and nothing of any one
criterion (*chỉ có số tiêu chí đạt*). As a row of the engine's `communes` frame it counts in
every figure read from that frame — communes at the standard (met == total), the average
criteria met, the bands — and, having no row in `criteria`, in no per-criterion count. Its
revocation columns are null: which criteria fail is not known.

counts: `COUNTS_SCHEMA` (unit, period, met, total), one row per unit and period.
"""

from __future__ import annotations

import polars as pl

COUNTS_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "period": pl.Int32(),
    "met": pl.Int64(),
    "total": pl.Int64(),
}
# The `communes` column telling count-only rows from evaluated ones.
COUNT_ONLY = "count_only"


def count_only_communes(counts: pl.DataFrame) -> pl.DataFrame:
    """One `communes` row per count record, marked `count_only`."""
    return counts.select(
        pl.col("unit").cast(pl.String),
        pl.col("period").cast(pl.Int32),
        pl.col("met").cast(pl.UInt32),
        pl.col("total").cast(pl.UInt32),
        meets_set=pl.col("met") == pl.col("total"),
        revocation_risk=pl.lit(None, pl.Boolean),
        revocation_possible=pl.lit(None, pl.Boolean),
        **{COUNT_ONLY: pl.lit(True)},
    )


def with_count_only(communes: pl.DataFrame, counts: pl.DataFrame) -> pl.DataFrame:
    """The engine's `communes` frame and the count records' rows after it; the caller passes
    only the records of units without per-criterion results (those win)."""
    if counts.is_empty():
        return communes
    marked = communes.with_columns(pl.lit(False).alias(COUNT_ONLY))
    return pl.concat([marked, count_only_communes(counts)], how="diagonal_relaxed")
