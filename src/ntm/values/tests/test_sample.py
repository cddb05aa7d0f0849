"""The bundled sample workbook: real Lạng Sơn communes, simulated values, reproducible."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import polars as pl
import pytest

from ntm.criteria.loader import load_set
from ntm.exchange.workbook import INPUT_SHEET, read_input, template_columns
from ntm.values.data import SAMPLE_SET, SAMPLE_WORKBOOK, SAMPLE_YEAR, generate_sample

pytestmark = pytest.mark.pure


def test_sample_is_small_labelled_simulated_and_readable() -> None:
    assert SAMPLE_WORKBOOK.stat().st_size < 300_000
    assert "langson-2020" in SAMPLE_WORKBOOK.name
    ws = openpyxl.load_workbook(SAMPLE_WORKBOOK, read_only=True)[INPUT_SHEET]
    notes = [r[0] for r in ws.iter_rows(max_row=3, values_only=True)]
    assert notes[0].startswith(f"Bộ tiêu chí: {SAMPLE_SET}")
    assert "dữ liệu mô phỏng (simulated)" in notes[1].lower()
    units, values = read_input(SAMPLE_WORKBOOK, load_set(SAMPLE_SET), year=SAMPLE_YEAR)
    assert units.height == 175
    assert set(units["region"]) == {"TDMNPB"} and set(units["province"]) == {"20"}
    assert units["name"].str.starts_with("Xã ").all()
    measures = {c.field for c in template_columns(load_set(SAMPLE_SET)) if c.kind}
    assert set(values["measure"]) == measures
    assert values.filter(pl.col("period") != SAMPLE_YEAR).is_empty()


def test_sample_names_are_the_real_communes() -> None:
    communes = generate_sample.langson_communes()
    units, _ = read_input(SAMPLE_WORKBOOK, load_set(SAMPLE_SET), year=SAMPLE_YEAR)
    assert units.select("unit", "name").rows() == [(c["code"], c["name"]) for c in communes]


def test_regenerating_gives_the_same_file(tmp_path: Path) -> None:
    path = tmp_path / "sample.xlsx"
    generate_sample.main(path)
    assert path.read_bytes() == SAMPLE_WORKBOOK.read_bytes()
