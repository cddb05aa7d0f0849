"""Rows of cell values from one sheet of an .xlsx workbook or from a CSV file, as a stream.

Nothing in the file is trusted. A sheet's declared `<dimension>` is ignored: rows and cells
are read as they are in the XML, blank rows are skipped, a row is as wide as its last
non-blank cell. Every part is decompressed through a byte budget, the shared strings through
a count and character budget, a cell's text is kept up to `MAX_CELL_CHARS`, and cells beyond
`MAX_COLUMNS` are not kept (the sheet records the first non-blank one). So reading any file
takes memory bounded by these limits, whatever its declared size.

A cell becomes None (blank), str, int, float, bool, `datetime.datetime` (a date cell) or a
`BadCell` — a cell that cannot be read as a value (a formula whose result was not saved, an
Excel error, NaN or infinity, an overlong text...): the reader reports it with its place when
it uses the column, and ignores it in a column of the user's own. The XML is parsed with expat
and a document type declaration is refused, so no entity is ever expanded.

CSV: comma, semicolon or tab, quoted or not, with or without BOM; UTF-8 (or UTF-16 with a BOM),
else Windows-1258 or Windows-1252 when the bytes and the headers tell them apart. The delimiter
and the encoding are the ones under which the header row is found (`score`); the record, not
the physical line, is the row number, as a spreadsheet shows it.

No Django here: `ntm.exchange.workbook` reads the rows into the engine's frames.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import math
import posixpath
import re
import unicodedata
import zipfile
import zlib
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from xml.parsers import expat

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from ntm.vn.numbers import format_number

# ---------------------------------------------------------------------------- limits

# The widest sheet read: the largest template has under 100 columns.
MAX_COLUMNS = 1_000
# The longest cell kept; a longer one is a BadCell (a commune name is under 100 characters).
MAX_CELL_CHARS = 10_000
# Bytes of one decompressed part of a workbook, or of a CSV file: a 20.000-commune sheet of
# the largest template takes about 75 MB of XML.
MAX_PART_BYTES = 256 * 1024 * 1024
# The shared strings of a workbook are held whole (cells refer to them by number).
MAX_SHARED_STRINGS = 1_000_000
MAX_SHARED_CHARS = 20_000_000
# A physical CSV line (a record of 1.000 cells of 4.000 characters); longer stops the reading.
MAX_LINE_CHARS = 4_000_000
# Excel's last row: a larger row number is a damaged file.
MAX_ROW_NUMBER = 1_048_576
# The CSV head read to choose the delimiter and the encoding: this many records or characters.
HEAD_RECORDS = 20
HEAD_CHARS = 256 * 1024

_CHUNK = 64 * 1024
_SHOWN_CHARS = 60  # of a long value in a problem


@dataclass(frozen=True, slots=True)
class Say:
    """A message written once in both languages: `vi` for str(), `en` beside it."""

    vi: str
    en: str

    def __str__(self) -> str:
        return self.vi


FORMULA_WITHOUT_VALUE = Say(
    "ô chứa công thức nhưng tệp không lưu kết quả của công thức; mở và lưu lại tệp bằng "
    "Excel hoặc LibreOffice, hoặc gõ giá trị vào ô",
    "the cell holds a formula but the file does not keep its result; open and save the file "
    "again in Excel or LibreOffice, or type the value into the cell",
)
NOT_FINITE = Say("giá trị không phải là một số hữu hạn", "the value is not a finite number")


def _fmt_en(n: int) -> str:
    return f"{n:,}"


def shown(value: Any) -> str:
    """A value as a problem shows it: long text cut, with its length."""
    text = str(value)
    if len(text) <= _SHOWN_CHARS:
        return text
    return f"{text[:_SHOWN_CHARS]}… ({format_number(len(text))} ký tự)"


@dataclass(frozen=True, slots=True)
class BadCell:
    """A cell that cannot be read as a value: why, and the cell as a problem shows it."""

    reason: Say
    shown: str = ""


def _too_long(start: str) -> BadCell:
    return BadCell(
        Say(
            f"ô dài hơn {format_number(MAX_CELL_CHARS)} ký tự",
            f"the cell is longer than {_fmt_en(MAX_CELL_CHARS)} characters",
        ),
        f"{start[:_SHOWN_CHARS]}… (hơn {format_number(MAX_CELL_CHARS)} ký tự)",
    )


class SheetError(Exception):
    """The file cannot be read (further): why, and the row reached when it applies."""

    def __init__(self, reason: Say, row: int | None = None) -> None:
        super().__init__(reason.vi)
        self.reason = reason
        self.row = row


Row = tuple[int, list[Any]]


@dataclass
class Sheet:
    """The rows of one sheet: (row number as the user sees it, cells), blank rows left out.

    `wide` is the first non-blank cell beyond `MAX_COLUMNS` met so far (row, column letter).
    `decimal` is the decimal mark the file's own format fixes ("." in a comma-separated file),
    or None when either may be meant. Close it (or read it to the end) to free the file."""

    name: str
    rows: Generator[Row, None, None] = field(default_factory=lambda: _no_rows())
    encoding: str | None = None
    delimiter: str | None = None
    decimal: str | None = None
    wide: tuple[int, str] | None = None

    def close(self) -> None:
        self.rows.close()


def _no_rows() -> Generator[Row, None, None]:
    yield from ()


def blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _row_cells(sheet: Sheet, number: int, found: dict[int, Any]) -> list[Any] | None:
    """Cells by 0-based column as a list; None for a blank row. Notes a cell beyond the cap."""
    kept: dict[int, Any] = {}
    for col, value in found.items():
        if blank(value):
            continue
        if col >= MAX_COLUMNS:
            if sheet.wide is None or number < sheet.wide[0]:
                sheet.wide = (number, get_column_letter(min(col, 16_383) + 1))
            continue
        kept[col] = value
    if not kept:
        return None
    cells: list[Any] = [None] * (max(kept) + 1)
    for col, value in kept.items():
        cells[col] = value
    return cells


def open_sheet(
    path: Path, prefer: str, score: Callable[[Sequence[Any]], int] | None = None
) -> Sheet:
    """The sheet named `prefer` of a workbook (else its first sheet), or a CSV file's rows.
    `score` rates a row as the header row (0: not one); it chooses a CSV's delimiter and
    encoding. Raises SheetError, FileNotFoundError, IsADirectoryError."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _open_csv(path, score or (lambda row: 0))
    if suffix in {".xlsx", ".xlsm"}:
        return _open_xlsx(path, prefer)
    raise SheetError(
        Say(
            f"không đọc được tệp đuôi “{path.suffix}”; dùng .xlsx hoặc .csv",
            f"files ending in “{path.suffix}” cannot be read; use .xlsx or .csv",
        )
    )


# ---------------------------------------------------------------------------- xlsx

_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # strict Open XML
)
_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships Relationship"
_XML_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_XML_INTEGER = re.compile(r"-?\d{1,15}")
_NON_FINITE = frozenset(
    {"nan", "-nan", "+nan", "inf", "-inf", "+inf", "infinity", "-infinity", "+infinity"}
)


def _damaged(vi: str, en: str) -> Say:
    return Say(f"tệp Excel bị hỏng: {vi}", f"the Excel file is damaged: {en}")


def _names(local: str) -> frozenset[str]:
    return frozenset(f"{ns} {local}" for ns in _MAIN_NS)


_ROW, _C, _V, _F, _IS, _T, _RPH, _SI, _SHEET, _PR = (
    _names(n) for n in ("row", "c", "v", "f", "is", "t", "rPh", "si", "sheet", "workbookPr")
)
_XF, _CELL_XFS, _NUM_FMT = (_names(n) for n in ("xf", "cellXfs", "numFmt"))
_REL_ID = frozenset(f"{ns} id" for ns in _REL_NS)


def _parser() -> expat.XMLParserType:
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    parser.buffer_size = _CHUNK

    def refuse(*_: Any) -> None:
        raise SheetError(
            _damaged(
                "có khai báo DTD (không được phép trong tệp Excel)",
                "it has a document type declaration (not allowed in an Excel file)",
            )
        )

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    return parser


def _feed(zf: zipfile.ZipFile, part: str, parser: expat.XMLParserType) -> Iterator[None]:
    """Feed `part` to `parser` chunk by chunk (yielding after each) within the byte budget."""
    try:
        info = zf.getinfo(part)
    except KeyError:
        raise SheetError(_damaged(f"thiếu phần {part}", f"part {part} is missing")) from None
    read = 0
    try:
        with zf.open(info) as f:
            while chunk := f.read(_CHUNK):
                read += len(chunk)
                if read > MAX_PART_BYTES:
                    mb = MAX_PART_BYTES // 2**20
                    raise SheetError(
                        Say(
                            f"tệp Excel quá lớn: phần {part} giải nén ra hơn {mb} MB",
                            f"the Excel file is too large: part {part} unpacks to over {mb} MB",
                        )
                    )
                parser.Parse(chunk, False)
                yield
            parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise SheetError(
            _damaged(f"{part} không phải XML hợp lệ ({exc})", f"{part} is not valid XML ({exc})")
        ) from None
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
        raise SheetError(
            _damaged(f"không giải nén được {part} ({exc})", f"{part} cannot be unpacked ({exc})")
        ) from None
    yield


def _parse(zf: zipfile.ZipFile, part: str, parser: expat.XMLParserType) -> None:
    for _ in _feed(zf, part, parser):
        pass


def _relationships(zf: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id -> (type, target part) of `part`'s relationships (none if absent)."""
    folder, name = posixpath.split(part)
    rels_part = posixpath.join(folder, "_rels", f"{name}.rels")
    if rels_part not in zf.namelist():
        return {}
    found: dict[str, tuple[str, str]] = {}
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag == _PKG_REL and attrs.get("TargetMode") != "External":
            target = attrs.get("Target", "")
            if target.startswith("/"):
                resolved = target.lstrip("/")
            else:
                resolved = posixpath.normpath(posixpath.join(folder, target))
            found[attrs.get("Id", "")] = (attrs.get("Type", ""), resolved)

    parser.StartElementHandler = start
    _parse(zf, rels_part, parser)
    return found


def _workbook(zf: zipfile.ZipFile, part: str) -> tuple[list[tuple[str, str]], bool]:
    """The (name, relationship id) of every sheet, and whether dates count from 1904."""
    sheets: list[tuple[str, str]] = []
    date1904 = [False]
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag in _SHEET:
            rid = next((v for k, v in attrs.items() if k in _REL_ID), "")
            sheets.append((attrs.get("name", ""), rid))
        elif tag in _PR:
            date1904[0] = attrs.get("date1904", "0").lower() in {"1", "true"}

    parser.StartElementHandler = start
    _parse(zf, part, parser)
    return sheets, date1904[0]


def _shared_strings(zf: zipfile.ZipFile, part: str) -> list[str | BadCell]:
    strings: list[str | BadCell] = []
    parts: list[str] = []
    state = {"si": False, "t": False, "rph": False, "len": 0, "chars": 0}
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag in _SI:
            state["si"], state["len"] = True, 0
            parts.clear()
        elif tag in _RPH:
            state["rph"] = True
        elif tag in _T and state["si"] and not state["rph"]:
            state["t"] = True

    def end(tag: str) -> None:
        if tag in _T:
            state["t"] = False
        elif tag in _RPH:
            state["rph"] = False
        elif tag in _SI:
            state["si"] = False
            text = "".join(parts)
            strings.append(_too_long(text) if state["len"] > MAX_CELL_CHARS else text)
            state["chars"] += len(text)
            if len(strings) > MAX_SHARED_STRINGS or state["chars"] > MAX_SHARED_CHARS:
                raise SheetError(
                    Say(
                        "tệp Excel có quá nhiều chữ (hơn "
                        f"{format_number(MAX_SHARED_STRINGS)} chuỗi hoặc "
                        f"{format_number(MAX_SHARED_CHARS)} ký tự)",
                        f"the Excel file holds too much text (over "
                        f"{_fmt_en(MAX_SHARED_STRINGS)} strings or "
                        f"{_fmt_en(MAX_SHARED_CHARS)} characters)",
                    )
                )

    def chars(data: str) -> None:
        if state["t"]:
            if state["len"] <= MAX_CELL_CHARS:
                parts.append(data[: MAX_CELL_CHARS + 1])
            state["len"] += len(data)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    _parse(zf, part, parser)
    return strings


def _date_styles(zf: zipfile.ZipFile, part: str) -> frozenset[int]:
    """The cell styles (cellXfs index) whose number format shows a date."""
    custom: dict[int, str] = {}
    formats: list[int] = []
    in_xfs = [False]
    parser = _parser()

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag in _NUM_FMT:
            fid = attrs.get("numFmtId", "")
            if fid.isdigit():
                custom[int(fid)] = attrs.get("formatCode", "")
        elif tag in _CELL_XFS:
            in_xfs[0] = True
        elif tag in _XF and in_xfs[0]:
            fid = attrs.get("numFmtId", "0")
            formats.append(int(fid) if fid.isdigit() else 0)

    def end(tag: str) -> None:
        if tag in _CELL_XFS:
            in_xfs[0] = False

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    _parse(zf, part, parser)
    dated = set()
    for i, fid in enumerate(formats):
        code = custom.get(fid, BUILTIN_FORMATS.get(fid))
        if code is not None and is_date_format(code):
            dated.add(i)
    return frozenset(dated)


def _open_xlsx(path: Path, prefer: str) -> Sheet:
    try:
        zf = zipfile.ZipFile(path)
    except (FileNotFoundError, IsADirectoryError):
        raise
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError(
            Say(f"không mở được tệp Excel ({exc})", f"the Excel file cannot be opened ({exc})")
        ) from None
    try:
        root = _relationships(zf, "")
        book = next(
            (t for kind, t in root.values() if kind.endswith("/officeDocument")),
            "xl/workbook.xml",
        )
        sheets, date1904 = _workbook(zf, book)
        if not sheets:
            raise SheetError(_damaged("không có trang tính nào", "it has no worksheet"))
        rels = _relationships(zf, book)
        name, rid = next(((n, r) for n, r in sheets if n == prefer), sheets[0])
        if rid not in rels:
            raise SheetError(
                _damaged(f"không tìm thấy trang “{name}”", f"sheet “{name}” is not there")
            )
        by_kind = {kind.rsplit("/", 1)[-1]: t for kind, t in rels.values()}
        strings = (
            _shared_strings(zf, by_kind["sharedStrings"]) if "sharedStrings" in by_kind else []
        )
        dated = _date_styles(zf, by_kind["styles"]) if "styles" in by_kind else frozenset()
    except BaseException:
        zf.close()
        raise
    sheet = Sheet(name)
    epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
    sheet.rows = _xlsx_rows(zf, rels[rid][1], _CellReader(strings, dated, epoch), sheet)
    return sheet


class _CellReader:
    """Turns a cell's type, style and texts into its value."""

    def __init__(self, strings: list[str | BadCell], dated: frozenset[int], epoch: Any) -> None:
        self.strings, self.dated, self.epoch = strings, dated, epoch

    def value(
        self,
        kind: str,
        style: str | None,
        v: str | None,
        text: str | BadCell | None,
        formula: str | None,
    ) -> Any:
        if kind == "inlineStr":
            return text
        if v is None:
            if formula is not None:
                return BadCell(FORMULA_WITHOUT_VALUE, shown(f"={formula}"))
            return None
        if kind == "s":
            i = int(v) if v.strip().isdigit() else -1
            if not 0 <= i < len(self.strings):
                return BadCell(
                    _damaged("ô trỏ tới chuỗi không có", "the cell points to a missing string"),
                    shown(v),
                )
            return self.strings[i]
        if kind == "str":
            return v
        if kind == "b":
            flag = v.strip().lower()
            if flag in {"1", "true"}:
                return True
            if flag in {"0", "false"}:
                return False
            return BadCell(
                Say("ô đúng/sai không đọc được", "the true/false cell cannot be read"), shown(v)
            )
        if kind == "e":
            return BadCell(
                Say(
                    f"ô chứa lỗi của công thức ({shown(v)})",
                    f"the cell holds a formula error ({shown(v)})",
                ),
                shown(v),
            )
        if kind == "d":
            try:
                return dt.datetime.fromisoformat(v.strip())
            except ValueError:
                return BadCell(
                    Say("ô ngày tháng không đọc được", "the date cell cannot be read"), shown(v)
                )
        return self.number(v, style)

    def number(self, v: str, style: str | None) -> Any:
        text = v.strip()
        if not _XML_NUMBER.fullmatch(text):
            if text.lower() in _NON_FINITE:
                return BadCell(NOT_FINITE, shown(v))
            return BadCell(Say("ô số không đọc được", "the number cell cannot be read"), shown(v))
        if _XML_INTEGER.fullmatch(text):
            x: float | int = int(text)
        else:
            x = float(text)
            if not math.isfinite(x):  # beyond a double's range
                return BadCell(
                    Say(
                        "giá trị quá lớn (tối đa 15 chữ số)",
                        "the value is too large (at most 15 digits)",
                    ),
                    shown(v),
                )
        if style is not None and style.isdigit() and int(style) in self.dated:
            try:
                return from_excel(x, self.epoch)
            except (ValueError, OverflowError):
                return x
        return x


def _xlsx_rows(
    zf: zipfile.ZipFile, part: str, cells: _CellReader, sheet: Sheet
) -> Generator[Row, None, None]:
    """The sheet's rows as they are in its XML (the declared dimension is not read)."""
    done: list[Row] = []
    found: dict[int, Any] = {}
    texts: list[str] = []
    formula: list[str] = []
    st: dict[str, Any] = {
        "row": 0,
        "col": -1,
        "in_row": False,
        "in_c": False,
        "kind": "n",
        "style": None,
        "v": None,
        "f": None,
        "collect": None,
        "len": 0,
        "is": False,
        "rph": False,
    }
    columns: dict[str, int] = {}

    def column(letters: str) -> int:
        col = columns.get(letters)
        if col is None:
            col = 0
            for ch in letters:
                col = col * 26 + ord(ch) - 64
            col -= 1
            if len(columns) < 20_000:
                columns[letters] = col
        return col

    def start(tag: str, attrs: dict[str, str]) -> None:
        if tag in _C:
            letters = attrs.get("r", "").rstrip("0123456789")
            if 0 < len(letters) <= 3 and letters.isalpha() and letters.isupper():
                st["col"] = column(letters)
            else:
                st["col"] += 1
            st["in_c"], st["kind"], st["style"] = True, attrs.get("t", "n"), attrs.get("s")
            st["v"] = st["f"] = None
            st["len"] = 0
            texts.clear()
        elif tag in _V and st["in_c"]:
            st["collect"], st["len"] = "v", 0
            texts.clear()
        elif tag in _F and st["in_c"]:
            st["collect"], st["f"] = "f", ""
            formula.clear()
        elif tag in _ROW:
            r = attrs.get("r", "")
            number = int(r) if r.isdigit() and len(r) <= 8 else st["row"] + 1
            if number > MAX_ROW_NUMBER:
                raise SheetError(
                    _damaged(
                        f"số dòng {format_number(number)} vượt quá giới hạn của Excel",
                        f"row number {_fmt_en(number)} is beyond Excel's last row",
                    )
                )
            st["row"], st["col"], st["in_row"] = number, -1, True
            found.clear()
        elif tag in _IS and st["in_c"]:
            st["is"], st["len"] = True, 0
            texts.clear()
        elif tag in _RPH:
            st["rph"] = True
        elif tag in _T and st["is"] and not st["rph"]:
            st["collect"] = "t"

    def end(tag: str) -> None:
        if tag in _C:
            value = cells.value(
                st["kind"],
                st["style"],
                st["v"],
                _cut(texts, st["len"]) if st["kind"] == "inlineStr" else None,
                st["f"],
            )
            if isinstance(value, str) and st["kind"] == "str" and len(value) > MAX_CELL_CHARS:
                value = _too_long(value)
            if st["col"] < MAX_COLUMNS:
                found[st["col"]] = value
            elif not blank(value):
                found[st["col"]] = True  # only noted (Sheet.wide), not kept
            st["in_c"] = st["is"] = False
        elif tag in _V:
            if st["collect"] == "v":
                st["v"] = "".join(texts) if st["len"] <= MAX_CELL_CHARS else _long_marker(texts)
            st["collect"] = None
        elif tag in _F:
            st["f"] = "".join(formula)
            st["collect"] = None
        elif tag in _T:
            if st["collect"] == "t":
                st["collect"] = None
        elif tag in _RPH:
            st["rph"] = False
        elif tag in _ROW:
            row = _row_cells(sheet, st["row"], found)
            if row is not None:
                done.append((st["row"], row))
            st["in_row"] = False

    def chars(data: str) -> None:
        collect = st["collect"]
        if collect is None:
            return
        if collect == "f":
            if sum(map(len, formula)) < _SHOWN_CHARS * 2:
                formula.append(data[: _SHOWN_CHARS * 2])
            return
        if st["len"] <= MAX_CELL_CHARS:
            texts.append(data[: MAX_CELL_CHARS + 1])
        st["len"] += len(data)

    parser = _parser()
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        for _ in _feed(zf, part, parser):
            yield from done
            done.clear()
    except SheetError as exc:
        exc.row = exc.row or st["row"] or None
        raise
    finally:
        zf.close()


def _cut(texts: list[str], length: int) -> str | BadCell:
    text = "".join(texts)
    return _too_long(text) if length > MAX_CELL_CHARS else text


def _long_marker(texts: list[str]) -> str:
    # A <v> longer than any number or shared-string index: not read as either.
    return "".join(texts)[: MAX_CELL_CHARS + 1]


# ---------------------------------------------------------------------------- csv

_DELIMITERS = (",", ";", "\t")
_VOWELS = frozenset("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_TONES = frozenset("\u0300\u0301\u0303\u0309\u0323")
_NOT_VIETNAMESE_1252 = frozenset("ÐðÞþ")
# The bytes Windows-1258 and Windows-1252 read differently.
_DIFFERING = bytes(
    b
    for b in range(0x80, 0x100)
    if bytes([b]).decode("cp1258", "replace") != bytes([b]).decode("cp1252", "replace")
)
_SAME = bytes(b for b in range(0x100) if b not in _DIFFERING)
_NOT_TOLD = Say(
    "tệp CSV không phải mã hóa UTF-8, và không phân biệt được là Windows-1258 hay "
    "Windows-1252; lưu lại tệp dạng “CSV UTF-8” (Excel: Lưu dưới dạng → CSV UTF-8)",
    "the CSV file is not UTF-8 encoded, and Windows-1258 cannot be told apart from "
    "Windows-1252; save the file again as “CSV UTF-8” (Excel: Save As, CSV UTF-8)",
)


def _open_csv(path: Path, score: Callable[[Sequence[Any]], int]) -> Sheet:
    encoding = _csv_encoding(path, score)
    head = _head_text(path, encoding)
    delimiter = max(_DELIMITERS, key=lambda d: _head_score(head, d, score))
    sheet = Sheet(path.name, encoding=encoding, delimiter=delimiter)
    sheet.decimal = "." if delimiter == "," else None
    sheet.rows = _csv_rows(path, sheet)
    return sheet


def _head_text(path: Path, encoding: str) -> str:
    with path.open(encoding=encoding, newline="", errors="replace") as f:
        return unicodedata.normalize("NFC", f.read(HEAD_CHARS))


def _head_score(head: str, delimiter: str, score: Callable[[Sequence[Any]], int]) -> int:
    best = 0
    try:
        reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
        for i, record in enumerate(reader):
            best = max(best, score(record))
            if i >= HEAD_RECORDS:
                break
    except csv.Error:
        pass
    return best


def _csv_encoding(path: Path, score: Callable[[Sequence[Any]], int]) -> str:
    """UTF-8 (UTF-16 with a BOM), else the Windows code page that fits the bytes."""
    with path.open("rb") as f:
        start = f.read(4)
        if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        f.seek(0)
        decoders = {
            enc: codecs.getincrementaldecoder(enc)("strict")
            for enc in ("utf-8", "cp1258", "cp1252")
        }
        differs = False
        read = 0
        while chunk := f.read(_CHUNK):
            read += len(chunk)
            if read > MAX_PART_BYTES:
                mb = MAX_PART_BYTES // 2**20
                raise SheetError(
                    Say(f"tệp CSV lớn hơn {mb} MB", f"the CSV file is larger than {mb} MB")
                )
            for enc, decoder in list(decoders.items()):
                try:
                    decoder.decode(chunk)
                except UnicodeDecodeError:
                    del decoders[enc]
            differs = differs or bool(chunk.translate(None, _SAME))
        for enc, decoder in list(decoders.items()):
            try:
                decoder.decode(b"", True)
            except UnicodeDecodeError:
                del decoders[enc]
    if "utf-8" in decoders:
        return "utf-8-sig"
    fits = [enc for enc in ("cp1258", "cp1252") if enc in decoders]
    if not fits:
        raise SheetError(
            Say(
                "tệp CSV không phải mã hóa UTF-8 (cũng không phải Windows-1258 hay "
                "Windows-1252); lưu lại tệp dạng “CSV UTF-8”",
                "the CSV file is not UTF-8 encoded (nor Windows-1258 or Windows-1252); save "
                "the file again as “CSV UTF-8”",
            )
        )
    if len(fits) == 1 or not differs:
        return fits[0]
    # Both read the bytes: the headers decide, then which reading is Vietnamese.
    heads = {enc: _head_text(path, enc) for enc in fits}
    scores = {
        enc: max(_head_score(head, d, score) for d in _DELIMITERS) for enc, head in heads.items()
    }
    if scores["cp1258"] != scores["cp1252"]:
        return max(scores, key=lambda enc: scores[enc])
    odd_1258 = _odd_tones(heads["cp1258"])
    odd_1252 = sum(heads["cp1252"].count(ch) for ch in _NOT_VIETNAMESE_1252)
    if odd_1252 and not odd_1258:
        return "cp1258"
    if odd_1258 and not odd_1252:
        return "cp1252"
    raise SheetError(_NOT_TOLD)


def _odd_tones(text: str) -> int:
    """Tone marks that follow no vowel: Windows-1252 text read as Windows-1258."""
    decomposed = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text))
    odd = 0
    base = ""
    for ch in decomposed:
        if ch in _TONES:
            if base not in _VOWELS:
                odd += 1
        elif not unicodedata.combining(ch):
            base = ch
    return odd


def _csv_rows(path: Path, sheet: Sheet) -> Generator[Row, None, None]:
    assert sheet.encoding is not None and sheet.delimiter is not None
    with path.open(encoding=sheet.encoding, newline="", errors="replace") as f:
        lines = _Lines(f)
        number = 0
        reader = csv.reader(lines, delimiter=sheet.delimiter)
        while True:
            lines.record.clear()
            try:
                record: list[Any] = next(reader)
            except StopIteration:
                return
            except csv.Error:
                # A field over the csv module's limit: read this record slowly, then go on.
                record = _slow_record(lines, sheet.delimiter)
                reader = csv.reader(lines, delimiter=sheet.delimiter)
            number += 1
            if number > MAX_ROW_NUMBER:
                raise SheetError(
                    Say(
                        f"tệp CSV có hơn {format_number(MAX_ROW_NUMBER)} dòng",
                        f"the CSV file has more than {_fmt_en(MAX_ROW_NUMBER)} rows",
                    ),
                    number,
                )
            found: dict[int, Any] = {}
            for i, cell in enumerate(record):
                if isinstance(cell, str) and len(cell) > MAX_CELL_CHARS:
                    cell = _too_long(cell)
                elif isinstance(cell, str) and not cell.isascii():
                    cell = unicodedata.normalize("NFC", cell)
                found[i] = cell
            row = _row_cells(sheet, number, found)
            if row is not None:
                yield number, row


class _Lines:
    """The physical lines of a text file, each within MAX_LINE_CHARS, remembering the ones
    of the record being read."""

    def __init__(self, f: IO[str]) -> None:
        self.f = f
        self.record: list[str] = []
        self.count = 0

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.f.readline(MAX_LINE_CHARS + 1)
        if not line:
            raise StopIteration
        self.count += 1
        if len(line) > MAX_LINE_CHARS:
            raise SheetError(
                Say(
                    f"dòng {format_number(self.count)} của tệp CSV dài hơn "
                    f"{format_number(MAX_LINE_CHARS)} ký tự",
                    f"line {_fmt_en(self.count)} of the CSV file is longer than "
                    f"{_fmt_en(MAX_LINE_CHARS)} characters",
                ),
                self.count,
            )
        self.record.append(line)
        return line


class _Text:
    """A cell's text as it is read, kept up to MAX_CELL_CHARS."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0

    def add(self, piece: str) -> None:
        if self.size <= MAX_CELL_CHARS:
            self.parts.append(piece[: MAX_CELL_CHARS + 1])
        self.size += len(piece)

    def value(self) -> str | BadCell:
        text = "".join(self.parts)
        return _too_long(text) if self.size > MAX_CELL_CHARS else text


def _slow_record(lines: _Lines, delimiter: str) -> list[Any]:
    """The record whose lines `lines` holds, split without the csv module's field limit (the
    excel dialect: quote '"', doubled inside quotes); pulls more lines while a quote is open."""
    fields: list[Any] = []
    cell = _Text()
    state = "start"  # of a field; "plain", "quoted", or "after" a closing quote
    pending = deque(lines.record)
    while pending or state == "quoted":
        if not pending:
            try:
                pending.append(next(lines))
            except StopIteration:
                break
        text = pending.popleft()
        i, n = 0, len(text)
        while i < n:
            if state == "quoted":
                j = text.find('"', i)
                if j < 0:
                    cell.add(text[i:])
                    i = n
                elif text.startswith('""', j):
                    cell.add(text[i:j] + '"')
                    i = j + 2
                else:
                    cell.add(text[i:j])
                    state, i = "after", j + 1
                continue
            ch = text[i]
            if ch == '"' and state == "start":
                state, i = "quoted", i + 1
            elif ch == delimiter:
                fields.append(cell.value())
                cell, state, i = _Text(), "start", i + 1
            elif ch in "\r\n":
                fields.append(cell.value())
                return fields
            else:
                m = _PLAIN[delimiter].match(text, i)
                end = m.end() if m else i + 1
                cell.add(text[i:end])
                state, i = "plain", end
    fields.append(cell.value())
    return fields


_PLAIN = {d: re.compile(f"[^{re.escape(d)}\r\n]+") for d in _DELIMITERS}
