"""The province report workbook: what an office files, from the read models a report gathers
(`ntm.reports.files`), written with no figure computed here.

Sheets: summary, communes × criteria (coloured statuses), indicator detail (value, threshold
and its source, column, gap, stage), bands and per-criterion counts (each with a native Excel
chart), recognitions and decisions, warnings (revocation watch, slipping), definitions and
sources. Vietnamese headers, frozen panes and filters; every text is written as text (a cell
starting with = + - @ gets Excel's quote prefix) and the file is renamed into place only once
complete.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ntm.evaluation.semantics import Status
from ntm.exchange.results import (
    CONDITION_COLUMNS,
    STAGE_VI,
    STATUS_VI,
    TextSheet,
    atomically,
    new_workbook,
)

Cell = str | int | float | None
_STAGES = {str(k): v for k, v in STAGE_VI.items()}


@dataclass(frozen=True)
class CommuneLine:
    code: str
    name: str
    met: int | None  # None: no result
    total: int
    meets_set: bool
    statuses: Mapping[int, str]  # criterion -> the engine's status code


@dataclass(frozen=True)
class ConditionLine:
    code: str
    name: str
    criterion: int
    indicator: str
    indicator_name: str
    condition: int
    op: str
    value: float | None
    threshold: float | None
    threshold_source: str  # the national set, or the province's decision
    column: str
    gap: float | None
    status: str
    stage: str | None


@dataclass(frozen=True)
class CountLine:
    criterion: int
    name: str
    met: int
    basically_met: int
    not_met: int
    missing: int


@dataclass(frozen=True)
class ReportBook:
    """A province report as the workbook writes it; `summary` and `definitions` are
    (label, value) rows, the other tables rows of cells under their own headers."""

    title: str
    summary: Sequence[tuple[str, Cell]]
    criteria: Sequence[tuple[int, str]]  # number, name
    communes: Sequence[CommuneLine]
    conditions: Sequence[ConditionLine]
    bands: Sequence[tuple[str, int]]  # label, communes
    counts: Sequence[CountLine]
    recognitions: Sequence[Sequence[Cell]]  # under RECOGNITION_COLUMNS
    warnings: Sequence[Sequence[Cell]]  # under WARNING_COLUMNS
    definitions: Sequence[tuple[str, Cell]]


RECOGNITION_COLUMNS = (
    ("Mã đơn vị", 10),
    ("Tên đơn vị", 24),
    ("Mức công nhận", 28),
    ("Năm đạt chuẩn", 10),
    ("Trạng thái", 18),
    ("Quyết định công nhận", 26),
    ("Cơ quan ban hành", 26),
    ("Quyết định thu hồi", 26),
)
WARNING_COLUMNS = (
    ("Loại cảnh báo", 24),
    ("Mã xã", 9),
    ("Tên xã", 24),
    ("Số tiêu chí đạt", 10),
    ("Tổng số tiêu chí", 10),
    ("Tiêu chí không đạt", 60),
)
_MATRIX_COLUMNS = (
    ("Mã xã", 9),
    ("Tên xã", 24),
    ("Số tiêu chí đạt", 10),
    ("Tổng số tiêu chí", 10),
    ("Đạt chuẩn", 12),
)
_DETAIL_COLUMNS = (
    *CONDITION_COLUMNS,
    ("So sánh", 8),
    ("Giá trị", 10),
    ("Ngưỡng", 10),
    ("Nguồn ngưỡng", 24),
    ("Cột ngưỡng", 10),
    ("Chênh lệch (≥ 0: đạt)", 12),
    ("Kết quả", 14),
    ("Nguồn số liệu", 14),
)
_BAND_COLUMNS = (("Nhóm theo số tiêu chí đạt", 36), ("Số xã", 10))
_COUNT_COLUMNS = (
    ("Tiêu chí", 8),
    ("Tên tiêu chí", 36),
    ("Đạt", 9),
    ("Cơ bản đạt", 9),
    ("Chưa đạt", 9),
    ("Thiếu dữ liệu", 10),
)


def write_report_workbook(book: ReportBook, path: str | Path) -> None:
    """Write the report workbook to `path`, atomically."""
    with atomically(path) as tmp:
        wb, formats, status_formats = new_workbook(tmp)
        _pairs(TextSheet(wb, "Tổng hợp", formats), book.title, book.summary)
        _matrix(TextSheet(wb, "Xã × tiêu chí", formats), book, status_formats)
        _detail(TextSheet(wb, "Chi tiết chỉ tiêu", formats), book, status_formats)
        _bands(wb, TextSheet(wb, "Nhóm xã", formats), book)
        _counts(wb, TextSheet(wb, "Theo tiêu chí", formats), book)
        _table(TextSheet(wb, "Công nhận", formats), RECOGNITION_COLUMNS, book.recognitions)
        _table(TextSheet(wb, "Cảnh báo", formats), WARNING_COLUMNS, book.warnings)
        _pairs(TextSheet(wb, "Định nghĩa và nguồn", formats), book.title, book.definitions)
        wb.close()


def _pairs(s: TextSheet, title: str, rows: Sequence[tuple[str, Cell]]) -> None:
    s.text(0, 0, title, s.formats["title"])
    s.header(2, (("Nội dung", 60), ("Giá trị", 70)))
    for r, (label, value) in enumerate(rows, start=3):
        s.text(r, 0, label)
        s.cell(r, 1, value)


def _table(
    s: TextSheet, columns: Sequence[tuple[str, float]], rows: Sequence[Sequence[Cell]]
) -> None:
    s.header(0, columns)
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            s.cell(r, c, value)
    s.ws.autofilter(0, 0, max(len(rows), 1), len(columns) - 1)


def _matrix(s: TextSheet, book: ReportBook, status_formats: Mapping[str, Any]) -> None:
    columns = [*_MATRIX_COLUMNS, *((f"TC {n}. {name}", 12) for n, name in book.criteria)]
    s.header(0, columns)
    first = len(_MATRIX_COLUMNS)
    for r, line in enumerate(book.communes, start=1):
        s.cell(r, 0, line.code)
        s.cell(r, 1, line.name)
        s.cell(r, 2, line.met)
        s.cell(r, 3, line.total)
        if line.met is None:
            s.text(r, 4, STATUS_VI[Status.MISSING_DATA], status_formats[Status.MISSING_DATA])
        else:
            done = Status.MET if line.meets_set else Status.NOT_MET
            s.text(r, 4, "Đạt chuẩn" if line.meets_set else "Chưa đạt chuẩn", status_formats[done])
        for c, (number, _name) in enumerate(book.criteria, start=first):
            st = line.statuses.get(number)
            if st is not None:
                s.text(r, c, STATUS_VI.get(st, st), status_formats.get(st))
    s.ws.autofilter(0, 0, max(len(book.communes), 1), len(columns) - 1)


def _detail(s: TextSheet, book: ReportBook, status_formats: Mapping[str, Any]) -> None:
    s.header(0, _DETAIL_COLUMNS)
    for r, x in enumerate(book.conditions, start=1):
        values: tuple[Cell, ...] = (
            x.code,
            x.name,
            x.criterion,
            x.indicator,
            x.condition + 1,
            x.indicator_name,
            x.op,
            x.value,
            x.threshold,
            x.threshold_source,
            x.column,
            x.gap,
        )
        for c, value in enumerate(values):
            s.cell(r, c, value, s.formats["number"] if c in (7, 8, 11) else None)
        s.text(r, 12, STATUS_VI.get(x.status, x.status), status_formats.get(x.status))
        s.cell(r, 13, _STAGES.get(x.stage, x.stage) if x.stage else None)
    s.ws.autofilter(0, 0, max(len(book.conditions), 1), len(_DETAIL_COLUMNS) - 1)


def _chart(wb: Any, s: TextSheet, title: str, rows: int, series: Sequence[tuple[int, str]]) -> None:
    """A bar chart of columns `series` (column, colour) against the labels in column B or A,
    placed right of the table."""
    kind = {"type": "bar"} | ({"subtype": "stacked"} if len(series) > 1 else {})
    chart = wb.add_chart(kind)
    name = s.ws.get_name()
    label = 1 if len(series) > 1 else 0
    for col, colour in series:
        chart.add_series(
            {
                "name": [name, 0, col],
                "categories": [name, 1, label, rows, label],
                "values": [name, 1, col, rows, col],
                "fill": {"color": colour},
            }
        )
    chart.set_title({"name": title})
    chart.set_y_axis({"reverse": True})
    chart.set_size({"width": 640, "height": max(300, 22 * rows + 80)})
    s.ws.insert_chart(1, len(series) + 3, chart)


def _bands(wb: Any, s: TextSheet, book: ReportBook) -> None:
    _table(s, _BAND_COLUMNS, [(label, n) for label, n in book.bands])
    if book.bands:
        _chart(wb, s, "Số xã theo nhóm số tiêu chí đạt", len(book.bands), [(1, "#1a9850")])


def _counts(wb: Any, s: TextSheet, book: ReportBook) -> None:
    rows = [
        (c.criterion, c.name, c.met, c.basically_met, c.not_met, c.missing) for c in book.counts
    ]
    _table(s, _COUNT_COLUMNS, rows)
    if rows:
        colours = ("#1a9850", "#fee08b", "#d73027", "#bdbdbd")
        _chart(
            wb,
            s,
            "Số xã theo kết quả từng tiêu chí",
            len(rows),
            [(c, colour) for c, colour in zip(range(2, 6), colours, strict=True)],
        )
