"""The criterion-level workbook of a set (the "bảng tổng hợp tiêu chí"): its template and its
reader.

One row per commune (code, name, district), one column per criterion of the set, and an
optional "Số tiêu chí đạt" column. A criterion's cell is a declared status: Đạt / Cơ bản đạt /
Chưa đạt (any case, with or without diacritics), Đ / CBĐ / CĐ, ✓ / x, 1 / 0; a blank cell
declares nothing. The count, when given (14 or 14/19), must equal the criteria met in its row.

The reader streams the sheet through `ntm.exchange.sheets` within the house caps
(MAX_DATA_ROWS, MAX_PROBLEMS, HEADER_ROWS) and reports every problem with sheet, row, column,
value and reason; who may import which commune, and writing the statuses, is the service's
(`ntm.values.services.imports.import_statuses`), so nothing here touches the database.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from openpyxl.utils import get_column_letter

from ntm.criteria.schema import CriteriaSet
from ntm.evaluation.semantics import Status
from ntm.exchange.filled import (
    HEADER_ROW,
    Column,
    FilledFile,
    filled_workbook,
    read_filled,
)
from ntm.exchange.sheets import BadCell, Say, Sheet, SheetError, blank, open_sheet
from ntm.exchange.workbook import (
    MAX_DATA_ROWS,
    MISSING_CODE,
    UNKNOWN_COMMUNE,
    CellError,
    UnitInfo,
    UnitLookup,
    code_text,
    find_header,
    needs_quote,
    no_header_row,
    repeated_commune,
)
from ntm.vn.numbers import format_number
from ntm.vn.text import fold

SHEET = "Kết quả tiêu chí"

# What each declared status is written as in the template (and its drop-down list).
STATUS_WORDS: dict[str, str] = {
    Status.MET: "Đạt",
    Status.BASICALLY_MET: "Cơ bản đạt",
    Status.NOT_MET: "Chưa đạt",
}
# Every spelling read, folded (`fold`: any case, without diacritics). "x" is a cross: not met.
_SPELLINGS: dict[str, str] = {
    **dict.fromkeys(("dat", "d", "✓", "✔", "☑", "1", "met"), Status.MET),
    **dict.fromkeys(("co ban dat", "cbd", "basically met"), Status.BASICALLY_MET),
    **dict.fromkeys(
        ("chua dat", "khong dat", "cd", "x", "✗", "✘", "☒", "0", "not met"), Status.NOT_MET
    ),
}
ACCEPTED = tuple(_SPELLINGS)
NOT_UNDERSTOOD = Say(
    "không hiểu trạng thái; ghi Đạt, Cơ bản đạt hoặc Chưa đạt (hoặc Đ/CBĐ/CĐ, ✓/x, 1/0), "
    "để trống nếu chưa khai báo",
    "the status is not understood; write Đạt (met), Cơ bản đạt (basically met) or Chưa đạt "
    "(not met) (or Đ/CBĐ/CĐ, ✓/x, 1/0), or leave it blank when nothing is declared",
)


@dataclass(frozen=True)
class LevelColumn:
    machine: str
    header: str


IDENTITY = (
    LevelColumn("unit", "Mã xã"),
    LevelColumn("name", "Tên xã"),
    LevelColumn("district", "Huyện"),
)
COUNT = LevelColumn("met_count", "Số tiêu chí đạt")
_CODE_HEADERS = frozenset({"mã xã", "unit"})
# A criterion's column: "TC 3 ...", "Tiêu chí 3 ...", "criterion_3", or the bare number 3.
_CRITERION = re.compile(r"^(?:tc|tieu chi|criterion)[\s_.:-]*(\d{1,3})(?:\D.*)?$|^(\d{1,3})$")


def criterion_machine(number: int) -> str:
    return f"criterion_{number}"


def criterion_columns(cset: CriteriaSet) -> list[LevelColumn]:
    """The set's criterion columns, in order."""
    return [
        LevelColumn(criterion_machine(c.number), f"TC{c.number} {c.name_vi}") for c in cset.criteria
    ]


def parse_status(value: Any) -> str | None:
    """A criterion's cell as a declared status (None: blank, nothing declared); `CellError`
    when it is none of the accepted spellings."""
    if blank(value):
        return None
    if isinstance(value, bool):
        return Status.MET if value else Status.NOT_MET
    if isinstance(value, int | float):
        if value not in (0, 1):
            raise CellError(NOT_UNDERSTOOD)
        return Status.MET if value == 1 else Status.NOT_MET
    found = _SPELLINGS.get(fold(str(value)))
    if found is None:
        raise CellError(NOT_UNDERSTOOD)
    return found


def parse_count(value: Any, total: int) -> int:
    """The "Số tiêu chí đạt" cell — 14, or 14/19 out of the set's `total` criteria — as a
    number of criteria; `CellError` when it is not one the set can have."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise CellError(_NOT_A_COUNT)
    text = str(value).strip().replace(" ", "")
    m = re.fullmatch(r"(\d{1,4})(?:/(\d{1,4}))?", text)
    if m is None:
        raise CellError(_NOT_A_COUNT)
    count = int(m.group(1))
    if m.group(2) is not None and int(m.group(2)) != total:
        raise CellError(
            Say(
                f"số sau dấu “/” phải là số tiêu chí của bộ ({total})",
                f"the number after “/” must be the set's number of criteria ({total})",
            )
        )
    if count > total:
        raise CellError(
            Say(
                f"số tiêu chí đạt lớn hơn số tiêu chí của bộ ({total})",
                f"the number of criteria met is above the set's number of criteria ({total})",
            )
        )
    return count


_NOT_A_COUNT = Say(
    "số tiêu chí đạt phải là một số nguyên không âm (ví dụ 14 hoặc 14/19)",
    "the number of criteria met must be a whole number, not negative (e.g. 14 or 14/19)",
)


# ---------------------------------------------------------------------------- template


@dataclass(frozen=True)
class TemplateRow:
    code: str | None
    name: str
    district: str = ""
    statuses: Mapping[int, str] = field(default_factory=dict)  # declared now, pre-filled


def write_level_template(
    out: str | Path | IO[bytes],
    cset: CriteriaSet,
    year: int,
    rows: Sequence[TemplateRow],
    *,
    title: str,
) -> None:
    """The workbook of communes to fill with the status of each criterion of `cset`."""
    heading = f"{title} — kết quả từng tiêu chí, bộ {cset.id} ({cset.name_vi}), năm {year}"
    how_to = (
        "Mỗi dòng một xã, mỗi cột một tiêu chí: ghi Đạt, Cơ bản đạt hoặc Chưa đạt (cũng nhận "
        "Đ/CBĐ/CĐ, ✓/x, 1/0; x là Chưa đạt); ô để trống là chưa khai báo (khi nhập, khai báo "
        "đã lưu của ô đó được rút lại); dòng để trống cả hàng được bỏ qua. Cột “Số tiêu chí "
        "đạt” không bắt buộc; nếu ghi, phải bằng số tiêu chí Đạt của dòng."
    )
    criteria = criterion_columns(cset)
    columns = [*IDENTITY, *criteria, COUNT]
    with filled_workbook(out, SHEET, heading, how_to) as (ws, f):
        for c, col in enumerate(columns):
            fill = col in criteria or col is COUNT
            ws.write_string(HEADER_ROW, c, col.header, f.fill if fill else f.head)
            width = 26 if col.machine in {"name", "district"} else (14 if fill else 10)
            ws.set_column(c, c, width, f.text if col.machine == "unit" else None)
        ws.set_row(HEADER_ROW, 60)
        last = HEADER_ROW + max(len(rows), 1) + 500
        first, end = len(IDENTITY), len(IDENTITY) + len(criteria) - 1
        ws.data_validation(
            HEADER_ROW + 1,
            first,
            last,
            end,
            # Other spellings (Đ/CBĐ/CĐ, ✓/x, 1/0) are read too: no error box.
            {"validate": "list", "source": list(STATUS_WORDS.values()), "show_error": False},
        )
        for r, row in enumerate(rows, start=HEADER_ROW + 1):
            if row.code:
                ws.write_string(r, 0, row.code)
            for c, text in ((1, row.name), (2, row.district)):
                ws.write_string(r, c, text, f.quoted if needs_quote(text) else None)
            for c, criterion in enumerate(cset.criteria, start=first):
                status = row.statuses.get(criterion.number)
                if status in STATUS_WORDS:
                    ws.write_string(r, c, STATUS_WORDS[status])
        ws.freeze_panes(HEADER_ROW + 1, 2)


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class LevelRow:
    """A commune's row: its statuses by criterion number (None: blank) and the count given."""

    row: int
    code: str
    statuses: dict[int, str | None]
    count: int | None


@dataclass
class LevelFile(FilledFile):
    COLUMNS: ClassVar[Sequence[Column]] = (*IDENTITY, COUNT)
    rows: list[LevelRow] = field(default_factory=list)
    criteria: tuple[int, ...] = ()  # the criterion columns the file has, in set order
    code_letter: str = "A"


def read_level(
    path: str | Path,
    cset: CriteriaSet,
    *,
    unit_lookup: UnitLookup | None = None,
    name: str | None = None,
) -> LevelFile:
    """Read a filled criterion-level workbook (.xlsx) or CSV of `cset`; the problems found are
    on the result (nothing is raised for a cell). `unit_lookup` is the unit register, as for
    `ntm.exchange.workbook.read_file`. A row without any status or count is skipped (the
    template lists every commune); a blank cell of a listed row declares nothing."""
    path = Path(path)
    found = LevelFile(sheet=name or path.name)
    return read_filled(path, found, SHEET, lambda f, sheet: _read(f, sheet, cset, unit_lookup))


def criterion_of(header: Any) -> int | None:
    """The criterion number a header names ("TC3 Thủy lợi", "Tiêu chí 3", "criterion_3",
    3), None for any other column."""
    if isinstance(header, float) and header.is_integer():
        header = int(header)
    if isinstance(header, bool) or not isinstance(header, int | str):
        return None
    m = _CRITERION.match(fold(str(header)))
    return None if m is None else int(m.group(1) or m.group(2))


def is_level_file(path: str | Path) -> bool:
    """Whether the file is a criterion-level workbook (its header row has a criterion column)
    rather than a values template; a file that cannot be read is not one (the values reader
    then says why)."""
    sheet: Sheet | None = None
    try:
        sheet = open_sheet(Path(path), SHEET, _score)
        found = find_header(sheet)
        return found is not None and any(criterion_of(v) is not None for v in found[1])
    except (SheetError, OSError):
        return False
    finally:
        if sheet is not None:
            sheet.close()


def _score(row: Sequence[Any]) -> int:
    names = [fold(v, keep_marks=True) for v in row if isinstance(v, str)]
    if not any(n in _CODE_HEADERS for n in names):
        return 0
    return 1 + sum(criterion_of(v) is not None for v in row)


def _index(
    found: LevelFile, cset: CriteriaSet, header_row: int, values: Sequence[Any]
) -> dict[str, int]:
    """Each known column's index in the header row (machine -> index); an unknown criterion
    or a repeated column is a problem."""
    known = {
        fold(h, keep_marks=True): c.machine
        for c in LevelFile.COLUMNS
        for h in (c.header, c.machine)
    }
    numbers = {c.number for c in cset.criteria}
    index: dict[str, int] = {}
    for i, raw in enumerate(values):
        if blank(raw) or isinstance(raw, BadCell):
            continue
        machine = known.get(fold(raw, keep_marks=True)) if isinstance(raw, str) else None
        number = criterion_of(raw) if machine is None else None
        if machine is None and number is None:
            continue  # a column of the user's own (notes, STT...)
        if machine is None:
            machine = criterion_machine(number or 0)
        # A column a problem is about is placed where it stands, under its own header; the
        # first of a repeated column stays the one read.
        place = machine if machine not in index else f"{machine}@{i}"
        found.letters[place] = get_column_letter(i + 1)
        found.headers[place] = str(raw)
        if number is not None and number not in numbers:
            found.problem(
                Say(
                    f"bộ tiêu chí {cset.id} không có tiêu chí {number} "
                    f"(bộ có {len(numbers)} tiêu chí)",
                    f"criteria set {cset.id} has no criterion {number} "
                    f"(it has {len(numbers)} criteria)",
                ),
                header_row,
                place,
            )
        elif place != machine:
            found.problem(Say("cột bị lặp lại", "the column appears twice"), header_row, place, raw)
        else:
            index[machine] = i
    return index


def _read(
    found: LevelFile, sheet: Sheet, cset: CriteriaSet, unit_lookup: UnitLookup | None
) -> None:
    head = find_header(sheet)
    if head is None:
        found.problem(no_header_row("Mã xã"))
        return
    header_row, values = head
    index = _index(found, cset, header_row, values)
    found.criteria = tuple(c.number for c in cset.criteria if criterion_machine(c.number) in index)
    found.code_letter = found.letters["unit"]
    if not found.criteria:
        found.problem(
            Say(
                f"không có cột tiêu chí nào của bộ {cset.id} (ví dụ “TC1 …” hoặc “criterion_1”)",
                f"no column of a criterion of set {cset.id} (e.g. “TC1 …” or “criterion_1”)",
            ),
            header_row,
        )
        return
    total = len(cset.criteria)
    first_row_of: dict[str, int] = {}
    for number, cells in sheet.rows:
        cell = {m: cells[i] if i < len(cells) else None for m, i in index.items()}
        if all(blank(v) for m, v in cell.items() if m not in {"unit", "name", "district"}):
            continue  # a commune of the template left unfilled, or a line of notes
        if len(found.rows) >= MAX_DATA_ROWS:
            found.problem(
                Say(
                    f"tệp có hơn {format_number(MAX_DATA_ROWS)} dòng xã",
                    f"the file has more than {MAX_DATA_ROWS:,} commune rows",
                ),
                number,
            )
            return
        row = _row(found, number, cell, total, first_row_of, unit_lookup)
        if row is not None:
            found.rows.append(row)
    if not found.rows and not found.problems:
        found.problem(
            Say("không có dòng nào ghi trạng thái tiêu chí", "no row gives a criterion's status"),
            header_row + 1,
        )


def _row(
    found: LevelFile,
    number: int,
    cell: dict[str, Any],
    total: int,
    first_row_of: dict[str, int],
    unit_lookup: UnitLookup | None,
) -> LevelRow | None:
    """The row read, None when its commune cannot be; every other problem is reported too."""
    ok = True
    for machine, value in cell.items():
        if isinstance(value, BadCell) and machine not in {"name", "district"}:
            found.problem(value.reason, number, machine, value.shown)
            ok = False
    statuses: dict[int, str | None] = {}
    for n in found.criteria:
        machine = criterion_machine(n)
        value = cell[machine]
        if isinstance(value, BadCell):
            continue
        try:
            statuses[n] = parse_status(value)
        except CellError as exc:
            found.problem(exc.reason, number, machine, value)
            ok = False
    count: int | None = None
    raw_count = cell.get(COUNT.machine)
    if not blank(raw_count) and not isinstance(raw_count, BadCell):
        try:
            count = parse_count(raw_count, total)
        except CellError as exc:
            found.problem(exc.reason, number, COUNT.machine, raw_count)
            ok = False
    met = sum(s == Status.MET for s in statuses.values())
    if ok and count is not None and count != met:
        ok = False
        found.problem(
            Say(
                f"số tiêu chí đạt ghi {count} nhưng dòng này có {met} tiêu chí Đạt "
                "(Cơ bản đạt không tính là Đạt)",
                f"the count says {count} but the row has {met} criteria met (basically met "
                "does not count as met)",
            ),
            number,
            COUNT.machine,
            raw_count,
        )
    code = _code(found, number, cell.get("unit"), first_row_of, unit_lookup)
    if code is None or not ok:
        return None
    return LevelRow(number, code, statuses, count)


def _code(
    found: LevelFile,
    number: int,
    raw: Any,
    first_row_of: dict[str, int],
    unit_lookup: UnitLookup | None,
) -> str | None:
    if isinstance(raw, BadCell):
        return None
    if blank(raw):
        found.problem(MISSING_CODE, number, "unit", "")
        return None
    code = code_text(raw, 5)
    if code in first_row_of:
        found.problem(repeated_commune(first_row_of[code]), number, "unit", raw)
        return None
    first_row_of[code] = number
    if unit_lookup is not None:
        info = unit_lookup(code)
        if not isinstance(info, UnitInfo):
            reason = UNKNOWN_COMMUNE if info is None else info
            found.problem(
                reason if isinstance(reason, Say) else Say(reason, ""), number, "unit", raw
            )
            return None
    return code
