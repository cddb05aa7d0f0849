"""Boundary tests generated from the bundled set files.

For every numeric threshold cell that has a value, in every column and every year where it
differs from the year before, three communes are evaluated: exactly at the threshold, just below
and just above it (by 1e-6 of the threshold, a thousand times the engine's tolerance). Each
commune is built so that this cell's column is the one the law's walk uses (its region, its
commune group, or no column at all for the national cell). Shares are given as numerator and
denominator, so "exactly at" goes through 100 * numerator / denominator.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl
import pytest

from ntm.criteria.loader import bundled_set_ids, load_measures, load_set
from ntm.criteria.resolve import resolve
from ntm.criteria.schema import NUMERIC_OPS
from ntm.evaluation import Evaluation, evaluate

DENOMINATOR = 1e6
EXPECTED = {
    ">=": {"at": "met", "below": "not_met", "above": "met"},
    "<=": {"at": "met", "below": "met", "above": "not_met"},
    "==": {"at": "met", "below": "not_met", "above": "not_met"},
}


@dataclass(frozen=True)
class Case:
    set_id: str
    year: int
    indicator: str
    condition: int
    column: str
    column_kind: str
    measure: str
    op: str
    threshold: float

    @property
    def id(self) -> str:
        return f"{self.set_id}/{self.year}/{self.indicator}#{self.condition}/{self.column}"

    def unit(self, where: str) -> str:
        return f"{self.indicator}#{self.condition}/{self.column}/{where}"


def _cases() -> list[Case]:
    cases: list[Case] = []
    for set_id in bundled_set_ids():
        cset = load_set(set_id)
        kinds = {c.code: c.kind for c in cset.columns}
        seen: dict[tuple[str, int, str], float | None] = {}
        for year in range(cset.period.start_year, cset.period.end_year + 1):
            rs = resolve(cset, year)
            for criterion in cset.criteria:
                for ind in criterion.indicators:
                    for k, cond in enumerate(ind.conditions):
                        if cond.op not in NUMERIC_OPS:
                            continue
                        for column in kinds:
                            cell = rs.cells[(ind.code, k, column)]
                            key = (ind.code, k, column)
                            if cell.value is None or seen.get(key) == cell.value:
                                continue
                            seen[key] = cell.value
                            cases.append(
                                Case(
                                    set_id,
                                    year,
                                    ind.code,
                                    k,
                                    column,
                                    kinds[column],
                                    cond.measure,
                                    cond.op,
                                    cell.value,
                                )
                            )
    return cases


CASES = _cases()


def _row(case: Case, where: str) -> dict[str, Any]:
    t = case.threshold
    delta = 1e-6 * max(1.0, abs(t))
    v = {"at": t, "below": t - delta, "above": t + delta}[where]
    share = load_measures()[case.measure].kind == "share"
    return {
        "unit": case.unit(where),
        "measure": case.measure,
        "period": case.year,
        "value": None if share else v,
        "numerator": v * DENOMINATOR / 100 if share else None,
        "denominator": DENOMINATOR if share else None,
        "stage": "claimed",
    }


@cache
def _evaluation(set_id: str, year: int) -> Evaluation:
    mine = [c for c in CASES if (c.set_id, c.year) == (set_id, year)]
    units = pl.DataFrame(
        [
            {
                "unit": c.unit(where),
                "province": None,
                "region": c.column if c.column_kind == "region" else None,
                "commune_group": c.column if c.column_kind == "commune_group" else None,
            }
            for c in mine
            for where in ("at", "below", "above")
        ],
        schema={
            "unit": pl.String,
            "province": pl.String,
            "region": pl.String,
            "commune_group": pl.String,
        },
    )
    values = pl.DataFrame(
        [_row(c, where) for c in mine for where in ("at", "below", "above")],
        schema={
            "unit": pl.String,
            "measure": pl.String,
            "period": pl.Int32,
            "value": pl.Float64,
            "numerator": pl.Float64,
            "denominator": pl.Float64,
            "stage": pl.String,
        },
    )
    return evaluate(load_set(set_id), units, values, years=[year])


def test_cases_are_generated() -> None:
    assert {c.set_id for c in CASES} >= {"vn-ntm-xa-2016-2020"}
    assert len(CASES) > 100


def _has_unvalued_cell(set_id: str, year: int) -> bool:
    """Whether some numeric condition finds no value in any column that year."""
    cset = load_set(set_id)
    rs = resolve(cset, year)
    return any(
        rs.lookup(ind.code, k, column.code)[1].value is None
        for criterion in cset.criteria
        for ind in criterion.indicators
        for k, cond in enumerate(ind.conditions)
        if cond.op in NUMERIC_OPS
        for column in cset.columns
    )


SET_YEARS = [
    (set_id, year)
    for set_id in bundled_set_ids()
    for year in range(load_set(set_id).period.start_year, load_set(set_id).period.end_year + 1)
    if _has_unvalued_cell(set_id, year)
]


def test_set_years_with_unvalued_cells_are_found() -> None:
    # Income 2016-2019 has no threshold in the 2016-2020 set; 2020 has one in every column.
    assert ("vn-ntm-xa-2016-2020", 2019) in SET_YEARS


@pytest.mark.parametrize(("set_id", "year"), SET_YEARS, ids=[f"{s}/{y}" for s, y in SET_YEARS])
def test_cells_without_a_value_give_missing_threshold(set_id: str, year: int) -> None:
    """Where the walk finds no value (every column missing), a value is never judged."""
    cset = load_set(set_id)
    rs = resolve(cset, year)
    measures = load_measures()
    units: list[dict[str, Any]] = []
    values: list[dict[str, Any]] = []
    expected: dict[tuple[str, str, int], str] = {}
    for criterion in cset.criteria:
        for ind in criterion.indicators:
            for k, cond in enumerate(ind.conditions):
                if cond.op not in NUMERIC_OPS:
                    continue
                for column in cset.columns:
                    used, cell = rs.lookup(ind.code, k, column.code)
                    if cell.value is not None:
                        continue
                    code = f"{ind.code}#{k}/{column.code}"
                    units.append(
                        {
                            "unit": code,
                            "region": column.code if column.kind == "region" else None,
                            "commune_group": column.code
                            if column.kind == "commune_group"
                            else None,
                        }
                    )
                    share = measures[cond.measure].kind == "share"
                    values.append(
                        {
                            "unit": code,
                            "measure": cond.measure,
                            "period": year,
                            "value": None if share else 1.0,
                            "numerator": 1.0 if share else None,
                            "denominator": 2.0 if share else None,
                        }
                    )
                    expected[(code, ind.code, k)] = used
    assert units, "SET_YEARS lists only set-years with a cell that has no value"
    ev = evaluate(
        cset,
        pl.DataFrame(
            units, schema={"unit": pl.String, "region": pl.String, "commune_group": pl.String}
        ),
        pl.DataFrame(
            values,
            schema={
                "unit": pl.String,
                "measure": pl.String,
                "period": pl.Int32,
                "value": pl.Float64,
                "numerator": pl.Float64,
                "denominator": pl.Float64,
            },
        ),
        years=[year],
    )
    got = {
        (r["unit"], r["indicator"], r["condition"]): r
        for r in ev.indicators.with_columns(pl.col(pl.Enum).cast(pl.String)).iter_rows(named=True)
    }
    for key, used in expected.items():
        r = got[key]
        assert (r["status"], r["threshold"], r["threshold_status"], r["column"]) == (
            "missing_threshold",
            None,
            "missing",
            used,
        ), key


@pytest.mark.parametrize("case", [pytest.param(c, id=c.id) for c in CASES])
def test_threshold_boundary(case: Case) -> None:
    ev = _evaluation(case.set_id, case.year)
    rows = (
        ev.indicators.filter(
            (pl.col("indicator") == case.indicator) & (pl.col("condition") == case.condition)
        )
        .with_columns(pl.col(pl.Enum).cast(pl.String))
        .filter(pl.col("unit").str.starts_with(case.unit("")))
    )
    got = {r["unit"].rsplit("/", 1)[1]: r for r in rows.iter_rows(named=True)}
    assert set(got) == {"at", "below", "above"}
    for where, status in EXPECTED[case.op].items():
        r = got[where]
        assert r["column"] == case.column, where
        assert r["threshold"] == case.threshold, where
        assert r["status"] == status, (where, r["value"], case.threshold)
