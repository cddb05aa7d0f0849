"""The input workbook: template, reader, and every kind of bad input."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import openpyxl
import polars as pl
import pytest

from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.exchange.tests import rawxlsx
from ntm.exchange.tests.factory import criteria_set, measures
from ntm.exchange.workbook import (
    COLUMNS_SHEET,
    INPUT_SHEET,
    InputError,
    InputProblem,
    UnitInfo,
    read_input,
    template_columns,
    write_template,
)

pytestmark = pytest.mark.pure

CSET = criteria_set()
MEASURES = measures()
HEADERS = [
    "Mã xã",
    "Tên xã",
    "Mã tỉnh",
    "Vùng",
    "Xã ĐBKK",
    "Xã ATK huyện nghèo",
    "1.1 Quy hoạch được duyệt (Đạt/Chưa đạt)",
    "2.2 Tỷ lệ đường trục thôn cứng hóa: km đường cứng hóa (tử số)",
    "2.2 Tỷ lệ đường trục thôn cứng hóa: tổng km đường trục thôn (mẫu số)",
    "6.3 Tỷ lệ thôn có nhà văn hóa: thôn có nhà văn hóa (tử số)",
    "6.3 Tỷ lệ thôn có nhà văn hóa: tổng số thôn (mẫu số)",
    "7 Chợ nông thôn đạt chuẩn (Đạt/Chưa đạt)",
    "9.1 Số nhà tạm, dột nát (nhà)",
    "10 Thu nhập bình quân đầu người (triệu đồng/người/năm)",
    "11 Tỷ lệ hộ nghèo (%)",
]
# One good commune, in the template's column order: the six identity columns, the measures.
GOOD: list[Any] = [
    *("06010", "Xã Hữu Kiên", "20", "TDMNPB", "Không", None),
    *("Đạt", 40, 50, 8, 8, "Chưa đạt", 0, 38.5, 3.2),
]


def template(tmp_path: Path) -> Path:
    path = tmp_path / "mau.xlsx"
    write_template(CSET, path, measures=MEASURES)
    return path


def filled(tmp_path: Path, rows: list[list[Any]], headers: list[str] | None = None) -> Path:
    """The template filled as a user would, in Excel: headers on row 2, data from row 3."""
    path = template(tmp_path)
    wb = openpyxl.load_workbook(path)
    ws = wb[INPUT_SHEET]
    if headers is not None:
        for c in range(1, ws.max_column + 1):
            ws.cell(2, c).value = None
        for c, h in enumerate(headers, start=1):
            ws.cell(2, c).value = h
    for r, row in enumerate(rows, start=3):
        for c, value in enumerate(row, start=1):
            ws.cell(r, c).value = value
    out = tmp_path / "nhap.xlsx"
    wb.save(out)
    return out


def read(path: Path, **kw: Any) -> tuple[pl.DataFrame, pl.DataFrame]:
    return read_input(path, CSET, year=2020, measures=MEASURES, **kw)


def problems(path: Path, **kw: Any) -> InputError:
    with pytest.raises(InputError) as info:
        read(path, **kw)
    return info.value


# ---------------------------------------------------------------- template


def test_template_headers_note_row_and_frozen_panes(tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template(tmp_path))
    assert wb.sheetnames == [INPUT_SHEET, COLUMNS_SHEET]
    ws = wb[INPUT_SHEET]
    assert "test-set" in ws["A1"].value and "1/QĐ-TEST" in ws["A1"].value
    assert [c.value for c in ws[2]] == HEADERS
    assert ws.freeze_panes == "C3"
    assert ws.column_dimensions["B"].width > ws.column_dimensions["A"].width


def test_template_explains_every_column(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(template(tmp_path))[COLUMNS_SHEET]
    rows = list(ws.iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == HEADERS
    by_header = {r[1]: r for r in rows}
    num = by_header[HEADERS[7]]
    assert num[0] == "H"
    assert num[2:6] == ("2.2", "roads_hard", "numerator (tử số)", "số lượng (km đường cứng hóa)")
    assert "tử số" in num[6]
    assert by_header["Mã xã"][4] == "identity (định danh)"
    assert by_header["Vùng"][7] == "có"
    assert "TDMNPB" in by_header["Vùng"][6]
    assert by_header[HEADERS[6]][4] == "yes/no (có/không)"
    assert by_header[HEADERS[13]][5] == "triệu đồng/người/năm"
    assert "Không áp dụng" in by_header[HEADERS[11]][6]
    assert all(r[6] for r in rows), "every column has an explanation"


def test_template_has_drop_downs_for_yes_no_and_region(tmp_path: Path) -> None:
    ws = openpyxl.load_workbook(template(tmp_path))[INPUT_SHEET]
    lists = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert lists["D3"] == '"TDMNPB,DBSH"'
    assert lists["E3"] == '"Có,Không"'
    assert lists["G3"] == '"Đạt,Chưa đạt"'
    assert lists["L3"] == '"Đạt,Chưa đạt,Không áp dụng"'


def test_template_keeps_text_that_looks_like_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "f.xlsx"
    write_template(CSET, path, measures=MEASURES, rows=[{"unit": "06010", "name": "=1+1"}])
    cell = openpyxl.load_workbook(path)[INPUT_SHEET]["B3"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == ("=1+1", "s", True)


# ---------------------------------------------------------------- round trip


def test_round_trip_template_fill_read(tmp_path: Path) -> None:
    second = [
        *("6010.0", "Xã B", 20, "dbsh", "co", "1"),
        *("DAT", "", None, "Không áp dụng", None, "true", None, "1.234,5", "0"),
    ]
    second[0] = 6011  # Excel turned the code into a number: its zero comes back
    units, values = read(filled(tmp_path, [GOOD, second]))
    assert units.to_dicts() == [
        {
            "unit": "06010",
            "name": "Xã Hữu Kiên",
            "province": "20",
            "region": "TDMNPB",
            "commune_group": None,
            "special_difficulty": False,
            "safe_zone_poor_district": False,
        },
        {
            "unit": "06011",
            "name": "Xã B",
            "province": "20",
            "region": "DBSH",
            "commune_group": None,
            "special_difficulty": True,
            "safe_zone_poor_district": True,
        },
    ]
    got = {(r["unit"], r["measure"]): r for r in values.to_dicts()}
    assert set(values["stage"]) == {"claimed"} and set(values["period"]) == {2020}
    assert values.schema["period"] == pl.Int32
    assert got["06010", "plan_approved"]["value"] == 1.0
    assert got["06010", "market"]["value"] == 0.0
    assert (got["06010", "roads_hard"]["numerator"], got["06010", "roads_hard"]["denominator"]) == (
        40.0,
        50.0,
    )
    assert got["06010", "temp_houses"]["value"] == 0.0
    assert got["06010", "income"]["value"] == 38.5
    assert got["06011", "plan_approved"]["value"] == 1.0
    assert got["06011", "village_halls"]["not_applicable"] is True
    assert got["06011", "market"]["value"] == 1.0
    assert got["06011", "income"]["value"] == 1234.5
    # Blank cells are no row at all: the engine reports them as missing data.
    assert ("06011", "roads_hard") not in got and ("06011", "temp_houses") not in got
    assert len(values) == 7 + 5


def test_csv_with_machine_headers_and_semicolons(tmp_path: Path) -> None:
    cols = template_columns(CSET, MEASURES)
    path = tmp_path / "nhap.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow([c.machine for c in cols])
        w.writerow(
            [
                *("06010", "Xã A", "20", "TDMNPB", "", ""),
                *("Có", "40", "50", "8", "8", "Đạt", "0", "38,5", "3,2"),
            ]
        )
    units, values = read(path)
    assert units["unit"].to_list() == ["06010"]
    assert values.filter(pl.col("measure") == "income")["value"].item() == 38.5


def test_csv_with_template_headers(tmp_path: Path) -> None:
    path = tmp_path / "nhap.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(HEADERS)
        w.writerow(
            ["06010", "Xã A", "20", "TDMNPB", "", "", "FALSE", "", "", "", "", "", "2", "", ""]
        )
    _units, values = read(path)
    assert values.sort("measure").select("measure", "value").rows() == [
        ("plan_approved", 0.0),
        ("temp_houses", 2.0),
    ]


def test_unit_lookup_supplies_region_and_flags(tmp_path: Path) -> None:
    register = {
        "06010": UnitInfo(
            "06010", "Xã Hữu Kiên", "20", "TDMNPB", None, frozenset({"special_difficulty"})
        )
    }
    headers = ["Mã xã", *HEADERS[6:]]
    units, _ = read(filled(tmp_path, [["6010", *GOOD[6:]]], headers), unit_lookup=register.get)
    row = units.row(0, named=True)
    assert (row["region"], row["province"], row["special_difficulty"]) == ("TDMNPB", "20", True)


# ---------------------------------------------------------------- bad input


def one_problem(tmp_path: Path, column: int, value: Any) -> str:
    row = list(GOOD)
    row[column] = value
    err = problems(filled(tmp_path, [["06009", *GOOD[1:]], row]))
    assert len(err.problems) == 1, str(err)
    return str(err.problems[0])


@pytest.mark.parametrize(
    ("column", "value", "expected"),
    [
        (
            13,
            "ba mươi",
            "cột N “10 Thu nhập bình quân đầu người (triệu đồng/người/năm)”, "
            "giá trị “ba mươi”: ô số chứa chữ, cần một con số",
        ),
        (13, "1.234", "không rõ dấu chấm/phẩy"),
        (12, -1, "cột M “9.1 Số nhà tạm, dột nát (nhà)”, giá trị “-1”: giá trị không được âm"),
        (12, 1.5, "số đếm phải là số nguyên"),
        (14, 120, "cột O “11 Tỷ lệ hộ nghèo (%)”, giá trị “120”: tỷ lệ không được lớn hơn 100 %"),
        (
            7,
            60,
            "cột H “2.2 Tỷ lệ đường trục thôn cứng hóa: km đường cứng hóa (tử số)”, "
            "giá trị “60”: tử số lớn hơn mẫu số (60 > 50): tỷ lệ trên 100 %",
        ),
        (8, 0, "giá trị “0”: mẫu số phải lớn hơn 0; để trống nếu chưa có số liệu"),
        (
            8,
            None,
            "cột I “2.2 Tỷ lệ đường trục thôn cứng hóa: tổng km đường trục thôn (mẫu số)”: "
            "có tử số nhưng thiếu mẫu số",
        ),
        (
            6,
            "có lẽ",
            "cột G “1.1 Quy hoạch được duyệt (Đạt/Chưa đạt)”, giá trị “có lẽ”: cần Đạt/Chưa đạt",
        ),
        (6, "Không áp dụng", "chỉ tiêu này không có lựa chọn “Không áp dụng”"),
        (4, "hmm", "cột E “Xã ĐBKK”, giá trị “hmm”: cần Có/Không"),
        (
            3,
            "Tây Bắc",
            "cột D “Vùng”, giá trị “Tây Bắc”: vùng không có trong bộ tiêu chí; "
            "dùng một trong: TDMNPB, DBSH",
        ),
        (3, None, "cột D “Vùng”: thiếu vùng — không xác định được xã"),
        (0, None, "cột A “Mã xã”: thiếu mã xã"),
        (2, "Lạng Sơn", "mã tỉnh phải là số"),
    ],
)
def test_each_bad_cell_is_reported_with_its_place(
    tmp_path: Path, column: int, value: Any, expected: str
) -> None:
    message = one_problem(tmp_path, column, value)
    assert message.startswith(f"trang “{INPUT_SHEET}”, dòng 4, "), message
    assert expected in message


def test_duplicate_commune(tmp_path: Path) -> None:
    err = problems(filled(tmp_path, [GOOD, GOOD]))
    assert [str(p) for p in err.problems] == [
        f"trang “{INPUT_SHEET}”, dòng 4, cột A “Mã xã”, giá trị “06010”: "
        "xã bị lặp lại (đã có ở dòng 3)"
    ]


def test_unknown_commune_with_unit_register(tmp_path: Path) -> None:
    err = problems(filled(tmp_path, [GOOD]), unit_lookup=lambda code: None)
    assert str(err.problems[0]).endswith("giá trị “06010”: không có xã mang mã này")


def test_missing_required_columns(tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h not in {"Vùng", HEADERS[13]}]
    err = problems(filled(tmp_path, [], headers))
    assert [str(p) for p in err.problems] == [
        f"trang “{INPUT_SHEET}”, dòng 2: thiếu cột bắt buộc “Vùng” (hoặc “region”)",
        f"trang “{INPUT_SHEET}”, dòng 2: thiếu cột bắt buộc “{HEADERS[13]}” (hoặc “income”)",
    ]


def test_duplicate_column(tmp_path: Path) -> None:
    err = problems(filled(tmp_path, [GOOD], [*HEADERS, "Vùng"]))
    assert str(err.problems[0]) == (
        f"trang “{INPUT_SHEET}”, dòng 2, cột P “Vùng”, giá trị “Vùng”: cột bị lặp lại"
    )


def test_template_and_import_follow_the_years_a_set_judges(tmp_path: Path) -> None:
    # 2016-2020 stays in force until 318/QĐ-TTg takes effect on 08/03/2022.
    old = load_set("vn-ntm-xa-2016-2020")
    path = tmp_path / "mau.xlsx"
    write_template(old, path)
    note = openpyxl.load_workbook(path)[INPUT_SHEET]["A1"].value
    assert (
        "hiệu lực từ 01/12/2016 đến 07/03/2022, đến khi 318/QĐ-TTg có hiệu lực (08/03/2022); "
        "áp dụng cho đánh giá các năm 2016–2022"
    ) in note
    # The blank template has no rows; only 2023 is also refused for its year.
    for year, refused in ((2022, False), (2023, True)):
        with pytest.raises(InputError) as info:
            read_input(path, old, year=year)
        said = f"năm {year} nằm ngoài các năm áp dụng bộ tiêu chí {old.id} (2016–2022)"
        assert (said in str(info.value)) == refused


def test_year_outside_period_is_listed_with_the_other_problems(tmp_path: Path) -> None:
    row = list(GOOD)
    row[13] = "x"
    with pytest.raises(InputError) as info:
        read_input(filled(tmp_path, [row]), CSET, year=2021, measures=MEASURES)
    text = str(info.value)
    assert text.splitlines()[0] == "Tệp nhap.xlsx không dùng được — 2 lỗi, không ghi kết quả nào:"
    assert "năm 2021 nằm ngoài các năm áp dụng bộ tiêu chí test-set (2016–2020)" in text
    assert "ô số chứa chữ" in text


def test_every_problem_is_listed_not_only_the_first(tmp_path: Path) -> None:
    bad = list(GOOD)
    bad[0], bad[13], bad[14] = "06011", "abc", -3
    worse = list(GOOD)
    worse[0], worse[3] = "06012", "XYZ"
    err = problems(filled(tmp_path, [GOOD, bad, worse]))
    assert [(p.row, p.letter) for p in err.problems] == [(4, "N"), (4, "O"), (5, "D")]


def test_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_text("không phải Excel")
    assert "không mở được tệp Excel" in str(problems(path))
    other = tmp_path / "x.ods"
    other.write_text("")
    assert "dùng .xlsx hoặc .csv" in str(problems(other))


def test_no_header_row(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert "không tìm thấy dòng tiêu đề" in str(problems(path))


def test_csv_in_windows_1252_says_it_cannot_hold_vietnamese(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("Mã xã,Tên xã\n".encode("latin-1"))
    assert "tệp CSV được đọc theo bảng mã Windows-1252" in str(problems(path))


@pytest.mark.parametrize("set_id", bundled_set_ids())
def test_template_of_every_bundled_set(tmp_path: Path, set_id: str) -> None:
    cset = load_set(set_id)
    kinds = {c.kind for c in cset.columns}
    cols = template_columns(cset)
    codes = {i.code for c in cset.criteria for i in c.indicators}
    for col in cols:
        if col.kind:
            assert col.header.split(" ")[0].rstrip(",") in codes, col.header
    row = {"unit": "06010", "name": "Xã A", "province": "20"}
    if "region" in kinds:
        row["region"] = "ĐBSH"  # with the diacritic, as people write it
    if "commune_group" in kinds:
        row["commune_group"] = "Nhóm 2"
    path = tmp_path / "t.xlsx"
    write_template(cset, path, rows=[row])
    units, _ = read_input(path, cset, year=cset.period.end_year)
    got = units.row(0, named=True)
    assert got["region"] == ("DBSH" if "region" in kinds else None)
    assert got["commune_group"] == ("group_2" if "commune_group" in kinds else None)


def test_missing_file(tmp_path: Path) -> None:
    assert str(problems(tmp_path / "khong-co.xlsx")) == (
        "Tệp khong-co.xlsx không dùng được — 1 lỗi, không ghi kết quả nào:\n  - không tìm thấy tệp"
    )


# ---------------------------------------------------------------- what Excel and others write


def raw_filled(tmp_path: Path, rows: list[list[Any]], **kw: Any) -> Path:
    """The note, the headers and `rows` (communes), written byte by byte."""
    return rawxlsx.write(tmp_path / "raw.xlsx", [["Bộ tiêu chí: test-set"], HEADERS, *rows], **kw)


def test_a_stale_dimension_drops_no_row(tmp_path: Path) -> None:
    """Declared A1:O6, holding 9 rows: a title, two notes, the header and 5 communes."""
    communes = [[f"0601{i}", *GOOD[1:]] for i in range(5)]
    path = rawxlsx.write(
        tmp_path / "stale.xlsx",
        [["Tiêu đề"], ["Ghi chú 1"], ["Ghi chú 2"], HEADERS, *communes],
        dimension="A1:O6",
    )
    units, _ = read(path)
    assert units["unit"].to_list() == ["06010", "06011", "06012", "06013", "06014"]


def cell_problems(tmp_path: Path, cells: dict[int, Any]) -> list[str]:
    row = list(GOOD)
    for column, value in cells.items():
        row[column] = value
    return [str(p) for p in problems(raw_filled(tmp_path, [row])).problems]


def test_a_formula_without_its_result_is_a_problem(tmp_path: Path) -> None:
    assert cell_problems(tmp_path, {13: rawxlsx.Raw("<f>SUM(H3:I3)</f>")}) == [
        f"trang “{INPUT_SHEET}”, dòng 3, cột N “{HEADERS[13]}”, giá trị “=SUM(H3:I3)”: ô chứa "
        "công thức nhưng tệp không lưu kết quả của công thức; mở và lưu lại tệp bằng Excel "
        "hoặc LibreOffice, hoặc gõ giá trị vào ô"
    ]


def test_a_formula_with_its_result_is_read(tmp_path: Path) -> None:
    row = list(GOOD)
    row[13] = rawxlsx.Raw("<f>SUM(H3:I3)</f><v>38.5</v>")
    row[1] = rawxlsx.Raw('<f>"Xã "&amp;"A"</f><v>Xã A</v>', ' t="str"')
    units, values = read(raw_filled(tmp_path, [row]))
    assert units["name"].to_list() == ["Xã A"]
    assert values.filter(pl.col("measure") == "income")["value"].to_list() == [38.5]


@pytest.mark.parametrize(
    ("column", "xml", "shown", "reason"),
    [
        (13, "<v>NaN</v>", "NaN", "giá trị không phải là một số hữu hạn"),
        (14, "<v>inf</v>", "inf", "giá trị không phải là một số hữu hạn"),
        (
            12,
            f"<v>{'9' * 400}</v>",
            "9" * 60 + "… (400 ký tự)",
            "giá trị quá lớn (tối đa 15 chữ số)",
        ),
        (12, "<v>12abc</v>", "12abc", "ô số không đọc được"),
        (
            13,
            "<v>1E+28</v>",
            "1e+28",
            "giá trị quá lớn (tối đa 15 chữ số, nhỏ hơn 1.000.000.000.000.000)",
        ),
        (13, "<v>#DIV/0!</v>", "#DIV/0!", "ô chứa lỗi của công thức (#DIV/0!)"),
    ],
)
def test_cells_no_number_can_hold(
    tmp_path: Path, column: int, xml: str, shown: str, reason: str
) -> None:
    attrs = ' t="e"' if xml.startswith("<v>#") else ""
    letter = "ABCDEFGHIJKLMNO"[column]
    assert cell_problems(tmp_path, {column: rawxlsx.Raw(xml, attrs)}) == [
        f"trang “{INPUT_SHEET}”, dòng 3, cột {letter} “{HEADERS[column]}”, giá trị “{shown}”: "
        f"{reason}"
    ]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("inf", "ô số chứa chữ, cần một con số"),
        ("NaN", "ô số chứa chữ, cần một con số"),
        ("1e28", "giá trị quá lớn (tối đa 15 chữ số, nhỏ hơn 1.000.000.000.000.000)"),
        ("9" * 400, "giá trị quá lớn (tối đa 15 chữ số, nhỏ hơn 1.000.000.000.000.000)"),
    ],
)
def test_csv_text_no_number_can_hold(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "x.csv"
    row = ["" if v is None else str(v) for v in GOOD]
    row[13] = text
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEADERS, row])
    got = [str(p) for p in problems(path).problems]
    assert len(got) == 1 and got[0].startswith("trang “x.csv”, dòng 2, cột N “10 Thu nhập")
    assert got[0].endswith(f": {reason}")


def test_a_date_in_a_number_cell(tmp_path: Path) -> None:
    assert cell_problems(tmp_path, {13: rawxlsx.Raw("<v>2020-01-05T00:00:00</v>", ' t="d"')}) == [
        f"trang “{INPUT_SHEET}”, dòng 3, cột N “{HEADERS[13]}”, giá trị “2020-01-05 00:00:00”: "
        "ô số chứa ngày tháng, cần một con số"
    ]


def test_shared_strings_and_rich_text(tmp_path: Path) -> None:
    row = list(GOOD)
    row[0] = rawxlsx.Raw("<v>0</v>", ' t="s"')
    row[1] = rawxlsx.Raw("<v>1</v>", ' t="s"')
    path = raw_filled(tmp_path, [row], shared=["06010", "Xã Hữu Kiên"])
    units, _ = read(path)
    assert units.select("unit", "name").rows() == [("06010", "Xã Hữu Kiên")]


def test_the_bounds_of_the_catalogue_are_the_readers(tmp_path: Path) -> None:
    """ntm.criteria.bounds decides, as for the entry form and the API."""
    got = cell_problems(tmp_path, {14: 100.5, 12: 2.5})
    assert [p.rsplit(": ", 1)[1] for p in got] == [
        "số đếm phải là số nguyên",
        "tỷ lệ không được lớn hơn 100 %",
    ]


def test_a_share_of_kilometres_may_have_decimals(tmp_path: Path) -> None:
    row = list(GOOD)
    row[7], row[8] = 12.5, 20
    _, values = read(filled(tmp_path, [row]))
    assert values.filter(pl.col("measure") == "roads_hard")["numerator"].to_list() == [12.5]


def test_blank_means_no_data_and_the_template_says_so(tmp_path: Path) -> None:
    said = "Ô để trống = chưa có số liệu (khi nhập vào hệ thống, giá trị đã lưu của ô đó bị xóa)"
    wb = openpyxl.load_workbook(template(tmp_path))
    assert said in wb[INPUT_SHEET]["A1"].value
    explained = [r[6] for r in wb[COLUMNS_SHEET].iter_rows(min_row=2, values_only=True)]
    measures = explained[6:]
    assert measures and all(said in text for text in measures)


def test_a_cut_list_keeps_its_count_when_wrapped_again() -> None:
    """values/services/imports.py and exchange/results.py re-raise a reader's InputError with
    their own name and problems: the count of the problems left out survives."""
    many = [InputProblem(f"lỗi {i}", "Nhập liệu", i) for i in range(1, 251)]
    err = InputError(many, "a.xlsx")
    assert err.total == 250 and len(err.problems) == 201
    assert str(err.problems[-1]) == "chỉ hiện 200 lỗi đầu trong 250 lỗi"
    again = InputError([InputProblem("bộ tiêu chí không dùng được"), *err.problems], "b.xlsx")
    assert again.total == 251
    assert again.message().splitlines()[0] == (
        "Tệp b.xlsx không dùng được — 251 lỗi, không ghi kết quả nào:"
    )
    assert again.message().splitlines()[-1] == "  - chỉ hiện 200 lỗi đầu trong 251 lỗi"
