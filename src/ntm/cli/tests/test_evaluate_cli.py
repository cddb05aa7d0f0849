"""`ntm evaluate`: summary, results workbook, JSON, overlays and bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from openpyxl.utils import get_column_letter

from ntm.criteria.loader import load_set
from ntm.exchange.workbook import INPUT_SHEET, template_columns, write_template

# No database: these tests need not run again on PostgreSQL.
pytestmark = pytest.mark.pure

SET = "vn-ntm-xa-2016-2020"
INJECTION = '=HYPERLINK("http://example.com","x")'


def good_row(code: str, name: str) -> dict[str, Any]:
    """A TDMNPB commune that meets every indicator of the 2016–2020 set."""
    cset = load_set(SET)
    ops = {
        cond.measure: cond.op for c in cset.criteria for i in c.indicators for cond in i.conditions
    }
    row: dict[str, Any] = {"unit": code, "name": name, "province": "20", "region": "TDMNPB"}
    for col in template_columns(cset):
        if col.role == "yes/no" and col.kind:
            row[col.machine] = True
        elif col.role == "numerator":
            row[col.machine] = 0 if ops[col.field] == "<=" else 100
        elif col.role == "denominator":
            row[col.machine] = 100
        elif col.role == "value":
            row[col.machine] = 0 if ops[col.field] == "none" else 50
    return row


def workbook(tmp_path: Path) -> Path:
    """Three communes: A meets the set; B's income (30) is under the TDMNPB floor (36) and its
    name looks like a formula; C has no value for 19.2 and a compound 17.1 that fails."""
    a = good_row("06010", "Xã An")
    b = good_row("06011", INJECTION) | {"income_per_capita": 30}
    c = good_row("06012", "Xã Cường") | {"households_clean_water_share__numerator": 40}
    del c["security_order_safe_commune"]
    path = tmp_path / "nhap.xlsx"
    write_template(load_set(SET), path, rows=[a, b, c])
    return path


def evaluate(*args: str) -> str:
    out = StringIO()
    call_command("evaluate", *args, stdout=out)
    return out.getvalue()


def test_summary_and_results_workbook(tmp_path: Path) -> None:
    out = tmp_path / "ket-qua.xlsx"
    text = evaluate(str(workbook(tmp_path)), "--set", SET, "--year", "2020", "--out", str(out))
    assert "Phiên bản bộ tiêu chí đã dùng: vn-ntm-xa-2016-2020@1980/QĐ-TTg" in text
    assert "Số xã đạt chuẩn: 1/3 (33,33 %)" in text
    assert "Bình quân số tiêu chí đạt/xã: 18,00" in text
    assert "  Đạt 19/19 tiêu chí: 1 xã" in text and "  Đạt 15–18 tiêu chí: 2 xã" in text
    assert "  Tiêu chí 10 (Thu nhập): 2 / 0 / 1 / 0" in text
    assert "  Tiêu chí 19 (Quốc phòng và An ninh): 2 / 0 / 0 / 1" in text
    assert "Ngưỡng chưa xác minh: " in text and "Ngưỡng còn thiếu: 0 ô ngưỡng" in text
    assert f"Đã ghi bảng kết quả: {out}" in text

    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Tổng hợp", "Kết quả theo xã", "Chi tiết chỉ tiêu"]
    matrix = wb["Kết quả theo xã"]
    head = [c.value for c in matrix[1]]
    assert head[:7] == [
        "Mã xã",
        "Tên xã",
        "Số tiêu chí đạt",
        "Cơ bản đạt",
        "Chưa đạt",
        "Thiếu dữ liệu / ngưỡng",
        "Đạt chuẩn",
    ]
    assert head[7] == "TC 1. Quy hoạch" and len(head) == 7 + 19
    rows = {r[0].value: r for r in matrix.iter_rows(min_row=2)}
    assert [c.value for c in rows["06010"][2:7]] == [19, 0, 0, 0, "Đạt chuẩn"]
    income = rows["06011"][head.index("TC 10. Thu nhập")]
    assert (income.value, income.fill.fgColor.rgb) == ("Chưa đạt", "FFFFC7CE")
    security = rows["06012"][head.index("TC 19. Quốc phòng và An ninh")]
    assert (security.value, security.fill.fgColor.rgb) == ("Thiếu dữ liệu", "FFD9D9D9")
    assert rows["06010"][7].fill.fgColor.rgb == "FFC6EFCE"

    detail = wb["Chi tiết chỉ tiêu"]
    head = [c.value for c in detail[1]]
    found = [
        dict(zip(head, (c.value for c in r), strict=True))
        for r in detail.iter_rows(min_row=2)
        if r[0].value == "06011" and r[3].value == "10"
    ]
    assert len(found) == 1
    row = found[0]
    assert (row["Giá trị"], row["Ngưỡng"], row["Cột ngưỡng"], row["Chênh lệch (≥ 0: đạt)"]) == (
        30,
        36,
        "TDMNPB",
        -6,
    )
    assert (row["Kết quả chỉ tiêu"], row["Trạng thái ngưỡng"], row["Căn cứ"]) == (
        "Chưa đạt",
        "đã xác minh",
        "1980/QĐ-TTg",
    )
    assert detail.max_row - 1 == 3 * 51  # 49 indicators, 17.1 and 2.3 with two conditions


def test_text_that_looks_like_a_formula_stays_text(tmp_path: Path) -> None:
    out = tmp_path / "ket-qua.xlsx"
    evaluate(str(workbook(tmp_path)), "--set", SET, "--year", "2020", "--out", str(out))
    wb = openpyxl.load_workbook(out)
    for sheet in ("Kết quả theo xã", "Chi tiết chỉ tiêu"):
        cells = [r[1] for r in wb[sheet].iter_rows(min_row=2) if r[0].value == "06011"]
        assert cells
        for cell in cells:
            assert (cell.value, cell.data_type, cell.quotePrefix) == (INJECTION, "s", True)


def test_json(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    before = sorted(tmp_path.iterdir())
    data = json.loads(evaluate(str(path), "--set", SET, "--year", "2020", "--json"))
    assert sorted(tmp_path.iterdir()) == before, "--json without --out writes no file"
    assert data["set"] == {
        "id": SET,
        "name_vi": load_set(SET).name_vi,
        "label": "vn-ntm-xa-2016-2020@1980/QĐ-TTg",
        "year": 2020,
    }
    summary = data["summary"]
    assert (summary["communes"], summary["meeting"]) == (3, 1)
    assert summary["average_met"]["exact"] == "18/1"
    assert [b["count"] for b in summary["bands"]] == [1, 2, 0, 0, 0]
    assert summary["thresholds"]["missing_cells"] == 0
    communes = {c["unit"]: c for c in data["communes"]}
    b = communes["06011"]
    assert b["name"] == INJECTION and b["meets_set"] is False
    assert list(b["criteria"]) == [str(n) for n in range(1, 20)]
    assert b["criteria"]["10"] == "not_met"
    assert b["indicators"]["10"] == {
        "status": "not_met",
        "value": 30.0,
        "threshold": 36.0,
        "column": "TDMNPB",
        "gap": -6.0,
        "threshold_status": "verified",
        "stage": "claimed",
    }
    assert b["indicators"]["1.1"]["threshold"] is None
    compound = communes["06012"]["indicators"]["17.1"]
    assert compound["status"] == "not_met"
    assert compound["condition_status"] == ["met", "not_met"]
    assert compound["value"] == [100.0, 40.0] and compound["threshold"] == [90.0, 50.0]
    assert communes["06012"]["criteria"]["19"] == "missing_data"
    assert communes["06012"]["indicators"]["19.2"]["status"] == "missing_data"


def test_default_output_beside_the_input(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    evaluate(str(path), "--set", SET, "--year", "2020")
    assert (tmp_path / "nhap-ket-qua.xlsx").exists()


def test_province_overlay_wins_over_the_national_threshold(tmp_path: Path) -> None:
    overlay = tmp_path / "langson.yaml"
    overlay.write_text(
        "kind: overlay\nid: test-langson\nextends: vn-ntm-xa-2016-2020\nprovince_code: '20'\n"
        "province_name: Lạng Sơn\nlegal_basis: {number: 'TEST/QĐ-UBND'}\n"
        "cells:\n  - {indicator: '10', column: province, value: 55, status: verified}\n",
        encoding="utf-8",
    )
    args = [str(workbook(tmp_path)), "--set", SET, "--year", "2020", "--json"]
    data = json.loads(evaluate(*args, "--overlay", str(overlay)))
    a = {c["unit"]: c for c in data["communes"]}["06010"]
    assert a["indicators"]["10"]["threshold"] == 55.0
    assert a["indicators"]["10"]["column"] == "province"
    assert a["criteria"]["10"] == "not_met"
    assert data["set"]["label"].startswith("vn-ntm-xa-2016-2020@1980/QĐ-TTg")


# ---------------------------------------------------------------- bad input: no file written


def broken(tmp_path: Path, column: str | None, value: Any) -> Path:
    """The good workbook with one cell of commune B (row 4) changed, or a header removed."""
    path = workbook(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[INPUT_SHEET]
    letters = {c.header: get_column_letter(i) for i, c in enumerate(COLUMNS, start=1)}
    if column is None:
        ws["AB2"].value = None
    elif column == "duplicate":
        ws["A4"].value = "06010"
    else:
        ws[f"{letters[header(column)]}4"].value = value
    wb.save(path)
    return path


COLUMNS = template_columns(load_set(SET))


def header(machine: str) -> str:
    return next(c.header for c in COLUMNS if c.machine == machine)


CASES = [
    ("income_per_capita", "ba mươi", "giá trị “ba mươi”: ô số chứa chữ, cần một con số"),
    (
        "households_hygienic_water_share__numerator",
        101,
        "giá trị “101”: tử số lớn hơn mẫu số (101 > 100): tỷ lệ trên 100 %",
    ),
    ("temporary_dilapidated_houses", -2, "giá trị “-2”: giá trị không được âm"),
    (
        "income_per_capita",
        1e28,
        "giá trị “1e+28”: giá trị quá lớn (tối đa 15 chữ số, nhỏ hơn 1.000.000.000.000.000)",
    ),
    ("duplicate", None, "cột A “Mã xã”, giá trị “06010”: xã bị lặp lại (đã có ở dòng 3)"),
    ("region", "Miền núi", "giá trị “Miền núi”: vùng không có trong bộ tiêu chí"),
    ("unit", None, "cột A “Mã xã”: thiếu mã xã"),
]


@pytest.mark.parametrize(("column", "value", "expected"), CASES)
def test_bad_cell_reported_and_nothing_written(
    tmp_path: Path, column: str, value: Any, expected: str
) -> None:
    path = broken(tmp_path, column, value)
    out = tmp_path / "ket-qua.xlsx"
    with pytest.raises(CommandError) as info:
        evaluate(str(path), "--set", SET, "--year", "2020", "--out", str(out))
    message = str(info.value)
    assert message.startswith("Tệp nhap.xlsx không dùng được — 1 lỗi, không ghi kết quả nào:")
    assert f"trang “{INPUT_SHEET}”, dòng 4, cột " in message and expected in message
    if column != "duplicate":
        assert f"“{header(column)}”" in message
    assert not out.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nhap.xlsx"]


def test_missing_column(tmp_path: Path) -> None:
    path = broken(tmp_path, None, None)
    with pytest.raises(CommandError) as info:
        evaluate(str(path), "--set", SET, "--year", "2020")
    assert f"trang “{INPUT_SHEET}”, dòng 2: thiếu cột bắt buộc “{COLUMNS[27].header}”" in str(
        info.value
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nhap.xlsx"]


def test_unknown_set_and_year_outside_period(tmp_path: Path) -> None:
    path = workbook(tmp_path)
    with pytest.raises(CommandError) as info:
        evaluate(str(path), "--set", "vn-ntm-xa-1999", "--year", "2020")
    assert "bộ tiêu chí không dùng được: vn-ntm-xa-1999: không có bộ tiêu chí này" in str(
        info.value
    )
    with pytest.raises(CommandError) as info:
        evaluate(str(path), "--set", SET, "--year", "2023", "--out", str(tmp_path / "o.xlsx"))
    # 2016-2020 judges 2021 and 2022 too: it stays in force until 07/03/2022.
    assert "năm 2023 nằm ngoài các năm áp dụng bộ tiêu chí vn-ntm-xa-2016-2020 (2016–2022)" in str(
        info.value
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nhap.xlsx"]


def test_exit_status_and_message_on_the_command_line(tmp_path: Path) -> None:
    path = broken(tmp_path, "income_per_capita", "abc")
    run = subprocess.run(
        [
            sys.executable,
            "-c",
            "from ntm.cli import main; main()",
            "evaluate",
            str(path),
            "--set",
            SET,
            "--year",
            "2020",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert run.returncode != 0
    assert "dòng 4" in run.stderr and "ô số chứa chữ" in run.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nhap.xlsx"]
