"""The input workbook of `ntm evaluate`: its template and its reader.

One row per commune. The first columns identify the commune (code, name, province, region or
commune group, the special-difficulty and safe-zone flags); then one column per measure the
criteria set uses — a share has two, numerator and denominator. Every measure header starts
with the indicator code(s) that use the measure. A second sheet explains every column.

The reader accepts the template's headers (case- and spacing-insensitive) or the machine
headers listed on the second sheet (``unit``, ``region``, a measure key, ``<key>__numerator``,
``<key>__denominator``), in .xlsx or .csv. It checks the whole file and raises one
`InputError` listing every problem, in Vietnamese, with sheet, row, column and value.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import polars as pl
import xlsxwriter
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ntm.criteria.loader import load_measures
from ntm.criteria.schema import CriteriaSet, Measure
from ntm.evaluation import VALUES_SCHEMA

INPUT_SHEET = "Nhập liệu"
COLUMNS_SHEET = "Giải thích cột"
STAGE_CLAIMED = "claimed"

Role = Literal["identity", "value", "numerator", "denominator", "yes/no"]
ROLE_VI: dict[str, str] = {
    "identity": "định danh",
    "value": "giá trị",
    "numerator": "tử số",
    "denominator": "mẫu số",
    "yes/no": "có/không",
}

# The flags the engine knows (contract); a set's column overrides may name more.
FLAG_HEADERS: dict[str, tuple[str, str]] = {
    "special_difficulty": (
        "Xã ĐBKK",
        "Xã đặc biệt khó khăn (ĐBKK). Ghi Có/Không (hoặc 1/0); để trống là Không.",
    ),
    "safe_zone_poor_district": (
        "Xã ATK huyện nghèo",
        "Xã an toàn khu (ATK) thuộc huyện nghèo. Ghi Có/Không (hoặc 1/0); để trống là Không.",
    ),
}

YES_WORDS = frozenset({"dat", "co", "1", "true", "yes", "x"})
NO_WORDS = frozenset({"chua dat", "khong dat", "khong", "0", "false", "no"})
NOT_APPLICABLE_WORDS = frozenset({"khong ap dung", "kad", "n/a", "na"})
YES_NO_LIST = ["Đạt", "Chưa đạt"]
FLAG_LIST = ("Có", "Không")
NOT_APPLICABLE_LABEL = "Không áp dụng"


# ---------------------------------------------------------------------------- columns


@dataclass(frozen=True, slots=True)
class ColumnSpec:
    """One column of the input workbook."""

    header: str
    machine: str  # the alternative header for programs: field name or measure key
    role: Role
    field: str  # identity: units-frame column; measures: measure key
    indicators: tuple[str, ...] = ()
    unit: str = ""
    explanation: str = ""
    required: bool = False
    kind: str = ""  # the measure kind, for measure columns
    allows_not_applicable: bool = False
    choices: tuple[str, ...] = ()  # a drop-down list in the template


def _region_columns(cset: CriteriaSet, kind: str) -> list[str]:
    return [c.code for c in cset.columns if c.kind == kind]


def _identity_columns(cset: CriteriaSet) -> list[ColumnSpec]:
    cols = [
        ColumnSpec(
            "Mã xã",
            "unit",
            "identity",
            "unit",
            explanation="Mã xã theo danh mục của Tổng cục Thống kê (5 chữ số, ví dụ 06010). "
            "Bắt buộc; mỗi xã một dòng, không trùng.",
            required=True,
        ),
        ColumnSpec(
            "Tên xã", "name", "identity", "name", explanation="Tên xã, để người đọc đối chiếu."
        ),
        ColumnSpec(
            "Mã tỉnh",
            "province",
            "identity",
            "province",
            explanation="Mã tỉnh theo Tổng cục Thống kê (2 chữ số, ví dụ 20 = Lạng Sơn). "
            "Dùng để áp dụng bộ tiêu chí riêng của tỉnh (--overlay).",
        ),
    ]
    regions = _region_columns(cset, "region")
    if regions:
        cols.append(
            ColumnSpec(
                "Vùng",
                "region",
                "identity",
                "region",
                explanation="Mã vùng của xã, quyết định cột ngưỡng được dùng: "
                + ", ".join(f"{c.code} ({c.name_vi})" for c in cset.columns if c.kind == "region")
                + ". Bắt buộc.",
                required=True,
                choices=tuple(regions),
            )
        )
    groups = _region_columns(cset, "commune_group")
    if groups:
        cols.append(
            ColumnSpec(
                "Nhóm xã",
                "commune_group",
                "identity",
                "commune_group",
                explanation="Nhóm xã, quyết định cột ngưỡng được dùng: "
                + ", ".join(
                    f"{c.code} ({c.name_vi})" for c in cset.columns if c.kind == "commune_group"
                )
                + ". Bắt buộc.",
                required=True,
                choices=tuple(groups),
            )
        )
    flags = list(FLAG_HEADERS)
    for override in cset.column_overrides:
        flags += [f for f in override.flags if f not in flags]
    for flag in flags:
        header, explanation = FLAG_HEADERS.get(
            flag, (flag, f"Cờ {flag} của xã. Ghi Có/Không (hoặc 1/0); để trống là Không.")
        )
        overrides = [o for o in cset.column_overrides if flag in o.flags]
        if overrides:
            o = overrides[0]
            explanation += f" Xã có cờ này dùng cột {o.column} ({o.legal_basis})."
        cols.append(
            ColumnSpec(
                header, flag, "yes/no", flag, explanation=explanation, choices=("Có", "Không")
            )
        )
    return cols


def _measure_uses(cset: CriteriaSet) -> dict[str, list[tuple[str, str, bool]]]:
    """Measure key -> [(indicator code, indicator name, may be not applicable)], in set order."""
    uses: dict[str, list[tuple[str, str, bool]]] = {}
    for criterion in cset.criteria:
        for ind in criterion.indicators:
            for cond in ind.conditions:
                entry = (ind.code, ind.name_vi, ind.may_be_not_applicable)
                if entry not in uses.setdefault(cond.measure, []):
                    uses[cond.measure].append(entry)
    return uses


def template_columns(
    cset: CriteriaSet, measures: Mapping[str, Measure] | None = None
) -> list[ColumnSpec]:
    """Every column of the set's input workbook, in order."""
    measures = load_measures() if measures is None else measures
    cols = _identity_columns(cset)
    for key, uses in _measure_uses(cset).items():
        m = measures[key]
        codes = ", ".join(code for code, _, _ in uses)
        indicators = tuple(code for code, _, _ in uses)
        about = "; ".join(f"chỉ tiêu {code}: {name}" for code, name, _ in uses)
        na = any(flag for _, _, flag in uses)
        tail = " Để trống nếu chưa có số liệu (kết quả: Thiếu dữ liệu)."
        if na:
            tail += f" Ghi “{NOT_APPLICABLE_LABEL}” nếu xã không có đối tượng này."
        common: dict[str, Any] = {
            "indicators": indicators,
            "kind": m.kind,
            "allows_not_applicable": na,
            "required": True,
        }
        if m.kind == "share":
            cols.append(
                ColumnSpec(
                    f"{codes} {m.name_vi}: {m.numerator_vi} (tử số)",
                    f"{key}__numerator",
                    "numerator",
                    key,
                    unit=f"số lượng ({m.numerator_vi})",
                    explanation=f"{m.name_vi} ({about}). Tử số: {m.numerator_vi}; "
                    f"tỷ lệ = tử số / mẫu số × 100 %.{tail}",
                    **common,
                )
            )
            cols.append(
                ColumnSpec(
                    f"{codes} {m.name_vi}: {m.denominator_vi} (mẫu số)",
                    f"{key}__denominator",
                    "denominator",
                    key,
                    unit=f"số lượng ({m.denominator_vi})",
                    explanation=f"{m.name_vi} ({about}). Mẫu số: {m.denominator_vi}; "
                    f"phải lớn hơn 0 và không nhỏ hơn tử số.{tail}",
                    **common,
                )
            )
        elif m.kind == "yesno":
            choices = (*YES_NO_LIST, NOT_APPLICABLE_LABEL) if na else tuple(YES_NO_LIST)
            cols.append(
                ColumnSpec(
                    f"{codes} {m.name_vi} (Đạt/Chưa đạt)",
                    key,
                    "yes/no",
                    key,
                    unit="Đạt/Chưa đạt",
                    explanation=f"{m.name_vi} ({about}). Ghi Đạt hoặc Chưa đạt "
                    f"(cũng nhận Có/Không, 1/0, TRUE/FALSE).{tail}",
                    choices=choices,
                    **common,
                )
            )
        else:
            kind_vi = "số nguyên không âm" if m.kind == "count" else "số không âm"
            cols.append(
                ColumnSpec(
                    f"{codes} {m.name_vi} ({m.unit})",
                    key,
                    "value",
                    key,
                    unit=m.unit,
                    explanation=f"{m.name_vi} ({about}). Ghi một {kind_vi}, đơn vị {m.unit}.{tail}",
                    **common,
                )
            )
    seen: set[str] = set()
    out = []
    for col in cols:
        # Two measures with the same name would give one header twice: add the key.
        header = col.header
        if _norm_header(header) in seen:
            header = f"{header} [{col.machine}]"
        seen.add(_norm_header(header))
        out.append(col if header == col.header else _replace_header(col, header))
    return out


def _replace_header(col: ColumnSpec, header: str) -> ColumnSpec:
    return ColumnSpec(
        header, col.machine, col.role, col.field, col.indicators, col.unit, col.explanation,
        col.required, col.kind, col.allows_not_applicable, col.choices,
    )  # fmt: skip


def set_note(cset: CriteriaSet) -> str:
    versions = ", ".join(
        f"{v.id} ({v.legal_basis.number}, từ {v.effective_from:%d/%m/%Y})" for v in cset.versions
    )
    return (
        f"Bộ tiêu chí: {cset.id} — {cset.name_vi}; giai đoạn {cset.period.start_year}–"
        f"{cset.period.end_year}; phiên bản: {versions}. Mỗi dòng một xã; giải thích từng cột ở "
        f"trang “{COLUMNS_SHEET}”."
    )


# ---------------------------------------------------------------------------- template

# Excel evaluates a cell that starts with these; exported text must stay text.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def needs_quote(text: str) -> bool:
    return text.startswith(_FORMULA_START)


def write_template(
    cset: CriteriaSet,
    path: str | Path,
    *,
    measures: Mapping[str, Measure] | None = None,
    rows: Sequence[Mapping[str, Any]] = (),
    notes: Sequence[str] = (),
    created: dt.datetime | None = None,
) -> None:
    """Write the input workbook of `cset` to `path` (.xlsx).

    `rows` pre-fills communes (keys: the columns' machine headers; yes/no as bool, shares as
    numerator/denominator). `notes` are extra lines under the set note (e.g. "simulated").
    `created` fixes the document date (a generated file then has the same content each time).
    """
    columns = template_columns(cset, measures)
    path = Path(path)
    wb = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False},
    )
    if created is not None:
        wb.set_properties({"created": created})
    try:
        _write_input_sheet(wb, cset, columns, rows, notes)
        _write_columns_sheet(wb, columns)
    finally:
        wb.close()


def _write_input_sheet(
    wb: Any,
    cset: CriteriaSet,
    columns: Sequence[ColumnSpec],
    rows: Sequence[Mapping[str, Any]],
    notes: Sequence[str],
) -> None:
    ws = wb.add_worksheet(INPUT_SHEET)
    note_fmt = wb.add_format({"italic": True, "font_color": "#44546A"})
    id_head = wb.add_format(
        {"bold": True, "bg_color": "#D9E1F2", "text_wrap": True, "valign": "top", "border": 1}
    )
    m_head = wb.add_format(
        {"bold": True, "bg_color": "#E2EFDA", "text_wrap": True, "valign": "top", "border": 1}
    )
    text_fmt = wb.add_format({"num_format": "@"})
    quoted = wb.add_format({"num_format": "@", "quote_prefix": True})
    lines = [set_note(cset), *notes]
    for i, line in enumerate(lines):
        ws.write_string(i, 0, line, note_fmt)
    header_row = len(lines)
    first_data = header_row + 1
    for c, col in enumerate(columns):
        ws.write_string(header_row, c, col.header, id_head if col.role == "identity" or
                        col.field in FLAG_HEADERS else m_head)  # fmt: skip
        ws.write_comment(header_row, c, col.explanation, {"x_scale": 2, "y_scale": 2})
        width = 12 if col.role != "identity" else (26 if col.field == "name" else 11)
        if col.role in {"value", "numerator", "denominator", "yes/no"} and col.field not in (
            FLAG_HEADERS
        ):
            width = 18
        ws.set_column(c, c, width, text_fmt if col.field in {"unit", "province"} else None)
    ws.set_row(header_row, 90)
    ws.freeze_panes(first_data, 2)
    last = first_data + max(len(rows), 1) + 500
    for c, col in enumerate(columns):
        if col.choices:
            ws.data_validation(
                first_data, c, last, c,
                {
                    "validate": "list",
                    "source": list(col.choices),
                    # Other spellings (1/0, Có/Không, TRUE/FALSE) are accepted by the reader.
                    "show_error": False,
                    "input_title": col.header[:32],
                    "input_message": col.explanation[:255],
                },
            )  # fmt: skip
    for r, row in enumerate(rows, start=first_data):
        for c, col in enumerate(columns):
            value = row.get(col.machine)
            if value is None:
                continue
            if isinstance(value, bool):
                yes, no = ("Có", "Không") if col.choices == FLAG_LIST else YES_NO_LIST
                ws.write_string(r, c, yes if value else no)
            elif isinstance(value, int | float):
                ws.write_number(r, c, value)
            else:
                text = str(value)
                ws.write_string(r, c, text, quoted if needs_quote(text) else None)
    ws.autofilter(header_row, 0, header_row + max(len(rows), 1), len(columns) - 1)


def _write_columns_sheet(wb: Any, columns: Sequence[ColumnSpec]) -> None:
    ws = wb.add_worksheet(COLUMNS_SHEET)
    head = wb.add_format({"bold": True, "bg_color": "#D9E1F2", "border": 1})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})
    titles = [
        "Cột",
        "Tiêu đề cột",
        "Mã chỉ tiêu",
        "Mã đo lường",
        "Vai trò",
        "Đơn vị",
        "Giải thích",
        "Bắt buộc",
        "Tiêu đề máy (CSV)",
    ]
    widths = [6, 48, 12, 28, 12, 22, 80, 9, 34]
    for c, (title, width) in enumerate(zip(titles, widths, strict=True)):
        ws.write_string(0, c, title, head)
        ws.set_column(c, c, width, wrap)
    for r, col in enumerate(columns, start=1):
        values = [
            get_column_letter(r),
            col.header,
            ", ".join(col.indicators),
            col.field if col.role != "identity" and col.field not in FLAG_HEADERS else "",
            f"{col.role} ({ROLE_VI[col.role]})",
            col.unit,
            col.explanation,
            "có" if col.required else "không",
            col.machine,
        ]
        for c, value in enumerate(values):
            ws.write_string(r, c, value)
    ws.freeze_panes(1, 0)


# ---------------------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One thing wrong with the input; location fields are None when they do not apply."""

    reason: str
    sheet: str | None = None
    row: int | None = None
    header: str | None = None
    letter: str | None = None
    value: Any = None

    def __str__(self) -> str:
        where = []
        if self.sheet is not None:
            where.append(f"trang “{self.sheet}”")
        if self.row is not None:
            where.append(f"dòng {self.row}")
        if self.header is not None:
            where.append(f"cột {self.letter} “{self.header}”" if self.letter else
                         f"cột “{self.header}”")  # fmt: skip
        if self.value is not None and self.value != "":
            where.append(f"giá trị “{self.value}”")
        return (", ".join(where) + ": " if where else "") + self.reason


class InputError(ValueError):
    """A rejected input file: every problem found, in Vietnamese."""

    def __init__(self, problems: Sequence[InputProblem], source: str | None = None) -> None:
        self.problems = list(problems)
        self.source = source
        super().__init__(self.message())

    def message(self) -> str:
        head = f"Tệp {self.source} không dùng được" if self.source else "Dữ liệu không dùng được"
        head += f" — {len(self.problems)} lỗi, không ghi kết quả nào:"
        return "\n".join([head, *(f"  - {p}" for p in self.problems)])


# ---------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class UnitInfo:
    """What the unit register knows of a commune (the seam for units in the database)."""

    code: str
    name: str | None = None
    province: str | None = None
    region: str | None = None
    commune_group: str | None = None
    flags: frozenset[str] = frozenset()


# A code's unit, None for an unknown code, or the reason the file may not name it (e.g. a
# commune outside the user's scope), reported at the code's cell.
UnitLookup = Callable[[str], UnitInfo | str | None]


def fold(text: str) -> str:
    """Lower case without diacritics and with single spaces: "Chưa Đạt " -> "chua dat"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def _norm_header(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass
class _Sheet:
    name: str
    # (row number as the user sees it, cell values)
    rows: Iterator[tuple[int, list[Any]]]


def _open(path: Path) -> _Sheet:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        return _Sheet(path.name, _csv_rows(path))
    if suffix in {".xlsx", ".xlsm"}:
        wb = load_workbook(path, read_only=True, data_only=True)
        try:
            ws = wb[INPUT_SHEET] if INPUT_SHEET in wb.sheetnames else wb.worksheets[0]
            # Read whole, so the file is closed before any checking starts.
            rows = [
                (i, list(values))
                for i, values in enumerate(ws.iter_rows(values_only=True), start=1)
            ]
            title = ws.title
        finally:
            wb.close()
        return _Sheet(title, iter(rows))
    raise _Problem(f"không đọc được tệp đuôi “{path.suffix}”; dùng .xlsx hoặc .csv")


def _csv_rows(path: Path) -> Iterator[tuple[int, list[Any]]]:
    text = path.read_text(encoding="utf-8-sig")
    try:
        dialect: Any = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(text.splitlines(), dialect)
    for values in reader:
        yield reader.line_num, list(values)


_NUMBER_PLAIN = re.compile(r"^-?\d+([.,]\d+)?$")
_NUMBER_GROUPED_VI = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_NUMBER_GROUPED_EN = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_AMBIGUOUS = re.compile(r"^-?\d{1,3}[.,]\d{3}$")


class _Problem(Exception):
    def __init__(self, reason: str) -> None:
        self.reason = reason


def parse_number(value: Any) -> float | None:
    """A cell as a number: numbers as is; text in Vietnamese (1.234,5) or plain (27.5) style."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise _Problem("ô số chứa giá trị đúng/sai, cần một con số")
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, dt.date | dt.datetime | dt.time):
        raise _Problem("ô số chứa ngày tháng, cần một con số")
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    if _AMBIGUOUS.match(text):
        raise _Problem(
            "không rõ dấu chấm/phẩy là phân cách hàng nghìn hay thập phân; "
            "ghi số không có phân cách hàng nghìn (ví dụ 1234 hoặc 1,5)"
        )
    if _NUMBER_PLAIN.match(text):
        return float(text.replace(",", "."))
    if _NUMBER_GROUPED_VI.match(text):
        return float(text.replace(".", "").replace(",", "."))
    if _NUMBER_GROUPED_EN.match(text):
        return float(text.replace(",", ""))
    raise _Problem("ô số chứa chữ, cần một con số")


def parse_yes_no(value: Any) -> bool | None:
    """Đạt/Chưa đạt, Có/Không, 1/0, TRUE/FALSE (any case, with or without diacritics)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = fold(str(value))
    if text == "":
        return None
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise _Problem("cần Đạt/Chưa đạt (hoặc Có/Không, 1/0, TRUE/FALSE)")


def _is_not_applicable(value: Any) -> bool:
    return isinstance(value, str) and fold(value) in NOT_APPLICABLE_WORDS


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and value.strip() == "")


def _code_text(value: Any, width: int) -> str:
    """A code cell as text; Excel turns "06010" into 6010, so numbers get their zeros back."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).zfill(width)
    text = str(value).strip()
    return text.zfill(width) if text.isdigit() else text


def _column_code(value: Any, allowed: Sequence[str], kind: str) -> str:
    """A region or commune-group cell as one of the set's column codes."""
    text = fold(str(value)).replace(" ", "").replace("-", "_")
    by_fold = {fold(code).replace(" ", ""): code for code in allowed}
    if kind == "commune_group":
        m = re.fullmatch(r"(?:nhom|group)?_?(\d+)", text)
        if m:
            text = f"group_{m.group(1)}"
    if text in by_fold:
        return by_fold[text]
    label = "vùng" if kind == "region" else "nhóm xã"
    raise _Problem(f"{label} không có trong bộ tiêu chí; dùng một trong: {', '.join(allowed)}")


@dataclass
class _Reader:
    cset: CriteriaSet
    year: int | None
    columns: list[ColumnSpec]
    unit_lookup: UnitLookup | None
    sheet: str = ""
    problems: list[InputProblem] = field(default_factory=list)

    def problem(
        self, reason: str, row: int | None = None, col: ColumnSpec | None = None,
        index: int | None = None, value: Any = None,
    ) -> None:  # fmt: skip
        self.problems.append(
            InputProblem(
                reason,
                self.sheet,
                row,
                col.header if col else None,
                get_column_letter(index + 1) if index is not None else None,
                value,
            )
        )


def _find_header(sheet: _Sheet) -> tuple[int, list[Any]] | None:
    code_keys = {"mã xã", "unit"}
    for _ in range(20):
        try:
            number, values = next(sheet.rows)
        except StopIteration:
            return None
        if any(isinstance(v, str) and _norm_header(v) in code_keys for v in values):
            return number, values
    return None


@dataclass(frozen=True)
class InputFile:
    """A read input file: the engine's frames and where each commune stands in the file."""

    units: pl.DataFrame
    values: pl.DataFrame
    sheet: str
    rows: Mapping[str, int]  # unit code -> the row number the user sees
    code_letter: str  # the column letter of "Mã xã"
    # (unit code, measure) of every measure left blank for a commune of the file.
    blank: frozenset[tuple[str, str]]


def read_input(
    path: str | Path,
    cset: CriteriaSet,
    *,
    year: int | None = None,
    measures: Mapping[str, Measure] | None = None,
    unit_lookup: UnitLookup | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Read an input workbook (.xlsx) or CSV into the engine's `units` and `values` frames.

    Values get `period` = `year` and stage "claimed". `unit_lookup`, when given, is the unit
    register: a code it does not know is an error, and region, group, province and flags come
    from it (a region or group in the file that disagrees with it is an error). Raises
    `InputError` listing every problem; returns frames only for a file without any.
    """
    found = read_file(path, cset, year=year, measures=measures, unit_lookup=unit_lookup)
    return found.units, found.values


def read_file(
    path: str | Path,
    cset: CriteriaSet,
    *,
    year: int | None = None,
    measures: Mapping[str, Measure] | None = None,
    unit_lookup: UnitLookup | None = None,
) -> InputFile:
    """`read_input`, with the places of the communes in the file and its blank cells."""
    path = Path(path)
    columns = template_columns(cset, measures)
    reader = _Reader(cset, year, columns, unit_lookup)
    if year is not None and not cset.period.start_year <= year <= cset.period.end_year:
        reader.problems.append(
            InputProblem(
                f"năm {year} nằm ngoài giai đoạn của bộ tiêu chí {cset.id} "
                f"({cset.period.start_year}–{cset.period.end_year})"
            )
        )
    try:
        sheet = _open(path)
        reader.sheet = sheet.name
        found = _read_rows(reader, sheet)
    except _Problem as exc:
        reader.problems.append(InputProblem(exc.reason))
        raise InputError(reader.problems, path.name) from None
    except (FileNotFoundError, IsADirectoryError):
        reader.problems.append(InputProblem("không tìm thấy tệp"))
        raise InputError(reader.problems, path.name) from None
    except UnicodeDecodeError:
        reader.problems.append(InputProblem("tệp CSV không phải mã hóa UTF-8"))
        raise InputError(reader.problems, path.name) from None
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError) as exc:
        reader.problems.append(InputProblem(f"không mở được tệp Excel ({exc})"))
        raise InputError(reader.problems, path.name) from None
    if reader.problems:
        raise InputError(reader.problems, path.name)
    return found


def _read_rows(reader: _Reader, sheet: _Sheet) -> InputFile:
    by_header: dict[str, ColumnSpec] = {}
    for col in reader.columns:
        by_header[_norm_header(col.header)] = col
        by_header[_norm_header(col.machine)] = col
    found = _find_header(sheet)
    if found is None:
        reader.problem("không tìm thấy dòng tiêu đề có cột “Mã xã” (trong 20 dòng đầu)")
        return _empty_file(sheet)
    header_row, header_values = found
    index: dict[str, int] = {}  # machine header -> position
    for i, raw in enumerate(header_values):
        if _blank(raw):
            continue
        spec = by_header.get(_norm_header(str(raw)))
        if spec is None:
            continue  # an extra column (notes, district...) is the user's own
        if spec.machine in index:
            reader.problem("cột bị lặp lại", header_row, spec, i, raw)
            continue
        index[spec.machine] = i
    lookup_fills = reader.unit_lookup is not None
    columns_missing = False
    for col in reader.columns:
        if col.machine in index:
            continue
        if col.required and not (lookup_fills and col.role == "identity" and col.field != "unit"):
            columns_missing = True
            reader.problems.append(
                InputProblem(
                    f"thiếu cột bắt buộc “{col.header}” (hoặc “{col.machine}”)",
                    reader.sheet,
                    header_row,
                )
            )
    if columns_missing:
        return _empty_file(sheet)

    unit_rows: list[dict[str, Any]] = []
    value_rows: list[dict[str, Any]] = []
    first_row_of: dict[str, int] = {}
    blank: set[tuple[str, str]] = set()
    measure_keys = list(dict.fromkeys(c.field for c in reader.columns if c.kind))
    for number, cells in sheet.rows:
        if all(_blank(v) for v in cells):
            continue
        unit = _read_unit(reader, number, cells, index, first_row_of)
        if unit is not None:
            unit_rows.append(unit)
            read = _read_values(reader, number, cells, index, unit["unit"])
            value_rows += read
            given = {r["measure"] for r in read}
            blank |= {(unit["unit"], k) for k in measure_keys if k not in given}
    if not unit_rows and not reader.problems:
        reader.problem("không có dòng số liệu nào", header_row + 1)
    flag_names = [c.field for c in reader.columns if c.role == "yes/no" and c.kind == ""]
    units = pl.DataFrame(
        unit_rows,
        schema={
            "unit": pl.String,
            "name": pl.String,
            "province": pl.String,
            "region": pl.String,
            "commune_group": pl.String,
            **{f: pl.Boolean for f in flag_names},
        },
    )
    return InputFile(
        units,
        pl.DataFrame(value_rows, schema=VALUES_SCHEMA),
        sheet.name,
        first_row_of,
        get_column_letter(index["unit"] + 1),
        frozenset(blank),
    )


def _empty_file(sheet: _Sheet) -> InputFile:
    return InputFile(_empty_units(), _empty_values(), sheet.name, {}, "A", frozenset())


def _empty_units() -> pl.DataFrame:
    return pl.DataFrame(schema={"unit": pl.String})


def _empty_values() -> pl.DataFrame:
    return pl.DataFrame(schema=VALUES_SCHEMA)


def _cell(cells: Sequence[Any], index: Mapping[str, int], machine: str) -> tuple[Any, int | None]:
    i = index.get(machine)
    if i is None or i >= len(cells):
        return None, i
    value = cells[i]
    return (None if _blank(value) else value), i


def _read_unit(
    reader: _Reader,
    number: int,
    cells: Sequence[Any],
    index: Mapping[str, int],
    first_row_of: dict[str, int],
) -> dict[str, Any] | None:
    cols = {c.machine: c for c in reader.columns if c.role == "identity" or c.kind == ""}
    raw_code, i = _cell(cells, index, "unit")
    if raw_code is None:
        reader.problem("thiếu mã xã", number, cols["unit"], i, "")
        return None
    code = _code_text(raw_code, 5)
    if code in first_row_of:
        reader.problem(
            f"xã bị lặp lại (đã có ở dòng {first_row_of[code]})", number, cols["unit"], i, raw_code
        )
        return None
    first_row_of[code] = number
    info: UnitInfo | None = None
    if reader.unit_lookup is not None:
        found = reader.unit_lookup(code)
        if found is None or isinstance(found, str):
            reason = found or "không có xã mang mã này"
            reader.problem(reason, number, cols["unit"], i, raw_code)
            return None
        info = found
    out: dict[str, Any] = {"unit": code}
    raw_name, _ = _cell(cells, index, "name")
    out["name"] = str(raw_name).strip() if raw_name is not None else (info.name if info else None)
    raw_prov, pi = _cell(cells, index, "province")
    if raw_prov is not None:
        province = _code_text(raw_prov, 2)
        if not province.isdigit():
            reader.problem("mã tỉnh phải là số (ví dụ 20)", number, cols["province"], pi, raw_prov)
        out["province"] = province
    else:
        out["province"] = info.province if info else None
    for kind in ("region", "commune_group"):
        col = cols.get(kind)
        from_lookup = getattr(info, kind) if info else None
        if col is None:
            out[kind] = from_lookup
            continue
        raw, ci = _cell(cells, index, kind)
        if raw is None:
            if info is None:
                label = "vùng" if kind == "region" else "nhóm xã"
                reader.problem(f"thiếu {label} — không xác định được xã", number, col, ci, "")
            out[kind] = from_lookup
            continue
        try:
            out[kind] = _column_code(
                raw, [c.code for c in reader.cset.columns if c.kind == kind], kind
            )
        except _Problem as exc:
            reader.problem(exc.reason, number, col, ci, raw)
            continue
        if info is not None and from_lookup is not None and out[kind] != from_lookup:
            reader.problem(f"khác với danh mục đơn vị ({from_lookup})", number, col, ci, raw)
    for col in reader.columns:
        if col.role != "yes/no" or col.kind != "":
            continue
        raw, fi = _cell(cells, index, col.machine)
        try:
            flag = parse_yes_no(raw)
        except _Problem:
            reader.problem("cần Có/Không (hoặc 1/0, TRUE/FALSE)", number, col, fi, raw)
            flag = None
        if flag is None and info is not None:
            flag = col.field in info.flags
        out[col.field] = bool(flag)
    return out


def _read_values(
    reader: _Reader,
    number: int,
    cells: Sequence[Any],
    index: Mapping[str, int],
    unit: str,
) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    by_measure: dict[str, list[ColumnSpec]] = {}
    for col in reader.columns:
        if col.kind:
            by_measure.setdefault(col.field, []).append(col)
    for key, cols in by_measure.items():
        base = {
            "unit": unit,
            "measure": key,
            "period": reader.year,
            "value": None,
            "numerator": None,
            "denominator": None,
            "not_applicable": False,
            "stage": STAGE_CLAIMED,
        }
        raws = [_cell(cells, index, c.machine) for c in cols]
        if all(raw is None for raw, _ in raws):
            continue
        na = [_is_not_applicable(raw) for raw, _ in raws]
        if any(na):
            col = cols[na.index(True)]
            raw, i = raws[na.index(True)]
            if not col.allows_not_applicable:
                reader.problem(
                    "chỉ tiêu này không có lựa chọn “Không áp dụng”", number, col, i, raw
                )
                continue
            rows.append({**base, "not_applicable": True})
            continue
        parsed = _parse_measure(reader, number, cols, raws)
        if parsed is not None:
            rows.append({**base, **parsed})
    return rows


def _parse_measure(
    reader: _Reader,
    number: int,
    cols: Sequence[ColumnSpec],
    raws: Sequence[tuple[Any, int | None]],
) -> dict[str, Any] | None:
    col = cols[0]
    if col.kind == "yesno":
        raw, i = raws[0]
        try:
            answer = parse_yes_no(raw)
        except _Problem as exc:
            reader.problem(exc.reason, number, col, i, raw)
            return None
        return {"value": 1.0 if answer else 0.0}
    numbers: list[float | None] = []
    ok = True
    for c, (raw, i) in zip(cols, raws, strict=True):
        try:
            x = parse_number(raw)
        except _Problem as exc:
            reader.problem(exc.reason, number, c, i, raw)
            ok = False
            continue
        if x is not None and x < 0:
            reader.problem("giá trị không được âm", number, c, i, raw)
            ok = False
        elif x is not None and c.kind == "count" and not x.is_integer():
            reader.problem("số đếm phải là số nguyên", number, c, i, raw)
            ok = False
        elif x is not None and c.kind == "number" and c.unit.strip() == "%" and x > 100:
            reader.problem("tỷ lệ lớn hơn 100 %", number, c, i, raw)
            ok = False
        numbers.append(x)
    if not ok:
        return None
    if col.kind != "share":
        return {"value": numbers[0]}
    num, den = numbers
    (raw_n, i_n), (raw_d, i_d) = raws
    if num is None or den is None:
        c, i = (cols[0], i_n) if num is None else (cols[1], i_d)
        have, lack = ("mẫu số", "tử số") if num is None else ("tử số", "mẫu số")
        reader.problem(f"có {have} nhưng thiếu {lack}", number, c, i, "")
        return None
    if den == 0:
        reader.problem(
            "mẫu số bằng 0; để trống nếu chưa có số liệu"
            + (f" hoặc ghi “{NOT_APPLICABLE_LABEL}”" if col.allows_not_applicable else ""),
            number, cols[1], i_d, raw_d,
        )  # fmt: skip
        return None
    if num > den:
        reader.problem(
            f"tử số lớn hơn mẫu số ({_show(num)} > {_show(den)}): tỷ lệ trên 100 %",
            number, cols[0], i_n, raw_n,
        )  # fmt: skip
        return None
    return {"numerator": num, "denominator": den}


def _show(x: float) -> str:
    return str(int(x)) if x.is_integer() else str(x).replace(".", ",")
