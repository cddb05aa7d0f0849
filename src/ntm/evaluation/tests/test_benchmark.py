"""The benchmark's code runs on a tiny dataset, so it cannot rot (no timing is asserted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[4] / "benchmarks" / "evaluate.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ntm_benchmark_evaluate", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_on_a_tiny_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    pytest.importorskip("duckdb")
    bench = _load()
    # run() asserts engine == reference (sample) and engine counts == DuckDB counts.
    assert (
        bench.main(["--units", "30", "--years", "2019-2020", "--repeat", "1", "--sample", "5"]) == 0
    )
    out = capsys.readouterr().out
    assert "simulated" in out
    assert "30 simulated communes x 2 years" in out
    assert "values/s" in out and "target:" in out
