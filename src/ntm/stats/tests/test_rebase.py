from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm.criteria.schema import Measure
from ntm.stats.rebase import (
    ENGINE_VALUE_COLUMNS,
    check_crosswalk,
    compose_crosswalks,
    rebase_values,
    transfer_results,
)

D = dt.date(2025, 7, 1)
MEASURES = {
    m.key: m
    for m in [
        Measure(
            key="poor_households",
            name_vi="Số hộ nghèo",
            name_en="Poor households",
            unit="hộ",
            kind="count",
            combine="sum",
        ),
        Measure(
            key="clean_water",
            name_vi="Tỷ lệ hộ dùng nước sạch",
            name_en="Clean water",
            unit="%",
            kind="share",
            combine="shares",
            numerator_vi="hộ dùng nước sạch",
            denominator_vi="tổng số hộ",
        ),
        Measure(
            key="population",
            name_vi="Dân số",
            name_en="Population",
            unit="người",
            kind="count",
            combine="sum",
        ),
        Measure(
            key="income",
            name_vi="Thu nhập bình quân",
            name_en="Income per head",
            unit="triệu đồng/người/năm",
            kind="number",
            combine="weighted_mean",
            weight_measure="population",
        ),
        Measure(
            key="market",
            name_vi="Chợ đạt chuẩn",
            name_en="Market up to standard",
            unit="",
            kind="yesno",
            combine="not_comparable",
        ),
    ]
}
# a + b merge into x; c is renamed y; d splits 60/40 between x and z.
WALK = pl.DataFrame(
    {
        "old_unit": ["a", "b", "c", "d", "d"],
        "new_unit": ["x", "x", "y", "x", "z"],
        "weight": [1.0, 1.0, 1.0, 0.6, 0.4],
    }
)
# A commune known only by name (ntm.units names it by its database id) merged into y.
NAMELESS_INTO_Y = pl.DataFrame({"old_unit": ["id:7"], "new_unit": ["y"], "weight": [1.0]})


Row = tuple[str, str, float | None, float | None, float | None]


def _values(rows: Sequence[Row]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "unit": [r[0] for r in rows],
            "measure": [r[1] for r in rows],
            "period": [2024] * len(rows),
            "value": [r[2] for r in rows],
            "numerator": [r[3] for r in rows],
            "denominator": [r[4] for r in rows],
        },
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "period": pl.Int32,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
    )


def _row(frame: pl.DataFrame, unit: str, measure: str) -> dict[str, object]:
    rows = frame.filter((pl.col("unit") == unit) & (pl.col("measure") == measure))
    assert rows.height == 1
    return rows.row(0, named=True)


def test_rules_per_measure() -> None:
    values = _values(
        [
            ("a", "poor_households", 10, None, None),
            ("b", "poor_households", 5, None, None),
            ("c", "poor_households", 7, None, None),
            ("d", "poor_households", 20, None, None),
            ("a", "clean_water", None, 80, 100),
            ("b", "clean_water", None, 30, 50),
            ("d", "clean_water", None, 100, 200),
            ("a", "population", 1000, None, None),
            ("b", "population", 3000, None, None),
            ("d", "population", 1000, None, None),
            ("a", "income", 40, None, None),
            ("b", "income", 60, None, None),
            ("d", "income", 50, None, None),
            ("a", "market", 1, None, None),
            ("b", "market", 1, None, None),
            ("c", "market", 0, None, None),
            ("d", "market", 1, None, None),
        ]
    )
    out = rebase_values(values, WALK, MEASURES, date=D)
    assert out.basis == "rebased:2025-07-01"
    assert out.unmatched == ()
    v = out.values
    x = _row(v, "x", "poor_households")
    assert x["value"] == pytest.approx(10 + 5 + 0.6 * 20)
    assert (x["rule"], x["comparable"], x["parts"], x["missing_parts"], x["estimated"]) == (
        "sum",
        True,
        3,
        0,
        True,
    )
    assert _row(v, "z", "poor_households")["value"] == pytest.approx(8)
    y = _row(v, "y", "poor_households")
    assert (y["value"], y["estimated"]) == (7, False)
    water = _row(v, "x", "clean_water")
    assert water["numerator"] == pytest.approx(80 + 30 + 60)
    assert water["denominator"] == pytest.approx(100 + 50 + 120)
    assert water["value"] is None
    # y's only part c has no clean-water value at all: no row, hence missing data.
    assert v.filter((pl.col("unit") == "y") & (pl.col("measure") == "clean_water")).is_empty()
    income = _row(v, "x", "income")
    assert income["value"] == pytest.approx((40 * 1000 + 60 * 3000 + 50 * 600) / 4600)
    market_x = _row(v, "x", "market")
    assert (market_x["comparable"], market_x["value"]) == (False, None)
    # A renamed commune is the same territory: its yes/no value carries over.
    market_y = _row(v, "y", "market")
    assert (market_y["comparable"], market_y["value"]) == (True, 0.0)
    engine = out.for_engine()
    assert engine.columns == list(ENGINE_VALUE_COLUMNS)
    assert engine.filter(pl.col("measure") == "market").get_column("unit").to_list() == ["y"]


def test_a_weighted_mean_of_one_part_needs_no_weight() -> None:
    """A unit made of one old unit keeps its per-head value without the weight measure (a
    mean of one value is that value); a merged one needs the weights."""
    values = _values(
        [
            ("a", "income", 40, None, None),
            ("b", "income", 60, None, None),
            ("c", "income", 70, None, None),
            ("d", "income", 50, None, None),
        ]
    )
    v = rebase_values(values, WALK, MEASURES, date=D).values
    y, z, x = (_row(v, unit, "income") for unit in ("y", "z", "x"))
    assert (y["value"], y["missing_parts"], y["estimated"]) == (70, 0, False)  # renamed c
    assert (z["value"], z["missing_parts"], z["estimated"]) == (50, 0, True)  # 40 % of d
    assert (x["value"], x["missing_parts"]) == (None, 3)


def test_stage_and_not_applicable() -> None:
    values = pl.DataFrame(
        {
            "unit": ["a", "a", "b", "a", "b"],
            "measure": ["poor_households"] * 3 + ["clean_water"] * 2,
            "period": [2024] * 5,
            "value": [10.0, 12.0, 5.0, None, None],
            "numerator": [None, None, None, None, None],
            "denominator": [None, None, None, None, None],
            "not_applicable": [False, False, False, True, True],
            "stage": ["claimed", "verified", "claimed", "verified", "verified"],
        },
        schema_overrides={"numerator": pl.Float64, "denominator": pl.Float64},
    )
    walk = pl.DataFrame({"old_unit": ["a", "b"], "new_unit": ["x", "x"], "weight": [1.0, 1.0]})
    v = rebase_values(values, walk, MEASURES, date=D).values
    poor = _row(v, "x", "poor_households")
    # Verified 12 for a is used, not claimed 10; one claimed part makes the result claimed.
    assert (poor["value"], poor["stage"]) == (17.0, "claimed")
    water = _row(v, "x", "clean_water")
    assert (water["not_applicable"], water["stage"], water["missing_parts"]) == (
        True,
        "verified",
        0,
    )


def test_a_missing_part_leaves_the_value_missing() -> None:
    walk = pl.DataFrame(
        {"old_unit": ["a", "b", "c"], "new_unit": ["x", "x", "x"], "weight": [1.0, 1.0, 1.0]}
    )
    # b has a row without a denominator, c has no row at all: two parts missing, no guess.
    values = _values([("a", "clean_water", None, 8, 10), ("b", "clean_water", None, 3, None)])
    row = _row(rebase_values(values, walk, MEASURES, date=D).values, "x", "clean_water")
    assert (row["parts"], row["missing_parts"], row["numerator"], row["denominator"]) == (
        3,
        2,
        None,
        None,
    )


def test_unmatched_and_bad_input() -> None:
    values = _values(
        [("a", "poor_households", 1, None, None), ("q", "poor_households", 2, None, None)]
    )
    assert rebase_values(values, WALK, MEASURES, date=D).unmatched == ("q",)
    with pytest.raises(ValueError, match="unknown measures"):
        rebase_values(_values([("a", "nope", 1, None, None)]), WALK, MEASURES, date=D)
    bad = WALK.with_columns(
        pl.when(pl.col("new_unit") == "z").then(0.3).otherwise(pl.col("weight")).alias("weight")
    )
    with pytest.raises(ValueError, match="sum to 1"):
        check_crosswalk(bad)
    with pytest.raises(ValueError, match=r"\(0, 1\]"):
        check_crosswalk(WALK.with_columns(pl.lit(0.0).alias("weight")))
    with pytest.raises(ValueError, match="second crosswalk"):
        compose_crosswalks(WALK, WALK)


def test_crosswalk_per_period() -> None:
    values = pl.DataFrame(
        {
            "unit": ["a", "b", "a"],
            "measure": ["poor_households"] * 3,
            "period": [2019, 2019, 2024],
            "value": [1.0, 2.0, 4.0],
        }
    )
    walk = pl.DataFrame(
        {
            "period": [2019, 2019, 2024],
            "old_unit": ["a", "b", "a"],
            "new_unit": ["x", "x", "x"],
            "weight": [1.0, 1.0, 1.0],
        }
    )
    v = rebase_values(values, walk, MEASURES, date=D).values
    assert v.select("period", "unit", "value", "parts").rows() == [
        (2019, "x", 3.0, 2),
        (2024, "x", 4.0, 1),
    ]


def test_transfer_results() -> None:
    communes = pl.DataFrame(
        {
            "unit": ["a", "b", "c"],
            "period": [2024] * 3,
            "met": [19, 12, 19],
            "meets_set": [True, False, True],
        }
    )
    walk = WALK.filter(pl.col("old_unit") != "d")
    out = transfer_results(communes, walk)
    # y is c renamed: same territory, so its result stays, saying where it came from.
    assert out.rows() == [
        ("x", 2024, None, None, False, None),
        ("y", 2024, 19, True, True, "c"),
    ]
    # y also took in a part known only by name (no code): its result does not carry.
    grown = transfer_results(communes, pl.concat([walk, NAMELESS_INTO_Y]))
    assert grown.select("unit", "comparable", "from_unit").rows() == [
        ("x", False, None),
        ("y", False, None),
    ]


def test_grown_unit_has_a_part_without_a_value() -> None:
    values = _values([("c", "poor_households", 7.0, None, None), ("c", "market", 1.0, None, None)])
    walk = WALK.filter(pl.col("old_unit") == "c")
    kept = rebase_values(values, walk, MEASURES, date=D).values
    assert kept.select("measure", "value", "comparable", "parts").rows() == [
        ("market", 1.0, True, 1),
        ("poor_households", 7.0, True, 1),
    ]
    grown = rebase_values(values, pl.concat([walk, NAMELESS_INTO_Y]), MEASURES, date=D).values
    assert grown.select("measure", "value", "comparable", "parts", "missing_parts").rows() == [
        ("market", None, False, 2, 1),
        ("poor_households", None, True, 2, 1),
    ]


# --- properties -------------------------------------------------------------------------


@st.composite
def merge_only(draw: st.DrawFn, olds: list[str], prefix: str) -> pl.DataFrame:
    """Every old unit goes wholly (weight 1) to one new unit."""
    n_new = draw(st.integers(1, len(olds)))
    targets = draw(st.lists(st.integers(0, n_new - 1), min_size=len(olds), max_size=len(olds)))
    return pl.DataFrame(
        {
            "old_unit": olds,
            "new_unit": [f"{prefix}{t}" for t in targets],
            "weight": [1.0] * len(olds),
        }
    )


@st.composite
def with_splits(draw: st.DrawFn, olds: list[str]) -> pl.DataFrame:
    rows: list[tuple[str, str, float]] = []
    for old in olds:
        parts = draw(st.lists(st.integers(0, 4), min_size=1, max_size=3, unique=True))
        raw = draw(st.lists(st.integers(1, 9), min_size=len(parts), max_size=len(parts)))
        rows += [(old, f"n{p}", r / sum(raw)) for p, r in zip(parts, raw, strict=True)]
    return pl.DataFrame(rows, schema=["old_unit", "new_unit", "weight"], orient="row")


UNITS = [f"u{i}" for i in range(8)]


@settings(max_examples=40, deadline=None)
@given(
    counts=st.lists(st.integers(0, 10_000), min_size=len(UNITS), max_size=len(UNITS)),
    walk=with_splits(UNITS),
)
def test_rebasing_a_count_preserves_the_total(counts: list[int], walk: pl.DataFrame) -> None:
    values = _values(
        [(u, "poor_households", float(c), None, None) for u, c in zip(UNITS, counts, strict=True)]
    )
    out = rebase_values(values, walk, MEASURES, date=D).values
    assert out.get_column("value").sum() == pytest.approx(sum(counts))


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_rebasing_twice_equals_once_without_splits(data: st.DataObject) -> None:
    first = data.draw(merge_only(UNITS, "m"))
    mids = sorted(set(first.get_column("new_unit").to_list()))
    second = data.draw(merge_only(mids, "f"))
    counts = data.draw(st.lists(st.integers(0, 500), min_size=len(UNITS), max_size=len(UNITS)))
    nums = data.draw(st.lists(st.integers(0, 50), min_size=len(UNITS), max_size=len(UNITS)))
    rows: list[Row] = [
        (u, "poor_households", float(c), None, None) for u, c in zip(UNITS, counts, strict=True)
    ]
    rows += [(u, "clean_water", None, float(n), 50.0) for u, n in zip(UNITS, nums, strict=True)]
    rows += [(u, "market", float(c % 2), None, None) for u, c in zip(UNITS, counts, strict=True)]
    values = _values(rows)
    mid = rebase_values(values, first, MEASURES, date=dt.date(2020, 1, 1)).for_engine()
    twice = rebase_values(mid, second, MEASURES, date=D).values
    once = rebase_values(values, compose_crosswalks(first, second), MEASURES, date=D).values
    cols = ["unit", "measure", "period", "value", "numerator", "denominator"]
    # Without splits a unit is unchanged through both steps exactly when it is unchanged
    # through the composed crosswalk, so even the yes/no values that carry over agree.
    assert (
        twice.filter(pl.col("comparable"))
        .select(cols)
        .equals(once.filter(pl.col("comparable")).select(cols))
    )
    assert once.filter(pl.col("measure") != "market").get_column("comparable").all()
