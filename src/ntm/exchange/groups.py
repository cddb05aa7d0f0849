"""The commune-group workbook (2026–2030): its template and its reader.

One row per commune: code (or name), group 1/2/3, the day the group applies from and the
decision it rests on (number, date, issuer). The reader streams the sheet through
`ntm.exchange.sheets` within the house caps (MAX_DATA_ROWS, MAX_PROBLEMS, HEADER_ROWS) and
reports every unreadable cell with sheet, row, column and value; matching codes and names to
units, and every rule about them, is the service's (`ntm.units.group_import`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from ntm.exchange.filled import (
    HEADER_ROW,
    Column,
    FilledFile,
    filled_workbook,
    header_index,
    missing_columns,
    read_filled,
    too_many_rows,
)
from ntm.exchange.sheets import Say, Sheet, blank
from ntm.exchange.workbook import (
    code_text,
    needs_quote,
)
from ntm.vn.dates import parse_date
from ntm.vn.text import fold

SHEET = "Nhóm xã"
GROUP_CODES = ("group_1", "group_2", "group_3")


@dataclass(frozen=True)
class GroupColumn:
    machine: str
    header: str
    required: bool


COLUMNS = (
    GroupColumn("unit", "Mã xã", False),
    GroupColumn("name", "Tên xã", False),
    GroupColumn("group", "Nhóm xã (1, 2, 3)", True),
    GroupColumn("valid_from", "Áp dụng từ ngày", True),
    GroupColumn("decision_number", "Số quyết định", True),
    GroupColumn("decision_date", "Ngày quyết định", True),
    GroupColumn("issuer", "Cơ quan ban hành", True),
)
_BY_MACHINE = {c.machine: c for c in COLUMNS}


def parse_group(value: object) -> str | None:
    """1, "2", 3.0, "Nhóm 1", "nhom 2", "group_3" -> the group's code; None otherwise."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = fold(str(value)).replace(" ", "")
    for prefix in ("nhom", "group_", "group"):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            break
    code = f"group_{text}"
    return code if code in GROUP_CODES else None


# ---------------------------------------------------------------------------- template


@dataclass(frozen=True)
class TemplateRow:
    code: str | None
    name: str
    group: str | None = None  # in force today, pre-filled


def write_group_template(
    out: str | Path | IO[bytes], rows: Sequence[TemplateRow], *, title: str
) -> None:
    """The workbook of a province's communes to fill with their groups."""
    how_to = (
        "Mỗi dòng một xã: nhóm 1, 2 hoặc 3, ngày áp dụng và quyết định (số, ngày, cơ quan "
        "ban hành). Ngày ghi dd/mm/yyyy. Dòng không ghi nhóm được bỏ qua."
    )
    with filled_workbook(out, SHEET, title, how_to) as (ws, f):
        for c, col in enumerate(COLUMNS):
            ws.write_string(HEADER_ROW, c, col.header, f.head)
            ws.set_column(c, c, 26 if col.machine in {"name", "issuer"} else 16, f.text)
        ws.data_validation(
            HEADER_ROW + 1,
            2,
            HEADER_ROW + max(len(rows), 1) + 500,
            2,
            {"validate": "list", "source": ["1", "2", "3"], "show_error": False},
        )
        for r, row in enumerate(rows, start=HEADER_ROW + 1):
            if row.code:
                ws.write_string(r, 0, row.code)
            ws.write_string(r, 1, row.name, f.quoted if needs_quote(row.name) else None)
            if row.group in GROUP_CODES:
                ws.write_string(r, 2, row.group.removeprefix("group_"))
        ws.freeze_panes(HEADER_ROW + 1, 2)


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class GroupRow:
    """A filled row: what the cells say (None where blank or unreadable)."""

    row: int
    code: str | None
    name: str | None
    group: str | None
    valid_from: dt.date | None
    decision_number: str
    decision_date: dt.date | None
    issuer: str
    cells: dict[str, Any]  # machine -> the cell as written (for problems)


@dataclass
class GroupsFile(FilledFile):
    COLUMNS: ClassVar[Sequence[Column]] = COLUMNS
    rows: list[GroupRow] = field(default_factory=list)


def _date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return parse_date(str(value))


def read_groups(path: str | Path, *, name: str | None = None) -> GroupsFile:
    """Read a filled group workbook (.xlsx) or CSV; the problems found are on the result
    (nothing is raised for a cell). A row without a group is skipped (the template lists
    every commune)."""
    path = Path(path)
    return read_filled(path, GroupsFile(sheet=name or path.name), SHEET, _read)


def _read(found: GroupsFile, sheet: Sheet) -> None:
    header_row, index = header_index(found, sheet, "group", "Nhóm xã")
    if not index:
        return
    missing = [c for c in COLUMNS if c.required and c.machine not in index]
    if "unit" not in index and "name" not in index:
        missing.insert(0, _BY_MACHINE["unit"])
    if missing_columns(found, header_row, missing):
        return
    count = 0
    for number, values in sheet.rows:
        cells = {m: values[i] if i < len(values) else None for m, i in index.items()}
        cells = {m: None if blank(v) else v for m, v in cells.items()}
        if cells.get("group") is None and all(
            cells.get(m) is None
            for m in ("valid_from", "decision_number", "decision_date", "issuer")
        ):
            continue  # a commune of the template left without a group
        count += 1
        if too_many_rows(found, count, number):
            return
        found.rows.append(_row(found, number, cells))


def _row(found: GroupsFile, number: int, cells: dict[str, Any]) -> GroupRow:
    def text(machine: str) -> str:
        value = cells.get(machine)
        return "" if value is None else str(value).strip()

    def day(machine: str) -> dt.date | None:
        value = cells.get(machine)
        if value is None:
            return None
        try:
            return _date(value)
        except ValueError:
            found.problem(
                Say(
                    "ngày không hợp lệ (dùng dd/mm/yyyy)",
                    "not a valid date (use dd/mm/yyyy)",
                ),
                number,
                machine,
                value,
            )
            return None

    raw_group = cells.get("group")
    group = parse_group(raw_group)
    if group is None:
        found.problem(
            Say("nhóm xã phải là 1, 2 hoặc 3", "the commune group must be 1, 2 or 3"),
            number,
            "group",
            "" if raw_group is None else raw_group,
        )
    code = cells.get("unit")
    return GroupRow(
        row=number,
        code=None if code is None else code_text(code, 5),
        name=text("name") or None,
        group=group,
        valid_from=day("valid_from"),
        decision_number=text("decision_number"),
        decision_date=day("decision_date"),
        issuer=text("issuer"),
        cells=cells,
    )
