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
    write it (the issue's peer), and the same logic hand-tuned for speed (a harder peer); the
    per-commune counts of both must equal the engine's.
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
from ntm.criteria.schema import NUMERIC_OPS, CriteriaSet, Op
from ntm.evaluation import evaluate, evaluate_counts
from ntm.evaluation import semantics as S
from ntm.evaluation.reference import evaluate_reference

SET_ID = "vn-ntm-xa-2016-2020"
REGIONS = ("TDMNPB", "DBSH", "BTB", "DHNTB", "TN", "DNB", "DBSCL")
# Rough shares of communes per region (simulated, for a realistic spread of thresholds).
REGION_WEIGHTS = (0.23, 0.19, 0.16, 0.09, 0.06, 0.05, 0.22)
TARGET_EXPLAINED_S = 0.5
TARGET_COUNTS_RATIO = 3.0  # against the analyst's query (the peer)
TARGET_COUNTS_S = 0.09

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
        if c.op == Op.AT_MOST
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
        .then(pl.lit(S.Stage.VERIFIED))
        .otherwise(pl.lit(S.Stage.CLAIMED))
        .cast(pl.Enum(S.Stage)),
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
        for cr in sorted(cset.criteria, key=lambda c: c.number)
        for ind in cr.indicators
        for k, cond in enumerate(ind.conditions)
    ]
    # cid: the condition's position in criterion order (its bit in `duckdb_query`).
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
    ).with_row_index("cid")


def rules_sql() -> str:
    """The analyst's rule table, prepared once (not timed): one row per year, region and
    condition with the threshold already chosen (column fallback done by `threshold_table`)
    and the comparison written as bounds that include the tolerance, so the query compares
    without arithmetic on the threshold."""
    tol = f"{S.REL_TOL} * greatest(1, abs(t.threshold))"
    return f"""
    CREATE TABLE rules AS
    SELECT y.period, r.region::region_t AS region, c.measure::measure_t AS measure,
           c.criterion, c.cid, c.is_share,
           c.op = 'yes' AS is_yes,
           CASE WHEN c.may_na THEN 0 ELSE 3 END AS na_status,
           -- a count that must be zero may not be negative; other values have no floor
           CASE WHEN c.op = 'none' THEN -{S.ABS_TOL} ELSE '-inf'::DOUBLE END AS floor,
           CASE WHEN c.op = 'none' THEN -{S.ABS_TOL} WHEN c.op = '<=' THEN '-inf'::DOUBLE
                WHEN c.op IN ('>=', '==') THEN t.threshold - {tol} END AS lo,
           CASE WHEN c.op = 'none' THEN {S.ABS_TOL} WHEN c.op = '>=' THEN 'inf'::DOUBLE
                WHEN c.op IN ('<=', '==') THEN t.threshold + {tol} END AS hi,
           c.op IN ('>=', '<=', '==') AND t.threshold IS NULL AS no_threshold
    FROM conds c CROSS JOIN years y CROSS JOIN (SELECT DISTINCT region FROM units_in) r
    LEFT JOIN th t ON t.period = y.period AND t.region = r.region
                   AND t.indicator = c.indicator AND t.condition = c.condition
    """


# The status of one value against its rule: 0 not applicable, 1 met, 2 no threshold,
# 3 missing data, 4 not met (the order of `ntm.evaluation.semantics`).
_X = "CASE WHEN r.is_share THEN 100.0 * v.numerator / NULLIF(v.denominator, 0) ELSE v.value END"
_STATUS = """CASE
        WHEN v.not_applicable THEN r.na_status
        WHEN isnan(coalesce(x, 'NaN'::DOUBLE)) THEN 3
        WHEN r.is_yes THEN CASE x WHEN 1 THEN 1 WHEN 0 THEN 4 ELSE 3 END
        WHEN x < r.floor THEN 3
        WHEN r.no_threshold THEN 2
        WHEN x >= r.lo AND x <= r.hi THEN 1
        ELSE 4 END"""
_JOIN = """FROM vals v JOIN units u ON u.unit = v.unit
    JOIN rules r ON r.measure = v.measure AND r.period = v.period AND r.region = u.region"""


def duckdb_query(cset: CriteriaSet) -> str:
    """The same pass/fail logic as ONE query, hand-tuned for speed (the harder peer).

    One GROUP BY (unit, year, stage) gathers three bit masks over the conditions: present,
    met-or-not-applicable ("ok") and met. Verified wins condition by condition: a claimed bit
    counts only where no verified row exists. A criterion is met when all its conditions are
    ok and one is met; the set is met when every condition is ok (not applicable included);
    an absent condition is not ok, so missing data never passes. Units x years without any
    value are kept by the final join.
    """
    masks: dict[int, int] = {}
    cid = 0
    for cr in sorted(cset.criteria, key=lambda c: c.number):
        for ind in cr.indicators:
            for _ in ind.conditions:
                masks[cr.number] = masks.get(cr.number, 0) | (1 << cid)
                cid += 1
    # One bit per condition in a UBIGINT; every criterion needs at least one condition.
    assert cid <= 64 and len(masks) == len(cset.criteria)
    met = " + ".join(f"((ok & {m}) = {m} AND (met & {m}) <> 0)::INT" for m in masks.values())
    return f"""
WITH s AS (
    SELECT v.unit, v.period, v.stage, 1::UBIGINT << r.cid AS bit, {_STATUS} AS status
    {_JOIN}, LATERAL (SELECT {_X} AS x)
),
g AS (
    SELECT unit, period, stage, bit_or(bit) AS present,
           bit_or(CASE WHEN status <= 1 THEN bit ELSE 0 END) AS ok,
           bit_or(CASE WHEN status = 1 THEN bit ELSE 0 END) AS met
    FROM s GROUP BY ALL
),
e AS (  -- verified first; claimed only for conditions without a verified row
    SELECT unit, period,
           coalesce(any_value(ok) FILTER (stage = 'verified'), 0)
           | (coalesce(any_value(ok) FILTER (stage = 'claimed'), 0)
              & ~coalesce(any_value(present) FILTER (stage = 'verified'), 0)) AS ok,
           coalesce(any_value(met) FILTER (stage = 'verified'), 0)
           | (coalesce(any_value(met) FILTER (stage = 'claimed'), 0)
              & ~coalesce(any_value(present) FILTER (stage = 'verified'), 0)) AS met
    FROM g GROUP BY ALL
)
SELECT u.unit, y.period, coalesce({met}, 0) AS met,
       coalesce(ok = {sum(masks.values())}, false) AS meets_set
FROM units u CROSS JOIN years y LEFT JOIN e ON e.unit = u.unit AND e.period = y.period
"""


# The peer: the same logic as an analyst writes it -- verified rows, then claimed rows
# without a verified one (anti join); a status per value; the worst per criterion, missing when
# a condition is absent; counts per commune and year.
DUCKDB_PLAIN = f"""
WITH v AS (
    SELECT * FROM vals WHERE stage = 'verified'
    UNION ALL
    SELECT c.* FROM vals c ANTI JOIN (SELECT unit, measure, period FROM vals
                                      WHERE stage = 'verified') w USING (unit, measure, period)
    WHERE c.stage = 'claimed'
),
s AS (
    SELECT v.unit, v.period, r.criterion, {_STATUS} AS status
    {_JOIN.replace("FROM vals v", "FROM v")}, LATERAL (SELECT {_X} AS x)
),
k AS (
    SELECT unit, period, criterion,
           greatest(max(status), CASE WHEN count(*) < any_value(n) THEN 3 ELSE 0 END) AS status
    FROM s JOIN (SELECT criterion, count(*) AS n FROM conds GROUP BY ALL) USING (criterion)
    GROUP BY ALL
)
SELECT u.unit, y.period, count(*) FILTER (WHERE k.status = 1) AS met,
       count(*) FILTER (WHERE k.status <= 1) = (SELECT count(*) FROM criteria) AS meets_set
FROM units u CROSS JOIN years y LEFT JOIN k ON k.unit = u.unit AND k.period = y.period
GROUP BY ALL
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
    FROM vals_text v JOIN conds c USING (measure) JOIN units_in u USING (unit)
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


def duckdb_tables(
    cset: CriteriaSet, units: pl.DataFrame, values: pl.DataFrame, years: list[int]
) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect()
    con.execute(f"PRAGMA threads={os.cpu_count() or 1}")
    conds = condition_table(cset)
    text = {
        "vals_text": values,
        "units_in": units.select("unit", "region"),
        "years": pl.DataFrame({"period": pl.Series(years, dtype=pl.Int32)}),
        "conds": conds,
        "criteria": pl.DataFrame({"criterion": [c.number for c in cset.criteria]}),
        "th": threshold_table(cset, years),
    }
    for name, frame in text.items():
        con.register(f"{name}_arrow", _ArrowStream(frame))
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM {name}_arrow")
    con.execute("CREATE TYPE unit_t AS ENUM (SELECT unit FROM units_in ORDER BY unit)")
    con.execute("CREATE TYPE measure_t AS ENUM (SELECT DISTINCT measure FROM conds)")
    con.execute("CREATE TYPE stage_t AS ENUM ('claimed', 'verified')")
    regions = ", ".join(f"'{r}'" for r in REGIONS)
    con.execute(f"CREATE TYPE region_t AS ENUM ({regions})")
    con.execute(
        "CREATE TABLE units AS SELECT unit::unit_t AS unit, region::region_t AS region "
        "FROM units_in"
    )
    con.execute(
        "CREATE TABLE vals AS SELECT unit::unit_t AS unit, measure::measure_t AS measure, "
        "period, value, numerator, denominator, not_applicable, stage::stage_t AS stage "
        "FROM vals_text"
    )
    con.execute(rules_sql())
    return con


def _duck_counts(con: duckdb.DuckDBPyConnection, table: str) -> pl.DataFrame:
    return pl.DataFrame(
        con.execute(f"SELECT unit::VARCHAR, period, met, meets_set FROM {table}").fetchall(),
        schema={"unit": pl.String, "period": pl.Int32, "met": pl.UInt32, "meets_set": pl.Boolean},
        orient="row",
    )


def _sql(con: duckdb.DuckDBPyConnection, query: str, table: str, join_order: bool) -> None:
    # DuckDB's own join order builds units x rules (5 M rows) and probes it with the values;
    # the order as written (values -> the unit's region -> the rule) is the fast one.
    if join_order:
        con.execute("RESET disabled_optimizers")
    else:
        con.execute("SET disabled_optimizers = 'join_order'")
    con.execute(f"CREATE OR REPLACE TABLE {table} AS {query}")


def race(contenders: dict[str, Callable[[], object]], repeat: int) -> dict[str, Timing]:
    """Run every contender once per round, `repeat` rounds: a burst of load from another
    process then falls on all of them alike, so their ratios stay meaningful."""
    timings = {name: Timing(name, []) for name in contenders}
    for _ in range(repeat):
        for name, fn in contenders.items():
            start = time.perf_counter()
            fn()
            timings[name].seconds.append(time.perf_counter() - start)
    return timings


def run(n_units: int, years: list[int], repeat: int, sample_units: int) -> dict[str, Any]:
    cset = load_set(SET_ID)
    kw: dict[str, Any] = {"years": years, "check_period": False}
    units, values = simulate(cset, n_units, years)
    n_values = values.height
    out: dict[str, Any] = {"units": n_units, "years": years, "values": n_values}
    # The explained evaluation first on its own, run after itself, while the process holds
    # only the inputs -- as a process evaluating data would. In the race below it also runs,
    # but beside DuckDB's copy of the data and the other variants, whose memory churn costs
    # it about a fifth more on this machine; both are reported.
    t_alone, _ = timed("evaluate, on its own", repeat, lambda: evaluate(cset, units, values, **kw))
    string_values = values.with_columns(pl.col("unit", "measure", "stage").cast(pl.String))
    # The same rows in random order: the general path (scatter, duplicate check by marks).
    shuffled = values.sample(fraction=1.0, shuffle=True, seed=7)

    # DuckDB: the same frames loaded into its own tables (not timed), keys as ENUM types as
    # the engine's are Enum, the thresholds as an analyst's rule table; each query's result
    # is materialised as a table, as ours is a frame.
    con = duckdb_tables(cset, units, values, years)
    tuned, plain = duckdb_query(cset), DUCKDB_PLAIN
    timings = race(
        {
            "evaluate, in the race": lambda: evaluate(cset, units, values, **kw),
            "evaluate_counts": lambda: evaluate_counts(cset, units, values, **kw),
            "evaluate_counts, String keys": lambda: evaluate_counts(
                cset, units, string_values, **kw
            ),
            "evaluate_counts, rows shuffled": lambda: evaluate_counts(cset, units, shuffled, **kw),
            "duckdb, analyst's query": lambda: _sql(con, plain, "plain", join_order=False),
            "duckdb, hand-tuned query": lambda: _sql(con, tuned, "tuned", join_order=False),
            # The simplified query as first written: text keys, DuckDB's own join order.
            "duckdb, simplified logic": lambda: _sql(
                con, DUCKDB_SIMPLIFIED, "quick", join_order=True
            ),
        },
        repeat,
    )

    timings = {t_alone.name: t_alone, **timings}

    # Every result checked once, outside the timing.
    ev = evaluate(cset, units, values, **kw)
    counts = evaluate_counts(cset, units, values, **kw)
    assert_frame_equal(counts, ev.communes)
    assert_frame_equal(evaluate_counts(cset, units, string_values, **kw), counts)
    assert_frame_equal(evaluate_counts(cset, units, shuffled, **kw), counts)
    mine = counts.select("unit", "period", "met", "meets_set").sort("unit", "period")
    for table in ("plain", "tuned"):
        assert_frame_equal(_duck_counts(con, table).sort("unit", "period"), mine)
    con.close()

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
        timings=timings,
        reference=t_ref,
        sample_units=sample.height,
        sample_values=sample_values.height,
        indicator_rows=ev.indicators.height,
        meeting=int(counts.get_column("meets_set").sum()),
    )
    return out


def report(out: dict[str, Any]) -> str:
    timings: dict[str, Timing] = out["timings"]
    t_ref: Timing = out["reference"]
    t_full, t_counts = timings["evaluate, on its own"], timings["evaluate_counts"]
    t_race = timings["evaluate, in the race"]
    t_plain = timings["duckdb, analyst's query"]
    t_tuned = timings["duckdb, hand-tuned query"]
    t_quick = timings["duckdb, simplified logic"]
    n = out["values"]
    ref_rate = out["sample_values"] / t_ref.best
    lines = [
        "Đánh giá bộ tiêu chí — benchmark trên dữ liệu MÔ PHỎNG (simulated data)",
        f"Machine: {machine()}; load average before the run: {out.get('load', '?')}",
        f"Data: {out['units']:,} simulated communes x {len(out['years'])} years "
        f"({out['years'][0]}-{out['years'][-1]}) x the measures of {SET_ID} = {n:,} values; "
        f"{out['indicator_rows']:,} explained indicator rows; "
        f"{out['meeting']:,} commune-years meet the set.",
        f"Timings: median (best) of {len(t_full.seconds)} runs; after the first line, rounds "
        "in which every contender runs once.",
        "",
    ]
    for t in timings.values():
        lines.append(
            f"  {t.name:32s} {t.median:8.3f} s ({t.best:.3f})  {n / t.median:14,.0f} values/s"
        )
    lines.append(
        f"  {'reference (row by row)':32s} {t_ref.best:8.3f} s  on {out['sample_units']} "
        f"communes = {out['sample_values']:,} values  {ref_rate:14,.0f} values/s"
    )

    def ratio(a: Timing, b: Timing) -> str:
        return f"{a.median / b.median:6.2f}x (best {a.best / b.best:.2f}x)"

    def line(label: str, text: str) -> str:
        return f"  {label:42s}{text}"

    lines += [
        "",
        line("engine evaluate vs reference:", f"{n / t_full.median / ref_rate:6.1f}x faster")
        + " (values/s; reference measured on the sample)",
        line("evaluate_counts vs analyst's query:", f"{ratio(t_plain, t_counts)} faster"),
        line("evaluate_counts vs hand-tuned query:", f"{ratio(t_tuned, t_counts)} faster"),
        line("evaluate (explained) vs analyst's query:", ratio(t_plain, t_full)),
        line("evaluate_counts vs simplified DuckDB:", f"{ratio(t_quick, t_counts)} faster")
        + " (not the same logic: no stage precedence, no missing-data detection, no tolerance)",
        "  Results: reference == engine on the sample (all three frames); "
        "both same-logic DuckDB queries' counts == engine counts (every commune-year).",
        "",
    ]
    ok_full = t_full.median <= TARGET_EXPLAINED_S
    counts_ratio = t_plain.median / t_counts.median
    tuned_ratio = t_tuned.median / t_counts.median
    lines += [
        f"  target: explained evaluation <= {TARGET_EXPLAINED_S} s: "
        f"{'MET' if ok_full else 'NOT MET'} (median {t_full.median:.3f} s on its own; "
        f"{t_race.median:.3f} s in the race)",
        f"  target: counts >= {TARGET_COUNTS_RATIO}x faster than the same logic as one DuckDB "
        "query written the way an analyst would: "
        f"{'MET' if counts_ratio >= TARGET_COUNTS_RATIO else 'NOT MET'} "
        f"(medians: {counts_ratio:.2f}x)",
        f"  harder: counts >= {TARGET_COUNTS_RATIO}x faster than the hand-tuned DuckDB query: "
        f"{'MET' if tuned_ratio >= TARGET_COUNTS_RATIO else 'NOT MET'} "
        f"(medians: {tuned_ratio:.2f}x)",
        f"  goal: counts <= {TARGET_COUNTS_S} s (3x the issue's 0,27 s DuckDB figure): "
        f"{'MET' if t_counts.median <= TARGET_COUNTS_S else 'NOT MET'} "
        f"(median {t_counts.median:.3f} s)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--units", type=int, default=10_040)
    parser.add_argument("--years", default="2011-2020")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--sample", type=int, default=100, help="communes for the reference")
    args = parser.parse_args(argv)
    first, last = (int(x) for x in args.years.split("-"))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    out = run(args.units, list(range(first, last + 1)), args.repeat, args.sample)
    out["load"] = load
    print(report(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
