"""The count-only list reader on its own: communes named by code or by name and district
(diacritics and the "Xã" prefix do not matter, an ambiguous name is a problem), "14/19" or two
columns; every bad row reported with sheet, row, column, value and reason, and left out."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from ntm.exchange.counts import Commune, CountsFile, parse_count, read_counts

COMMUNES = [
    Commune("1", "04001", "Xã Tân Lập", "Huyện Bắc Sơn"),
    Commune("2", "04002", "Xã Tân Lập", "Huyện Hữu Lũng"),
    Commune("3", "04003", "Xã Đồng Tiến", "Huyện Hữu Lũng"),
    Commune("4", "04004", "Xã Quan Sơn", "Huyện Chi Lăng"),
]


def _csv(tmp_path: Path, text: str) -> CountsFile:
    path = tmp_path / "so-tieu-chi.csv"
    path.write_text(text, encoding="utf-8")
    return read_counts(path, COMMUNES, 19)


def _problems(found: CountsFile) -> list[str]:
    return [p.text("vi") for p in found.problems]


@pytest.mark.parametrize(
    ("cell", "parsed"),
    [
        (14, (14, None)),
        (14.0, (14, None)),
        ("14", (14, None)),
        ("14/19", (14, 19)),
        (" 14 / 19 ", (14, 19)),
        ("14/19 tiêu chí", (14, 19)),
        ("-1", (-1, None)),
        ("14,5", None),
        (14.5, None),
        ("mười bốn", None),
        (True, None),
    ],
)
def test_parse_count(cell: object, parsed: tuple[int, int | None] | None) -> None:
    assert parse_count(cell) == parsed


def test_names_with_district_codes_and_fractions(tmp_path: Path) -> None:
    found = _csv(
        tmp_path,
        "Tên xã,Huyện,Số tiêu chí đạt\n"
        "tan lap,Bắc Sơn,14/19\n"
        "Xã Tân Lập,huyen huu lung,19/19\n"
        "DONG TIEN,,7\n"
        "Quan Sơn,,0/19\n",
    )
    assert found.problems == []
    assert [(r.row, r.unit, r.met, r.total) for r in found.rows] == [
        (2, "1", 14, 19),
        (3, "2", 19, 19),
        (4, "3", 7, None),
        (5, "4", 0, 19),
    ]


def test_two_columns_and_codes(tmp_path: Path) -> None:
    found = _csv(
        tmp_path,
        "Mã xã,Số tiêu chí đạt,Tổng số tiêu chí,Ghi chú\n4001,15,19,Báo cáo 12/BC-UBND\n",
    )
    assert found.problems == []
    (row,) = found.rows
    assert (row.unit, row.met, row.total, row.note) == ("1", 15, 19, "Báo cáo 12/BC-UBND")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            "Tân Lập,,14/19",
            "cột A “Tên xã”, giá trị “Tân Lập”: tên này khớp với 2 xã (04001 Huyện Bắc Sơn; "
            "04002 Huyện Hữu Lũng); ghi huyện hoặc mã xã",
        ),
        ("Tân Lập,Chi Lăng,14/19", "không có xã nào tên này thuộc Chi Lăng"),
        ("Xã Không Có,,14/19", "không có xã nào tên này trong danh sách xã của năm"),
        ("Đồng Tiến,,14/20", "cột C “Số tiêu chí đạt”, giá trị “14/20”: bộ tiêu chí có 19"),
        ("Đồng Tiến,,20/19", "giá trị “20/19”: 20 tiêu chí đạt nhiều hơn 19 tiêu chí của bộ"),
        ("Đồng Tiến,,20", "giá trị “20”: 20 tiêu chí đạt nhiều hơn 19 tiêu chí của bộ"),
        ("Đồng Tiến,,-2", "giá trị “-2”: số tiêu chí đạt không thể âm"),
        ("Đồng Tiến,,mười", "số tiêu chí đạt phải là số nguyên từ 0 đến 19"),
        ("Đồng Tiến,,", "số tiêu chí đạt phải là số nguyên từ 0 đến 19"),
        (",,14", "thiếu mã xã và tên xã"),
    ],
)
def test_a_bad_row_is_reported_in_place_and_left_out(
    tmp_path: Path, line: str, message: str
) -> None:
    found = _csv(tmp_path, f"Tên xã,Huyện,Số tiêu chí đạt\nQuan Sơn,,12\n{line}\n")
    assert [r.unit for r in found.rows] == ["4"]
    (problem,) = _problems(found)
    assert problem.startswith("trang “so-tieu-chi.csv”, dòng 3")
    assert message in problem


def test_an_unknown_code_a_total_that_differs_and_a_commune_twice(tmp_path: Path) -> None:
    found = _csv(
        tmp_path,
        "Mã xã,Số tiêu chí đạt,Tổng số tiêu chí\n"
        "09999,10,19\n"
        "04003,10/19,20\n"
        "04004,10,20\n"
        "04001,10,19\n"
        "4001,11,19\n",
    )
    assert [r.row for r in found.rows] == [5]
    assert _problems(found) == [
        "trang “so-tieu-chi.csv”, dòng 2, cột A “Mã xã”, giá trị “09999”: không có xã nào mang "
        "mã này trong danh sách xã của năm",
        "trang “so-tieu-chi.csv”, dòng 3, cột C “Tổng số tiêu chí”, giá trị “20”: tổng số tiêu "
        "chí không đọc được hoặc khác với cột số tiêu chí đạt",
        "trang “so-tieu-chi.csv”, dòng 4, cột C “Tổng số tiêu chí”, giá trị “20”: bộ tiêu chí có "
        "19 tiêu chí, dòng này ghi 20",
        "trang “so-tieu-chi.csv”, dòng 6, cột A “Mã xã”, giá trị “4001”: xã này đã có ở dòng 5",
    ]


def test_a_file_without_the_columns(tmp_path: Path) -> None:
    assert (
        "không tìm thấy dòng tiêu đề có cột “Số tiêu chí đạt”"
        in _problems(_csv(tmp_path, "Tên xã,Điểm\nQuan Sơn,12\n"))[0]
    )
    assert (
        "thiếu cột bắt buộc “Mã xã”"
        in _problems(_csv(tmp_path, "Huyện,Số tiêu chí đạt\nChi Lăng,12\n"))[0]
    )


def test_a_workbook_in_english(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Danh sách"
    ws.append(["Danh sách xã đạt chuẩn năm 2013"])
    ws.append(["STT", "Xã", "Huyện", "Số TC đạt"])
    ws.append([1, "Tân Lập", "Bắc Sơn", "19/19"])
    ws.append([2, "Tân Lập", "Hữu Lũng", 21])
    path = tmp_path / "ds.xlsx"
    wb.save(path)
    found = read_counts(path, COMMUNES, 19, name="ds.xlsx")
    assert [(r.row, r.unit, r.met) for r in found.rows] == [(3, "1", 19)]
    (problem,) = found.problems
    assert problem.text("en") == (
        "sheet “Danh sách”, row 4, column D “Số tiêu chí đạt”, value “21”: 21 criteria met is "
        "more than the set's 19 criteria"
    )
