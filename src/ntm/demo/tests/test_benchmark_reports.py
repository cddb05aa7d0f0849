"""The reports benchmark's code runs on the demo, so it cannot rot (no timing is asserted):
every contender runs, and the files and the narrative state the read layer's figures."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from ntm.demo.loader import DemoResult, province

# The benchmark runs on SQLite only: one pass checks it.
pytestmark = pytest.mark.once

BENCHMARK = Path(__file__).resolve().parents[4] / "benchmarks" / "reports.py"


def test_every_report_runs_and_states_the_read_layers_figures(
    demo: DemoResult, tmp_path: Path
) -> None:
    spec = importlib.util.spec_from_file_location("ntm_benchmark_reports", BENCHMARK)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = bench
    spec.loader.exec_module(bench)
    listed = bench.contenders(province(), tmp_path)
    assert [c.key for c in listed] == ["overview", "narrative", "gather", "workbook", "pdf"]
    times = bench.measure(listed, 1)  # it checks the figures of what it made
    assert all(len(times[c.key].cold.wall) == len(times[c.key].warm.wall) == 1 for c in listed)
