"""Benchmark of the units: loading the real data, the 2025 crosswalk and a re-based count.

Run: .venv/bin/python benchmarks/units.py [--repeat R]

Runs in a fresh SQLite database in a temporary directory (DATABASE_URL is ignored, so a real
database is never touched). Measured in this process:

  * `ntm units load`: the full real dataset of the vietnamadminunits package (14.138 units,
    3.726 events, 11.345 links), in one transaction;
  * the crosswalk of every unit in force on 30/06/2025 (10.035 commune-level units, 5 island
    districts, 63 provinces) onto the units of 01/07/2025: `queries.crosswalk` (Polars) against
    a plain-Python reference (dicts and loops over the same database rows); the frames must
    be equal;
  * a national re-based count: a SIMULATED count per pre-reform commune (a deterministic
    pseudo-random number, not real data) summed onto the 2025 communes through the crosswalk,
    with Polars and with a plain loop; the results must be equal and the national total kept.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
BEFORE = dt.date(2025, 6, 30)
AFTER = dt.date(2025, 7, 1)


def timed(fn: Callable[[], T], repeat: int) -> tuple[T, float]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    assert result is not None
    return result, statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="ntm-bench-units-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["NTM_VAR_DIR"] = tmp
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ntm.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    try:
        run(args.repeat, tmp)
    finally:
        from django.db import connections

        connections.close_all()
        shutil.rmtree(tmp, ignore_errors=True)


def run(repeat: int, tmp: str) -> None:
    import polars as pl
    from polars.testing import assert_frame_equal

    from ntm.units.loader import build_plan, load_units
    from ntm.units.models import COMMUNE_LEVEL, Unit, UnitEventLink
    from ntm.units.queries import CROSSWALK_SCHEMA, crosswalk

    # ---------------------------------------------------------------- load
    _, plan_s = timed(build_plan, 1)
    result = load_units(actor="benchmark")
    print(f"SQLite in {tmp}")
    print(
        f"load: {result.created_units:,} units, {result.created_events:,} events, "
        f"{result.created_links:,} links in {result.seconds:.2f} s "
        f"(reading the package: {plan_s:.2f} s)"
    )
    again = load_units(actor="benchmark")
    print(f"reload (idempotent, nothing created): {again.seconds:.2f} s")

    # ---------------------------------------------------------------- crosswalk
    def reference_crosswalk() -> pl.DataFrame:
        """Dicts and loops over the same rows the query reads."""
        # Named as `queries.unit_key` names them: the code, or "id:" and the id.
        start = {
            pk: code or f"id:{pk}"
            for pk, code in Unit.objects.valid_on(BEFORE).values_list("pk", "code")
        }
        end = {
            pk: code or f"id:{pk}"
            for pk, code in Unit.objects.valid_on(AFTER).values_list("pk", "code")
        }
        by_date: dict[dt.date, dict[int, list[tuple[int | None, float]]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for day, old, new, weight in UnitEventLink.objects.filter(
            event__date__gt=BEFORE, event__date__lte=AFTER, old_unit__isnull=False
        ).values_list("event__date", "old_unit_id", "new_unit_id", "weight"):
            by_date[day][old].append((new, weight))
        current = {pk: {pk: 1.0} for pk in start}
        for day in sorted(by_date):
            step = by_date[day]
            for origin, parts in current.items():
                moved: dict[int, float] = defaultdict(float)
                for unit, w in parts.items():
                    if unit in step:
                        for new, lw in step[unit]:
                            if new is not None:
                                moved[new] += w * lw
                    else:
                        moved[unit] += w
                current[origin] = moved
        totals: dict[tuple[str, str], float] = defaultdict(float)
        for origin, parts in current.items():
            for unit, w in parts.items():
                if unit in end:
                    totals[(start[origin], end[unit])] += w
        rows = sorted((o, n, w) for (o, n), w in totals.items())
        return pl.DataFrame(rows, schema=CROSSWALK_SCHEMA, orient="row")

    cw, cw_s = timed(lambda: crosswalk(BEFORE, AFTER), repeat)
    ref, ref_s = timed(reference_crosswalk, repeat)
    assert_frame_equal(cw, ref, check_exact=False, rel_tol=1e-12)
    n_old_communes = Unit.objects.valid_on(BEFORE).filter(kind__in=COMMUNE_LEVEL).count()
    print(
        f"crosswalk 30/06/2025 -> 01/07/2025: {cw.height:,} rows, "
        f"{cw['old_unit'].n_unique():,} old units ({n_old_communes:,} commune-level), "
        f"{cw['new_unit'].n_unique():,} new"
    )
    print(
        f"  polars query {cw_s * 1000:.1f} ms, plain python {ref_s * 1000:.1f} ms, "
        f"ratio {ref_s / cw_s:.2f}x (equal: yes)"
    )

    # ---------------------------------------------------------------- re-based count
    communes = sorted(
        c
        for c in Unit.objects.valid_on(BEFORE)
        .filter(kind__in=COMMUNE_LEVEL)
        .values_list("code", flat=True)
        if c
    )
    # SIMULATED: a count per commune (e.g. households), deterministic, not real data.
    simulated = {code: (int(code) * 7919) % 5000 for code in communes}
    values = pl.DataFrame({"unit": list(simulated), "value": list(simulated.values())})

    def rebase_polars() -> pl.DataFrame:
        return (
            values.join(cw, left_on="unit", right_on="old_unit")
            .group_by("new_unit")
            .agg((pl.col("value") * pl.col("weight")).sum().alias("value"))
            .sort("new_unit")
        )

    index: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for old, new, weight in cw.iter_rows():
        index[old].append((new, weight))

    def rebase_python() -> pl.DataFrame:
        out: dict[str, float] = defaultdict(float)
        for code, value in simulated.items():
            for new, weight in index[code]:
                out[new] += value * weight
        rows = sorted(out.items())
        return pl.DataFrame(rows, schema={"new_unit": pl.String, "value": pl.Float64}, orient="row")

    rb, rb_s = timed(rebase_polars, repeat)
    rb_ref, rb_ref_s = timed(rebase_python, repeat)
    assert_frame_equal(rb, rb_ref, check_exact=False, rel_tol=1e-12)
    total_before, total_after = sum(simulated.values()), rb["value"].sum()
    assert abs(total_before - total_after) < 1e-6 * total_before
    print(
        f"re-based SIMULATED count: {len(simulated):,} communes -> {rb.height:,} units, "
        f"national total {total_before:,} kept ({total_after:,.3f})"
    )
    print(
        f"  polars {rb_s * 1000:.2f} ms, plain python {rb_ref_s * 1000:.2f} ms, "
        f"ratio {rb_ref_s / rb_s:.2f}x (equal: yes)"
    )


if __name__ == "__main__":
    sys.exit(main())
