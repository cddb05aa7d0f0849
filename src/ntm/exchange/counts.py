"""Count-only lists: one row per commune with the number of criteria it met — as real lists
are kept ("Xã Tân Lập, huyện Bắc Sơn, 14/19") — read into the communes they name.

The commune is named by its code, or by its name with its district when the name alone is not
enough (diacritics, case and the "Xã" prefix do not matter; a name matching several communes
is a problem, never a guess). The count is written "14/19", "14 / 19" or 14, the set's total
optionally in a column of its own. Every problem is reported with sheet, row, column and
value; the caller writes nothing from a file that has any (design decision 10).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ntm.exchange.filled import (
    Column,
    FilledFile,
    header_index,
    missing_columns,
    read_filled,
    too_many_rows,
)
from ntm.exchange.sheets import Say, Sheet, blank
from ntm.exchange.workbook import code_text
from ntm.vn.text import fold, matching_name, name_key

SHEET = "Số tiêu chí đạt"


@dataclass(frozen=True)
class CountColumn:
    machine: str
    header: str


# Several headers per column: lists come from many offices. The first of each is the one
# problems name.
COLUMNS = (
    CountColumn("unit", "Mã xã"),
    CountColumn("name", "Tên xã"),
    CountColumn("name", "Xã"),
    CountColumn("district", "Huyện"),
    CountColumn("district", "Quận/Huyện"),
    CountColumn("district", "Huyện/thị xã"),
    CountColumn("count", "Số tiêu chí đạt"),
    CountColumn("count", "Số TC đạt"),
    CountColumn("count", "Tiêu chí đạt"),
    CountColumn("total", "Tổng số tiêu chí"),
    CountColumn("note", "Ghi chú"),
)

_COUNT = re.compile(r"^(-?\d+)(?:\.0+)?\s*(?:/\s*(-?\d+)(?:\.0+)?)?\s*(?:tieu chi|tc)?$")


@dataclass(frozen=True)
class Commune:
    """A commune the list may name: `key` is the caller's (a unit's primary key)."""

    key: str
    code: str | None
    name: str
    district: str | None = None


@dataclass(frozen=True)
class CountRow:
    """A row read: the commune it names, its criteria met and the total it states."""

    row: int
    unit: str
    met: int
    total: int | None
    note: str
    named_by: str  # the column that named the commune: "unit" or "name"
    named: Any  # that cell as written


@dataclass
class CountsFile(FilledFile):
    COLUMNS: ClassVar[Sequence[Column]] = COLUMNS
    rows: list[CountRow] = field(default_factory=list)


def parse_count(value: Any) -> tuple[int, int | None] | None:
    """14, 14.0, "14", "14/19", "14 / 19 tiêu chí" -> (met, total or None); None when it is
    not a whole number of criteria."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return (int(value), None) if float(value).is_integer() else None
    found = _COUNT.match(fold(str(value)))
    if found is None:
        return None
    total = found.group(2)
    return int(found.group(1)), None if total is None else int(total)


def read_counts(
    path: str | Path, communes: Sequence[Commune], criteria: int, *, name: str | None = None
) -> CountsFile:
    """Read a count-only list (.xlsx or .csv) naming `communes` against a set of `criteria`
    criteria; the problems found are on the result (nothing is raised for a cell)."""
    path = Path(path)
    found = CountsFile(sheet=name or path.name)
    return read_filled(path, found, SHEET, lambda f, s: _Reader(f, communes, criteria).read(s))


class _Reader:
    def __init__(self, found: CountsFile, communes: Sequence[Commune], criteria: int) -> None:
        self.found, self.communes, self.criteria = found, communes, criteria
        self.by_code = {c.code: c for c in communes if c.code}
        self.seen: dict[str, int] = {}  # commune -> the row that named it

    def read(self, sheet: Sheet) -> None:
        found = self.found
        header_row, index = header_index(found, sheet, "count", "Số tiêu chí đạt")
        if not index:
            return
        if "unit" not in index and "name" not in index:
            missing_columns(found, header_row, [COLUMNS[0]])
            return
        count = 0
        for number, values in sheet.rows:
            if number <= header_row:
                continue
            cells = {m: values[i] if i < len(values) else None for m, i in index.items()}
            cells = {m: None if blank(v) else v for m, v in cells.items()}
            if all(v is None for v in cells.values()):
                continue
            count += 1
            if too_many_rows(found, count, number):
                return
            self.row(number, cells)

    def row(self, number: int, cells: dict[str, Any]) -> None:
        commune = self.commune(number, cells)
        counted = self.count(number, cells)
        if commune is None or counted is None:
            return
        named_by = "unit" if cells.get("unit") is not None else "name"
        first = self.seen.setdefault(commune.key, number)
        if first != number:
            self.found.problem(
                Say(
                    f"xã này đã có ở dòng {first}",
                    f"this commune is already on row {first}",
                ),
                number,
                named_by,
                cells.get(named_by),
            )
            return
        note = cells.get("note")
        self.found.rows.append(
            CountRow(
                number,
                commune.key,
                counted[0],
                counted[1],
                "" if note is None else str(note).strip(),
                named_by,
                cells.get(named_by),
            )
        )

    def commune(self, number: int, cells: dict[str, Any]) -> Commune | None:
        found = self.found
        code, name = cells.get("unit"), cells.get("name")
        if code is not None:
            commune = self.by_code.get(code_text(code, 5))
            if commune is None:
                found.problem(
                    Say(
                        "không có xã nào mang mã này trong danh sách xã của năm",
                        "no commune of the year has this code",
                    ),
                    number,
                    "unit",
                    code,
                )
            return commune
        if name is None:
            found.problem(
                Say("thiếu mã xã và tên xã", "the commune code and name are both missing"),
                number,
                "name",
                "",
            )
            return None
        named = matching_name(self.communes, str(name), lambda c: (name_key(c.name), fold(c.name)))
        district = cells.get("district")
        if district is not None:
            # A commune of the years without districts (from 07/2025) has none to compare.
            named = [
                c for c in named if c.district is None or _same_district(c.district, str(district))
            ]
        if len(named) == 1:
            return named[0]
        if not named:
            where = f" thuộc {district}" if district is not None else ""
            where_en = f" in {district}" if district is not None else ""
            found.problem(
                Say(
                    f"không có xã nào tên này{where} trong danh sách xã của năm",
                    f"no commune of the year has this name{where_en}",
                ),
                number,
                "name",
                name,
            )
            return None
        places = "; ".join(f"{c.code or '—'} {c.district or ''}".strip() for c in named)
        found.problem(
            Say(
                f"tên này khớp với {len(named)} xã ({places}); ghi huyện hoặc mã xã",
                f"the name matches {len(named)} communes ({places}); give the district or the "
                "commune code",
            ),
            number,
            "name",
            name,
        )
        return None

    def count(self, number: int, cells: dict[str, Any]) -> tuple[int, int | None] | None:
        found, n = self.found, self.criteria
        raw = cells.get("count")
        parsed = None if raw is None else parse_count(raw)
        if parsed is None:
            found.problem(
                Say(
                    f"số tiêu chí đạt phải là số nguyên từ 0 đến {n}, ví dụ 14 hoặc 14/{n}",
                    f"the criteria met must be a whole number from 0 to {n}, e.g. 14 or 14/{n}",
                ),
                number,
                "count",
                "" if raw is None else raw,
            )
            return None
        met, total = parsed
        raw_total = cells.get("total")
        if raw_total is not None:
            stated = parse_count(raw_total)
            if (
                stated is None
                or stated[1] is not None
                or (total is not None and total != stated[0])
            ):
                found.problem(
                    Say(
                        "tổng số tiêu chí không đọc được hoặc khác với cột số tiêu chí đạt",
                        "the total of criteria cannot be read or differs from the criteria met",
                    ),
                    number,
                    "total",
                    raw_total,
                )
                return None
            total = stated[0]
        if total is not None and total != n:
            machine = "total" if raw_total is not None else "count"
            found.problem(
                Say(
                    f"bộ tiêu chí có {n} tiêu chí, dòng này ghi {total}",
                    f"the criteria set has {n} criteria, this row says {total}",
                ),
                number,
                machine,
                raw_total if raw_total is not None else raw,
            )
            return None
        if met < 0:
            found.problem(
                Say("số tiêu chí đạt không thể âm", "the criteria met cannot be negative"),
                number,
                "count",
                raw,
            )
            return None
        if met > n:
            found.problem(
                Say(
                    f"{met} tiêu chí đạt nhiều hơn {n} tiêu chí của bộ",
                    f"{met} criteria met is more than the set's {n} criteria",
                ),
                number,
                "count",
                raw,
            )
            return None
        return met, total


def _same_district(held: str, written: str) -> bool:
    return name_key(held) in (name_key(written), fold(written))
