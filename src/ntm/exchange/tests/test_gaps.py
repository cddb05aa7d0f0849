"""The gap workbook (Ô cần bổ sung) on its own: written, filled, read back; a bad row is
reported with its sheet, row, column, value and reason, and gives no cell."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from ntm.criteria.loader import load_set
from ntm.criteria.schema import CellChange, CriteriaSet
from ntm.exchange.gaps import SHEET, gap_rows, read_gaps, write_gaps

SET = "vn-ntm-xa-2016-2020"
YEAR = 2020


def _sets(set_id: str) -> CriteriaSet | None:
    return load_set(set_id) if set_id == SET else None


def _filled(tmp_path: Path, fill: dict[tuple[str, str], object]) -> tuple[Path, dict[str, int]]:
    """The written workbook with the decision's columns filled on the rows `fill` names
    (indicator, column) with that value; also the row number of each filled row."""
    cset = load_set(SET)
    path = tmp_path / "o-can-bo-sung.xlsx"
    write_gaps(path, cset, YEAR, gap_rows(cset, YEAR), title="Tỉnh Thử Nghiệm")
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    col = {c.value: c.column for c in ws[4]}
    rows = {}
    for r in range(5, ws.max_row + 1):
        key = (ws.cell(r, col["Mã chỉ tiêu"]).value, ws.cell(r, col["Cột"]).value)
        if key in fill:
            ws.cell(r, col["Giá trị quyết định"]).value = fill[key]
            ws.cell(r, col["Số quyết định"]).value = "12/QĐ-UBND"
            ws.cell(r, col["Ngày ký"]).value = "02/03/2020"
            ws.cell(r, col["Cơ quan ban hành"]).value = "UBND tỉnh"
            rows[f"{key[0]}/{key[1]}"] = r
    wb.save(path)
    return path, rows


def test_the_rows_are_the_cells_still_to_decide() -> None:
    rows = gap_rows(load_set(SET), YEAR)
    village = next(r for r in rows if (r.indicator, r.column) == ("2.2", "national"))
    assert (village.condition, village.value, village.status) == (0, 70, "unverified")
    assert village.comparison == "transport_village_roads_share ≥"
    # 15.1 (health insurance) is verified from the law in every column: nothing to decide.
    assert not any(r.indicator == "15.1" for r in rows)


def test_written_filled_and_read_back(tmp_path: Path) -> None:
    path, _ = _filled(tmp_path, {("2.2", "national"): 80, ("2.2", "TDMNPB"): "62,5"})

    found = read_gaps(path, _sets)

    assert found.problems == []
    assert (found.sheet, found.set_id) == (SHEET, SET)
    assert (found.number, found.date_signed, found.issuer) == (
        "12/QĐ-UBND",
        dt.date(2020, 3, 2),
        "UBND tỉnh",
    )
    assert found.effective_from is None
    assert [c.change for c in found.cells] == [
        CellChange(indicator="2.2", column="national", value=80, status="verified"),
        CellChange(indicator="2.2", column="TDMNPB", value=62.5, status="verified"),
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("bảy mươi", "ô số chứa chữ, cần một con số"),
        (150, "tỷ lệ ghi theo phần trăm, từ 0 đến 100"),
    ],
)
def test_a_bad_row_is_reported_with_its_place_and_gives_no_cell(
    tmp_path: Path, value: object, reason: str
) -> None:
    path, rows = _filled(tmp_path, {("2.2", "national"): 80, ("2.2", "DBSH"): value})

    found = read_gaps(path, _sets)

    assert [c.change.column for c in found.cells] == ["national"]
    [problem] = found.problems
    assert (problem.sheet, problem.row, problem.header, problem.letter, problem.value) == (
        SHEET,
        rows["2.2/DBSH"],
        "Giá trị quyết định",
        "L",
        value,
    )
    assert problem.reason.startswith(reason)
    assert problem.reason_en


def test_a_file_without_the_value_column_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "khac.csv"
    path.write_text("set,indicator,condition,column\n", encoding="utf-8")

    found = read_gaps(path, _sets)

    assert found.cells == []
    assert [p.reason for p in found.problems] == [
        "không tìm thấy dòng tiêu đề có cột “Giá trị quyết định” (trong 20 dòng đầu)"
    ]
