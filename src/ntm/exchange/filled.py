"""What the small workbooks an office fills (commune groups, gap cells) share: written, the
sheet with its title, how-to line and formats; read, the file opened and closed within the
house caps, its header row found by its columns' Vietnamese headers or machine names, and every
problem placed at its sheet, row and column."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, ClassVar, Protocol, TypeVar

import xlsxwriter
from openpyxl.utils import get_column_letter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from ntm.exchange.sheets import Say, Sheet, SheetError, open_sheet, shown
from ntm.exchange.workbook import (
    HEADER_ROWS,
    MAX_DATA_ROWS,
    MAX_PROBLEMS,
    InputProblem,
    no_header_row,
)
from ntm.vn.text import fold


class Column(Protocol):
    @property
    def machine(self) -> str: ...

    @property
    def header(self) -> str: ...


HEADER_ROW = 3  # (0-based) below the title, the how-to line and an empty row


@dataclass(frozen=True)
class Formats:
    head: Format  # a column's header
    fill: Format  # the header of a column the office fills
    text: Format  # a column of text (codes keep their zeros)
    quoted: Format  # text a spreadsheet would take for a formula or a number


@contextmanager
def filled_workbook(
    out: str | Path | IO[bytes], sheet: str, title: str, how_to: str
) -> Iterator[tuple[Worksheet, Formats]]:
    """A workbook of the one sheet `sheet` to fill, its title and how-to line written, that
    writes nothing but what it is given (no formulas, links or numbers read from text)."""
    wb = xlsxwriter.Workbook(
        str(out) if isinstance(out, Path) else out,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "in_memory": True,
        },
    )
    try:
        ws = wb.add_worksheet(sheet)
        note = wb.add_format({"italic": True, "font_color": "#44546A"})
        ws.write_string(0, 0, title, note)
        ws.write_string(1, 0, how_to, note)
        header = {"bold": True, "text_wrap": True, "border": 1}
        yield (
            ws,
            Formats(
                head=wb.add_format({**header, "bg_color": "#D9E1F2"}),
                fill=wb.add_format({**header, "bg_color": "#FFF2CC"}),
                text=wb.add_format({"num_format": "@"}),
                quoted=wb.add_format({"num_format": "@", "quote_prefix": True}),
            ),
        )
    finally:
        wb.close()


class TooMany(Exception):
    """MAX_PROBLEMS problems found: the file is not checked further."""


@dataclass
class FilledFile:
    """A filled workbook as read: the sheet, each column's letter, the problems found."""

    COLUMNS: ClassVar[Sequence[Column]] = ()
    sheet: str
    letters: dict[str, str] = field(default_factory=dict)  # machine -> column letter
    problems: list[InputProblem] = field(default_factory=list)
    # machine -> header as the file writes it, for columns that are not in COLUMNS
    headers: dict[str, str] = field(default_factory=dict)

    def problem(
        self, reason: Say, row: int | None = None, machine: str = "", value: Any = None
    ) -> None:
        col = next((c for c in self.COLUMNS if c.machine == machine), None)
        self.problems.append(
            InputProblem.of(
                reason,
                self.sheet,
                row,
                col.header if col else self.headers.get(machine),
                self.letters.get(machine),
                shown(value) if isinstance(value, str) else value,
            )
        )
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooMany


F = TypeVar("F", bound=FilledFile)


def read_filled(path: Path, found: F, sheet_name: str, read: Callable[[F, Sheet], None]) -> F:
    """`read` the sheet `sheet_name` of the file at `path` (or the sheet that looks most like
    it) into `found`; a file that cannot be read is a problem on `found`, never raised."""
    sheet: Sheet | None = None
    try:
        sheet = open_sheet(path, sheet_name, lambda row: _header_score(found.COLUMNS, row))
        found.sheet = sheet.name
        read(found, sheet)
    except TooMany:
        pass
    except SheetError as exc:
        found.problems.insert(0, InputProblem.of(exc.reason, found.sheet, exc.row))
    except OSError:
        found.problems.append(
            InputProblem.of(Say("không mở được tệp", "the file cannot be opened"))
        )
    finally:
        if sheet is not None:
            sheet.close()
    return found


def _by_header(columns: Sequence[Column]) -> Mapping[str, Column]:
    return {fold(h, keep_marks=True): c for c in columns for h in (c.header, c.machine)}


def _header_score(columns: Sequence[Column], row: Sequence[Any]) -> int:
    known = _by_header(columns)
    return sum(isinstance(v, str) and fold(v, keep_marks=True) in known for v in row)


def header_index(
    found: FilledFile, sheet: Sheet, key: str, named: str
) -> tuple[int, dict[str, int]]:
    """The header row — the first of the first HEADER_ROWS rows to have the `key` column
    (`named` in the problem) — and each known column's index in it; (0, {}) and a problem
    when there is none."""
    by_header = _by_header(found.COLUMNS)
    for number, values in sheet.rows:
        if number > HEADER_ROWS:
            break
        cols = {
            i: by_header[fold(v, keep_marks=True)]
            for i, v in enumerate(values)
            if isinstance(v, str) and fold(v, keep_marks=True) in by_header
        }
        if any(c.machine == key for c in cols.values()):
            index = {c.machine: i for i, c in cols.items()}
            found.letters = {m: get_column_letter(i + 1) for m, i in index.items()}
            return number, index
    found.problem(no_header_row(named))
    return 0, {}


def missing_columns(found: FilledFile, header_row: int, missing: Sequence[Column]) -> bool:
    """Report each of the `missing` required columns at the header row; whether any is."""
    for col in missing:
        found.problem(
            Say(
                f"thiếu cột bắt buộc “{col.header}” (hoặc “{col.machine}”)",
                f"the required column “{col.header}” (or “{col.machine}”) is missing",
            ),
            header_row,
        )
    return bool(missing)


def too_many_rows(found: FilledFile, count: int, number: int) -> bool:
    """Whether the `count`-th commune row (at row `number`) is past the house cap; if so it is
    reported and the caller stops reading."""
    if count <= MAX_DATA_ROWS:
        return False
    found.problem(
        Say(
            f"tệp có hơn {MAX_DATA_ROWS:,} dòng xã".replace(",", "."),
            f"the file has more than {MAX_DATA_ROWS:,} commune rows",
        ),
        number,
    )
    return True
