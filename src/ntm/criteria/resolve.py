"""A set as it applies on a date: the version in force, the year's thresholds, overlays.

Column selection follows the law: a province overlay cell, then the commune's own column
(its region, or the column a flag sends it to, or its commune group), then the national
column. A cell whose status is ``missing`` is skipped in that walk; when every column is
missing, the lookup returns the commune column's missing cell so the result says so.

Under a set whose columns are commune groups, a commune without a group has the column
``NO_GROUP``: a province cell still applies, and so does the national cell of a condition no
group column sets; where some group column sets the condition, the lookup answers ``NO_GROUP``
with no threshold, and the engine says *missing_group*.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from ntm.criteria.schema import (
    NATIONAL,
    NO_GROUP,
    PROVINCE,
    Cell,
    CellChange,
    CellStatus,
    CriteriaSet,
    Overlay,
    SetVersion,
)
from ntm.criteria.summary import years_span


class NotInPeriod(ValueError):
    """The year is outside the set's period."""


@dataclass(frozen=True, slots=True)
class ResolvedCell:
    value: float | None
    status: CellStatus
    source: str | None
    basis: str  # the legal document (set version or overlay) the cell comes from


@dataclass(frozen=True, slots=True)
class ThresholdRow:
    """One flat row per (indicator, condition, column): what the engine joins on."""

    criterion: int
    indicator: str
    condition: int
    measure: str
    op: str
    column: str
    value: float | None
    status: CellStatus
    source: str | None
    basis: str


def version_on(cset: CriteriaSet, on: dt.date) -> SetVersion:
    """The version in force on a date (the first one before the set starts)."""
    current = cset.versions[0]
    for version in cset.versions:
        if version.effective_from <= on:
            current = version
    return current


def assessment_date(cset: CriteriaSet, year: int) -> dt.date:
    """The date an assessment for `year` is judged on: 31/12, or the set's last day."""
    on = dt.date(year, 12, 31)
    if cset.effective_to and cset.effective_to < on:
        on = cset.effective_to
    return on


@dataclass(frozen=True)
class ResolvedSet:
    cset: CriteriaSet
    year: int
    version: SetVersion
    overlays: tuple[Overlay, ...]
    # (indicator, condition, column) -> cell, for every column incl. PROVINCE.
    cells: Mapping[tuple[str, int, str], ResolvedCell]

    @property
    def label(self) -> str:
        """Set version as shown in results: set id, version, overlays."""
        parts = [f"{self.cset.id}@{self.version.id}"]
        parts += [f"+{o.id}" for o in self.overlays]
        return "".join(parts)

    def unit_column(self, region: str | None, group: str | None, flags: Iterable[str]) -> str:
        """The commune's own column: an override flag, else its region or commune group."""
        flags = set(flags)
        for override in self.cset.column_overrides:
            if flags & set(override.flags):
                return override.column
        kinds = {c.code: c.kind for c in self.cset.columns}
        for candidate in (region, group):
            if candidate is not None and kinds.get(candidate) in {"region", "commune_group"}:
                return candidate
        return NO_GROUP if self.group_columns else NATIONAL

    @property
    def group_columns(self) -> tuple[str, ...]:
        """The set's commune-group columns (none for a set by region)."""
        return tuple(c.code for c in self.cset.columns if c.kind == "commune_group")

    def _usable(self, indicator: str, condition: int, column: str) -> ResolvedCell | None:
        cell = self.cells.get((indicator, condition, column))
        return cell if cell is not None and cell.status != "missing" else None

    def lookup(self, indicator: str, condition: int, unit_column: str) -> tuple[str, ResolvedCell]:
        """(column used, cell): overlay -> commune column -> national. Without a group
        (`NO_GROUP`), a condition some group column sets has no cell: (`NO_GROUP`, missing)."""
        if unit_column == NO_GROUP:
            province = self._usable(indicator, condition, PROVINCE)
            if province is not None:
                return PROVINCE, province
            if any(self._usable(indicator, condition, c) for c in self.group_columns):
                return NO_GROUP, ResolvedCell(None, "missing", None, self.version.id)
            unit_column = NATIONAL
        order = [PROVINCE, unit_column, NATIONAL]
        for column in dict.fromkeys(order):
            cell = self.cells.get((indicator, condition, column))
            if cell is not None and cell.status != "missing":
                return column, cell
        fallback = self.cells.get((indicator, condition, unit_column)) or self.cells.get(
            (indicator, condition, NATIONAL)
        )
        return unit_column, fallback or ResolvedCell(None, "missing", None, self.version.id)

    def threshold_rows(self) -> list[ThresholdRow]:
        """Every resolved numeric cell (all columns, PROVINCE included), in the set's order."""
        rows = []
        for criterion in self.cset.criteria:
            for ind in criterion.indicators:
                for ci, cond in enumerate(ind.conditions):
                    if not cond.numeric:
                        continue
                    for column in self._columns:
                        cell = self.cells.get((ind.code, ci, column))
                        if cell is None:
                            continue
                        rows.append(
                            ThresholdRow(
                                criterion.number,
                                ind.code,
                                ci,
                                cond.measure,
                                cond.op,
                                column,
                                cell.value,
                                cell.status,
                                cell.source,
                                cell.basis,
                            )
                        )
        return rows

    @property
    def _columns(self) -> list[str]:
        return [c.code for c in self.cset.columns] + [PROVINCE]

    def condition_status(self, indicator: str, condition: int) -> CellStatus:
        """How sure the law's cell of a yes/none comparison is (numeric: see `lookup`)."""
        cond = self.cset.indicator(indicator).conditions[condition]
        status: CellStatus = cond.status or "verified"
        if status == "verified" and self.version is not self.cset.versions[0]:
            return self.version.carried_over_status or status
        return status


def applicable_overlays(overlays: Iterable[Overlay], province: str | None) -> tuple[Overlay, ...]:
    """The overlays that apply to a commune of `province` (none when it is unknown)."""
    return tuple(o for o in overlays if province is not None and o.province_code == province)


def _cell(c: Cell | CellChange, basis: str, status: CellStatus | None = None) -> ResolvedCell:
    if status is not None and c.status == "verified":
        return ResolvedCell(c.value, status, c.source, basis)
    return ResolvedCell(c.value, c.status, c.source, basis)


def resolve(
    cset: CriteriaSet,
    year: int,
    overlays: Iterable[Overlay] = (),
    *,
    check_period: bool = True,
) -> ResolvedSet:
    """The set's thresholds for an assessment year, with versions and overlays applied."""
    if check_period and not cset.applies_to(year):
        raise NotInPeriod(
            f"năm {year} nằm ngoài các năm áp dụng bộ tiêu chí {cset.id} ({years_span(cset)}) "
            f"(the year is outside the years the set applies to)"
        )
    # The set's own province decisions first, then the overlays given (a file's).
    overlays = (*cset.overlays, *overlays)
    for overlay in overlays:
        if overlay.extends != cset.id:
            raise ValueError(f"overlay {overlay.id} extends {overlay.extends}, not {cset.id}")
    on = assessment_date(cset, year)
    version = version_on(cset, on)
    base_basis = cset.versions[0].legal_basis.number
    downgrade = version.carried_over_status if version is not cset.versions[0] else None

    cells: dict[tuple[str, int, str], ResolvedCell] = {}
    for criterion in cset.criteria:
        for ind in criterion.indicators:
            for ci, cond in enumerate(ind.conditions):
                if not cond.numeric:
                    continue
                row = cond.by_year.get(year, {}) if cond.by_year else cond.thresholds
                for column in cset.columns:
                    cell = row.get(column.code)
                    if cell is None:
                        note = "no threshold for this year" if cond.by_year else None
                        cell = Cell(status="missing", note=note)
                    cells[(ind.code, ci, column.code)] = _cell(cell, base_basis, downgrade)

    # Amendments in force on the date, in order, then overlays in the order given.
    for v in cset.versions[1:]:
        if v.effective_from <= on:
            _apply(cells, v.changes, year, v.legal_basis.number)
    for overlay in overlays:
        _apply(cells, overlay.cells, year, overlay.legal_basis.number)
    return ResolvedSet(cset, year, version, overlays, cells)


def _apply(
    cells: dict[tuple[str, int, str], ResolvedCell],
    changes: Iterable[CellChange],
    year: int,
    basis: str,
) -> None:
    for change in changes:
        if change.year is not None and change.year != year:
            continue
        cells[(change.indicator, change.condition, change.column)] = _cell(change, basis)


def describe(rs: ResolvedSet) -> dict[str, Any]:
    """A short dict for headers of reports: which set, version and overlays were used."""
    return {
        "set": rs.cset.id,
        "version": rs.version.id,
        "legal_basis": rs.version.legal_basis.number,
        "overlays": [o.legal_basis.number for o in rs.overlays],
        "year": rs.year,
    }
