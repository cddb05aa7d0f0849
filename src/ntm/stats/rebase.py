"""Re-basing: values and results recorded on one date's units, carried onto another's.

The crosswalk frame (from `ntm.units.crosswalk(d1, d2)`) has `old_unit` (str), `new_unit`
(str), `weight` (f64, the part of the old unit that went to the new one; the weights of one
old unit sum to 1) and optionally `period` (i32), when each period's values sit on different
units and so need their own crosswalk.

The rule per measure is the measure catalogue's `combine`:
- "sum" (counts): the new value is the weighted sum of the old values;
- "shares": numerators and denominators are summed, weighted;
- "weighted_mean": mean of the old values weighted by the weight measure's values (a unit
  made of one part keeps its value, weight or not);
- "not_comparable" (yes/no): does not transfer. Only a new unit that is exactly one old unit
  (one part, weight 1: a rename or an unchanged commune) keeps its value, because the
  territory is the same.
A new unit gets a value only when every old unit it is made of has one; otherwise its value
is missing (`missing_parts` > 0). `estimated` marks values apportioned by weights below 1
(a split: the weights are often by area only).

A part the records know only by name (no GSO code: `ntm.units` names it "id:<database id>"),
or a unit established later without recorded predecessors (named the same way), is a part like
any other: it has no value, so the unit it went into is never "unchanged territory" and gets no
value where every part must have one.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

import polars as pl

from ntm.criteria.schema import Measure
from ntm.evaluation import VALUES_SCHEMA
from ntm.evaluation.semantics import Stage
from ntm.stats.summary import require_columns

ENGINE_VALUE_COLUMNS = tuple(VALUES_SCHEMA)
_TOLERANCE = 1e-9


def basis_label(date: dt.date | None) -> str:
    """ "as_recorded" or "rebased:2025-07-01": the label every figure carries."""
    return "as_recorded" if date is None else f"rebased:{date.isoformat()}"


def check_crosswalk(crosswalk: pl.DataFrame) -> None:
    """Refuse a crosswalk whose weights are outside (0, 1] or do not sum to 1 per old unit."""
    require_columns(crosswalk, ("old_unit", "new_unit", "weight"), "crosswalk")
    keys = ["old_unit", *(["period"] if "period" in crosswalk.columns else [])]
    bad_weight = crosswalk.filter(
        pl.col("weight").is_null() | (pl.col("weight") <= 0) | (pl.col("weight") > 1 + _TOLERANCE)
    )
    if bad_weight.height:
        units = sorted(set(bad_weight.get_column("old_unit").to_list()))
        raise ValueError(
            f"trọng số phải trong (0, 1] — đơn vị cũ {units} (weights must lie in (0, 1])"
        )
    sums = crosswalk.group_by(keys).agg(pl.col("weight").sum())
    bad_sum = sums.filter((pl.col("weight") - 1).abs() > 1e-6)
    if bad_sum.height:
        units = sorted(set(bad_sum.get_column("old_unit").to_list()))
        raise ValueError(
            f"tổng trọng số của mỗi đơn vị cũ phải bằng 1 — đơn vị {units} "
            "(weights of one old unit must sum to 1)"
        )


def compose_crosswalks(first: pl.DataFrame, second: pl.DataFrame) -> pl.DataFrame:
    """The crosswalk D1 -> D3 from D1 -> D2 and D2 -> D3 (weights multiply along paths)."""
    check_crosswalk(first)
    check_crosswalk(second)
    lost = first.join(second, left_on="new_unit", right_on="old_unit", how="anti")
    if lost.height:
        units = sorted(set(lost.get_column("new_unit").to_list()))
        raise ValueError(
            f"đơn vị {units} không có trong bảng chuyển đổi thứ hai "
            "(units missing from the second crosswalk)"
        )
    return (
        first.join(second, left_on="new_unit", right_on="old_unit", suffix="_2")
        .group_by("old_unit", "new_unit_2")
        .agg((pl.col("weight") * pl.col("weight_2")).sum().alias("weight"))
        .rename({"new_unit_2": "new_unit"})
        .sort("old_unit", "new_unit")
    )


def _parts(walk: pl.DataFrame, group_new: list[str]) -> pl.DataFrame:
    """Per new unit: `parts` (old units it is made of) and `unchanged` (exactly one old unit,
    whole: the same territory)."""
    return walk.group_by(group_new).agg(
        pl.len().alias("parts"),
        ((pl.len() == 1) & ((pl.col("weight").max() - 1).abs() <= _TOLERANCE)).alias("unchanged"),
    )


@dataclass(frozen=True)
class Rebased:
    """Values re-based onto the units of `date`.

    `values` has the engine's columns (`ENGINE_VALUE_COLUMNS`, `unit` now a new unit) and
    `rule` (the measure's combine), `comparable` (bool), `parts` (old units the new one is
    made of), `missing_parts` (of those, how many had no value), `estimated` (bool).
    `unmatched` lists units of the input that the crosswalk does not know (left out).
    """

    date: dt.date
    values: pl.DataFrame
    unmatched: tuple[str, ...]

    @property
    def basis(self) -> str:
        return basis_label(self.date)

    def for_engine(self) -> pl.DataFrame:
        """The comparable values in the engine's input shape, ready to evaluate again."""
        return self.values.filter(pl.col("comparable")).select(ENGINE_VALUE_COLUMNS)


def _select_stage(values: pl.DataFrame) -> pl.DataFrame:
    """One row per (unit, measure, period): verified where it exists, as the engine does."""
    frame = values
    if "not_applicable" not in frame.columns:
        frame = frame.with_columns(pl.lit(False).alias("not_applicable"))
    if "stage" not in frame.columns:
        frame = frame.with_columns(pl.lit(Stage.VERIFIED).alias("stage"))
    for column in ("value", "numerator", "denominator"):
        if column not in frame.columns:
            frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(column))
    return (
        frame.with_columns(
            pl.col("not_applicable").fill_null(False),
            pl.col("period").cast(pl.Int32),
            *[pl.col(c).cast(pl.Float64) for c in ("value", "numerator", "denominator")],
        )
        .sort(pl.col("stage") == Stage.VERIFIED, descending=True)
        .unique(["unit", "measure", "period"], keep="first")
    )


def rebase_values(
    values: pl.DataFrame,
    crosswalk: pl.DataFrame,
    measures: Mapping[str, Measure],
    *,
    date: dt.date,
) -> Rebased:
    """Carry `values` (the engine's input frame) onto the new units of `crosswalk`."""
    require_columns(values, ("unit", "measure", "period"), "values")
    check_crosswalk(crosswalk)
    unknown = sorted(set(values.get_column("measure").unique().to_list()) - set(measures))
    if unknown:
        raise ValueError(f"chỉ số đo không có trong danh mục (unknown measures): {unknown}")

    chosen = _select_stage(values)
    by_period = "period" in crosswalk.columns
    walk = crosswalk.with_columns(pl.col("weight").cast(pl.Float64))
    if by_period:
        walk = walk.with_columns(pl.col("period").cast(pl.Int32))
    keys_old = ["unit", "period"] if by_period else ["unit"]
    keys_walk = ["old_unit", "period"] if by_period else ["old_unit"]
    group_new = ["period", "new_unit"] if by_period else ["new_unit"]

    unmatched = chosen.join(walk, left_on=keys_old, right_on=keys_walk, how="anti")
    rules = pl.DataFrame(
        {
            "measure": list(measures),
            "rule": [m.combine for m in measures.values()],
            "weight_measure": [m.weight_measure for m in measures.values()],
        },
        schema={"measure": pl.String, "rule": pl.String, "weight_measure": pl.String},
    )
    mean_weights = chosen.select(
        "unit",
        "period",
        pl.col("measure").alias("weight_measure"),
        pl.col("value").alias("mean_weight"),
    )
    parts = _parts(walk, group_new)
    # A mean of one value is that value: a unit made of one part needs no weight for it.
    alone = parts.filter(pl.col("parts") == 1).select(*group_new, pl.lit(True).alias("alone"))

    rows = (
        chosen.join(walk, left_on=keys_old, right_on=keys_walk, how="inner")
        .join(rules, on="measure", how="left")
        .join(mean_weights, on=["unit", "period", "weight_measure"], how="left")
        .join(alone, on=group_new, how="left")
    )
    w = pl.col("weight")
    na = pl.col("not_applicable")
    rule = pl.col("rule")
    present = na | (
        pl.when(rule == "shares")
        .then(pl.col("numerator").is_not_null() & pl.col("denominator").is_not_null())
        .when(rule == "weighted_mean")
        .then(
            pl.col("value").is_not_null()
            & (pl.col("mean_weight").is_not_null() | pl.col("alone").fill_null(False))
        )
        .otherwise(pl.col("value").is_not_null())
    )
    live = ~na
    combined = rows.group_by("new_unit", "measure", "period").agg(
        pl.col("rule").first(),
        present.sum().alias("present"),
        na.all().alias("all_na"),
        (w * pl.col("value")).filter(live).sum().alias("sum_value"),
        (w * pl.col("numerator")).filter(live).sum().alias("sum_numerator"),
        (w * pl.col("denominator")).filter(live).sum().alias("sum_denominator"),
        (w * pl.col("mean_weight") * pl.col("value")).filter(live).sum().alias("wm_top"),
        (w * pl.col("mean_weight")).filter(live).sum().alias("wm_bottom"),
        pl.col("value").first().alias("single_value"),
        (w < 1 - _TOLERANCE).any().alias("estimated"),
        (pl.col("stage") == Stage.VERIFIED).all().alias("all_verified"),
    )
    out = combined.join(parts, on=group_new, how="left").with_columns(
        (pl.col("parts") - pl.col("present")).cast(pl.Int64).alias("missing_parts"),
        ((rule != "not_comparable") | pl.col("unchanged")).alias("comparable"),
    )
    usable = (pl.col("missing_parts") == 0) & pl.col("comparable") & ~pl.col("all_na")
    out = out.with_columns(
        pl.when(usable & (rule == "sum"))
        .then(pl.col("sum_value"))
        .when(usable & (rule == "weighted_mean") & (pl.col("parts") == 1))
        .then(pl.col("single_value"))
        .when(usable & (rule == "weighted_mean") & (pl.col("wm_bottom") > 0))
        .then(pl.col("wm_top") / pl.col("wm_bottom"))
        .when(usable & (rule == "not_comparable"))
        .then(pl.col("single_value"))
        .otherwise(None)
        .cast(pl.Float64)
        .alias("value"),
        pl.when(usable & (rule == "shares")).then(pl.col("sum_numerator")).alias("numerator"),
        pl.when(usable & (rule == "shares")).then(pl.col("sum_denominator")).alias("denominator"),
        (pl.col("all_na") & (pl.col("missing_parts") == 0)).alias("not_applicable"),
        pl.when(pl.col("all_verified"))
        .then(pl.lit(Stage.VERIFIED))
        .otherwise(pl.lit(Stage.CLAIMED))
        .alias("stage"),
    )
    result = out.select(
        pl.col("new_unit").alias("unit"),
        "measure",
        pl.col("period").cast(pl.Int32),
        "value",
        pl.col("numerator").cast(pl.Float64),
        pl.col("denominator").cast(pl.Float64),
        "not_applicable",
        "stage",
        "rule",
        "comparable",
        pl.col("parts").cast(pl.Int64),
        "missing_parts",
        "estimated",
    ).sort("period", "unit", "measure")
    return Rebased(
        date=date,
        values=result,
        unmatched=tuple(sorted(set(unmatched.get_column("unit").to_list()))),
    )


def transfer_results(results: pl.DataFrame, crosswalk: pl.DataFrame) -> pl.DataFrame:
    """Pass/fail results carried onto new units: they do not transfer across a merger or split.

    `results` is the engine's `communes` or `criteria` frame. A new unit that is exactly one
    old unit (unchanged territory) keeps that unit's rows: `comparable` true and `from_unit`
    the old unit, so every carried result can be explained. Any other new unit with results
    among its parts gets one row per period with `comparable` false and nulls elsewhere.
    Recompute from re-based values to compare those.
    """
    require_columns(results, ("unit", "period"), "results")
    check_crosswalk(crosswalk)
    by_period = "period" in crosswalk.columns
    walk = crosswalk.with_columns(pl.col("weight").cast(pl.Float64))
    keys_old = ["unit", "period"] if by_period else ["unit"]
    keys_walk = ["old_unit", "period"] if by_period else ["old_unit"]
    group_new = ["period", "new_unit"] if by_period else ["new_unit"]
    if by_period:
        walk = walk.with_columns(pl.col("period").cast(pl.Int32))
    frame = results.with_columns(pl.col("period").cast(pl.Int32))
    unchanged = _parts(walk, group_new).drop("parts")
    joined = frame.join(walk, left_on=keys_old, right_on=keys_walk, how="inner").join(
        unchanged, on=group_new, how="left"
    )
    kept = (
        joined.filter(pl.col("unchanged"))
        .rename({"unit": "from_unit"})
        .rename({"new_unit": "unit"})
        .with_columns(pl.lit(True).alias("comparable"))
        .select([*frame.columns, "comparable", "from_unit"])
    )
    dropped = (
        joined.filter(~pl.col("unchanged"))
        .select(pl.col("new_unit").alias("unit"), "period")
        .unique()
        .with_columns(pl.lit(False).alias("comparable"))
    )
    return pl.concat([kept, dropped], how="diagonal_relaxed").sort("period", "unit")
