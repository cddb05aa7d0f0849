"""`ntm sample` (formerly `ntm run`): the bundled simulated sample, evaluated and written under
the var directory. `ntm run` itself builds and serves the demo: see ntm/demo/tests/test_demo.py.
"""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.test import override_settings

pytestmark = pytest.mark.pure


def test_sample_writes_the_results_under_var(tmp_path: Path) -> None:
    out = StringIO()
    with override_settings(VAR_DIR=tmp_path / "var"):  # missing: the command creates it
        call_command("sample", stdout=out)
    text = out.getvalue()
    results = tmp_path / "var" / "sample-results.xlsx"
    assert results.exists()
    assert "DỮ LIỆU MÔ PHỎNG (simulated)" in text
    assert "Phiên bản bộ tiêu chí đã dùng: vn-ntm-xa-2016-2020@1980/QĐ-TTg" in text
    assert "Năm 2020: 175 xã trong phạm vi" in text
    assert f"Đã ghi bảng kết quả: {results}" in text
    wb = openpyxl.load_workbook(results, read_only=True)
    assert wb.sheetnames == ["Tổng hợp", "Kết quả theo xã", "Chi tiết chỉ tiêu"]
    summary = [r[0] for r in wb["Tổng hợp"].iter_rows(values_only=True) if r[0]]
    assert any("DỮ LIỆU MÔ PHỎNG" in line for line in summary)
    assert sum(1 for _ in wb["Kết quả theo xã"].iter_rows(min_row=2)) == 175


def test_sample_out_option(tmp_path: Path) -> None:
    out = tmp_path / "x.xlsx"
    call_command("sample", "--out", str(out), stdout=StringIO())
    assert out.exists()
