"""The results of one evaluation as a person reads them: summary text, workbook, JSON.

`build_results` takes the engine's output for one year, the criteria set and the units frame
(for names) and computes the summary with `ntm.stats.summary.summarize`. Three renderings:

- `summary_text`: the Vietnamese summary printed by `ntm evaluate` and `ntm run`;
- `write_workbook`: the results workbook — a summary sheet, a communes × criteria matrix
  (Đạt / Chưa đạt / Thiếu dữ liệu ..., colour-coded) and a detail sheet with the value,
  threshold, column, status and gap of every indicator condition. Every text cell is written
  as text (cells starting with = + - @ get Excel's quote prefix), so nothing from the input
  can become a formula. The file is written to a temporary name and renamed, so a failure
  never leaves a half-written workbook;
- `to_json`: the same as plain JSON. Shape::

    {"set": {"id", "name_vi", "label", "year"}, "source", "notes": [...],
     "summary": {... ntm.stats PeriodSummary as `ntm.stats.jsonable` writes it ...,
                 "thresholds": {"unverified_cells", "unverified_results",
                                "missing_cells", "missing_results"}},
     "communes": [{"unit", "name", "met", "basically_met", "not_met", "missing", "total",
                   "meets_set",
                   "criteria": {"1": "met", "2": "not_met", ...},
                   "indicators": {"2.2": {"status", "value", "threshold", "column", "gap",
                                          "threshold_status", "stage"}, ...},
                   "values": [{"measure", "value", "numerator", "denominator",
                               "not_applicable", "stage"}, ...]}]}

  Statuses are the engine's codes (met, not_met, basically_met, missing_data,
  missing_threshold, missing_group, not_applicable). Shares are in percent. An indicator with
  one condition has scalars; a compound indicator (two conditions in one cell) has a list per
  field, one entry per condition in the set's order, plus "condition_status" (the list of condition
  statuses) — its "status" is always the combined status of the indicator. `values` are the
  entries read from the file (a share as its numerator and denominator), so that `ntm stats
  --from-json` can carry them onto other units and evaluate them again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import polars as pl
import xlsxwriter
from pydantic.dataclasses import dataclass as read_model

from ntm.criteria.loader import CriteriaError, load_overlay_file, load_set
from ntm.criteria.schema import NUMERIC_OPS, CriteriaSet, Op
from ntm.evaluation import evaluate
from ntm.evaluation.semantics import Stage, Status
from ntm.exchange.workbook import InputError, InputProblem, needs_quote, read_input
from ntm.stats.jsonable import jsonable
from ntm.stats.summary import PeriodSummary, render_lines, summarize
from ntm.vn.numbers import format_number

VALUE_FIELDS = ("unit", "measure", "value", "numerator", "denominator", "not_applicable", "stage")
STATUS_VI: dict[str, str] = {
    Status.MET: "Đạt",
    Status.NOT_MET: "Chưa đạt",
    Status.BASICALLY_MET: "Cơ bản đạt",
    Status.MISSING_DATA: "Thiếu dữ liệu",
    Status.MISSING_THRESHOLD: "Thiếu ngưỡng",
    Status.MISSING_GROUP: "Thiếu nhóm xã",
    Status.NOT_APPLICABLE: "Không áp dụng",
}
THRESHOLD_STATUS_VI = {"verified": "đã xác minh", "unverified": "chưa xác minh", "missing": "thiếu"}
STAGE_VI = {Stage.CLAIMED: "xã tự đánh giá", Stage.VERIFIED: "đã thẩm tra"}
# Fill and font colours of each status (Excel's good / bad / neutral palette).
STATUS_COLOURS: dict[str, tuple[str, str]] = {
    Status.MET: ("#C6EFCE", "#006100"),
    Status.NOT_MET: ("#FFC7CE", "#9C0006"),
    Status.BASICALLY_MET: ("#FFEB9C", "#9C5700"),
    Status.MISSING_DATA: ("#D9D9D9", "#3A3A3A"),
    Status.MISSING_THRESHOLD: ("#FCE4D6", "#833C0B"),
    Status.MISSING_GROUP: ("#FCE4D6", "#833C0B"),
    Status.NOT_APPLICABLE: ("#DDEBF7", "#1F4E78"),
}


class EvaluationLike(Protocol):
    """What `ntm.evaluation.Evaluation` provides (the engine contract)."""

    @property
    def set_id(self) -> str: ...
    @property
    def labels(self) -> dict[int, str]: ...
    @property
    def indicators(self) -> pl.DataFrame: ...
    @property
    def criteria(self) -> pl.DataFrame: ...
    @property
    def communes(self) -> pl.DataFrame: ...


@read_model(frozen=True)
class ThresholdUse:
    """Threshold cells that are not law as verified, as they were used for these communes."""

    unverified_cells: int
    unverified_results: int
    missing_cells: int
    missing_results: int


@dataclass(frozen=True)
class Results:
    cset: CriteriaSet
    year: int
    label: str
    names: Mapping[str, str | None]
    indicators: pl.DataFrame
    criteria: pl.DataFrame
    communes: pl.DataFrame
    summary: PeriodSummary
    thresholds: ThresholdUse
    source: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    values: pl.DataFrame | None = None  # what was read (`VALUES_SCHEMA`), for `to_json`


def _threshold_use(indicators: pl.DataFrame) -> ThresholdUse:
    numeric = indicators.filter(pl.col("op").is_in(list(NUMERIC_OPS)))

    def count(status: str) -> tuple[int, int]:
        rows = numeric.filter(pl.col("threshold_status") == status)
        cells = rows.select("indicator", "condition", "column").unique().height
        return cells, rows.height

    uc, ur = count("unverified")
    mc, mr = count("missing")
    return ThresholdUse(uc, ur, mc, mr)


def build_results(
    evaluation: EvaluationLike,
    cset: CriteriaSet,
    units: pl.DataFrame,
    *,
    year: int,
    source: str | None = None,
    notes: Sequence[str] = (),
    values: pl.DataFrame | None = None,
) -> Results:
    """The results of `year`, with the summary computed from the engine's frames (and the
    values read, which `to_json` writes out so that the results can be re-based later)."""
    in_year = pl.col("period") == year
    indicators = evaluation.indicators.filter(in_year).sort("unit", "criterion", "indicator")
    criteria = evaluation.criteria.filter(in_year).sort("unit", "criterion")
    communes = evaluation.communes.filter(in_year).sort("unit")
    names: dict[str, str | None] = {}
    if "name" in units.columns:
        names = dict(zip(units["unit"].to_list(), units["name"].to_list(), strict=True))
    summary = summarize(communes, criteria, cset.bands)
    period = (
        summary.for_period(year) if summary.periods else PeriodSummary(year, 0, 0, 0, (), (), 0, 0)
    )
    return Results(
        cset=cset,
        year=year,
        label=evaluation.labels.get(year, cset.id),
        names=names,
        indicators=indicators,
        criteria=criteria,
        communes=communes,
        summary=period,
        thresholds=_threshold_use(indicators),
        source=source,
        notes=tuple(notes),
        values=values,
    )


# ---------------------------------------------------------------------------- text


def summary_text(results: Results) -> str:
    """The Vietnamese summary, one figure per line."""
    lines = [
        f"Đánh giá theo bộ tiêu chí {results.cset.name_vi}",
        f"Phiên bản bộ tiêu chí đã dùng: {results.label}",
    ]
    if results.source:
        lines.append(f"Tệp số liệu: {results.source}")
    lines += list(results.notes)
    lines += render_lines(results.summary)
    names = {c.number: c.name_vi for c in results.cset.criteria}
    # Name each criterion in the per-criterion lines the summary prints by number.
    lines = [_name_criterion(line, names) for line in lines]
    t = results.thresholds
    lines.append(
        f"Ngưỡng chưa xác minh: {format_number(t.unverified_cells)} ô ngưỡng, dùng cho "
        f"{format_number(t.unverified_results)} kết quả chỉ tiêu"
    )
    lines.append(
        f"Ngưỡng còn thiếu: {format_number(t.missing_cells)} ô ngưỡng, "
        f"{format_number(t.missing_results)} kết quả chỉ tiêu là “Thiếu ngưỡng”"
    )
    return "\n".join(lines)


def _name_criterion(line: str, names: Mapping[int, str]) -> str:
    prefix = "  Tiêu chí "
    if not line.startswith(prefix):
        return line
    number, sep, rest = line[len(prefix) :].partition(":")
    if not sep or not number.strip().isdigit() or int(number) not in names:
        return line
    return f"{prefix}{number} ({names[int(number)]}):{rest}"


# ---------------------------------------------------------------------------- JSON


def _clean(value: Any) -> Any:
    if isinstance(value, float) and value != value:  # NaN is not JSON
        return None
    return value


def to_json(results: Results) -> dict[str, Any]:
    """Plain JSON types; see the module docstring for the shape."""
    statuses: dict[str, dict[str, str]] = {}
    for row in results.criteria.iter_rows(named=True):
        statuses.setdefault(row["unit"], {})[str(row["criterion"])] = row["status"]
    indicators: dict[str, dict[str, dict[str, Any]]] = {}
    fields = ("value", "threshold", "column", "gap", "threshold_status", "stage")
    for (unit, code), group in results.indicators.sort("condition").group_by(
        "unit", "indicator", maintain_order=True
    ):
        rows = group.to_dicts()
        entry: dict[str, Any] = {"status": rows[0]["indicator_status"]}
        if len(rows) == 1:
            entry |= {f: _clean(rows[0][f]) for f in fields}
        else:
            entry |= {f: [_clean(r[f]) for r in rows] for f in fields}
            entry["condition_status"] = [r["status"] for r in rows]
        indicators.setdefault(str(unit), {})[str(code)] = entry
    read: dict[str, list[dict[str, Any]]] = {}
    if results.values is not None:
        entries = results.values.sort("unit", "measure", "stage")
        for row in entries.select(*VALUE_FIELDS).iter_rows(named=True):
            read.setdefault(str(row.pop("unit")), []).append({k: _clean(v) for k, v in row.items()})
    communes = []
    for row in results.communes.iter_rows(named=True):
        unit = row["unit"]
        communes.append(
            {
                "unit": unit,
                "name": results.names.get(unit),
                **{k: row[k] for k in ("met", "basically_met", "not_met", "missing", "total")},
                "meets_set": row["meets_set"],
                "criteria": statuses.get(unit, {}),
                "indicators": indicators.get(unit, {}),
                "values": read.get(unit, []),
            }
        )
    return {
        "set": {
            "id": results.cset.id,
            "name_vi": results.cset.name_vi,
            "label": results.label,
            "year": results.year,
        },
        "source": results.source,
        "notes": list(results.notes),
        "summary": jsonable(results.summary) | {"thresholds": jsonable(results.thresholds)},
        "communes": communes,
    }


# ---------------------------------------------------------------------------- workbook


class TextSheet:
    """A worksheet that writes every text as text (formula-injection safe)."""

    def __init__(self, wb: Any, name: str, formats: Mapping[str, Any]) -> None:
        self.ws = wb.add_worksheet(name)
        self.formats = formats

    def text(self, row: int, col: int, value: str, fmt: Any = None) -> None:
        if needs_quote(value):
            fmt = self.formats["quoted"]
        self.ws.write_string(row, col, value, fmt)

    def cell(self, row: int, col: int, value: Any, fmt: Any = None) -> None:
        if value is None:
            self.ws.write_blank(row, col, None, fmt)
        elif isinstance(value, bool):
            self.text(row, col, "Có" if value else "Không", fmt)
        elif isinstance(value, int | float):
            if value != value:
                self.ws.write_blank(row, col, None, fmt)
            else:
                self.ws.write_number(row, col, value, fmt)
        else:
            self.text(row, col, str(value), fmt)

    def header(self, row: int, columns: Sequence[tuple[str, float]]) -> None:
        """The title row; each column's (title, width)."""
        for c, (title, width) in enumerate(columns):
            self.text(row, c, title, self.formats["head"])
            self.ws.set_column(c, c, width)
        self.ws.set_row(row, 45)
        self.ws.freeze_panes(row + 1, 2)


@contextmanager
def atomically(path: str | Path) -> Iterator[str]:
    """A temporary name beside `path` to write to, renamed to `path` when the block ends
    without an error and removed otherwise: a failure never leaves a half-written file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(path.with_name(f".{path.name}.{os.getpid()}.tmp"))
    try:
        yield tmp
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def new_workbook(tmp: str) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    """An XlsxWriter workbook that never turns text into a formula, URL or number, with the
    shared cell formats and one format per status."""
    wb = xlsxwriter.Workbook(
        tmp,
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    formats = {
        "head": wb.add_format(
            {
                "bold": True,
                "bg_color": "#D9E1F2",
                "text_wrap": True,
                "valign": "top",
                "border": 1,
            }
        ),
        "quoted": wb.add_format({"quote_prefix": True}),
        "title": wb.add_format({"bold": True, "font_size": 13}),
        "note": wb.add_format({"italic": True, "font_color": "#44546A"}),
        "number": wb.add_format({"num_format": "0.00"}),
    }
    status_formats = {
        s: wb.add_format({"bg_color": bg, "font_color": fg, "align": "center", "border": 1})
        for s, (bg, fg) in STATUS_COLOURS.items()
    }
    return wb, formats, status_formats


def write_workbook(results: Results, path: str | Path) -> None:
    """Write the results workbook to `path`, atomically."""
    with atomically(path) as tmp:
        wb, formats, status_formats = new_workbook(tmp)
        _summary_sheet(TextSheet(wb, "Tổng hợp", formats), results)
        _matrix_sheet(TextSheet(wb, "Kết quả theo xã", formats), results, status_formats)
        _detail_sheet(TextSheet(wb, "Chi tiết chỉ tiêu", formats), results, status_formats)
        wb.close()


def _summary_sheet(s: TextSheet, results: Results) -> None:
    s.text(0, 0, "Kết quả đánh giá nông thôn mới", s.formats["title"])
    for i, line in enumerate(summary_text(results).splitlines(), start=2):
        s.text(i, 0, line, s.formats["note"] if line in results.notes else None)
    s.ws.set_column(0, 0, 110)


# (title, width) of the commune sheet's columns; one column per criterion follows them.
_MATRIX_COLUMNS = (
    ("Mã xã", 9),
    ("Tên xã", 24),
    ("Số tiêu chí đạt", 9),
    ("Cơ bản đạt", 9),
    ("Chưa đạt", 9),
    ("Thiếu dữ liệu / ngưỡng", 10),
    ("Đạt chuẩn", 9),
)
# (title, width) of the columns naming an indicator condition of a commune, first in every
# indicator sheet.
CONDITION_COLUMNS = (
    ("Mã xã", 9),
    ("Tên xã", 22),
    ("Tiêu chí", 8),
    ("Chỉ tiêu", 8),
    ("Điều kiện", 8),
    ("Tên chỉ tiêu", 40),
)
# (title, width) of the indicator sheet's columns.
_DETAIL_COLUMNS = (
    *CONDITION_COLUMNS,
    ("Đo lường", 22),
    ("So sánh", 8),
    ("Giá trị", 10),
    ("Tử số", 10),
    ("Mẫu số", 10),
    ("Ngưỡng", 10),
    ("Trạng thái ngưỡng", 12),
    ("Cột ngưỡng", 10),
    ("Căn cứ", 16),
    ("Kết quả điều kiện", 14),
    ("Kết quả chỉ tiêu", 14),
    ("Chênh lệch (≥ 0: đạt)", 12),
    ("Nguồn số liệu", 14),
)


def _matrix_sheet(s: TextSheet, results: Results, status_formats: Mapping[str, Any]) -> None:
    criteria = results.cset.criteria
    columns = [*_MATRIX_COLUMNS, *((f"TC {c.number}. {c.name_vi}", 12) for c in criteria)]
    s.header(0, columns)
    status = {
        (r["unit"], r["criterion"]): r["status"] for r in results.criteria.iter_rows(named=True)
    }
    for r, row in enumerate(results.communes.iter_rows(named=True), start=1):
        unit = row["unit"]
        s.cell(r, 0, unit)
        s.cell(r, 1, results.names.get(unit))
        for c, key in enumerate(("met", "basically_met", "not_met", "missing"), start=2):
            s.cell(r, c, row[key])
        s.cell(
            r,
            6,
            "Đạt chuẩn" if row["meets_set"] else "Chưa đạt chuẩn",
            status_formats[Status.MET if row["meets_set"] else Status.NOT_MET],
        )
        for c, criterion in enumerate(criteria, start=7):
            st = status.get((unit, criterion.number))
            if st is not None:
                s.text(r, c, STATUS_VI.get(st, st), status_formats.get(st))
    last = max(results.communes.height, 1)
    s.ws.autofilter(0, 0, last, len(columns) - 1)


def _detail_sheet(s: TextSheet, results: Results, status_formats: Mapping[str, Any]) -> None:
    s.header(0, _DETAIL_COLUMNS)
    ind_names = {i.code: i.name_vi for c in results.cset.criteria for i in c.indicators}
    for r, row in enumerate(results.indicators.iter_rows(named=True), start=1):
        unit = row["unit"]
        values = [
            unit,
            results.names.get(unit),
            row["criterion"],
            row["indicator"],
            row["condition"] + 1,
            ind_names.get(row["indicator"]),
            row["measure"],
            {Op.YES: "Đạt", Op.NONE: "Không có"}.get(row["op"], row["op"]),
            row["value"],
            row["numerator"],
            row["denominator"],
            row["threshold"],
            THRESHOLD_STATUS_VI.get(row["threshold_status"], row["threshold_status"]),
            row["column"],
            row["basis"],
        ]
        for c, value in enumerate(values):
            s.cell(r, c, value, s.formats["number"] if c in (8, 11) else None)
        for c, key in ((15, "status"), (16, "indicator_status")):
            s.text(r, c, STATUS_VI.get(row[key], row[key]), status_formats.get(row[key]))
        s.cell(r, 17, row["gap"], s.formats["number"])
        s.cell(r, 18, STAGE_VI.get(row["stage"], row["stage"]))
    s.ws.autofilter(0, 0, max(results.indicators.height, 1), len(_DETAIL_COLUMNS) - 1)


# ---------------------------------------------------------------------------- one file


def evaluate_file(
    path: str | Path,
    set_id: str,
    *,
    year: int,
    overlay_paths: Sequence[str | Path] = (),
    notes: Sequence[str] = (),
) -> Results:
    """Read an input workbook or CSV, evaluate it for `year` and build the results.

    Every problem — an unknown set, a bad overlay, a year outside the set's period, every bad
    cell of the file — is collected into one `InputError`; nothing is evaluated then.
    """
    path = Path(path)
    problems: list[InputProblem] = []
    cset: CriteriaSet | None = None
    try:
        cset = load_set(set_id)
    except CriteriaError as exc:
        problems.append(InputProblem(f"bộ tiêu chí không dùng được: {exc}"))
    overlays = []
    for overlay_path in overlay_paths:
        try:
            overlay = load_overlay_file(Path(overlay_path))
        except CriteriaError as exc:
            problems.append(InputProblem(f"tệp bộ tiêu chí của tỉnh không dùng được: {exc}"))
            continue
        if cset is not None and overlay.extends != cset.id:
            problems.append(
                InputProblem(
                    f"tệp {Path(overlay_path).name} bổ sung cho bộ {overlay.extends}, "
                    f"không phải bộ {cset.id}"
                )
            )
        overlays.append(overlay)
    if cset is None:
        raise InputError(problems, path.name)
    try:
        units, values = read_input(path, cset, year=year)
    except InputError as exc:
        problems += exc.problems
        raise InputError(problems, path.name) from None
    if problems:
        raise InputError(problems, path.name)
    evaluation = evaluate(cset, units, values, years=[year], overlays=overlays)
    return build_results(
        evaluation, cset, units, year=year, source=path.name, notes=notes, values=values
    )
