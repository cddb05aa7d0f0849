"""The report files of the demo's Lạng Sơn: the PDF and the workbook as of 31/12/2020 state the
page's figures (65/181, 35,91 %, the recognitions with their decisions), the PDF's pages are
kept as images under var/artifacts/, and both are written in reasonable time."""

from __future__ import annotations

import shutil
import subprocess
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from ntm.demo.loader import DemoResult, province
from ntm.reports.tests.test_files import keep_pages

pytestmark = pytest.mark.django_db


def _report(kind: str, out: Path, *extra: str) -> float:
    start = time.perf_counter()
    call_command(
        "report", kind, "--province", province().code, "--date", "31/12/2020",
        "--out", str(out), *extra, stdout=StringIO(),
    )  # fmt: skip
    return time.perf_counter() - start


@pytest.mark.skipif(
    shutil.which("pdftotext") is None,
    reason="poppler-utils is not installed (apt-get install poppler-utils; .ci/run installs it)",
)
def test_the_lang_son_pdf(demo: DemoResult, tmp_path: Path) -> None:
    out = tmp_path / "lang-son.pdf"
    seconds = _report("pdf", out)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Đến hết ngày 31/12/2020, có 65/181 xã của Tỉnh Lạng Sơn (35,91 %)" in flat
    assert "Có 65/181 xã đã có quyết định công nhận." in flat
    assert "Bình quân mỗi xã đạt 12,50 tiêu chí." in flat
    assert "2165/QĐ-UBND" in flat  # the real decision recognising Bính Xá
    assert 3 <= text.count("\f") <= 40
    keep_pages(out, "report-lang-son")
    assert seconds < 60, seconds


def test_the_lang_son_workbook(demo: DemoResult, tmp_path: Path) -> None:
    out = tmp_path / "lang-son.xlsx"
    seconds = _report("workbook", out)
    wb = load_workbook(out, read_only=True)
    summary = {r[0]: r[1] for r in wb["Tổng hợp"].iter_rows(min_row=4, values_only=True)}
    assert (summary["Số xã trong phạm vi"], summary["Số xã đạt chuẩn"]) == (181, 65)
    assert summary["Tỷ lệ xã đạt chuẩn"] == "35,91 %"
    counts = {r[0]: r[2] for r in wb["Theo tiêu chí"].iter_rows(min_row=2, values_only=True)}
    assert (counts[19], counts[18]) == (165, 93)
    matrix = list(wb["Xã × tiêu chí"].iter_rows(min_row=2, values_only=True))
    assert len(matrix) == 181
    assert sum(1 for r in matrix if r[4] == "Đạt chuẩn") == 65
    decisions = [r[5] for r in wb["Công nhận"].iter_rows(min_row=2, values_only=True)]
    assert any(d and d.startswith("2165/QĐ-UBND") for d in decisions)
    assert seconds < 60, seconds
