"""The report workbook writer (`ntm.exchange.report`): text that looks like a formula stays
text, charts are native, and a failed write leaves nothing behind."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from ntm.exchange import report
from ntm.exchange.report import CommuneLine, ConditionLine, CountLine, ReportBook
from ntm.exchange.report import write_report_workbook as write

pytestmark = pytest.mark.pure

DANGEROUS = ["=1+1", "+84 912", "-SUM(A1)", "@cmd", '=HYPERLINK("http://x")']


def _book(name: str = "Xã An Bình") -> ReportBook:
    return ReportBook(
        title="Báo cáo",
        summary=[("Tỉnh", DANGEROUS[0]), ("Số xã", 2)],
        criteria=[(1, "Quy hoạch"), (2, "Giao thông")],
        communes=[
            CommuneLine("99001", name, 1, 2, False, {1: "met", 2: "not_met"}),
            CommuneLine("99002", DANGEROUS[1], None, 2, False, {}),
        ],
        conditions=[
            ConditionLine(
                "99001",
                name,
                2,
                "2.1",
                DANGEROUS[2],
                0,
                ">=",
                40.0,
                50.0,
                "12/QĐ-UBND",
                "default",
                -10.0,
                "not_met",
                "verified",
            )
        ],
        bands=[("Đạt 19/19 tiêu chí", 0), ("Dưới 5 tiêu chí", 2)],
        counts=[CountLine(1, "Quy hoạch", 1, 0, 0, 1), CountLine(2, "Giao thông", 0, 0, 1, 1)],
        recognitions=[("99001", DANGEROUS[3], "NTM", 2019, "Đã công nhận", "1/QĐ", "UBND", "")],
        warnings=[("Đang tụt hạng", "99001", DANGEROUS[4], 1, 2, "2. Giao thông")],
        definitions=[("Bộ tiêu chí", "vn-ntm-xa-2016-2020")],
    )


def test_text_starting_like_a_formula_is_written_as_text(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    write(_book(DANGEROUS[4]), out)
    wb = load_workbook(out)
    found = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value in DANGEROUS:
                    found[cell.value] = cell
    assert set(found) == set(DANGEROUS)
    for cell in found.values():
        assert cell.data_type == "s"  # a string, never a formula
        assert cell.quotePrefix
    with zipfile.ZipFile(out) as z:
        sheets = "".join(z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets"))
    assert "<f>" not in sheets


def test_charts_headers_filters_and_statuses(tmp_path: Path) -> None:
    out = tmp_path / "r.xlsx"
    write(_book(), out)
    wb = load_workbook(out)
    matrix = wb["Xã × tiêu chí"]
    assert [c.value for c in matrix[1]][:5] == [
        "Mã xã",
        "Tên xã",
        "Số tiêu chí đạt",
        "Tổng số tiêu chí",
        "Đạt chuẩn",
    ]
    assert [matrix.cell(2, c).value for c in (6, 7)] == ["Đạt", "Chưa đạt"]
    assert matrix.cell(3, 5).value == "Thiếu dữ liệu"
    assert matrix.cell(2, 6).fill.fgColor.rgb.endswith("C6EFCE")
    for name in ("Xã × tiêu chí", "Chi tiết chỉ tiêu", "Theo tiêu chí", "Công nhận", "Cảnh báo"):
        assert wb[name].auto_filter.ref, name
        assert wb[name].freeze_panes == "C2", name
    assert wb["Chi tiết chỉ tiêu"].cell(2, 10).value == "12/QĐ-UBND"
    with zipfile.ZipFile(out) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        assert len(charts) == 2
        assert all("<c:barChart>" in z.read(n).decode() for n in charts)


def test_a_failed_write_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def fail(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(report, "_counts", fail)  # after four sheets are written
    with pytest.raises(RuntimeError):
        write(_book(), tmp_path / "r.xlsx")
    assert list(tmp_path.iterdir()) == []
