"""Benchmark of the roll-up (`ntm.stats.rollup`) on a simulated province of the demo's size.

Run: .venv/bin/python benchmarks/rollup.py [--communes N] [--districts D] [--years A-B]
                                            [--rounds R] [--inner I]

The data is SIMULATED: N made-up communes (codes SIM001...) and a few wards in D made-up
districts, recorded every year (scope rows per period, as recorded), each commune evaluated
against 19 criteria a year; its criteria met grow over the years, the others are mostly not
met, some basically met or missing data, and about 3 % of commune-years have no result. The
years before 2016 are banded by another set's bands (19 / 10-18 / under 10), as a province's
older years are recorded under another set. Defaults: 181 communes, 12 districts, 2011-2020,
the demo province's size.

The workload is the province page's: the statistics of the last year against the year before
and the first year (baseline), then the figures of every year for the trend. The page used to
make one roll-up per year, each with only that year's frames -- 11 roll-ups for 10 years; it
now makes one. Timed in the same process on the same data:

  * reference: `ntm/stats/tests/reference_rollup.py`, the straightforward roll-up (one
    `summarize` per geography and period), called as the page used to call it;
  * `statistics` (vectorised), the same 11 calls;
  * `roll_up`: one call for every year, with per-period bands, as the page calls it now.

All three must give equal results (checked once, outside the timing).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from ntm.criteria.schema import Band
from ntm.stats import rollup
from ntm.stats.bands import DEFAULT_BANDS, make_bands
from ntm.stats.rollup import Figures, Statistics
from ntm.stats.tests import reference_rollup

CRITERIA = 19
OLD_BANDS: tuple[Band, ...] = tuple(make_bands((19, 10, 0), CRITERIA))
NEW_SET_FROM = 2016
TARGET_S = 0.020  # the page's roll-ups, all of them
TIER = "standard"


# ------------------------------------------------------------------------------ simulated data


@dataclass(frozen=True)
class Frames:
    scope: pl.DataFrame
    communes: pl.DataFrame
    criteria: pl.DataFrame

    def of(self, years: Sequence[int]) -> Frames:
        """The rows of `years` only, as the page gathers them for one roll-up."""
        keep = pl.col("period").is_in(list(years))
        return Frames(
            self.scope.filter(keep), self.communes.filter(keep), self.criteria.filter(keep)
        )


def simulate(n_communes: int, n_districts: int, years: list[int], seed: int = 2020) -> Frames:
    """Simulated scope, communes and criteria frames (see the module's docstring)."""
    rng = random.Random(seed)
    codes = [f"SIM{i:03d}" for i in range(1, n_communes + 1)]
    wards = [f"SIMP{i:02d}" for i in range(1, max(n_communes // 25, 1) + 1)]
    district = {u: 1 + i % n_districts for i, u in enumerate(codes + wards)}
    start = {u: rng.randint(2, 12) for u in codes}
    pace = {u: rng.uniform(0.3, 1.6) for u in codes}
    order = {u: rng.sample(range(1, CRITERIA + 1), CRITERIA) for u in codes}
    scope_rows = [
        (
            year,
            u,
            "ward" if u in wards else "commune",
            f"SIMD{district[u]:02d}",
            f"Huyện mô phỏng {district[u]:02d}",
            f"Xã mô phỏng {u[3:]}",
        )
        for year in years
        for u in codes + wards
    ]
    commune_rows: list[tuple[str, int, int, bool]] = []
    criteria_rows: list[tuple[str, int, int, str]] = []
    for year in years:
        for u in codes:
            if rng.random() < 0.03:
                continue
            grown = start[u] + pace[u] * (year - years[0]) + rng.gauss(0, 1)
            met = max(0, min(CRITERIA, round(grown)))
            statuses = {k: "met" for k in order[u][:met]}
            for k in order[u][met:]:
                draw = rng.random()
                statuses[k] = (
                    "basically_met" if draw < 0.15 else "missing_data" if draw < 0.2 else "not_met"
                )
            commune_rows.append((u, year, met, met == CRITERIA))
            criteria_rows += [(u, year, k, s) for k, s in sorted(statuses.items())]
    return Frames(
        scope=pl.DataFrame(
            scope_rows,
            schema={
                "period": pl.Int32,
                "unit": pl.String,
                "kind": pl.String,
                "child_unit": pl.String,
                "child_name": pl.String,
                "name": pl.String,
            },
            orient="row",
        ),
        communes=pl.DataFrame(
            commune_rows,
            schema={
                "unit": pl.String,
                "period": pl.Int32,
                "met": pl.UInt32,
                "meets_set": pl.Boolean,
            },
            orient="row",
        ),
        criteria=pl.DataFrame(
            criteria_rows,
            schema={
                "unit": pl.String,
                "period": pl.Int32,
                "criterion": pl.Int32,
                "status": pl.String,
            },
            orient="row",
        ),
    )


def bands_of(year: int) -> Sequence[Band]:
    return DEFAULT_BANDS if year >= NEW_SET_FROM else OLD_BANDS


# ------------------------------------------------------------------------------ the page's calls

StatisticsFn = Callable[..., Statistics]


def page(fn: StatisticsFn, data: Frames, years: list[int]) -> tuple[Statistics, list[Figures]]:
    """The province page's roll-ups as it used to make them: the last year against the year
    before and the first, then each year on its own for the trend."""
    period, baseline = years[-1], years[0]
    main = data.of([period, period - 1, baseline])
    stats = fn(
        main.scope,
        main.communes,
        main.criteria,
        period=period,
        tier=TIER,
        parent="SIMT",
        bands=bands_of(period),
        baseline=baseline,
    )
    trend = []
    for year in years:
        one = data.of([year])
        trend.append(
            fn(
                one.scope,
                one.communes,
                one.criteria,
                period=year,
                tier=TIER,
                parent="SIMT",
                bands=bands_of(year),
            ).total.figures
        )
    return stats, trend


def one_pass(data: Frames, years: list[int]) -> tuple[Statistics, list[Figures]]:
    """The same from one `roll_up` of every year, as `ntm.web.dashboards.period_roll_up`."""
    table = rollup.roll_up(
        data.scope,
        data.communes,
        data.criteria,
        periods=years,
        tier=TIER,
        parent="SIMT",
        bands_by_period={y: bands_of(y) for y in years},
        baseline=years[0],
    )
    return table.statistics(years[-1]), [table.figures(y) for y in years]


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
        f"Polars {pl.__version__}; {platform.system()} {platform.release()}"
    )


def race(contenders: dict[str, tuple[Callable[[], object], int]], rounds: int) -> list[Timing]:
    """Every contender in every round (its given number of times): a burst of load from
    another process then falls on all of them alike."""
    timings = {name: Timing(name, []) for name in contenders}
    for _ in range(rounds):
        for name, (fn, times) in contenders.items():
            for _ in range(times):
                start = time.perf_counter()
                fn()
                timings[name].seconds.append(time.perf_counter() - start)
    return list(timings.values())


def run(n_communes: int, n_districts: int, years: list[int], rounds: int, inner: int) -> str:
    data = simulate(n_communes, n_districts, years)
    # Every result checked once, outside the timing.
    expected = page(reference_rollup.statistics, data, years)
    assert page(rollup.statistics, data, years) == expected
    assert one_pass(data, years) == expected
    ref, calls, one = race(
        {
            "reference, the page's calls": (
                lambda: page(reference_rollup.statistics, data, years),
                1,
            ),
            "statistics, the page's calls": (lambda: page(rollup.statistics, data, years), inner),
            "roll_up, one call": (lambda: one_pass(data, years), inner),
        },
        rounds,
    )
    total = expected[0].total.figures
    wards = data.scope.height // len(years) - n_communes
    lines = [
        "Tổng hợp số liệu (roll-up) — benchmark trên dữ liệu MÔ PHỎNG (simulated data)",
        f"Machine: {machine()}; load average before the run: "
        + ", ".join(f"{x:.2f}" for x in os.getloadavg()),
        f"Data: {n_communes} simulated communes and {wards} ward(s) in {n_districts} districts"
        f" x {len(years)} years ({years[0]}-{years[-1]}) x "
        f"{CRITERIA} criteria = {data.criteria.height:,} criteria rows; in {years[-1]} "
        f"{total.meeting} of {total.communes} communes meet the set.",
        f"Workload: the province page's former {1 + len(years)} roll-ups ({years[-1]} against "
        f"{years[-1] - 1} and {years[0]}, then each year for the trend).",
        f"Timings: median (best) over {rounds} rounds; the vectorised ones {inner}x a round.",
        "",
    ]
    for t in (ref, calls, one):
        lines.append(f"  {t.name:34s} {t.median * 1000:10.1f} ms ({t.best * 1000:.1f})")
    lines.append(
        f"  {'(statistics, per call)':34s} {calls.median * 1000 / (1 + len(years)):10.1f} ms"
    )

    def ratio(a: Timing, b: Timing) -> str:
        return f"{a.median / b.median:8.0f}x faster (best {a.best / b.best:.0f}x)"

    lines += [
        "",
        f"  {'statistics vs reference:':42s}{ratio(ref, calls)}",
        f"  {'roll_up vs reference:':42s}{ratio(ref, one)}",
        "  Results: reference == statistics == roll_up "
        "(the period's statistics and every year's figures).",
        "",
        f"  target: the page's roll-ups <= {TARGET_S * 1000:.0f} ms: "
        f"{'MET' if one.median <= TARGET_S else 'NOT MET'} with roll_up "
        f"(median {one.median * 1000:.1f} ms); "
        f"{'MET' if calls.median <= TARGET_S else 'NOT MET'} with {1 + len(years)} statistics "
        f"calls (median {calls.median * 1000:.1f} ms)",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--communes", type=int, default=181)
    parser.add_argument("--districts", type=int, default=12)
    parser.add_argument("--years", default="2011-2020")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--inner", type=int, default=10, help="vectorised runs per round")
    args = parser.parse_args(argv)
    first, last = (int(x) for x in args.years.split("-"))
    years = list(range(first, last + 1))
    print(run(args.communes, args.districts, years, args.rounds, args.inner))
    return 0


if __name__ == "__main__":
    sys.exit(main())
