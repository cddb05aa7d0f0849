"""Benchmark of the evaluation engine on a simulated national dataset.

Run: .venv/bin/python benchmarks/evaluate.py [--units N] [--years A-B] [--repeat R]

The dataset is SIMULATED: 10.040 made-up communes (codes SIM00001...) spread over the 7 regions,
every measure of the 49 indicators of vn-ntm-xa-2016-2020 for 10 years (2011-2020, evaluated
with check_period=False), one row per (commune, measure, year), a fifth of them with a verified
row beside the claimed one. It is laid out as a database export would be: ordered by commune,
year and measure, with the keys as Polars Enum (dictionary) columns.

Three evaluators run in this process on the same data:
  * the engine: `evaluate` (every indicator row explained) and `evaluate_counts` (counts only);
  * the plain row-by-row reference evaluator (`ntm.evaluation.reference`) on a sample of
    communes -- the full run would take minutes -- whose three frames must equal the engine's
    rows for those communes;
  * the same pass/fail logic as ONE DuckDB SQL query over the same frames, as an analyst would
    write it; its per-commune counts must equal the engine's.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from ntm.criteria.loader import load_measures, load_set
from ntm.criteria.resolve import resolve
from ntm.criteria.schema import NUMERIC_OPS, CriteriaSet
from ntm.evaluation import evaluate, evaluate_counts
from ntm.evaluation import semantics as S
from ntm.evaluation.reference import evaluate_reference

SET_ID = "vn-ntm-xa-2016-2020"
REGIONS = ("TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL")
# Rough shares of communes per region (simulated, for a realistic spread of thresholds).
REGION_WEIGHTS = (0.23, 0.19, 0.16, 0.09, 0.06, 0.05, 0.22)
TARGET_EXPLAINED_S = 0.5
TARGET_COUNTS_RATIO = 3.0

T = TypeVar("T")


# ------------------------------------------------------------------------------ simulated data


def _uniform(n: int, seed: int) -> pl.Expr:
    """Deterministic pseudo-random numbers in [0, 1) for rows 0..n-1 (hash of the row index)."""
    return (pl.int_range(0, n, dtype=pl.UInt64).hash(seed) % 1_000_003).cast(pl.Float64) / 1_000_003


def simulate(
    cset: CriteriaSet, n_units: int, years: list[int]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Simulated units and values for every measure the set reads (see module docstring)."""
    measures = load_measures()
    keys = list(
        dict.fromkeys(
            c.measure for cr in cset.criteria for i in cr.indicators for c in i.conditions
        )
    )
    codes = [f"SIM{i:05d}" for i in range(1, n_units + 1)]
    bounds = []
    acc = 0.0
    for w in REGION_WEIGHTS:
        acc += w
        bounds.append(acc)
    region = [
        REGIONS[next(i for i, b in enumerate(bounds) if (k + 0.5) / n_units <= b + 1e-12)]
        if n_units
        else REGIONS[0]
        for k in range(n_units)
    ]
    units = pl.DataFrame(
        {
            "unit": codes,
            "province": [f"P{(k * 63) // max(n_units, 1):02d}" for k in range(n_units)],
            "region": region,
            "commune_group": pl.Series([None] * n_units, dtype=pl.String),
            "special_difficulty": [False] * n_units,
            "safe_zone_poor_district": [False] * n_units,
        }
    )
    nm, ny = len(keys), len(years)
    n = n_units * ny * nm
    kind = pl.Series([measures[k].kind for k in keys])
    # A share with a ceiling (poor households, stunting) is low instead.
    ceiling = {
        c.measure
        for cr in cset.criteria
        for i in cr.indicators
        for c in i.conditions
        if c.op == "<="
    }
    base = pl.select(
        uid=pl.int_range(0, n, dtype=pl.UInt32) // (ny * nm),
        yi=(pl.int_range(0, n, dtype=pl.UInt32) // nm) % ny,
        mid=pl.int_range(0, n, dtype=pl.UInt32) % nm,
        u=_uniform(n, 1),
        w=_uniform(n, 2),
        z=_uniform(n, 3),
    ).with_columns(
        kind=pl.lit(kind).gather(pl.col("mid")),
        ceiling=pl.lit(pl.Series([k in ceiling for k in keys])).gather(pl.col("mid")),
    )
    # Shares: three quarters of the cells at 100 %, the rest spread over 50-100 %; 1 % of the
    # cells have no denominator. Yes/no 97 % "Đạt"; counts that must be zero 95 % zero.
    den = (50 + (pl.col("w") * 1950).floor()).cast(pl.Float64)
    high = pl.when(pl.col("u") > 0.25).then(1.0).otherwise(0.5 + 2 * pl.col("u"))
    share = pl.when(pl.col("ceiling")).then(1.0 - high).otherwise(high)
    values = base.select(
        unit=pl.lit(pl.Series(codes)).gather(pl.col("uid")).cast(pl.Enum(codes)),
        measure=pl.lit(pl.Series(keys)).gather(pl.col("mid")).cast(pl.Enum(keys)),
        period=pl.lit(pl.Series(years, dtype=pl.Int32)).gather(pl.col("yi")),
        value=pl.when(pl.col("kind") == "yesno")
        .then((pl.col("u") < 0.97).cast(pl.Float64))
        .when(pl.col("kind") == "count")
        .then(pl.when(pl.col("u") < 0.95).then(0.0).otherwise((pl.col("w") * 40).floor()))
        .when(pl.col("kind") == "number")
        .then(30 + pl.col("u") * 40)
        .otherwise(None),
        numerator=pl.when(pl.col("kind") == "share").then((share * den).round(0)),
        denominator=pl.when(pl.col("kind") == "share").then(
            pl.when(pl.col("z") < 0.01).then(None).otherwise(den)
        ),
        not_applicable=pl.lit(False),
        stage=pl.when(pl.col("z") > 0.8)
        .then(pl.lit("verified"))
        .otherwise(pl.lit("claimed"))
        .cast(pl.Enum(list(S.STAGES))),
    )
    return units, values


# ------------------------------------------------------------------------------ the DuckDB peer


def threshold_table(cset: CriteriaSet, years: list[int]) -> pl.DataFrame:
    """What an analyst prepares beside the data: the threshold per year, region and condition."""
    rows = []
    for year in years:
        rs = resolve(cset, year, check_period=False)
        for cr in cset.criteria:
            for ind in cr.indicators:
                for k, cond in enumerate(ind.conditions):
                    if cond.op not in NUMERIC_OPS:
                        continue
                    for region in REGIONS:
                        _, cell = rs.lookup(ind.code, k, rs.unit_column(region, None, ()))
                        rows.append((year, region, ind.code, k, cell.value))
    return pl.DataFrame(
        rows,
        schema={
            "period": pl.Int32,
            "region": pl.String,
            "indicator": pl.String,
            "condition": pl.Int32,
            "threshold": pl.Float64,
        },
        orient="row",
    )


def condition_table(cset: CriteriaSet) -> pl.DataFrame:
    measures = load_measures()
    rows = [
        (
            cr.number,
            ind.code,
            k,
            cond.measure,
            cond.op,
            measures[cond.measure].kind == "share",
            ind.may_be_not_applicable,
        )
        for cr in cset.criteria
        for ind in cr.indicators
        for k, cond in enumerate(ind.conditions)
    ]
    return pl.DataFrame(
        rows,
        schema={
            "criterion": pl.Int32,
            "indicator": pl.String,
            "condition": pl.Int32,
            "measure": pl.String,
            "op": pl.String,
            "is_share": pl.Boolean,
            "may_na": pl.Boolean,
        },
        orient="row",
    )


DUCKDB_QUERY = f"""
WITH v AS (  -- one row per key: verified where it exists, else claimed
    SELECT * FROM vals WHERE stage = 'verified'
    UNION ALL
    SELECT c.* FROM vals c ANTI JOIN (SELECT unit, measure, period FROM vals
                                      WHERE stage = 'verified') w USING (unit, measure, period)
    WHERE c.stage = 'claimed'
),
s AS (  -- status per present condition: 0 n/a, 1 met, 2 no threshold, 3 no data, 4 not met
    SELECT v.unit, v.period, c.criterion, CASE
        WHEN v.not_applicable AND c.may_na THEN 0
        WHEN v.not_applicable OR x IS NULL OR isnan(x) THEN 3
        WHEN c.op = 'yes' THEN CASE WHEN x = 1 THEN 1 WHEN x = 0 THEN 4 ELSE 3 END
        WHEN c.op = 'none' THEN CASE WHEN abs(x) <= {S.ABS_TOL} THEN 1 WHEN x < 0 THEN 3 ELSE 4 END
        WHEN t.threshold IS NULL THEN 2
        WHEN c.op = '>=' AND x >= t.threshold - {S.REL_TOL} * greatest(1, abs(t.threshold)) THEN 1
        WHEN c.op = '<=' AND x <= t.threshold + {S.REL_TOL} * greatest(1, abs(t.threshold)) THEN 1
        WHEN c.op = '==' AND abs(x - t.threshold) <= {S.REL_TOL} * greatest(1, abs(t.threshold))
            THEN 1
        ELSE 4 END AS status
    FROM v
    JOIN conds c ON c.measure = v.measure
    JOIN units u ON u.unit = v.unit
    LEFT JOIN th t ON t.period = v.period AND t.region = u.region
                   AND t.indicator = c.indicator AND t.condition = c.condition,
    LATERAL (SELECT CASE WHEN c.is_share THEN 100.0 * v.numerator / NULLIF(v.denominator, 0)
                         ELSE v.value END AS x)
),
k AS (  -- per criterion: worst present status; an absent condition is missing data
    SELECT unit, period, criterion,
           greatest(max(status), CASE WHEN count(*) < any_value(n) THEN 3 ELSE 0 END) AS status
    FROM s JOIN (SELECT criterion, count(*) AS n FROM conds GROUP BY ALL) USING (criterion)
    GROUP BY ALL
),
grid AS (  -- every commune and year, every criterion (criteria without data are missing)
    SELECT u.unit, y.period, count(k.status) FILTER (WHERE k.status = 1) AS met
    FROM units u CROSS JOIN years y LEFT JOIN k ON k.unit = u.unit AND k.period = y.period
    GROUP BY ALL
)
SELECT unit, period, met, met = (SELECT count(*) FROM criteria) AS meets_set FROM grid
"""


# For context only: what a quick query without stage precedence, without missing-data detection
# and without the tolerance takes. It is NOT the same logic and can give other results.
DUCKDB_SIMPLIFIED = """
WITH s AS (
    SELECT v.unit, v.period, c.criterion, max(CASE
        WHEN x IS NULL THEN 3
        WHEN c.op = 'yes' THEN CASE WHEN x = 1 THEN 1 ELSE 4 END
        WHEN c.op = 'none' THEN CASE WHEN x = 0 THEN 1 ELSE 4 END
        WHEN t.threshold IS NULL THEN 2
        WHEN c.op = '>=' AND x >= t.threshold THEN 1
        WHEN c.op = '<=' AND x <= t.threshold THEN 1
        WHEN c.op = '==' AND x = t.threshold THEN 1 ELSE 4 END) AS status
    FROM vals v JOIN conds c USING (measure) JOIN units u USING (unit)
    LEFT JOIN th t ON t.period = v.period AND t.region = u.region
                   AND t.indicator = c.indicator AND t.condition = c.condition,
    LATERAL (SELECT CASE WHEN c.is_share THEN 100.0 * v.numerator / NULLIF(v.denominator, 0)
                         ELSE v.value END AS x)
    GROUP BY ALL
)
SELECT unit, period, count(*) FILTER (WHERE status = 1) AS met FROM s GROUP BY ALL
"""


# ------------------------------------------------------------------------------ running


@dataclass
class Timing:
    name: str
    seconds: list[float]

    @property
    def best(self) -> float:
        return min(self.seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(name: str, repeat: int, fn: Callable[[], T]) -> tuple[Timing, T]:
    seconds = []
    result: T | None = None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        seconds.append(time.perf_counter() - start)
    assert result is not None
    return Timing(name, seconds), result


def machine() -> str:
    cpu = platform.processor() or "?"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return (
        f"CPU {cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
        f"Polars {pl.__version__}, DuckDB {duckdb.__version__}; {platform.system()} "
        f"{platform.release()}"
    )


class _ArrowStream:
    """Hands a Polars frame to DuckDB through the Arrow C stream interface (no pyarrow)."""

    def __init__(self, frame: pl.DataFrame) -> None:
        self.frame = frame

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> object:
        return self.frame.__arrow_c_stream__(requested_schema)


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Enum).cast(pl.String))


def run(n_units: int, years: list[int], repeat: int, sample_units: int) -> dict[str, Any]:
    cset = load_set(SET_ID)
    kw: dict[str, Any] = {"years": years, "check_period": False}
    units, values = simulate(cset, n_units, years)
    n_values = values.height
    out: dict[str, Any] = {"units": n_units, "years": years, "values": n_values}

    t_full, ev = timed("evaluate", repeat, lambda: evaluate(cset, units, values, **kw))
    t_counts, counts = timed(
        "evaluate_counts", repeat, lambda: evaluate_counts(cset, units, values, **kw)
    )
    assert_frame_equal(counts, ev.communes)
    string_values = values.with_columns(pl.col("unit", "measure", "stage").cast(pl.String))
    t_counts_str, counts_str = timed(
        "evaluate_counts, String keys",
        repeat,
        lambda: evaluate_counts(cset, units, string_values, **kw),
    )
    assert_frame_equal(counts_str, counts)
    # The same rows in random order: the general path (no key-order shortcut for duplicates).
    shuffled = values.sample(fraction=1.0, shuffle=True, seed=7)
    t_counts_shuffled, counts_shuffled = timed(
        "evaluate_counts, rows shuffled",
        repeat,
        lambda: evaluate_counts(cset, units, shuffled, **kw),
    )
    assert_frame_equal(counts_shuffled, counts)

    # DuckDB: the same frames loaded into its own tables (not timed), the thresholds as an
    # analyst's table; the query's result is materialised as a table, as ours is a frame.
    con = duckdb.connect()
    con.execute(f"PRAGMA threads={os.cpu_count() or 1}")
    tables = {
        "vals": values,
        "units": units.select("unit", "region"),
        "years": pl.DataFrame({"period": pl.Series(years, dtype=pl.Int32)}),
        "conds": condition_table(cset),
        "criteria": pl.DataFrame({"criterion": [c.number for c in cset.criteria]}),
        "th": threshold_table(cset, years),
    }
    for name, frame in tables.items():
        con.register(f"{name}_in", _ArrowStream(frame))
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_in")
    sql = f"CREATE OR REPLACE TABLE result AS {DUCKDB_QUERY}"
    t_duck, _ = timed("duckdb (one SQL query)", repeat, lambda: con.execute(sql))
    simplified = f"CREATE OR REPLACE TABLE quick AS {DUCKDB_SIMPLIFIED}"
    t_quick, _ = timed("duckdb, simplified logic", repeat, lambda: con.execute(simplified))
    duck = pl.DataFrame(
        con.execute("SELECT unit, period, met, meets_set FROM result").fetchall(),
        schema={"unit": pl.String, "period": pl.Int32, "met": pl.UInt32, "meets_set": pl.Boolean},
        orient="row",
    )
    mine = counts.select("unit", "period", "met", "meets_set")
    assert_frame_equal(duck.sort("unit", "period"), mine.sort("unit", "period"))

    # Reference on a sample of communes (the first ones; every region is near the start).
    step = max(n_units // max(sample_units, 1), 1)
    sample = units.gather(list(range(0, n_units, step))[:sample_units])
    sample_values = values.filter(
        pl.col("unit").cast(pl.String).is_in(sample.get_column("unit").to_list())
    )
    t_ref, ref = timed(
        "reference", 1, lambda: evaluate_reference(cset, sample, sample_values, **kw)
    )
    codes = sample.get_column("unit").to_list()
    for name in ("indicators", "criteria", "communes"):
        engine_rows = _plain(getattr(ev, name)).filter(pl.col("unit").is_in(codes))
        assert_frame_equal(engine_rows, getattr(ref, name))
    out.update(
        timings=[t_full, t_counts, t_counts_str, t_counts_shuffled, t_duck, t_quick, t_ref],
        sample_units=sample.height,
        sample_values=sample_values.height,
        indicator_rows=ev.indicators.height,
        meeting=int(counts.get_column("meets_set").sum()),
    )
    return out


def report(out: dict[str, Any]) -> str:
    t_full, t_counts, t_counts_str, t_shuffled, t_duck, t_quick, t_ref = out["timings"]
    n = out["values"]
    ref_rate = out["sample_values"] / t_ref.best
    lines = [
        "Đánh giá bộ tiêu chí — benchmark trên dữ liệu MÔ PHỎNG (simulated data)",
        f"Machine: {machine()}",
        f"Data: {out['units']:,} simulated communes x {len(out['years'])} years "
        f"({out['years'][0]}-{out['years'][-1]}) x the measures of {SET_ID} = {n:,} values; "
        f"{out['indicator_rows']:,} explained indicator rows; "
        f"{out['meeting']:,} commune-years meet the set.",
        f"Timings: best (median) of {len(t_full.seconds)} runs.",
        "",
    ]
    for t in (t_full, t_counts, t_counts_str, t_shuffled, t_duck, t_quick):
        lines.append(
            f"  {t.name:32s} {t.best:8.3f} s ({t.median:.3f})  {n / t.best:14,.0f} values/s"
        )
    lines.append(
        f"  {'reference (row by row)':32s} {t_ref.best:8.3f} s  on {out['sample_units']} "
        f"communes = {out['sample_values']:,} values  {ref_rate:14,.0f} values/s"
    )
    lines += [
        "",
        f"  engine evaluate vs reference:        {n / t_full.best / ref_rate:8.1f}x faster "
        f"(values/s; reference measured on the sample)",
        f"  evaluate_counts vs DuckDB query:     {t_duck.best / t_counts.best:8.2f}x faster",
        f"  evaluate (explained) vs DuckDB query: {t_duck.best / t_full.best:8.2f}x",
        f"  evaluate_counts vs simplified DuckDB: {t_quick.best / t_counts.best:8.2f}x "
        "(not the same logic: no stage precedence, no missing-data detection, no tolerance)",
        "  Results: reference == engine on the sample (all three frames); "
        "DuckDB counts == engine counts (every commune-year).",
        "",
    ]
    ok_full = t_full.best <= TARGET_EXPLAINED_S
    ratio = t_duck.best / t_counts.best
    ok_counts = ratio >= TARGET_COUNTS_RATIO
    lines.append(
        f"  target: explained evaluation <= {TARGET_EXPLAINED_S} s: "
        f"{'MET' if ok_full else 'NOT MET'} ({t_full.best:.3f} s)"
    )
    lines.append(
        f"  target: counts >= {TARGET_COUNTS_RATIO}x faster than DuckDB: "
        f"{'MET' if ok_counts else 'NOT MET'} ({ratio:.2f}x)"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=10_040)
    parser.add_argument("--years", default="2011-2020")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=100, help="communes for the reference")
    args = parser.parse_args(argv)
    first, last = (int(x) for x in args.years.split("-"))
    out = run(args.units, list(range(first, last + 1)), args.repeat, args.sample)
    print(report(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
