"""The sheet reader's guards, one by one: what it refuses and how it reads odd files."""

from __future__ import annotations

import csv
import datetime as dt
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import xlsxwriter

from ntm.exchange import sheets
from ntm.exchange.sheets import FORMULA_WITHOUT_VALUE, BadCell, Say, SheetError, open_sheet
from ntm.exchange.tests import rawxlsx

pytestmark = pytest.mark.pure

LONG = Say("ô dài hơn 10.000 ký tự", "the cell is longer than 10,000 characters")


def rows(path: Path, prefer: str = "Nhập liệu") -> list[tuple[int, list[Any]]]:
    sheet = open_sheet(path, prefer, lambda row: int("unit" in row))
    try:
        return list(sheet.rows)
    finally:
        sheet.close()


def test_blank_rows_and_cells_are_left_out_and_numbers_keep_their_type(tmp_path: Path) -> None:
    path = rawxlsx.write(
        tmp_path / "x.xlsx",
        [
            '<row r="2"><c r="B2" t="inlineStr"><is><t>a</t></is></c><c r="D2"><v>7</v></c></row>',
            '<row r="5"><c r="A5" t="inlineStr"><is><t> </t></is></c></row>',
            # No r attributes: the next row, the next cells.
            '<row><c><v>-3</v></c><c><v>2.5</v></c><c t="b"><v>1</v></c></row>',
        ],
    )
    assert rows(path) == [(2, [None, "a", None, 7]), (6, [-3, 2.5, True])]


def test_rich_text_without_its_phonetic_runs(tmp_path: Path) -> None:
    path = rawxlsx.write(
        tmp_path / "x.xlsx",
        [
            '<row r="1"><c r="A1" t="inlineStr"><is><r><t>Xã </t></r><r><t>An</t></r>'
            "<rPh><t>ignored</t></rPh></is></c></row>"
        ],
    )
    assert rows(path) == [(1, ["Xã An"])]


def test_the_input_sheet_is_chosen_by_name(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    wb.add_worksheet("Khác").write_string(0, 0, "khác")
    wb.add_worksheet("Nhập liệu").write_string(0, 0, "đây")
    wb.close()
    assert rows(path) == [(1, ["đây"])]
    assert rows(path, prefer="không có") == [(1, ["khác"])]


def test_dates_by_their_style(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Nhập liệu")
    ws.write_datetime(0, 0, dt.datetime(2020, 5, 1), wb.add_format({"num_format": "dd/mm/yyyy"}))
    ws.write_number(0, 1, 43952, wb.add_format({"num_format": "0.00"}))
    wb.close()
    assert rows(path) == [(1, [dt.datetime(2020, 5, 1), 43952])]


def test_formula_cells(tmp_path: Path) -> None:
    path = rawxlsx.write(
        tmp_path / "x.xlsx",
        [
            '<row r="1"><c r="A1"><f>1+1</f></c><c r="B1"><f>1+1</f><v>2</v></c>'
            '<c r="C1" t="e"><f>1/0</f><v>#DIV/0!</v></c></row>'
        ],
    )
    assert rows(path) == [
        (
            1,
            [
                BadCell(FORMULA_WITHOUT_VALUE, "=1+1"),
                2,
                BadCell(
                    Say(
                        "ô chứa lỗi của công thức (#DIV/0!)",
                        "the cell holds a formula error (#DIV/0!)",
                    ),
                    "#DIV/0!",
                ),
            ],
        )
    ]


def test_a_document_type_declaration_is_refused(tmp_path: Path) -> None:
    """The billion laughs: entities are never expanded."""
    path = rawxlsx.write(tmp_path / "x.xlsx", [])
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        f'<worksheet xmlns="{rawxlsx.MAIN}"><sheetData><row r="1"><c r="A1" t="inlineStr">'
        "<is><t>&lol2;</t></is></c></row></sheetData></worksheet>"
    )
    replace(path, "xl/worksheets/sheet1.xml", bomb)
    with pytest.raises(SheetError, match="có khai báo DTD"):
        rows(path)


def replace(path: Path, part: str, text: str) -> None:
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts[part] = text.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_a_part_over_the_byte_budget(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_PART_BYTES", 200_000)
    path = rawxlsx.write(tmp_path / "x.xlsx", ([f"{i:05d}", "x" * 50] for i in range(5_000)))
    with pytest.raises(SheetError, match="giải nén ra hơn") as info:
        rows(path)
    assert info.value.row is not None and info.value.row > 1000


def test_too_many_shared_strings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_SHARED_STRINGS", 10)
    path = rawxlsx.write(tmp_path / "x.xlsx", [], shared=[str(i) for i in range(11)])
    with pytest.raises(SheetError, match="quá nhiều chữ"):
        rows(path)


def test_a_long_shared_string_is_a_bad_cell(tmp_path: Path) -> None:
    path = rawxlsx.write(
        tmp_path / "x.xlsx",
        ['<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>7</v></c></row>'],
        shared=["y" * 20_000],
    )
    [(_, [long, missing])] = rows(path)
    assert long == BadCell(LONG, "y" * 60 + "… (hơn 10.000 ký tự)")
    assert isinstance(missing, BadCell) and "chuỗi không có" in missing.reason.vi


def test_not_a_zip_and_a_zip_without_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"PK\x03\x04 not really")
    with pytest.raises(SheetError, match="không mở được tệp Excel"):
        rows(path)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("a.txt", "a")
    with pytest.raises(SheetError, match=r"thiếu phần xl/workbook\.xml"):
        rows(path)


def lines_of(path: Path) -> Iterator[list[Any]]:
    for _, cells in rows(path):
        yield cells


def test_csv_fields_over_the_module_limit_quoted_over_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The slow path reads the record the csv module refuses, quotes and all, and goes on."""
    old = csv.field_size_limit()
    path = tmp_path / "x.csv"
    long = "a" * 300
    path.write_text(
        f'unit,name\nu1,"{long}\nsecond ""line"", end",tail\nu2,plain\n', encoding="utf-8"
    )
    try:
        csv.field_size_limit(200)
        got = list(lines_of(path))
    finally:
        csv.field_size_limit(old)
    assert got == [
        ["unit", "name"],
        ["u1", f'{long}\nsecond "line", end', "tail"],
        ["u2", "plain"],
    ]


def test_csv_cells_over_the_cap_and_columns_over_the_cap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sheets, "MAX_COLUMNS", 3)
    path = tmp_path / "x.csv"
    path.write_text("unit,b,c,,\nu1,%s,c,,x\n" % ("z" * 10_001), encoding="utf-8")
    sheet = open_sheet(path, "", lambda row: int("unit" in row))
    got = list(sheet.rows)
    assert got[1][1][1] == BadCell(LONG, "z" * 60 + "… (hơn 10.000 ký tự)")
    assert len(got[1][1]) == 3
    assert sheet.wide == (2, "E")


def test_a_csv_line_over_the_cap(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheets, "MAX_LINE_CHARS", 1_000)
    path = tmp_path / "x.csv"
    path.write_text("unit\n" + "x" * 2_000, encoding="utf-8")
    with pytest.raises(SheetError, match=r"dòng 2 của tệp CSV dài hơn 1\.000 ký tự"):
        list(lines_of(path))
