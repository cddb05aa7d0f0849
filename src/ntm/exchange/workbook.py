"""The input workbook of `ntm evaluate`: its template and its reader.

One row per commune. The first columns identify the commune (code, name, province, region or
commune group, the special-difficulty and safe-zone flags); then one column per measure the
criteria set uses — a share has two, numerator and denominator. Every measure header starts
with the indicator code(s) that use the measure. A second sheet explains every column.

The reader accepts the template's headers (case- and spacing-insensitive) or the machine
headers listed on the second sheet (``unit``, ``region``, a measure key, ``<key>__numerator``,
``<key>__denominator``), in .xlsx or .csv (read by `ntm.exchange.sheets` as a stream, in
bounded memory whatever the file declares). It checks the whole file and raises one
`InputError` listing the problems, in Vietnamese and English (`InputProblem.text`), with sheet,
row, column and value — up to
MAX_PROBLEMS_SHOWN of them, counting the others; it stops at MAX_PROBLEMS problems or past
MAX_DATA_ROWS communes. Every number passes `ntm.criteria.bounds`, as in the entry form and
the API. A blank measure cell is no data (BLANK_MEANS).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

import polars as pl
import xlsxwriter
from openpyxl.utils import get_column_letter

from ntm.criteria.bounds import number_problem, share_problem
from ntm.criteria.loader import load_measures
from ntm.criteria.schema import CriteriaSet, Measure
from ntm.criteria.summary import in_force_text, years_span
from ntm.evaluation import VALUES_SCHEMA
from ntm.evaluation.semantics import Stage
from ntm.exchange.sheets import (
    MAX_COLUMNS,
    BadCell,
    Say,
    Sheet,
    SheetError,
    blank,
    open_sheet,
    shown,
)
from ntm.vn.dates import format_date
from ntm.vn.numbers import format_number
from ntm.vn.text import fold

INPUT_SHEET = "Nhập liệu"
COLUMNS_SHEET = "Giải thích cột"

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
# What a blank measure cell means, in the template and for the import alike.
BLANK_MEANS = "Ô để trống = chưa có số liệu (khi nhập vào hệ thống, giá trị đã lưu của ô đó bị xóa)"


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
        tail = f" {BLANK_MEANS}; kết quả: Thiếu dữ liệu."
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
        if fold(header, keep_marks=True) in seen:
            header = f"{header} [{col.machine}]"
        seen.add(fold(header, keep_marks=True))
        out.append(col if header == col.header else replace(col, header=header))
    return out


def set_note(cset: CriteriaSet) -> str:
    versions = ", ".join(
        f"{v.id} ({v.legal_basis.number}, từ {format_date(v.effective_from)})"
        for v in cset.versions
    )
    return (
        f"Bộ tiêu chí: {cset.id} — {cset.name_vi}; giai đoạn {cset.period.start_year}–"
        f"{cset.period.end_year}; {in_force_text(cset)}; phiên bản: {versions}. Mỗi dòng một "
        f"xã; giải thích từng cột ở trang “{COLUMNS_SHEET}”. {BLANK_MEANS}."
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
        ws.write_string(
            header_row,
            c,
            col.header,
            id_head if col.role == "identity" or col.field in FLAG_HEADERS else m_head,
        )
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
                first_data,
                c,
                last,
                c,
                {
                    "validate": "list",
                    "source": list(col.choices),
                    # Other spellings (1/0, Có/Không, TRUE/FALSE) are accepted by the reader.
                    "show_error": False,
                    "input_title": col.header[:32],
                    "input_message": col.explanation[:255],
                },
            )
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


# ---------------------------------------------------------------------------- limits

# The reader's caps (the sheet's own — columns, cell length, bytes — are in ntm.exchange.sheets).
MAX_DATA_ROWS = 20_000  # communes in one file: a province has under 1.000, the country ~10.000
MAX_PROBLEMS_SHOWN = 200  # listed in an InputError; the rest are counted
MAX_PROBLEMS = 1_000  # a file this wrong is hopeless: the reader stops checking it
HEADER_ROWS = 20  # the header row is among the first rows


# A value longer than this is cut when shown (`shown` cuts to 60 characters and says so).
_SHOWN_MAX = 100


def _count_en(n: int) -> str:
    return f"{n:,}"


# ---------------------------------------------------------------------------- errors


@dataclass(frozen=True, slots=True)
class InputProblem:
    """One thing wrong with the input; location fields are None when they do not apply.

    `omitted` > 0 marks the closing line of a cut list: it stands for that many problems
    that are not listed (InputError adds it). `reason` is Vietnamese, `reason_en` English
    (empty when a caller gave none: the English text then shows the Vietnamese reason)."""

    reason: str
    sheet: str | None = None
    row: int | None = None
    header: str | None = None
    letter: str | None = None
    value: Any = None
    omitted: int = 0
    reason_en: str = ""

    @classmethod
    def of(
        cls,
        reason: Say,
        sheet: str | None = None,
        row: int | None = None,
        header: str | None = None,
        letter: str | None = None,
        value: Any = None,
    ) -> InputProblem:
        """The problem with a reason in both languages."""
        return cls(reason.vi, sheet, row, header, letter, value, reason_en=reason.en)

    def text(self, language: str = "vi") -> str:
        """The problem with its place, in `language` ("en..." English, else Vietnamese)."""
        words = _PLACE_EN if _is_english(language) else _PLACE_VI
        where = []
        if self.sheet is not None:
            where.append(f"{words.sheet} “{self.sheet}”")
        if self.row is not None:
            where.append(f"{words.row} {self.row}")
        if self.header is not None:
            where.append(
                f"{words.column} {self.letter} “{self.header}”"
                if self.letter
                else f"{words.column} “{self.header}”"
            )
        if self.value is not None and self.value != "":
            text = str(self.value)
            # The reader gives long values already cut (shown); cut any other long one.
            where.append(f"{words.value} “{text if len(text) <= _SHOWN_MAX else shown(text)}”")
        reason = (self.reason_en or self.reason) if _is_english(language) else self.reason
        return (", ".join(where) + ": " if where else "") + reason

    def __str__(self) -> str:
        return self.text("vi")


@dataclass(frozen=True, slots=True)
class _Place:
    sheet: str
    row: str
    column: str
    value: str


_PLACE_VI = _Place("trang", "dòng", "cột", "giá trị")
_PLACE_EN = _Place("sheet", "row", "column", "value")


def _is_english(language: str) -> bool:
    # Django's language codes: "en", "en-us"...; anything else reads Vietnamese.
    return language.lower().startswith("en")


class InputError(ValueError):
    """A rejected input file: its problems — the first MAX_PROBLEMS_SHOWN listed, then one
    line counting the others. `total` counts them all. str() is the Vietnamese message;
    `message(language)` either language."""

    def __init__(self, problems: Sequence[InputProblem], source: str | None = None) -> None:
        listed = [p for p in problems if not p.omitted]
        omitted = sum(p.omitted for p in problems)
        if len(listed) > MAX_PROBLEMS_SHOWN:
            omitted += len(listed) - MAX_PROBLEMS_SHOWN
            listed = listed[:MAX_PROBLEMS_SHOWN]
        self.total = len(listed) + omitted
        if omitted:
            listed.append(
                InputProblem(
                    f"chỉ hiện {format_number(len(listed))} lỗi đầu trong "
                    f"{format_number(self.total)} lỗi",
                    omitted=omitted,
                    reason_en=f"only the first {_count_en(len(listed))} of "
                    f"{_count_en(self.total)} problems are shown",
                )
            )
        self.problems = listed
        self.source = source
        super().__init__(self.message())

    def message(self, language: str = "vi") -> str:
        if _is_english(language):
            head = (
                f"File {self.source} cannot be used" if self.source else "The data cannot be used"
            )
            plural = "" if self.total == 1 else "s"
            head += f" — {_count_en(self.total)} problem{plural}, no result written:"
        else:
            head = (
                f"Tệp {self.source} không dùng được" if self.source else "Dữ liệu không dùng được"
            )
            head += f" — {format_number(self.total)} lỗi, không ghi kết quả nào:"
        return "\n".join([head, *(f"  - {p.text(language)}" for p in self.problems)])


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


UNKNOWN_COMMUNE = Say("không có xã mang mã này", "there is no commune with this code")
MISSING_CODE = Say("thiếu mã xã", "the commune code is missing")


def repeated_commune(first: int) -> Say:
    return Say(
        f"xã bị lặp lại (đã có ở dòng {first})",
        f"the commune appears twice (already in row {first})",
    )


# A code's unit, None for an unknown code, or the reason the file may not name it (e.g. a
# commune outside the user's scope), reported at the code's cell: a Say in both languages,
# a str in Vietnamese only.
UnitLookup = Callable[[str], UnitInfo | Say | str | None]


@functools.lru_cache(maxsize=4096)
def _fold_word(text: str) -> str:
    return fold(text)


def _folded(text: str) -> str:
    """`fold`, remembered for the short words a column repeats (Đạt, Không áp dụng...)."""
    return _fold_word(text) if len(text) <= 40 else fold(text)


_CODE_HEADERS = frozenset({"mã xã", "unit"})
_Sheet = Sheet


def _header_score(columns: Sequence[ColumnSpec]) -> Callable[[Sequence[Any]], int]:
    """How well a row reads as the header row: 0 without a code column, else 1 + the number
    of the template's headers in it (this chooses a CSV file's delimiter and encoding)."""
    known = {fold(h, keep_marks=True) for c in columns for h in (c.header, c.machine)}

    def score(row: Sequence[Any]) -> int:
        names = [fold(v, keep_marks=True) for v in row if isinstance(v, str)]
        if not any(n in _CODE_HEADERS for n in names):
            return 0
        return 1 + sum(n in known for n in names)

    return score


def _open(path: Path, columns: Sequence[ColumnSpec] = ()) -> Sheet:
    return open_sheet(path, INPUT_SHEET, _header_score(columns))


_NUMBER_PLAIN = re.compile(r"^-?\d+([.,]\d+)?([eE][+-]?\d+)?$")
_NUMBER_GROUPED_VI = re.compile(r"^-?\d{1,3}(\.\d{3})+(,\d+)?$")
_NUMBER_GROUPED_EN = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
_AMBIGUOUS = re.compile(r"^-?\d{1,3}[.,]\d{3}$")


class CellError(Exception):
    """A cell that does not read as its column's kind (a number, yes/no, a region), and why."""

    def __init__(self, reason: Say) -> None:
        super().__init__(reason.en)
        self.reason = reason


def _finite(x: float) -> float:
    # A number beyond a double's range is too large, as ntm.criteria.bounds says of 1e28.
    return x if math.isfinite(x) else math.copysign(sys.float_info.max, x)


def parse_number(value: Any, decimal: str | None = None) -> float | None:
    """A cell as a number: numbers as is; text in Vietnamese (1.234,5) or plain (27.5) style.

    `decimal` is the decimal mark the file fixes, if any ("." in a comma-separated CSV): then
    "12.345" is 12,345; otherwise a number that reads two ways (1.234, 1,234) is refused."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise CellError(
            Say(
                "ô số chứa giá trị đúng/sai, cần một con số",
                "the number cell holds a true/false value; expected a number",
            )
        )
    if isinstance(value, int | float):
        return _finite(float(value))
    if isinstance(value, dt.date | dt.datetime | dt.time):
        raise CellError(
            Say(
                "ô số chứa ngày tháng, cần một con số",
                "the number cell holds a date; expected a number",
            )
        )
    text = str(value).strip().replace("\u00a0", "").replace(" ", "")
    if text == "":
        return None
    if _AMBIGUOUS.match(text) and not (decimal is not None and decimal in text):
        raise CellError(
            Say(
                "không rõ dấu chấm/phẩy là phân cách hàng nghìn hay thập phân; "
                "ghi số không có phân cách hàng nghìn (ví dụ 1234 hoặc 1,5)",
                "the point or comma may separate thousands or decimals; write the number "
                "without a thousands separator (for example 1234 or 1,5)",
            )
        )
    if _NUMBER_PLAIN.match(text):
        return _finite(float(text.replace(",", ".")))
    if _NUMBER_GROUPED_VI.match(text):
        return _finite(float(text.replace(".", "").replace(",", ".")))
    if _NUMBER_GROUPED_EN.match(text):
        return _finite(float(text.replace(",", "")))
    raise CellError(
        Say("ô số chứa chữ, cần một con số", "the number cell holds text; expected a number")
    )


def parse_yes_no(value: Any) -> bool | None:
    """Đạt/Chưa đạt, Có/Không, 1/0, TRUE/FALSE (any case, with or without diacritics)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = _folded(str(value))
    if text == "":
        return None
    if text in YES_WORDS:
        return True
    if text in NO_WORDS:
        return False
    raise CellError(
        Say(
            "cần Đạt/Chưa đạt (hoặc Có/Không, 1/0, TRUE/FALSE)",
            "expected Đạt/Chưa đạt (met/not met; or Có/Không, 1/0, TRUE/FALSE)",
        )
    )


def _is_not_applicable(value: Any) -> bool:
    return isinstance(value, str) and _folded(value) in NOT_APPLICABLE_WORDS


_blank = blank


def code_text(value: Any, width: int) -> str:
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
    codes = ", ".join(allowed)
    if kind == "region":
        raise CellError(
            Say(
                f"vùng không có trong bộ tiêu chí; dùng một trong: {codes}",
                f"the region is not in the criteria set; use one of: {codes}",
            )
        )
    raise CellError(
        Say(
            f"nhóm xã không có trong bộ tiêu chí; dùng một trong: {codes}",
            f"the commune group is not in the criteria set; use one of: {codes}",
        )
    )


class _TooMany(Exception):
    """MAX_PROBLEMS problems found: the file is not checked further."""


# A cell whose problem is already reported (a BadCell): the row goes on without it.
_REPORTED = object()


@dataclass
class _Reader:
    cset: CriteriaSet
    year: int | None
    columns: list[ColumnSpec]
    unit_lookup: UnitLookup | None
    measures: Mapping[str, Measure]
    sheet: str = ""
    decimal: str | None = None
    row: int | None = None  # the row being read
    problems: list[InputProblem] = field(default_factory=list)

    def problem(
        self,
        reason: Say,
        row: int | None = None,
        col: ColumnSpec | None = None,
        index: int | None = None,
        value: Any = None,
    ) -> None:
        if isinstance(value, str) and len(value) > _SHOWN_MAX:
            value = shown(value)
        self.problems.append(
            InputProblem.of(
                reason,
                self.sheet,
                row,
                col.header if col else None,
                get_column_letter(index + 1) if index is not None else None,
                value,
            )
        )
        if len(self.problems) >= MAX_PROBLEMS:
            raise _TooMany


def no_header_row(named: str) -> Say:
    return Say(
        f"không tìm thấy dòng tiêu đề có cột “{named}” (trong {HEADER_ROWS} dòng đầu)",
        f"no header row with a “{named}” column (in the first {HEADER_ROWS} rows)",
    )


def find_header(sheet: Sheet) -> tuple[int, list[Any]] | None:
    """The header row (with a "Mã xã" or "unit" cell) among the first HEADER_ROWS rows."""
    for number, values in sheet.rows:
        if number > HEADER_ROWS:
            return None
        if any(isinstance(v, str) and fold(v, keep_marks=True) in _CODE_HEADERS for v in values):
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
    `InputError` listing the problems; returns frames only for a file without any.

    The file is read as a stream within fixed bounds (see the limits above and in
    `ntm.exchange.sheets`): a file over them is refused with a message saying which, and the
    reader stops at MAX_PROBLEMS problems.
    """
    found = read_file(path, cset, year=year, measures=measures, unit_lookup=unit_lookup)
    return found.units, found.values


def year_outside(cset: CriteriaSet, year: int) -> InputProblem | None:
    """The problem of a file for a year the set does not judge (None: it does)."""
    if cset.applies_to(year):
        return None
    span = years_span(cset)
    return InputProblem.of(
        Say(
            f"năm {year} nằm ngoài các năm áp dụng bộ tiêu chí {cset.id} ({span})",
            f"the year {year} is outside the years criteria set {cset.id} applies to ({span})",
        )
    )


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
    measures = load_measures() if measures is None else measures
    columns = template_columns(cset, measures)
    reader = _Reader(cset, year, columns, unit_lookup, measures)
    if year is not None and (outside := year_outside(cset, year)):
        reader.problems.append(outside)
    sheet: Sheet | None = None
    found: InputFile | None = None
    try:
        sheet = _open(path, columns)
        reader.sheet, reader.decimal = sheet.name, sheet.decimal
        found = _read_rows(reader, sheet)
    except _TooMany:
        reader.problems.insert(
            0,
            InputProblem.of(
                Say(
                    "đã dừng kiểm tra ở dòng này vì tệp có quá nhiều lỗi "
                    f"({format_number(MAX_PROBLEMS)}); sửa các lỗi đã nêu rồi kiểm tra lại",
                    "checking stopped at this row because the file has too many problems "
                    f"({_count_en(MAX_PROBLEMS)}); fix the ones listed and check again",
                ),
                reader.sheet,
                reader.row,
            ),
        )
    except SheetError as exc:
        reader.problems.insert(0, InputProblem.of(exc.reason, reader.sheet or None, exc.row))
    except (FileNotFoundError, IsADirectoryError):
        reader.problems.append(InputProblem.of(Say("không tìm thấy tệp", "file not found")))
    except OSError as exc:
        reader.problems.append(
            InputProblem.of(Say(f"không mở được tệp ({exc})", f"the file cannot be opened ({exc})"))
        )
    finally:
        if sheet is not None:
            sheet.close()
    if reader.problems or found is None:
        raise InputError(reader.problems, path.name)
    return found


class _Values:
    """The values read, by column (a row each would weigh ten times as much)."""

    def __init__(self) -> None:
        self.unit: list[str] = []
        self.measure: list[str] = []
        self.value: list[float | None] = []
        self.numerator: list[float | None] = []
        self.denominator: list[float | None] = []
        self.not_applicable: list[bool] = []

    def add(
        self,
        unit: str,
        measure: str,
        value: float | None = None,
        numerator: float | None = None,
        denominator: float | None = None,
        not_applicable: bool = False,
    ) -> None:
        self.unit.append(unit)
        self.measure.append(measure)
        self.value.append(value)
        self.numerator.append(numerator)
        self.denominator.append(denominator)
        self.not_applicable.append(not_applicable)

    def frame(self, year: int | None) -> pl.DataFrame:
        columns: dict[str, Any] = {
            "unit": self.unit,
            "measure": self.measure,
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "not_applicable": self.not_applicable,
        }
        frame = pl.DataFrame(columns, schema={k: VALUES_SCHEMA[k] for k in columns})
        return frame.with_columns(
            period=pl.lit(year, VALUES_SCHEMA["period"]),
            stage=pl.lit(Stage.CLAIMED, VALUES_SCHEMA["stage"]),
        ).select(list(VALUES_SCHEMA))


def _read_rows(reader: _Reader, sheet: Sheet) -> InputFile:
    by_header: dict[str, ColumnSpec] = {}
    for col in reader.columns:
        by_header[fold(col.header, keep_marks=True)] = col
        by_header[fold(col.machine, keep_marks=True)] = col
    found = find_header(sheet)
    if found is None:
        reader.problem(no_header_row("Mã xã"))
        return _empty_file(sheet)
    header_row, header_values = found
    index: dict[str, int] = {}  # machine header -> position
    for i, raw in enumerate(header_values):
        if not isinstance(raw, str) or _blank(raw):
            continue
        spec = by_header.get(fold(raw, keep_marks=True))
        if spec is None:
            continue  # an extra column (notes, district...) is the user's own
        if spec.machine in index:
            reader.problem(
                Say("cột bị lặp lại", "the column appears twice"), header_row, spec, i, raw
            )
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
                InputProblem.of(
                    Say(
                        f"thiếu cột bắt buộc “{col.header}” (hoặc “{col.machine}”)",
                        f"the required column “{col.header}” (or “{col.machine}”) is missing",
                    ),
                    reader.sheet,
                    header_row,
                )
            )
    if columns_missing:
        if sheet.encoding == "cp1252":
            reader.problems.append(
                InputProblem.of(
                    Say(
                        "tệp CSV được đọc theo bảng mã Windows-1252, bảng mã này không ghi được "
                        "chữ tiếng Việt nên tiêu đề cột có thể đã mất chữ; lưu lại tệp dạng "
                        "“CSV UTF-8”",
                        "the CSV file was read as Windows-1252, an encoding that cannot hold "
                        "Vietnamese letters, so column headers may have lost some; save the "
                        "file again as “CSV UTF-8”",
                    ),
                    reader.sheet,
                )
            )
        return _empty_file(sheet)

    specs = {
        machine: (i, by_header[fold(machine, keep_marks=True)]) for machine, i in index.items()
    }
    unit_rows: list[dict[str, Any]] = []
    values = _Values()
    first_row_of: dict[str, int] = {}
    blank: set[tuple[str, str]] = set()
    measure_keys = list(dict.fromkeys(c.field for c in reader.columns if c.kind))
    by_measure: dict[str, list[ColumnSpec]] = {}
    for col in reader.columns:
        if col.kind:
            by_measure.setdefault(col.field, []).append(col)
    data_rows = 0
    for number, cells in sheet.rows:
        if all(_blank(v) for v in cells):
            continue
        reader.row = number
        data_rows += 1
        if data_rows > MAX_DATA_ROWS:
            reader.problems.insert(
                0,
                InputProblem.of(
                    Say(
                        f"tệp có hơn {format_number(MAX_DATA_ROWS)} dòng số liệu; chia thành nhiều "
                        f"tệp, mỗi tệp tối đa {format_number(MAX_DATA_ROWS)} xã",
                        f"the file has more than {_count_en(MAX_DATA_ROWS)} data rows; split "
                        f"it into several files of at most {_count_en(MAX_DATA_ROWS)} "
                        "communes each",
                    ),
                    reader.sheet,
                    number,
                ),
            )
            break
        for i, col in specs.values():
            if i < len(cells) and isinstance(cells[i], BadCell):
                bad = cells[i]
                cells[i] = _REPORTED
                reader.problem(bad.reason, number, col, i, bad.shown)
        unit = _read_unit(reader, number, cells, index, first_row_of)
        if unit is not None:
            unit_rows.append(unit)
            given = _read_values(reader, number, cells, index, unit["unit"], by_measure, values)
            blank.update((unit["unit"], k) for k in measure_keys if k not in given)
    if sheet.wide is not None:
        row, letter = sheet.wide
        reader.problem(
            Say(
                f"có dữ liệu ngoài {format_number(MAX_COLUMNS)} cột đầu (ô {letter}{row}); "
                f"hệ thống chỉ đọc {format_number(MAX_COLUMNS)} cột — xóa các cột thừa",
                f"there is data beyond the first {_count_en(MAX_COLUMNS)} columns (cell "
                f"{letter}{row}); only {_count_en(MAX_COLUMNS)} columns are read — delete the "
                "extra columns",
            ),
            row,
        )
    if not unit_rows and not reader.problems:
        reader.problem(Say("không có dòng số liệu nào", "there are no data rows"), header_row + 1)
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
        values.frame(reader.year),
        sheet.name,
        first_row_of,
        get_column_letter(index["unit"] + 1),
        frozenset(blank),
    )


def _empty_file(sheet: Sheet) -> InputFile:
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
    if raw_code is _REPORTED:
        return None
    if raw_code is None:
        reader.problem(MISSING_CODE, number, cols["unit"], i, "")
        return None
    code = code_text(raw_code, 5)
    if code in first_row_of:
        reader.problem(
            repeated_commune(first_row_of[code]),
            number,
            cols["unit"],
            i,
            raw_code,
        )
        return None
    first_row_of[code] = number
    info: UnitInfo | None = None
    if reader.unit_lookup is not None:
        found = reader.unit_lookup(code)
        if not isinstance(found, UnitInfo):
            if found is None:
                reason = UNKNOWN_COMMUNE
            else:
                reason = found if isinstance(found, Say) else Say(found, "")
            reader.problem(reason, number, cols["unit"], i, raw_code)
            return None
        info = found
    out: dict[str, Any] = {"unit": code}
    raw_name, _ = _cell(cells, index, "name")
    if raw_name is None or raw_name is _REPORTED:
        out["name"] = info.name if info else None
    else:
        out["name"] = str(raw_name).strip()
    raw_prov, pi = _cell(cells, index, "province")
    if raw_prov is not None and raw_prov is not _REPORTED:
        province = code_text(raw_prov, 2)
        if not province.isdigit():
            reader.problem(
                Say("mã tỉnh phải là số (ví dụ 20)", "the province code is a number (e.g. 20)"),
                number,
                cols["province"],
                pi,
                raw_prov,
            )
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
        if raw is _REPORTED:
            out[kind] = from_lookup
            continue
        if raw is None:
            if info is None:
                missing = (
                    Say("thiếu vùng — không xác định được xã", "the region is missing")
                    if kind == "region"
                    else Say(
                        "thiếu nhóm xã — không xác định được xã", "the commune group is missing"
                    )
                )
                reader.problem(missing, number, col, ci, "")
            out[kind] = from_lookup
            continue
        try:
            out[kind] = _column_code(
                raw, [c.code for c in reader.cset.columns if c.kind == kind], kind
            )
        except CellError as exc:
            reader.problem(exc.reason, number, col, ci, raw)
            continue
        if info is not None and from_lookup is not None and out[kind] != from_lookup:
            reader.problem(
                Say(
                    f"khác với danh mục đơn vị ({from_lookup})",
                    f"differs from the unit register ({from_lookup})",
                ),
                number,
                col,
                ci,
                raw,
            )
    for col in reader.columns:
        if col.role != "yes/no" or col.kind != "":
            continue
        raw, fi = _cell(cells, index, col.machine)
        flag: bool | None = None
        if raw is not _REPORTED:
            try:
                flag = parse_yes_no(raw)
            except CellError:
                reader.problem(
                    Say(
                        "cần Có/Không (hoặc 1/0, TRUE/FALSE)",
                        "expected Có/Không (yes/no; or 1/0, TRUE/FALSE)",
                    ),
                    number,
                    col,
                    fi,
                    raw,
                )
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
    by_measure: Mapping[str, list[ColumnSpec]],
    values: _Values,
) -> set[str]:
    """Add the row's values to `values`; returns the measures it gives (not blank)."""
    given: set[str] = set()
    for key, cols in by_measure.items():
        raws = [_cell(cells, index, c.machine) for c in cols]
        if all(raw is None for raw, _ in raws):
            continue
        given.add(key)
        if any(raw is _REPORTED for raw, _ in raws):
            continue
        na = [_is_not_applicable(raw) for raw, _ in raws]
        if any(na):
            col = cols[na.index(True)]
            raw, i = raws[na.index(True)]
            if not col.allows_not_applicable:
                reader.problem(
                    Say(
                        f"chỉ tiêu này không có lựa chọn “{NOT_APPLICABLE_LABEL}”",
                        f"this indicator has no “{NOT_APPLICABLE_LABEL}” (not applicable) option",
                    ),
                    number,
                    col,
                    i,
                    raw,
                )
                continue
            values.add(unit, key, not_applicable=True)
            continue
        parsed = _parse_measure(reader, number, cols, raws)
        if parsed is not None:
            values.add(unit, key, *parsed)
    return given


_PART: dict[str, str] = {"numerator": "numerator", "denominator": "denominator"}


def _parse_measure(
    reader: _Reader,
    number: int,
    cols: Sequence[ColumnSpec],
    raws: Sequence[tuple[Any, int | None]],
) -> tuple[float | None, float | None, float | None] | None:
    """(value, numerator, denominator) of one measure's cells, within ntm.criteria.bounds;
    None after reporting why not."""
    col = cols[0]
    measure = reader.measures[col.field]
    numbers: list[float | None] = []
    ok = True
    for c, (raw, i) in zip(cols, raws, strict=True):
        try:
            if c.kind == "yesno":
                answer = parse_yes_no(raw)
                x = None if answer is None else float(answer)
            else:
                x = parse_number(raw, reader.decimal)
        except CellError as exc:
            reader.problem(exc.reason, number, c, i, raw)
            ok = False
            continue
        why = None if x is None else number_problem(measure, x, part=_PART.get(c.role, "value"))
        if why is not None:
            reader.problem(Say(why.vi, why.en), number, c, i, raw)
            ok = False
        numbers.append(x)
    if not ok:
        return None
    if col.kind != "share":
        return numbers[0], None, None
    num, den = numbers
    (_, i_n), (raw_d, i_d) = raws
    if num is None or den is None:
        c, i = (cols[0], i_n) if num is None else (cols[1], i_d)
        half = (
            Say("có mẫu số nhưng thiếu tử số", "the denominator is given but not the numerator")
            if num is None
            else Say(
                "có tử số nhưng thiếu mẫu số", "the numerator is given but not the denominator"
            )
        )
        reader.problem(half, number, c, i, "")
        return None
    why = share_problem(num, den)
    if why is not None:
        if den == 0:
            na = col.allows_not_applicable
            reader.problem(
                Say(
                    f"{why.vi}; để trống nếu chưa có số liệu"
                    + (f" hoặc ghi “{NOT_APPLICABLE_LABEL}”" if na else ""),
                    f"{why.en}; leave it blank if there is no data yet"
                    + (f" or write “{NOT_APPLICABLE_LABEL}” (not applicable)" if na else ""),
                ),
                number,
                cols[1],
                i_d,
                raw_d,
            )
        else:
            reader.problem(Say(why.vi, why.en), number, cols[0], i_n, raws[0][0])
        return None
    return None, num, den
