"""Every problem of the reader in Vietnamese and in English (issue 8, "Messages")."""

from __future__ import annotations

import csv
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest

from ntm.criteria.loader import load_set
from ntm.exchange import sheets, workbook
from ntm.exchange.tests import rawxlsx
from ntm.exchange.tests.test_workbook import CSET, GOOD, HEADERS, MEASURES, filled, template
from ntm.exchange.workbook import (
    FLAG_LIST,
    INPUT_SHEET,
    NOT_APPLICABLE_LABEL,
    YES_NO_LIST,
    InputError,
    InputProblem,
    UnitInfo,
    read_input,
    template_columns,
)

pytestmark = pytest.mark.pure


def problems(path: Path, **kw: Any) -> InputError:
    with pytest.raises(InputError) as info:
        read_input(path, CSET, **{"year": 2020, "measures": MEASURES, **kw})
    return info.value


def write_csv(path: Path, rows: list[list[Any]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([["" if v is None else str(v) for v in row] for row in rows])
    return path


# ---------------------------------------------------------------- representative problems


def test_a_bad_number_in_both_languages(tmp_path: Path) -> None:
    row = list(GOOD)
    row[13] = "abc"
    (p,) = problems(write_csv(tmp_path / "x.csv", [HEADERS, row])).problems
    place = f"cột N “{HEADERS[13]}”, giá trị “abc”"
    assert p.text() == str(p) == f"trang “x.csv”, dòng 2, {place}: ô số chứa chữ, cần một con số"
    assert p.text("en") == (
        f"sheet “x.csv”, row 2, column N “{HEADERS[13]}”, value “abc”: "
        "the number cell holds text; expected a number"
    )
    assert p.text("en-us") == p.text("en")


def test_a_missing_column_in_both_languages(tmp_path: Path) -> None:
    headers = [h for h in HEADERS if h != "Vùng"]
    row = [v for h, v in zip(HEADERS, GOOD, strict=True) if h != "Vùng"]
    (p,) = problems(filled(tmp_path, [row], headers)).problems
    assert str(p) == f"trang “{INPUT_SHEET}”, dòng 2: thiếu cột bắt buộc “Vùng” (hoặc “region”)"
    assert p.text("en") == (
        f"sheet “{INPUT_SHEET}”, row 2: the required column “Vùng” (or “region”) is missing"
    )


def test_an_unknown_file_type_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "so-lieu.txt"
    path.write_text("Mã xã\n06010\n", encoding="utf-8")
    error = problems(path)
    assert (
        error.message()
        == str(error)
        == (
            "Tệp so-lieu.txt không dùng được — 1 lỗi, không ghi kết quả nào:\n"
            "  - không đọc được tệp đuôi “.txt”; dùng .xlsx hoặc .csv"
        )
    )
    assert error.message("en") == (
        "File so-lieu.txt cannot be used — 1 problem, no result written:\n"
        "  - files ending in “.txt” cannot be read; use .xlsx or .csv"
    )


def test_a_capped_file_in_both_languages(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(workbook, "MAX_DATA_ROWS", 1)
    second = ["06011", *GOOD[1:]]
    p = problems(filled(tmp_path, [GOOD, second])).problems[0]
    assert str(p) == (
        f"trang “{INPUT_SHEET}”, dòng 4: tệp có hơn 1 dòng số liệu; chia thành nhiều tệp, "
        "mỗi tệp tối đa 1 xã"
    )
    assert p.text("en") == (
        f"sheet “{INPUT_SHEET}”, row 4: the file has more than 1 data rows; split it into "
        "several files of at most 1 communes each"
    )


def test_the_cut_list_says_so_in_both_languages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(workbook, "MAX_PROBLEMS_SHOWN", 2)
    rows = [[f"0601{i}", *GOOD[1:13], "abc", GOOD[14]] for i in range(3)] + [
        ["06019", *GOOD[1:13], 1234567.5, GOOD[14]]
    ]
    error = problems(filled(tmp_path, rows))
    assert error.total == 3  # the last row is good (the income has no maximum)
    assert error.message().splitlines()[0].endswith("— 3 lỗi, không ghi kết quả nào:")
    assert error.message().splitlines()[-1] == "  - chỉ hiện 2 lỗi đầu trong 3 lỗi"
    english = error.message("en").splitlines()
    assert english[0] == "File nhap.xlsx cannot be used — 3 problems, no result written:"
    assert english[1].endswith(": the number cell holds text; expected a number")
    assert english[-1] == "  - only the first 2 of 3 problems are shown"


def test_a_csv_encoding_problem_in_both_languages(tmp_path: Path) -> None:
    machine = [c.machine for c in template_columns(CSET, MEASURES)]
    row = ["" if v is None else str(v) for v in GOOD]
    row[1] = "Xã Tân"  # "ã" in Windows-1252 is "ă" in Windows-1258: both read
    row[4], row[6], row[11] = "Khong", "Dat", "Chua dat"
    path = tmp_path / "x.csv"
    path.write_bytes(("\n".join([",".join(machine), ",".join(row)]) + "\n").encode("cp1252"))
    (p,) = problems(path).problems
    assert str(p) == (
        "tệp CSV không phải mã hóa UTF-8, và không phân biệt được là Windows-1258 hay "
        "Windows-1252; lưu lại tệp dạng “CSV UTF-8” (Excel: Lưu dưới dạng → CSV UTF-8)"
    )
    assert p.text("en") == (
        "the CSV file is not UTF-8 encoded, and Windows-1258 cannot be told apart from "
        "Windows-1252; save the file again as “CSV UTF-8” (Excel: Save As, CSV UTF-8)"
    )


def test_a_problem_without_english_shows_the_vietnamese_reason() -> None:
    p = InputProblem("xã này ngoài phạm vi của bạn", "Nhập liệu", 3, "Mã xã", "A", "06010")
    assert p.text("en") == (
        "sheet “Nhập liệu”, row 3, column A “Mã xã”, value “06010”: xã này ngoài phạm vi của bạn"
    )
    assert (
        p.text("vi")
        == str(p)
        == (
            "trang “Nhập liệu”, dòng 3, cột A “Mã xã”, giá trị “06010”: "
            "xã này ngoài phạm vi của bạn"
        )
    )


# ---------------------------------------------------------------- every problem, in English


def _raw_cells(tmp_path: Path, name: str, cells: dict[int, Any]) -> Path:
    row = list(GOOD)
    for i, value in cells.items():
        row[i] = value
    return rawxlsx.write(tmp_path / name, [HEADERS, row])


def _with_part(path: Path, part: str, data: bytes | None) -> Path:
    """The .xlsx at `path` with `part` replaced by `data` (None: removed)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    if data is None:
        del parts[part]
    else:
        parts[part] = data
    with zipfile.ZipFile(path, "w") as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return path


def _stored(path: Path) -> bytes:
    """The .xlsx at `path` without compression: its parts' bytes readable in the file."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as z:
        for name, content in parts.items():
            z.writestr(name, content)
    return path.read_bytes()


def _in(tmp_path: Path, folder: str) -> Path:
    (tmp_path / folder).mkdir()
    return tmp_path / folder


# A file, read_input's options, and limits of the reader or the sheets to lower for it.
Read = tuple[Path, dict[str, Any], dict[str, int]]


def _bad_files(tmp_path: Path) -> list[Read]:
    """Files that between them make every problem the reader reports (and the cut list)."""
    raw = rawxlsx.Raw
    rows: list[list[Any]] = []

    def bad(code: str | None, **cells: Any) -> None:
        row = [code, *GOOD[1:]]
        for key, value in cells.items():
            row[int(key[1:])] = value
        rows.append(row)

    bad("06001", c13=True)  # true/false in a number cell
    bad("06002", c13="1.234")  # read two ways
    bad("06003", c13="abc")
    bad("06004", c6="maybe", c4="perhaps")  # yes/no, flag
    bad("06005", c12="Không áp dụng")  # no "not applicable" for this measure
    bad("06006", c7=40, c8=None)  # numerator without denominator
    bad("06007", c7=None, c8=50)  # denominator without numerator
    bad("06008", c9=0, c10=0)  # a zero denominator (may be not applicable)
    bad("06009", c7=0, c8=0)  # a zero denominator
    bad("06010", c7=60, c8=50)  # numerator above denominator
    bad("06011", c12=-1)
    bad("06012", c12=1.5)  # a count
    bad("06013", c14=120)  # a percentage
    bad("06014", c13=1e28)
    bad("06015", c2="HN")  # province
    bad("06016", c3=None)  # region
    bad("06017", c3="Tây Nguyên")
    bad("06017")  # the commune twice
    bad(None)
    register: dict[str, UnitInfo | str] = {
        "06010": UnitInfo("06010", region="DBSH"),
        "06011": OUTSIDE,
    }
    wide: list[Any] = [
        raw("<v>1</v>") if i == 1000 else v for i, v in enumerate([*GOOD, *[None] * 986])
    ]
    long_line = write_csv(tmp_path / "long.csv", [HEADERS, ["x" * 4_000_001]])
    crc = rawxlsx.write(tmp_path / "crc.xlsx", [HEADERS, GOOD])
    crc.write_bytes(
        _stored(crc).replace(b"H\xe1\xbb\xafu Ki\xc3\xaan", b"H\xe1\xbb\xafu Ki\xc3\xaam")
    )
    headers = rawxlsx.row_xml(1, HEADERS)
    files: list[Read] = [
        (filled(_in(tmp_path, "many"), rows), {}, {}),
        (
            filled(_in(tmp_path, "lookup"), [GOOD, ["06011", *GOOD[1:]], ["06099", *GOOD[1:]]]),
            {"unit_lookup": register.get},
            {},
        ),
        (filled(_in(tmp_path, "dup"), [GOOD], [*HEADERS, "Tên xã"]), {}, {}),
        (
            filled(
                _in(tmp_path, "hopeless"), [[f"{i:05d}", *GOOD[1:13], "x", 1] for i in range(9)]
            ),
            {},
            {"MAX_PROBLEMS": 5, "MAX_PROBLEMS_SHOWN": 3},
        ),
        (filled(_in(tmp_path, "rows"), [GOOD, ["06011", *GOOD[1:]]]), {}, {"MAX_DATA_ROWS": 1}),
        (write_csv(tmp_path / "empty.csv", [HEADERS]), {}, {}),
        (write_csv(tmp_path / "headless.csv", [["a", "b"], ["1", "2"]]), {}, {}),
        (write_csv(tmp_path / "few.csv", [["Mã xã"], ["06010"]]), {}, {}),
        (rawxlsx.write(tmp_path / "wide.xlsx", [list(HEADERS), wide]), {}, {}),
        (long_line, {}, {}),
        (crc, {}, {}),
        (rawxlsx.write(tmp_path / "big.xlsx", [HEADERS]), {}, {"MAX_PART_BYTES": 1000}),
        (write_csv(tmp_path / "big.csv", [HEADERS]), {}, {"MAX_PART_BYTES": 100}),
        (
            rawxlsx.write(tmp_path / "text.xlsx", [HEADERS], shared=["a", "b"]),
            {},
            {"MAX_SHARED_STRINGS": 1},
        ),
        (write_csv(tmp_path / "tall.csv", [HEADERS, GOOD]), {}, {"MAX_ROW_NUMBER": 1}),
        (rawxlsx.write(tmp_path / "far.xlsx", [headers, '<row r="1048577"/>']), {}, {}),
        (tmp_path / "missing.xlsx", {}, {}),
        (tmp_path / "file.doc", {}, {}),
        (template(_in(tmp_path, "year")), {"year": 1999}, {}),
    ]
    western = tmp_path / "western.csv"  # "Mã xã" in Windows-1252: one header, columns lost
    western.write_bytes(b"M\xe3 x\xe3,T\xean\n06010,X\xe3\n")
    unknown = tmp_path / "unknown.csv"
    unknown.write_bytes(b"unit,name\n06010,X\x81\x8d\n")
    untold = tmp_path / "untold.csv"  # "ã" in Windows-1252 is "ă" in Windows-1258
    untold.write_bytes(b"unit,name\n06010,X\xe3 T\xe2n\n")
    not_zip = tmp_path / "notzip.xlsx"
    not_zip.write_bytes(b"not a zip")
    files += [(f, {}, {}) for f in (western, unknown, untold, not_zip)]
    book = rawxlsx.write(tmp_path / "a.xlsx", [HEADERS])
    damaged = {
        "dtd.xlsx": ("xl/workbook.xml", b'<?xml version="1.0"?><!DOCTYPE x []><x/>'),
        "nopart.xlsx": ("xl/workbook.xml", None),
        "badxml.xlsx": ("xl/worksheets/sheet1.xml", b"<worksheet><sheetData>"),
        "nosheet.xlsx": (
            "xl/workbook.xml",
            rawxlsx.book("x").replace('<sheet name="x" sheetId="1" r:id="rId1"/>', "").encode(),
        ),
        "norel.xlsx": ("xl/workbook.xml", rawxlsx.book("x").replace("rId1", "rId9").encode()),
    }
    for name, (part, data) in damaged.items():
        copy = tmp_path / name
        copy.write_bytes(book.read_bytes())
        files.append((_with_part(copy, part, data), {}, {}))
    cells: dict[str, dict[int, Any]] = {
        "formula.xlsx": {13: raw("<f>SUM(A1)</f>")},
        "error.xlsx": {13: raw("<v>#DIV/0!</v>", ' t="e"')},
        "nan.xlsx": {13: raw("<v>NaN</v>")},
        "unread.xlsx": {12: raw("<v>12abc</v>")},
        "huge.xlsx": {12: raw(f"<v>{'9' * 400}</v>")},
        "bool.xlsx": {13: raw("<v>maybe</v>", ' t="b"')},
        "date.xlsx": {13: raw("<v>someday</v>", ' t="d"')},
        "string.xlsx": {13: raw("<v>99</v>", ' t="s"')},
        "long.xlsx": {1: "y" * 10_001},
        "datecell.xlsx": {13: raw("<v>2020-01-05T00:00:00</v>", ' t="d"')},
    }
    files += [(_raw_cells(tmp_path, name, c), {}, {}) for name, c in cells.items()]
    return files


def _commune_group_problems(tmp_path: Path) -> list[InputProblem]:
    """A set with commune groups: a missing group and one the set does not have."""
    cset = load_set("vn-ntm-xa-2026-2030")
    machine = [c.machine for c in template_columns(cset)]
    group = machine.index("commune_group")
    rows = [["" for _ in machine] for _ in range(2)]
    for code, row in zip(("06010", "06011"), rows, strict=True):
        row[0] = code
    rows[1][group] = "group_9"
    path = write_csv(tmp_path / "groups.csv", [machine, *rows])
    with pytest.raises(InputError) as info:
        read_input(path, cset)
    return info.value.problems


OUTSIDE = "xã này ngoài phạm vi của bạn"
# What an English reason may quote of Vietnamese: the file's own headers and values, and
# the words the user types in a cell (Đạt, Có, Không áp dụng...).
_TEMPLATE_WORDS = (*YES_NO_LIST, *FLAG_LIST, NOT_APPLICABLE_LABEL, "Mã xã", INPUT_SHEET)
# Typographic marks an English text may use.
_MARKS = frozenset("“”‘’–—…")


def _foreign(p: InputProblem, quoted: set[str]) -> str:
    """The characters of the English reason outside ASCII once the allowed quotes are out."""
    text = p.reason_en
    for allowed in sorted(
        {*quoted, *_TEMPLATE_WORDS, str(p.value), p.header or ""}, key=len, reverse=True
    ):
        if allowed:
            text = text.replace(allowed, "")
    return "".join(ch for ch in text if not ch.isascii() and ch not in _MARKS)


def test_every_problem_has_an_english_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[InputProblem] = []
    for path, kw, limits in _bad_files(tmp_path):
        with monkeypatch.context() as patch:
            for name, value in limits.items():
                patch.setattr(workbook if hasattr(workbook, name) else sheets, name, value)
            seen += problems(path, **kw).problems
    seen += _commune_group_problems(tmp_path)
    quoted = {
        h
        for cset in (CSET, load_set("vn-ntm-xa-2026-2030"))
        for c in template_columns(cset, MEASURES if cset is CSET else None)
        for h in (c.header, c.machine)
    }
    # The lookup's own reason comes in Vietnamese only: it shows as given, in both texts.
    lookups = [p for p in seen if p.reason == OUTSIDE]
    assert len(lookups) == 1 and lookups[0].text("en").endswith(f": {OUTSIDE}")
    others = [p for p in seen if p not in lookups]
    assert [str(p) for p in others if not p.reason_en] == []
    assert {p.reason_en: _foreign(p, quoted) for p in others if _foreign(p, quoted)} == {}
    assert not [p.reason_en for p in others if re.search(r"\d\.\d{3}\b", p.reason_en)], "1,000"
    # Every kind of problem was met: the reasons below, with their numbers and names out.
    kinds = {re.sub(r"\d+|“[^”]*”|\([^)]*\)", "#", p.reason) for p in others}
    assert len(kinds) >= 60, sorted(kinds)
