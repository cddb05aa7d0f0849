"""Thresholds by commune group (2026-2030): the group picks the column; a commune without a
group gets *missing_group* where the threshold depends on the group, never a guessed column.
The thresholds are made up (TEST, `helpers.grouped_test_set`)."""

from __future__ import annotations

from typing import Any

import polars as pl
from polars.testing import assert_frame_equal

from ntm.criteria.schema import NO_GROUP, Overlay
from ntm.evaluation import evaluate, evaluate_counts
from ntm.evaluation.reference import evaluate_reference
from ntm.evaluation.tests.helpers import TEST_INCOME, grouped_test_set

SET = grouped_test_set()
YEAR = 2026
UNITS = pl.DataFrame(
    {
        "unit": ["g1", "g2", "g3", "none"],
        "province": ["99"] * 4,
        "region": ["TDMNPB"] * 4,
        "commune_group": ["group_1", "group_2", "group_3", None],
    }
)


def _values(income: float) -> pl.DataFrame:
    rows: list[dict[str, Any]] = []
    for unit in UNITS.get_column("unit"):
        rows += [
            {"unit": unit, "measure": "income_per_capita", "period": YEAR, "value": income},
            {
                "unit": unit,
                "measure": "poor_near_poor_household_share",
                "period": YEAR,
                "numerator": 4.0,
                "denominator": 100.0,
            },
            {"unit": unit, "measure": "planning_general_plan", "period": YEAR, "value": 1.0},
        ]
    return pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "period": pl.Int32,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
        },
    )


def _rows(income: float) -> dict[tuple[str, str], dict[str, Any]]:
    ev = evaluate(SET, UNITS, _values(income), years=[YEAR])
    plain = ev.indicators.with_columns(pl.col(pl.Enum).cast(pl.String))
    return {(r["unit"], r["indicator"]): r for r in plain.iter_rows(named=True)}


def test_the_group_picks_the_threshold_column() -> None:
    rows = _rows(75.0)  # meets group 2 (70) and 3 (50), not group 1 (80)
    for unit, group, status in (
        ("g1", "group_1", "not_met"),
        ("g2", "group_2", "met"),
        ("g3", "group_3", "met"),
    ):
        r = rows[(unit, "T3.1")]
        assert (r["column"], r["threshold"], r["status"]) == (group, TEST_INCOME[group], status)


def test_without_a_group_a_grouped_threshold_is_missing_group() -> None:
    rows = _rows(1000.0)  # above every group's threshold: still no result without a group
    r = rows[("none", "T3.1")]
    assert (r["column"], r["threshold"], r["status"]) == (NO_GROUP, None, "missing_group")
    # A threshold the same for every group (one national cell) and a yes/no still apply.
    assert rows[("none", "T6.1")]["status"] == "met"
    assert rows[("none", "T6.1")]["column"] == "national"
    assert rows[("none", "T1.1")]["status"] == "met"


def test_missing_group_is_neither_met_nor_failing() -> None:
    ev = evaluate(SET, UNITS, _values(1000.0), years=[YEAR])
    crit = ev.criteria.filter((pl.col("unit") == "none") & (pl.col("criterion") == 3))
    assert crit.get_column("status").cast(pl.String).to_list() == ["missing_group"]
    communes = {r["unit"]: r for r in ev.communes.iter_rows(named=True)}
    assert communes["g1"]["met"] == communes["none"]["met"] + 1
    assert communes["none"]["not_met"] == 0
    assert communes["none"]["missing"] == communes["g1"]["missing"] + 1
    assert communes["none"]["meets_set"] is False


def test_missing_data_outranks_missing_group() -> None:
    values = _values(75.0).filter(
        ~((pl.col("unit") == "none") & (pl.col("measure") == "income_per_capita"))
    )
    ev = evaluate(SET, UNITS, values, years=[YEAR])
    row = ev.indicators.filter((pl.col("unit") == "none") & (pl.col("indicator") == "T3.1"))
    assert row.get_column("status").cast(pl.String).to_list() == ["missing_data"]


def test_a_province_cell_applies_without_a_group() -> None:
    overlay = Overlay.model_validate(
        {
            "kind": "overlay",
            "id": "test-overlay",
            "province_name": "Tỉnh Thử Nghiệm",
            "extends": SET.id,
            "province_code": "99",
            "legal_basis": {"number": "TEST/QĐ-UBND"},
            "cells": [
                {
                    "indicator": "T3.1",
                    "condition": 0,
                    "column": "province",
                    "value": 60,
                    "status": "unverified",
                }
            ],
        }
    )
    ev = evaluate(SET, UNITS, _values(75.0), years=[YEAR], overlays=[overlay])
    row = ev.indicators.filter((pl.col("unit") == "none") & (pl.col("indicator") == "T3.1"))
    assert row.select(pl.col("column", "status").cast(pl.String)).row(0) == ("province", "met")


def test_engine_and_reference_agree_on_groups() -> None:
    for income in (40.0, 75.0, 1000.0):
        values = _values(income)
        ev = evaluate(SET, UNITS, values, years=[YEAR])
        ref = evaluate_reference(SET, UNITS, values, years=[YEAR])
        for name in ("indicators", "criteria", "communes"):
            got = getattr(ev, name).with_columns(pl.col(pl.Enum).cast(pl.String))
            want = getattr(ref, name).with_columns(pl.col(pl.Enum).cast(pl.String))
            assert_frame_equal(got, want, check_dtypes=False)
        assert_frame_equal(evaluate_counts(SET, UNITS, values, years=[YEAR]), ev.communes)
