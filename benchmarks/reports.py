"""Benchmark of the reports: the demo province's narrative, workbook and PDF, each beside the
read layer's own time for the same figures.

Run: .venv/bin/python benchmarks/reports.py [--rounds N] [--dir DIR] [--rebuild]

The data are the demo's — Lạng Sơn's real units and events with SIMULATED values 2011-2020 —
in the SQLite file the pages benchmark builds (`benchmarks/pages.py`: built in a child process
when missing or stale, under DIR, default var/bench-pages; DATABASE_URL is ignored, so a real
database is never touched). The run works on a copy.

Every report is of Lạng Sơn as of 31/12/2020, as an office asks for it:

  * read layer: the province overview of 2020 as of 31/12/2020 (`province_overview`), the one
    read every figure of the workbook and the PDF comes from — the peer of every ratio;
  * narrative: the published paragraph (`ntm report narrative --date 31/12/2020 --compare
    30/06/2020 --baseline 2011 --units-of 31/12/2019 --criteria 19,18`), which reads the
    overview at each date, on the old units and at the baseline;
  * report read: `ntm.reports.files.gather` (the overview, the communes' results and the
    recognition register), what the two files share;
  * workbook and PDF: `ntm report workbook|pdf --date 31/12/2020`, the read and the writing
    of the file (to a temporary folder).

In rounds, each contender once per round, so that a burst of load from another process
falls on all of them alike: cold (the read layer's caches emptied before it), then warm
(at once again, the caches as the cold run left them). Medians are printed, with the ratio
to the read layer's median of the same kind, the wall clock and this process's CPU time, and
the load average and CPU pressure.

Checked in the same run (it stops if not): the workbook's summary states the overview's
communes and communes at the standard, the narrative states its X/Y at 31/12/2020, and the
PDF (when `pdftotext` is installed) states the same X/Y.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Run as a script, this folder is on the path; loaded by a test, it is put there.
sys.path.insert(0, str(Path(__file__).resolve().parent))
# The demo database and the timing helpers of the pages benchmark.
import pages
from pages import Samples, load_average, machine, ms

DAY = dt.date(2020, 12, 31)
MID_YEAR = dt.date(2020, 6, 30)
OLD_UNITS = dt.date(2019, 12, 31)
BASELINE = 2011


@dataclass
class Timing:
    cold: Samples = field(default_factory=Samples)
    warm: Samples = field(default_factory=Samples)


@dataclass(frozen=True)
class Contender:
    key: str
    label: str
    run: Callable[[], Any]


def contenders(province: Any, folder: Path) -> list[Contender]:
    from ntm.reports.files import gather, write_workbook
    from ntm.reports.narrative import Options, narrative
    from ntm.reports.pdf import write_pdf
    from ntm.reports.sentences import parse_precision
    from ntm.results.province import province_overview

    options = Options(
        day=DAY,
        compare=(MID_YEAR,),
        baseline=BASELINE,
        units_of=OLD_UNITS,
        criteria=(19, 18),
        precision=parse_precision(["share@30/06/2020=1", "average@31/12/2020=1"]),
    )

    def report() -> Any:
        return gather(province, period=DAY.year, as_of=DAY, language="vi")

    def workbook() -> Path:
        out = folder / "report.xlsx"
        write_workbook(report(), out)
        return out

    def pdf() -> Path:
        out = folder / "report.pdf"
        write_pdf(report(), out)
        return out

    return [
        Contender(
            "overview",
            "read layer: province overview",
            lambda: province_overview(province, period=DAY.year, as_of=DAY),
        ),
        Contender(
            "narrative", "narrative (the press paragraph)", lambda: narrative(province, options)
        ),
        Contender("gather", "report read (gather)", report),
        Contender("workbook", "workbook (read + write)", workbook),
        Contender("pdf", "PDF (read + write)", pdf),
    ]


def check(results: dict[str, Any]) -> None:
    """The files and the narrative state the read layer's figures."""
    from openpyxl import load_workbook

    from ntm.reports.narrative import as_text

    f = results["overview"].figures
    x_of_y = f"{f.meeting}/{f.communes}"
    wb = load_workbook(results["workbook"], read_only=True)
    summary = {r[0]: r[1] for r in wb["Tổng hợp"].iter_rows(min_row=4, values_only=True)}
    assert (summary["Số xã trong phạm vi"], summary["Số xã đạt chuẩn"]) == (f.communes, f.meeting)
    assert x_of_y in as_text(results["narrative"]), x_of_y
    said = f"workbook and narrative state {x_of_y}"
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", str(results["pdf"]), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert x_of_y in text, x_of_y
        said = f"workbook, narrative and PDF state {x_of_y}"
    print(f"  equal: {said} ({f.communes} communes in scope, as the overview)")


def measure(listed: list[Contender], rounds: int) -> dict[str, Timing]:
    times = {c.key: Timing() for c in listed}
    results: dict[str, Any] = {}
    print(f"\n== {rounds} round(s): each cold, then warm ({load_average()})", flush=True)
    for _ in range(rounds):
        for c in listed:
            pages.clear_caches()
            results[c.key] = times[c.key].cold.time(c.run)
            times[c.key].warm.time(c.run)
        print(f"  round done ({load_average()})", flush=True)
    check(results)
    return times


def report(listed: list[Contender], times: dict[str, Timing]) -> None:
    peer = times["overview"]
    print(f"\n== Medians ({load_average()}); ratio = time / the read layer's time, same kind")
    print(
        f"  {'':34s} {'cold':>9s} {'ratio':>7s} {'CPU':>9s}   {'warm':>9s} {'ratio':>7s} "
        f"{'CPU':>9s}"
    )
    for c in listed:
        t = times[c.key]
        print(
            f"  {c.label:34s} {ms(t.cold.p50):>9s} {t.cold.p50 / peer.cold.p50:>6.1f}x "
            f"{ms(t.cold.cpu50):>9s}   {ms(t.warm.p50):>9s} {t.warm.p50 / peer.warm.p50:>6.1f}x "
            f"{ms(t.warm.cpu50):>9s}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3, help="rounds of every contender")
    parser.add_argument("--dir", type=Path, default=pages.ROOT / "var" / "bench-pages")
    parser.add_argument("--rebuild", action="store_true", help="build the database again")
    args = parser.parse_args(argv)
    work = args.dir.resolve()
    pages.configure(work)
    import django

    django.setup()
    started = load_average()
    print("Reports of the demo (Lạng Sơn, SIMULATED values 2011-2020), as of 31/12/2020")
    print(f"Machine: {machine()}; {started}")
    pages.use_database(pages.database(work, 1, args.rebuild))
    from ntm.demo.loader import province

    with tempfile.TemporaryDirectory() as folder:
        listed = contenders(province(), Path(folder))
        times = measure(listed, args.rounds)
    report(listed, times)
    print(f"\n({started} at the start; {load_average()} at the end)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
