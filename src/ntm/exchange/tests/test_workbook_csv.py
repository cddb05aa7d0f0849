"""CSV files as people save them: Python's csv in every dialect, Excel's semicolons and
decimal commas, BOM or not, UTF-8, UTF-16, Windows-1258 and Windows-1252, LibreOffice."""

from __future__ import annotations

import csv
import shutil
import subprocess
import unicodedata
from pathlib import Path
from typing import Any

import polars as pl
import pytest

from ntm.criteria.loader import load_set
from ntm.exchange.tests.test_workbook import CSET, GOOD, HEADERS, MEASURES, problems, read
from ntm.exchange.workbook import read_input, template_columns, write_template

pytestmark = pytest.mark.pure

MACHINE = [c.machine for c in template_columns(CSET, MEASURES)]


def row_text(row: list[Any], decimal: str = ".") -> list[str]:
    out = []
    for v in row:
        if v is None:
            out.append("")
        elif isinstance(v, float):
            out.append(str(v).replace(".", decimal))
        else:
            out.append(str(v))
    return out


def write_csv(
    path: Path,
    rows: list[list[str]],
    *,
    encoding: str = "utf-8",
    **fmt: Any,
) -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f, **fmt).writerows(rows)
    return path


def incomes(path: Path) -> list[float]:
    _, values = read(path)
    return values.filter(pl.col("measure") == "income")["value"].to_list()


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
@pytest.mark.parametrize("quoting", [csv.QUOTE_MINIMAL, csv.QUOTE_ALL, csv.QUOTE_NONNUMERIC])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig"])
@pytest.mark.parametrize("headers", ["template", "machine"])
def test_python_csv_in_every_dialect(
    tmp_path: Path, delimiter: str, quoting: int, encoding: str, headers: str
) -> None:
    decimal = "." if delimiter == "," else ","
    second = ["06011", "Xã B", "20", "DBSH", "", "", "Chưa đạt", 12, 20, "", "", "", 3, 1234.5, 0.5]
    path = write_csv(
        tmp_path / "nhap.csv",
        [
            ["Bộ tiêu chí: test-set, ghi chú; có dấu phẩy"],
            HEADERS if headers == "template" else MACHINE,
            row_text(GOOD, decimal),
            row_text(second, decimal),
        ],
        encoding=encoding,
        delimiter=delimiter,
        quoting=quoting,
    )
    units, values = read(path)
    assert units["unit"].to_list() == ["06010", "06011"]
    got = {(r["unit"], r["measure"]): r for r in values.to_dicts()}
    assert got["06010", "income"]["value"] == 38.5
    assert got["06011", "income"]["value"] == 1234.5
    assert got["06011", "poverty_rate"]["value"] == 0.5
    assert (got["06011", "roads_hard"]["numerator"], got["06011", "roads_hard"]["denominator"]) == (
        12.0,
        20.0,
    )
    assert got["06011", "plan_approved"]["value"] == 0.0
    assert len(values) == 7 + 5


@pytest.mark.parametrize("dialect", csv.list_dialects())
def test_pythons_named_dialects(tmp_path: Path, dialect: str) -> None:
    """excel (CRLF), excel-tab and unix (LF, every field quoted)."""
    decimal = "." if csv.get_dialect(dialect).delimiter == "," else ","
    path = write_csv(tmp_path / "x.csv", [HEADERS, row_text(GOOD, decimal)], dialect=dialect)
    assert incomes(path) == [38.5]


def test_excel_vietnamese_locale_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    """What Excel writes under a Vietnamese locale: `;`, decimal commas, BOM, CRLF."""
    lines = [";".join(HEADERS), ";".join(row_text(GOOD, ","))]
    path = tmp_path / "excel.csv"
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8-sig"))
    assert incomes(path) == [38.5]


def test_a_number_read_two_ways_beside_decimal_commas_is_reported(tmp_path: Path) -> None:
    row = row_text(GOOD, ",")
    row[13] = "1.234"
    path = write_csv(tmp_path / "x.csv", [HEADERS, row], delimiter=";")
    assert [str(p) for p in problems(path).problems] == [
        "trang “x.csv”, dòng 2, cột N “10 Thu nhập bình quân đầu người (triệu đồng/người/năm)”, "
        "giá trị “1.234”: không rõ dấu chấm/phẩy là phân cách hàng nghìn hay thập phân; ghi số "
        "không có phân cách hàng nghìn (ví dụ 1234 hoặc 1,5)"
    ]


def test_in_a_comma_separated_file_the_point_is_the_decimal_mark(tmp_path: Path) -> None:
    row = row_text(GOOD)
    row[13] = "12.345"
    assert incomes(write_csv(tmp_path / "x.csv", [HEADERS, row])) == [12.345]


def test_a_line_separator_inside_a_cell_does_not_split_the_row(tmp_path: Path) -> None:
    row = row_text(GOOD)
    row[1] = "Xã Hữu\u2028Kiên\u2029(cũ)\x85mới"
    units, _ = read(write_csv(tmp_path / "x.csv", [HEADERS, row]))
    assert units["name"].to_list() == ["Xã Hữu\u2028Kiên\u2029(cũ)\x85mới"]


def test_a_quoted_cell_over_several_lines(tmp_path: Path) -> None:
    row = row_text(GOOD)
    row[1] = "Xã Hữu\r\nKiên"
    second = row_text(GOOD)
    second[0] = "06011"
    second[13] = "abc"
    err = problems(write_csv(tmp_path / "x.csv", [HEADERS, row, second]))
    # Row numbers are records, as a spreadsheet shows them, not physical lines.
    assert [p.row for p in err.problems] == [3]


def test_utf16_with_bom_tab_separated(tmp_path: Path) -> None:
    """Excel's "Unicode text"."""
    path = write_csv(
        tmp_path / "x.csv", [HEADERS, row_text(GOOD, ",")], encoding="utf-16", delimiter="\t"
    )
    assert incomes(path) == [38.5]


def to_cp1258(text: str) -> bytes:
    """Windows-1258 as Windows writes it: base letters precomposed (ă, ơ, ư, ê...), tone
    marks combining."""
    out = b""
    for ch in unicodedata.normalize("NFC", text):
        try:
            out += ch.encode("cp1258")
            continue
        except UnicodeEncodeError:
            pass
        decomposed = unicodedata.normalize("NFD", ch)
        base, marks = decomposed[0], list(decomposed[1:])
        for mark in list(marks):
            composed = unicodedata.normalize("NFC", base + mark)
            if len(composed) == 1 and composed.encode("cp1258", "ignore"):
                base = composed
                marks.remove(mark)
        out += base.encode("cp1258") + "".join(marks).encode("cp1258")
    return out


def test_windows_1258(tmp_path: Path) -> None:
    lines = [",".join(f'"{h}"' for h in HEADERS), ",".join(row_text(GOOD))]
    path = tmp_path / "x.csv"
    path.write_bytes(to_cp1258("\r\n".join(lines) + "\r\n"))
    units, values = read(path)
    assert units["name"].to_list() == ["Xã Hữu Kiên"]
    assert values.filter(pl.col("measure") == "market")["value"].to_list() == [0.0]


def western(row: list[Any]) -> list[str]:
    """A row Windows-1252 can hold: yes/no as TRUE/FALSE."""
    words = {"Đạt": "TRUE", "Chưa đạt": "FALSE"}
    return [words.get(v, v) for v in row_text(row)]


def test_windows_1252_told_apart_by_its_headers(tmp_path: Path) -> None:
    """Western Excel: the headers that fit Windows-1252 ("Mã xã") say which it is."""
    headers = ["Mã xã", "Tên xã", "region", *MACHINE[6:]]
    row = western(GOOD)
    row = [row[0], "Xã Tân", *row[3:4], *row[6:]]
    path = tmp_path / "x.csv"
    path.write_bytes(("\n".join([",".join(headers), ",".join(row)]) + "\n").encode("cp1252"))
    units, _ = read(path)
    assert units["name"].to_list() == ["Xã Tân"]


def test_an_encoding_that_cannot_be_told_apart_is_named(tmp_path: Path) -> None:
    row = western(GOOD)
    row[1] = "Xã Tân"  # "ã" in Windows-1252 is "ă" in Windows-1258: both read
    path = tmp_path / "x.csv"
    path.write_bytes(("\n".join([",".join(MACHINE), ",".join(row)]) + "\n").encode("cp1252"))
    assert [str(p) for p in problems(path).problems] == [
        "tệp CSV không phải mã hóa UTF-8, và không phân biệt được là Windows-1258 hay "
        "Windows-1252; lưu lại tệp dạng “CSV UTF-8” (Excel: Lưu dưới dạng → CSV UTF-8)"
    ]


def test_bytes_of_no_known_encoding(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes(",".join(MACHINE).encode() + b"\n06010,X\x81\x8d\n")
    assert "không phải mã hóa UTF-8 (cũng không phải Windows-1258 hay Windows-1252)" in str(
        problems(path)
    )


def test_real_set_headers_with_quotes_and_commas(tmp_path: Path) -> None:
    """The 2016–2020 set's headers of 18.3 and 19.1 hold quotes and commas."""
    cset = load_set("vn-ntm-xa-2016-2020")
    headers = [c.header for c in template_columns(cset)]
    assert any('"' in h or "“" in h for h in headers) and any("," in h for h in headers)
    row = {h: "" for h in headers} | {headers[0]: "06010", headers[3]: "TDMNPB"}
    for delimiter in (",", ";", "\t"):
        path = write_csv(tmp_path / "x.csv", [headers, list(row.values())], delimiter=delimiter)
        units, values = read_input(path, cset, year=2020)
        assert units["unit"].to_list() == ["06010"] and values.is_empty()


LIBREOFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(LIBREOFFICE is None, reason="libreoffice is not installed")
@pytest.mark.parametrize("separator", ["44", "59", "9"])  # , ; tab
def test_template_converted_by_libreoffice(tmp_path: Path, separator: str) -> None:
    path = tmp_path / "mau.xlsx"
    write_template(
        CSET,
        path,
        measures=MEASURES,
        rows=[dict(zip(MACHINE, GOOD, strict=True)) | {"special_difficulty": False}],
    )
    assert LIBREOFFICE is not None
    subprocess.run(
        [
            LIBREOFFICE,
            "--headless",
            "--convert-to",
            f"csv:Text - txt - csv (StarCalc):{separator},34,76,1",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    assert incomes(tmp_path / "mau.csv") == [38.5]
