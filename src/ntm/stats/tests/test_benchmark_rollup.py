"""The roll-up benchmark's code runs on a tiny dataset, so it cannot rot (no timing is
asserted)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARK = Path(__file__).resolve().parents[4] / "benchmarks" / "rollup.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("ntm_benchmark_rollup", BENCHMARK)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_benchmark_runs_on_a_tiny_dataset(capsys: pytest.CaptureFixture[str]) -> None:
    bench = _load()
    # run() asserts reference == statistics == roll_up.
    args = ["--communes", "20", "--districts", "3", "--years", "2014-2017", "--rounds", "1"]
    assert bench.main([*args, "--inner", "1"]) == 0
    out = capsys.readouterr().out
    assert "simulated data" in out
    assert "20 simulated communes and 1 ward(s) in 3 districts x 4 years" in out
    assert "target:" in out
