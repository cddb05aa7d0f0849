"""The gap workbook *Ô cần bổ sung*: the threshold cells of a set that a province still has to
decide, written out to be filled, and read back.

A row is a cell the province's communes are judged on (`ResolvedSet.lookup`) that is missing
or not confirmed from the legal text, with what the set says of it now; the province writes the
value it decides and the legal basis (one decision: the same number, date and issuer on every
row that gives one). The reader streams the sheet through `ntm.exchange.sheets` within the
house caps and checks every filled row against the set; recording is the caller's
(`ntm.decisions.gaps`), so nothing here touches the database.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar

from ntm.criteria.loader import load_measures
from ntm.criteria.resolve import resolve
from ntm.criteria.schema import PROVINCE, CellChange, CriteriaSet
from ntm.exchange.filled import (
    HEADER_ROW,
    Column,
    FilledFile,
    filled_workbook,
    header_index,
    missing_columns,
    read_filled,
)
from ntm.exchange.sheets import BadCell, Say, Sheet, blank
from ntm.exchange.workbook import (
    MAX_DATA_ROWS,
    CellError,
    needs_quote,
    parse_number,
)
from ntm.vn.dates import format_date, parse_date

SHEET = "Ô cần bổ sung"
STATUS_VI = {"missing": "chưa có ngưỡng", "unverified": "chưa xác minh", "verified": "đã xác minh"}
OPS = {">=": "≥", "<=": "≤", "==": "="}


@dataclass(frozen=True)
class GapColumn:
    machine: str
    header: str
    width: int = 14


COLUMNS = (
    GapColumn("set", "Bộ tiêu chí", 22),
    GapColumn("indicator", "Mã chỉ tiêu", 10),
    GapColumn("name", "Tên chỉ tiêu", 40),
    GapColumn("condition", "Điều kiện", 9),
    GapColumn("comparison", "So sánh", 24),
    GapColumn("column", "Cột", 14),
    GapColumn("column_name", "Tên cột", 24),
    GapColumn("year", "Năm", 8),
    GapColumn("current", "Giá trị hiện tại", 12),
    GapColumn("status", "Trạng thái", 14),
    GapColumn("source", "Nguồn, ghi chú quốc gia", 40),
    GapColumn("value", "Giá trị quyết định", 14),
    GapColumn("decision_number", "Số quyết định", 18),
    GapColumn("decision_date", "Ngày ký", 12),
    GapColumn("issuer", "Cơ quan ban hành", 26),
    GapColumn("effective_from", "Ngày hiệu lực", 12),
)
_BY_MACHINE = {c.machine: c for c in COLUMNS}
_KEYS = ("set", "indicator", "condition", "column", "value")
_BASIS = ("decision_number", "decision_date", "issuer", "effective_from")


@dataclass(frozen=True)
class GapRow:
    """A cell to decide: where it is, and what the set says of it now."""

    indicator: str
    name: str
    condition: int
    comparison: str
    column: str
    column_name: str
    year: int | None  # None: the condition's thresholds hold for every year
    value: float | None
    status: str
    source: str


def gap_rows(cset: CriteriaSet, year: int) -> list[GapRow]:
    """Every missing or unconfirmed cell that some commune's lookup ends on, for `year`, in
    the set's order (a column cell the lookup passes over for another is not a gap)."""
    rs = resolve(cset, year)
    names = {c.code: c.name_vi for c in cset.columns}
    names[PROVINCE] = "Cả tỉnh"
    rows = []
    for criterion in cset.criteria:
        for ind in criterion.indicators:
            for ci, cond in enumerate(ind.conditions):
                if not cond.numeric:
                    continue
                national = (cond.by_year.get(year, {}) if cond.by_year else cond.thresholds).get
                for column in [*names]:
                    cell = rs.cells.get((ind.code, ci, column))
                    if cell is None:
                        continue
                    used, cell = rs.lookup(ind.code, ci, column)
                    if used != column or cell.status == "verified":
                        continue
                    law = national(column)
                    note = law.note if law is not None else None
                    rows.append(
                        GapRow(
                            indicator=ind.code,
                            name=ind.name_vi,
                            condition=ci,
                            comparison=f"{cond.measure} {OPS.get(cond.op, cond.op)}",
                            column=column,
                            column_name=names[column],
                            year=year if cond.by_year else None,
                            value=cell.value,
                            status=cell.status,
                            source=" — ".join(p for p in (cell.basis, cell.source, note) if p),
                        )
                    )
    return rows


def gap_counts(cset: CriteriaSet) -> Counter[str]:
    """The cells still to decide over the set's period, by status ("missing", "unverified"):
    the gap workbook's rows of every year, a condition without years counted once. Given a
    province's set (its decisions applied), what that province still has to fill."""
    found: dict[tuple[str, int, str, int | None], str] = {}
    for year in range(cset.period.start_year, cset.period.end_year + 1):
        for r in gap_rows(cset, year):
            found[(r.indicator, r.condition, r.column, r.year)] = r.status
    return Counter(found.values())


def write_gaps(
    out: str | Path | IO[bytes], cset: CriteriaSet, year: int, rows: Sequence[GapRow], *, title: str
) -> None:
    """The workbook of `rows` to fill: one row a cell, the decision's columns empty."""
    how_to = (
        "Mỗi dòng một ô ngưỡng còn thiếu hoặc chưa xác minh. Ghi giá trị tỉnh quyết định vào "
        "cột “Giá trị quyết định” và căn cứ pháp lý (số, ngày ký, cơ quan ban hành; ngày "
        "hiệu lực nếu khác ngày ký) — một quyết định cho cả tệp. Ngày ghi dd/mm/yyyy. "
        "Dòng không ghi giá trị được bỏ qua. Năm để trống: áp dụng mọi năm."
    )
    heading = f"{title} — {cset.name_vi} ({cset.id}), năm {year}"
    with filled_workbook(out, SHEET, heading, how_to) as (ws, f):
        for c, col in enumerate(COLUMNS):
            filled = col.machine in {"value", *_BASIS}
            ws.write_string(HEADER_ROW, c, col.header, f.fill if filled else f.head)
            ws.set_column(c, c, col.width, None if col.machine in {"current", "value"} else f.text)
        for r, row in enumerate(rows, start=HEADER_ROW + 1):
            values: dict[str, Any] = {
                "set": cset.id,
                "indicator": row.indicator,
                "name": row.name,
                "condition": row.condition,
                "comparison": row.comparison,
                "column": row.column,
                "column_name": row.column_name,
                "year": row.year,
                "current": row.value,
                "status": STATUS_VI.get(row.status, row.status),
                "source": row.source,
            }
            for c, col in enumerate(COLUMNS):
                value = values.get(col.machine)
                if isinstance(value, int | float):
                    ws.write_number(r, c, value)
                elif value:
                    ws.write_string(r, c, value, f.quoted if needs_quote(value) else None)
        ws.freeze_panes(HEADER_ROW + 1, 3)


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True)
class GapCell:
    row: int
    change: CellChange


@dataclass
class GapsFile(FilledFile):
    """A filled gap workbook: its cells and its one legal basis, or the problems found."""

    COLUMNS: ClassVar[Sequence[Column]] = COLUMNS
    set_id: str = ""
    cells: list[GapCell] = field(default_factory=list)
    number: str = ""
    date_signed: dt.date | None = None
    issuer: str = ""
    effective_from: dt.date | None = None
    # Where each part of the basis was first given (row), to report a differing one.
    _basis_rows: dict[str, tuple[int, object]] = field(default_factory=dict)


def read_gaps(
    path: str | Path, sets: Callable[[str], CriteriaSet | None], *, name: str | None = None
) -> GapsFile:
    """Read a filled gap workbook (.xlsx) or CSV: the cells given a value, each checked against
    its set (`sets` finds one by id, None for an unknown id). The problems are on the result."""
    path = Path(path)
    return read_filled(
        path,
        GapsFile(sheet=name or path.name),
        SHEET,
        lambda found, sheet: _read(found, sheet, sets),
    )


def _read(found: GapsFile, sheet: Sheet, sets: Callable[[str], CriteriaSet | None]) -> None:
    header_row, index = header_index(found, sheet, "value", _BY_MACHINE["value"].header)
    if not index:
        return
    missing = [_BY_MACHINE[m] for m in (*_KEYS, *_BASIS[:3]) if m not in index]
    if missing_columns(found, header_row, missing):
        return
    count = 0
    first_row: int | None = None
    for number, values in sheet.rows:
        cells = {m: values[i] if i < len(values) else None for m, i in index.items()}
        cells = {m: None if blank(v) else v for m, v in cells.items()}
        if cells.get("value") is None:
            continue  # a gap left open
        count += 1
        if count > MAX_DATA_ROWS:
            found.problem(
                Say(
                    f"tệp có hơn {MAX_DATA_ROWS:,} dòng ghi giá trị".replace(",", "."),
                    f"the file has more than {MAX_DATA_ROWS:,} rows with a value",
                ),
                number,
            )
            return
        first_row = first_row or number
        _row(found, number, cells, sets)
    if first_row is None:
        found.problem(Say("không dòng nào ghi giá trị quyết định", "no row gives a value"))
        return
    for machine, attr in (("decision_number", "number"), ("decision_date", "date_signed")):
        if not getattr(found, attr):
            found.problem(_NO_BASIS, first_row, machine, "")
    if not found.issuer:
        found.problem(_NO_BASIS, first_row, "issuer", "")


_NO_BASIS = Say(
    "thiếu căn cứ pháp lý (số quyết định, ngày ký, cơ quan ban hành)",
    "the legal basis (decision number, date signed, issuer) is missing",
)


def _basis(found: GapsFile, number: int, machine: str, attr: str, value: object) -> None:
    """One part of the one decision: the first row giving it sets it, the others agree."""
    if value is None or value == "":
        return
    first = found._basis_rows.get(machine)
    if first is None:
        found._basis_rows[machine] = (number, value)
        setattr(found, attr, value)
    elif first[1] != value:
        shown_first = format_date(first[1]) if isinstance(first[1], dt.date) else first[1]
        found.problem(
            Say(
                f"căn cứ pháp lý khác dòng {first[0]} (“{shown_first}”); cả tệp là một quyết định",
                f"the legal basis differs from row {first[0]} (“{shown_first}”); the whole file "
                "is one decision",
            ),
            number,
            machine,
            format_date(value) if isinstance(value, dt.date) else value,
        )


def _row(
    found: GapsFile,
    number: int,
    cells: dict[str, Any],
    sets: Callable[[str], CriteriaSet | None],
) -> None:
    ok = True

    def bad(reason: Say, machine: str) -> None:
        nonlocal ok
        ok = False
        raw = cells.get(machine)
        found.problem(reason, number, machine, raw.shown if isinstance(raw, BadCell) else raw)

    def text(machine: str) -> str:
        raw = cells.get(machine)
        if isinstance(raw, BadCell):
            bad(raw.reason, machine)
            return ""
        if isinstance(raw, float) and raw.is_integer():
            raw = int(raw)
        return "" if raw is None else str(raw).strip()

    def day(machine: str) -> dt.date | None:
        raw = cells.get(machine)
        if raw is None or isinstance(raw, dt.datetime):
            return raw.date() if raw is not None else None
        try:
            return parse_date(text(machine))
        except ValueError:
            bad(
                Say("ngày không hợp lệ (dùng dd/mm/yyyy)", "not a valid date (use dd/mm/yyyy)"),
                machine,
            )
            return None

    def integer(machine: str) -> int | None:
        raw = text(machine)
        if raw == "":
            return None
        if raw.isdigit():
            return int(raw)
        bad(Say("cần một số nguyên", "expected a whole number"), machine)
        return None

    set_id = text("set")
    cset = sets(set_id) if set_id else None
    if cset is None:
        bad(Say("không có bộ tiêu chí này", "no such criteria set"), "set")
    elif found.set_id and set_id != found.set_id:
        bad(
            Say(
                f"cả tệp là một bộ tiêu chí ({found.set_id})",
                f"the whole file is one set ({found.set_id})",
            ),
            "set",
        )
    else:
        found.set_id = set_id
    try:
        value = parse_number(cells.get("value"))
    except CellError as exc:
        bad(exc.reason, "value")
        value = None
    for machine, attr in (("decision_number", "number"), ("issuer", "issuer")):
        _basis(found, number, machine, attr, text(machine))
    for machine, attr in (("decision_date", "date_signed"), ("effective_from", "effective_from")):
        _basis(found, number, machine, attr, day(machine))
    indicator, condition, column = text("indicator"), integer("condition"), text("column")
    year = integer("year")
    if cset is None:
        return
    try:
        ind = cset.indicator(indicator)
    except KeyError:
        bad(Say("bộ tiêu chí không có chỉ tiêu này", "the set has no such indicator"), "indicator")
        return
    if condition is None or condition >= len(ind.conditions):
        bad(
            Say(
                f"chỉ tiêu {indicator} không có điều kiện này",
                f"indicator {indicator} has no such condition",
            ),
            "condition",
        )
        return
    cond = ind.conditions[condition]
    if not cond.numeric:
        bad(
            Say(
                "điều kiện này không có ngưỡng số (bộ tiêu chí không có ô này)",
                "this condition has no numeric threshold (the set has no such cell)",
            ),
            "condition",
        )
    elif value is not None and load_measures()[cond.measure].kind == "share":
        if not 0 <= value <= 100:
            bad(
                Say("tỷ lệ ghi theo phần trăm, từ 0 đến 100", "a share is in percent, 0 to 100"),
                "value",
            )
    elif value is not None and value < 0:
        bad(Say("ngưỡng không thể là số âm", "a threshold cannot be negative"), "value")
    if column != PROVINCE and column not in {c.code for c in cset.columns}:
        bad(Say("bộ tiêu chí không có cột này", "the set has no such column"), "column")
    if year is not None and year not in range(cset.period.start_year, cset.period.end_year + 1):
        bad(Say("bộ tiêu chí không có ô cho năm này", "the set has no cell for this year"), "year")
    if ok and value is not None:
        change = CellChange(
            indicator=indicator,
            condition=condition,
            column=column,
            year=year,
            value=value,
            status="verified",
        )
        found.cells.append(GapCell(number, change))
