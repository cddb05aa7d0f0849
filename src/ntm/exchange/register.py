"""A register exported as a workbook: one sheet, its title and the filters it was read with on
top, a header row and one row per entry. The caller gives every text in the reader's language;
this module writes cells only (text as text, whole numbers as numbers, nothing read as a
formula)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import IO

from ntm.exchange.filled import HEADER_ROW, filled_workbook
from ntm.exchange.workbook import needs_quote

Cell = str | int | None


def write_register(
    out: str | Path | IO[bytes],
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    *,
    sheet: str,
    title: str,
    note: str,
) -> None:
    """The workbook of `rows` under `header`; an empty cell for None."""
    with filled_workbook(out, sheet, title, note) as (ws, f):
        for c, text in enumerate(header):
            ws.write_string(HEADER_ROW, c, text, f.head)
            ws.set_column(c, c, 22)
        for r, row in enumerate(rows, start=HEADER_ROW + 1):
            for c, cell in enumerate(row):
                if isinstance(cell, int):
                    ws.write_number(r, c, cell)
                elif cell:
                    ws.write_string(r, c, cell, f.quoted if needs_quote(cell) else f.text)
        ws.freeze_panes(HEADER_ROW + 1, 1)
