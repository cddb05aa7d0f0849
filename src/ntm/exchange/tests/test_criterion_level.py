"""The criterion-level workbook on its own: written, filled, read back; every spelling of a
status read as its status; a bad cell, column or count reported with its sheet, row, column,
value and reason, in both languages."""

from __future__ import annotations

import csv
import tempfile
import unicodedata
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm.criteria.loader import load_set
from ntm.evaluation.semantics import Status
from ntm.exchange.criterion_level import (
    ACCEPTED,
    SHEET,
    STATUS_WORDS,
    LevelFile,
    TemplateRow,
    criterion_of,
    is_level_file,
    parse_count,
    parse_status,
    read_level,
    write_level_template,
)
from ntm.exchange.sheets import Say
from ntm.exchange.tests import rawxlsx
from ntm.exchange.workbook import CellError, UnitInfo, write_template

pytestmark = pytest.mark.pure

CSET = load_set("vn-ntm-xa-2016-2020")
YEAR = 2020
FIRST_DATA = 5  # the title, the how-to line, an empty row, the header row
MET, BASIC, NOT_MET = Status.MET, Status.BASICALLY_MET, Status.NOT_MET

ROWS = [
    TemplateRow("99001", "Xã An Bình", "Huyện Một"),
    TemplateRow("99002", "Xã Bình Minh", "Huyện Một"),
]


def _lookup(code: str) -> UnitInfo | Say | None:
    if code == "99001":
        return UnitInfo(code)
    if code == "99002":
        return Say("xã này ngoài phạm vi của bạn", "this commune is outside your scope")
    return None


def filled(
    tmp_path: Path, cells: dict[tuple[int, str], Any], rows: list[TemplateRow] = ROWS
) -> Path:
    """The template with `cells` written: (row in the file, header) -> value."""
    path = tmp_path / "tieu-chi.xlsx"
    write_level_template(path, CSET, YEAR, rows, title="Tỉnh Thử Nghiệm")
    wb = openpyxl.load_workbook(path)
    ws = wb[SHEET]
    col = {c.value: c.column for c in ws[FIRST_DATA - 1] if c.value}
    for (r, header), value in cells.items():
        if header not in col:
            col[header] = ws.max_column + 1
            ws.cell(FIRST_DATA - 1, col[header]).value = header
        ws.cell(r, col[header]).value = value
    wb.save(path)
    return path


def _texts(found: LevelFile, language: str = "vi") -> list[str]:
    return [p.text(language) for p in found.problems]


def test_written_filled_and_read_back(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {
            (5, "TC1 Quy hoạch"): "Đạt",
            (5, "TC2 Giao thông"): "cơ bản đạt",
            (5, "TC3 Thủy lợi"): "chua dat",
            (5, "TC4 Điện"): "Đ",
            (5, "TC5 Trường học"): "CBĐ",
            (5, "TC6 Cơ sở vật chất văn hóa"): "CĐ",
            (5, "TC7 Cơ sở hạ tầng thương mại nông thôn"): "✓",
            (5, "TC8 Thông tin và Truyền thông"): "x",
            (5, "TC9 Nhà ở dân cư"): 1,
            (5, "TC10 Thu nhập"): 0,
            (5, "Số tiêu chí đạt"): "4/19",
        },
    )
    found = read_level(path, CSET)
    assert found.problems == []
    assert found.criteria == tuple(range(1, 20))
    (row,) = found.rows  # the second commune, left blank, is not listed
    assert (row.row, row.code, row.count) == (5, "99001", 4)
    assert [row.statuses[n] for n in range(1, 11)] == [
        MET,
        BASIC,
        NOT_MET,
        MET,
        BASIC,
        NOT_MET,
        MET,
        NOT_MET,
        MET,
        NOT_MET,
    ]
    assert all(row.statuses[n] is None for n in range(11, 20))


def test_the_template_lists_the_communes_and_prefills_their_statuses(tmp_path: Path) -> None:
    rows = [TemplateRow("06010", "Xã Một", "Huyện Hai", {1: MET, 2: BASIC, 19: NOT_MET})]
    path = filled(tmp_path, {}, rows)
    ws = openpyxl.load_workbook(path)[SHEET]
    headers = [c.value for c in ws[FIRST_DATA - 1]]
    assert headers[:4] == ["Mã xã", "Tên xã", "Huyện", "TC1 Quy hoạch"]
    assert headers[-2:] == ["TC19 Quốc phòng và An ninh", "Số tiêu chí đạt"]
    assert [c.value for c in ws[FIRST_DATA]][:5] == [
        "06010",
        "Xã Một",
        "Huyện Hai",
        "Đạt",
        "Cơ bản đạt",
    ]
    assert "vn-ntm-xa-2016-2020" in ws["A1"].value and "2020" in ws["A1"].value
    (row,) = read_level(path, CSET).rows
    assert {n: s for n, s in row.statuses.items() if s} == {1: MET, 2: BASIC, 19: NOT_MET}


def test_a_csv_with_machine_headers(tmp_path: Path) -> None:
    path = tmp_path / "tc.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit", "criterion_1", "criterion_19", "met_count", "Ghi chú"])
        w.writerow(["6010", "dat", "Chưa đạt", "1", "ghi chú của tỉnh"])
    found = read_level(path, CSET)
    assert found.problems == []
    assert found.criteria == (1, 19)
    assert found.rows[0].code == "06010"
    assert found.rows[0].statuses == {1: MET, 19: NOT_MET}


def test_every_problem_with_its_place(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {
            (5, "TC1 Quy hoạch"): "Đạt gần hết",
            (5, "TC2 Giao thông"): 2,
            (6, "TC1 Quy hoạch"): "Đạt",
            (7, "Mã xã"): "99009",
            (7, "TC1 Quy hoạch"): "Đạt",
            (8, "Mã xã"): "99001",
            (8, "TC1 Quy hoạch"): "Đạt",
            (9, "TC1 Quy hoạch"): "Đạt",
            (10, "Mã xã"): "99003",
            (10, "TC1 Quy hoạch"): "Đạt",
            (10, "Số tiêu chí đạt"): 20,
            (11, "Mã xã"): "99004",
            (11, "TC1 Quy hoạch"): "Đạt",
            (11, "Số tiêu chí đạt"): "2",
            (12, "Mã xã"): "99005",
            (12, "TC1 Quy hoạch"): "Đạt",
            (12, "Số tiêu chí đạt"): "1/10",
            (13, "Mã xã"): "99006",
            (13, "TC1 Quy hoạch"): "Đạt",
            (13, "Số tiêu chí đạt"): "mười",
        },
    )
    found = read_level(path, CSET, unit_lookup=lambda c: None if c == "99009" else UnitInfo(c))
    sheet = "trang “Kết quả tiêu chí”"
    assert _texts(found) == [
        f"{sheet}, dòng 5, cột D “TC1 Quy hoạch”, giá trị “Đạt gần hết”: không hiểu trạng thái; "
        "ghi Đạt, Cơ bản đạt hoặc Chưa đạt (hoặc Đ/CBĐ/CĐ, ✓/x, 1/0), để trống nếu chưa khai báo",
        f"{sheet}, dòng 5, cột E “TC2 Giao thông”, giá trị “2”: không hiểu trạng thái; "
        "ghi Đạt, Cơ bản đạt hoặc Chưa đạt (hoặc Đ/CBĐ/CĐ, ✓/x, 1/0), để trống nếu chưa khai báo",
        f"{sheet}, dòng 7, cột A “Mã xã”, giá trị “99009”: không có xã mang mã này",
        f"{sheet}, dòng 8, cột A “Mã xã”, giá trị “99001”: xã bị lặp lại (đã có ở dòng 5)",
        f"{sheet}, dòng 9, cột A “Mã xã”: thiếu mã xã",
        f"{sheet}, dòng 10, cột W “Số tiêu chí đạt”, giá trị “20”: số tiêu chí đạt lớn hơn số "
        "tiêu chí của bộ (19)",
        f"{sheet}, dòng 11, cột W “Số tiêu chí đạt”, giá trị “2”: số tiêu chí đạt ghi 2 nhưng "
        "dòng này có 1 tiêu chí Đạt (Cơ bản đạt không tính là Đạt)",
        f"{sheet}, dòng 12, cột W “Số tiêu chí đạt”, giá trị “1/10”: số sau dấu “/” phải là số "
        "tiêu chí của bộ (19)",
        f"{sheet}, dòng 13, cột W “Số tiêu chí đạt”, giá trị “mười”: số tiêu chí đạt phải là một "
        "số nguyên không âm (ví dụ 14 hoặc 14/19)",
    ]
    assert _texts(found, "en")[5] == (
        "sheet “Kết quả tiêu chí”, row 10, column W “Số tiêu chí đạt”, value “20”: the number "
        "of criteria met is above the set's number of criteria (19)"
    )
    assert [r.row for r in found.rows] == [6]


def test_a_commune_the_register_refuses(tmp_path: Path) -> None:
    path = filled(tmp_path, {(5, "TC1 Quy hoạch"): "Đạt", (6, "TC1 Quy hoạch"): "Đạt"})
    found = read_level(path, CSET, unit_lookup=_lookup)
    assert _texts(found, "en") == [
        "sheet “Kết quả tiêu chí”, row 6, column A “Mã xã”, value “99002”: this commune is "
        "outside your scope"
    ]


def test_an_unknown_criterion_and_a_repeated_column(tmp_path: Path) -> None:
    path = filled(
        tmp_path,
        {
            (5, "TC1 Quy hoạch"): "Đạt",
            (5, "TC20 Khác"): "Đạt",
            (5, "Tiêu chí 1"): "Đạt",
            (5, "unit"): "99001",
        },
    )
    found = read_level(path, CSET)
    assert _texts(found) == [
        "trang “Kết quả tiêu chí”, dòng 4, cột X “TC20 Khác”: bộ tiêu chí vn-ntm-xa-2016-2020 "
        "không có tiêu chí 20 (bộ có 19 tiêu chí)",
        "trang “Kết quả tiêu chí”, dòng 4, cột Y “Tiêu chí 1”, giá trị “Tiêu chí 1”: "
        "cột bị lặp lại",
        "trang “Kết quả tiêu chí”, dòng 4, cột Z “unit”, giá trị “unit”: cột bị lặp lại",
    ]
    assert "criteria set vn-ntm-xa-2016-2020 has no criterion 20" in _texts(found, "en")[0]


def test_a_file_without_criteria_or_header(tmp_path: Path) -> None:
    values = tmp_path / "values.csv"
    values.write_text("unit,income_per_capita\n99001,40\n", encoding="utf-8")
    assert _texts(read_level(values, CSET)) == [
        "trang “values.csv”, dòng 1: không có cột tiêu chí nào của bộ vn-ntm-xa-2016-2020 "
        "(ví dụ “TC1 …” hoặc “criterion_1”)"
    ]
    headless = tmp_path / "x.csv"
    headless.write_text("a,b\n1,2\n", encoding="utf-8")
    assert "không tìm thấy dòng tiêu đề có cột “Mã xã”" in _texts(read_level(headless, CSET))[0]
    empty = filled(tmp_path, {})
    assert _texts(read_level(empty, CSET)) == [
        "trang “Kết quả tiêu chí”, dòng 5: không có dòng nào ghi trạng thái tiêu chí"
    ]


def test_the_kind_of_file_is_told_from_its_headers(tmp_path: Path) -> None:
    level = filled(tmp_path, {})
    values = tmp_path / "values.xlsx"
    write_template(CSET, values)
    assert is_level_file(level)
    assert not is_level_file(values)
    assert not is_level_file(tmp_path / "missing.xlsx")
    machine = tmp_path / "m.csv"
    machine.write_text("unit;criterion_3\n99001;Đạt\n", encoding="utf-8")
    assert is_level_file(machine)


def test_criterion_headers() -> None:
    assert criterion_of("TC3 Thủy lợi") == 3
    assert criterion_of("tiêu chí 12") == 12
    assert criterion_of("Tieu chi 12: Lao dong") == 12
    assert criterion_of("criterion_19") == 19
    assert criterion_of(7) == criterion_of(7.0) == criterion_of("7") == 7
    for other in ("Số tiêu chí đạt", "Tên xã", "1.1 Quy hoạch", "Ghi chú", True, None):
        assert criterion_of(other) is None


def test_counts() -> None:
    assert parse_count(14, 19) == parse_count("14/19", 19) == parse_count(14.0, 19) == 14
    assert parse_count(" 19 / 19 ", 19) == 19
    for bad in (-1, 1.5, "mười", True, "14/", "20"):
        with pytest.raises(CellError):
            parse_count(bad, 19)


# ---------------------------------------------------------------------------- spellings

_CANONICAL = {
    "Đạt": MET,
    "Cơ bản đạt": BASIC,
    "Chưa đạt": NOT_MET,
    "Không đạt": NOT_MET,
    "Đ": MET,
    "CBĐ": BASIC,
    "CĐ": NOT_MET,
    "✓": MET,
    "✔": MET,
    "x": NOT_MET,
    "✗": NOT_MET,
    "1": MET,
    "0": NOT_MET,
}


def _strip_marks(text: str) -> str:
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return "".join(ch for ch in text if not unicodedata.combining(ch))


@st.composite
def _spelling(draw: st.DrawFn) -> tuple[str, str]:
    word, status = draw(st.sampled_from(sorted(_CANONICAL.items())))
    if draw(st.booleans()):
        word = _strip_marks(word)
    cases = draw(st.lists(st.booleans(), min_size=len(word), max_size=len(word)))
    word = "".join(ch.upper() if up else ch.lower() for ch, up in zip(word, cases, strict=True))
    pad = draw(st.sampled_from(["", " ", "  ", "\u00a0"]))
    return f"{pad}{word}{pad}", status


@given(_spelling())
@settings(max_examples=300)
def test_every_accepted_spelling_reads_as_its_status(spelled: tuple[str, str]) -> None:
    word, status = spelled
    assert parse_status(word) == status


def test_the_written_words_and_every_folded_spelling_round_trip() -> None:
    for status, word in STATUS_WORDS.items():
        assert parse_status(word) == status
    assert {parse_status(w) for w in ACCEPTED} == {MET, BASIC, NOT_MET}
    assert parse_status(1) == parse_status(1.0) == parse_status(True) == MET
    assert parse_status(0) == parse_status(False) == NOT_MET
    assert parse_status("") is None and parse_status(None) is None and parse_status("  ") is None


@given(st.text(min_size=1, max_size=12))
@settings(max_examples=300)
def test_any_other_text_is_not_understood(text: str) -> None:
    try:
        status = parse_status(text)
    except CellError as exc:
        assert exc.reason.vi.startswith("không hiểu trạng thái")
        return
    assert status is None or status in (MET, BASIC, NOT_MET)


@given(st.lists(st.sampled_from([None, MET, BASIC, NOT_MET]), min_size=19, max_size=19))
@settings(max_examples=15, deadline=None)
def test_statuses_written_are_read_back(statuses: list[str | None]) -> None:
    given_ = {n: s for n, s in enumerate(statuses, start=1) if s is not None}
    with tempfile.TemporaryDirectory() as folder:
        path = filled(Path(folder), {}, [TemplateRow("99001", "Xã", "", given_)])
        found = read_level(path, CSET)
    if not given_:
        assert [p.reason for p in found.problems] == ["không có dòng nào ghi trạng thái tiêu chí"]
        return
    assert found.problems == []
    assert {n: s for n, s in found.rows[0].statuses.items() if s} == given_


def test_a_formula_without_its_result_is_reported_where_it_is(tmp_path: Path) -> None:
    rows: list[list[Any]] = [
        ["Mã xã", "TC1", "TC2", "Số tiêu chí đạt", "Ghi chú"],
        [
            "99001",
            rawxlsx.Raw('<f>IF(1,"Đạt")</f>', ' t="str"'),
            "Đạt",
            1,
            rawxlsx.Raw("<f>A1</f>"),
        ],
    ]
    path = rawxlsx.write(tmp_path / "raw.xlsx", rows, sheet_name=SHEET)
    found = read_level(path, CSET)
    assert _texts(found) == [
        'trang “Kết quả tiêu chí”, dòng 2, cột B “TC1”, giá trị “=IF(1,"Đạt")”: ô chứa công '
        "thức nhưng tệp không lưu kết quả của công thức; mở và lưu lại tệp bằng Excel hoặc "
        "LibreOffice, hoặc gõ giá trị vào ô"
    ]  # the user's own column (Ghi chú) is not read
    assert found.rows == []
