"""Hypothesis strategies of hostile files, generated rather than hand-listed: workbooks with
headers shuffled, dropped, doubled or replaced, cells of every type (text with control and
bidirectional characters, formulas, huge and non-finite numbers, dates, error cells, shared
strings that do not exist, styles that do not exist), stale or huge declared dimensions, other
sheet names; CSVs with other separators and encodings; bytes that are no file at all.

A strategy gives a `HostileFile`, written into a directory by the test (hypothesis gives no
temporary directory per example)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from ntm.exchange.tests import rawxlsx

# Texts a spreadsheet user or an attacker types; some are values a reader must refuse.
TRICKY = (
    "=1+1",
    '=HYPERLINK("http://x.example","y")',
    "+SUM(A1:A2)",
    "-2+3",
    "@cmd",
    "Đạt",
    "Chưa đạt",
    "Cơ bản đạt",
    "x",
    "✓",
    "Có",
    "Không",
    "1e309",
    "NaN",
    "-0",
    "12,5",
    "1.234,5",
    "31/12/2020",
    "8/12/20114",
    "   ",
    "\u202eđạt",
    "\x00",
    "99001",
    "06010",
    "Xã Hữu Kiên",
    "huu kien",
    "NTM",
    "2020",
    "123/QĐ-UBND",
)
# Cells no library writes but a hand-made or damaged file holds.
RAW = (
    rawxlsx.Raw("<f>1/0</f>"),
    rawxlsx.Raw("<v>NaN</v>"),
    rawxlsx.Raw("<v>1e999</v>"),
    rawxlsx.Raw("<v>abc</v>"),
    rawxlsx.Raw("<v>7</v>", ' t="s"'),  # a shared string that is not there
    rawxlsx.Raw("<v>-1</v>", ' t="s"'),
    rawxlsx.Raw("<v>44000</v>", ' s="99"'),  # a style that is not there
    rawxlsx.Raw("<v>#DIV/0!</v>", ' t="e"'),
    rawxlsx.Raw("<v>2</v>", ' t="b"'),
    rawxlsx.Raw("<v>2020-12-31</v>", ' t="d"'),
    rawxlsx.Raw("", ' t="inlineStr"'),
)
DIMENSIONS = (None, "A1", "A1:B2", "A1:XFD1048576", "ZZZ", "B3:A1")

cells: st.SearchStrategy[Any] = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.sampled_from(TRICKY),
    st.sampled_from(RAW),
    st.dates(min_value=dt.date(1899, 12, 30), max_value=dt.date(2200, 1, 1)).map(str),
)


@dataclass(frozen=True)
class HostileFile:
    name: str
    kind: str  # "xlsx", "csv" or "bytes"
    rows: tuple[tuple[Any, ...], ...] = ()
    dimension: str | None = None
    sheet: str = ""
    data: bytes = b""

    def write(self, directory: Path) -> Path:
        path = directory / self.name
        if self.kind == "xlsx":
            rawxlsx.write(path, self.rows, dimension=self.dimension, sheet_name=self.sheet)
        else:
            path.write_bytes(self.data)
        return path


def _headers(base: Sequence[str]) -> st.SearchStrategy[Sequence[str | None]]:
    """The real headers, as given, shuffled, cut, doubled, or with strangers among them."""
    real = list(base)
    return st.one_of(
        st.just(real),
        st.permutations(real),
        st.lists(st.sampled_from(real), max_size=len(real) + 3),
        st.lists(st.one_of(st.sampled_from(real), st.text(max_size=12), st.none()), max_size=12),
    )


@st.composite
def xlsx_files(draw: st.DrawFn, base: Sequence[str], sheets: Sequence[str]) -> HostileFile:
    header = draw(_headers(base))
    width = max(len(header), 1) + draw(st.integers(0, 2))
    body = draw(st.lists(st.lists(cells, min_size=0, max_size=width), max_size=6))
    # Some templates have a title and notes above the header row.
    above = draw(st.lists(st.lists(st.sampled_from(TRICKY), max_size=2), max_size=4))
    listed: list[Sequence[Any]] = [*above, header, *body]
    rows = tuple(tuple(r) for r in listed)
    return HostileFile(
        name=draw(st.sampled_from(["tep.xlsx", "tep.XLSX", "tep.xlsm"])),
        kind="xlsx",
        rows=rows,
        dimension=draw(st.sampled_from(DIMENSIONS)),
        sheet=draw(st.sampled_from([*sheets, "Sheet1", "", "x" * 31])),
    )


def _csv_cell(value: Any) -> str:
    return "" if value is None or isinstance(value, rawxlsx.Raw) else str(value)


@st.composite
def csv_files(draw: st.DrawFn, base: Sequence[str]) -> HostileFile:
    header = [_csv_cell(h) for h in draw(_headers(base))]
    body = draw(st.lists(st.lists(cells, max_size=len(header) + 2), max_size=6))
    separator = draw(st.sampled_from([",", ";", "\t", "|"]))
    quote = draw(st.booleans())

    def line(values: Sequence[Any]) -> str:
        texts = [_csv_cell(v) for v in values]
        return separator.join(f'"{t}"' if quote else t for t in texts)

    text = "\r\n".join(line(r) for r in [header, *body])
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "utf-16", "cp1258", "latin-1"]))
    return HostileFile(
        name=draw(st.sampled_from(["tep.csv", "tep.CSV", "tep.txt"])),
        kind="csv",
        data=text.encode(encoding, errors="replace"),
    )


def junk_files() -> st.SearchStrategy[HostileFile]:
    """Bytes under a spreadsheet's name: random, an empty file, a zip that is no workbook."""
    zip_head = b"PK\x03\x04" + b"\x00" * 26
    return st.builds(
        HostileFile,
        name=st.sampled_from(["tep.xlsx", "tep.csv", "tep"]),
        kind=st.just("bytes"),
        data=st.one_of(st.binary(max_size=300), st.just(b""), st.just(zip_head)),
    )


def hostile_files(base: Sequence[str], sheets: Sequence[str]) -> st.SearchStrategy[HostileFile]:
    return st.one_of(xlsx_files(base, sheets), csv_files(base), junk_files())
