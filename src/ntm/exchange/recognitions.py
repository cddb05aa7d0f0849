"""A recognition list (danh sách xã được công nhận): its reader.

One row per recognition: commune, district, tier, year of the standard, decision number and
decision date, in .xlsx or .csv, under Vietnamese headers ("Xã", "Huyện", "Mức công nhận",
"Năm đạt chuẩn", "Số quyết định", "Ngày quyết định") or machine ones (`commune`, `district`,
`tier`, `year`, `decision_number`, `decision_date`; `level`, `for_year`, `decision_no` as in
the project's reference lists). An optional `event` column ("Sự kiện") says what a row
records: then a row is a recognition when it gives a decision number or its event is exactly
"recognised" (*công nhận*); any other row (an appraisal, a target, a mention) is a note, not an
error, and is not imported. Without that column every row is a recognition.

Real lists are messy, and the reader says what it finds, row by row, with sheet, row, column
and value, in Vietnamese and English: a *problem* refuses the row (an impossible date such as
"8/12/20114", a tier it does not know, a decision dated before its year of the standard or two
years after it, one decision number with two dates); a *note* accepts it and says why (one
decision for several rows; a decision dated in the year after its year of the standard, as
"NTM for 2022" decided on 26/01/2023). Matching communes to units, and every rule about what
is recorded already, is the service's (`ntm.recognition.imports`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

from ntm.exchange.filled import (
    FilledFile,
    TooMany,
    header_index,
    missing_columns,
    read_filled,
    too_many_rows,
)
from ntm.exchange.sheets import Say, Sheet, blank, shown
from ntm.exchange.workbook import HEADER_ROWS, MAX_PROBLEMS, InputProblem
from ntm.vn.dates import format_date
from ntm.vn.text import fold

SHEET = "Công nhận"
FIRST_YEAR = 2010  # the programme's first year (QĐ 800/QĐ-TTg of 04/06/2010)

# The commune tiers, as `ntm.recognition.models.Tier` codes them (a test holds them equal).
NTM, ADVANCED, MODEL, MODERN = "ntm", "advanced", "model", "modern"
TIER_LABELS = {
    NTM: Say("NTM", "NTM (standard)"),
    ADVANCED: Say("NTM nâng cao", "advanced NTM"),
    MODEL: Say("NTM kiểu mẫu", "model NTM"),
    MODERN: Say("NTM hiện đại", "modern NTM"),
}


@dataclass(frozen=True)
class ListColumn:
    machine: str
    header: str


# The first column of each machine name is the one a problem names when the file has none.
COLUMNS = (
    ListColumn("commune", "Xã"),
    ListColumn("commune", "Tên xã"),
    ListColumn("district", "Huyện"),
    ListColumn("district", "Tên huyện"),
    ListColumn("tier", "Mức công nhận"),
    ListColumn("tier", "Mức đạt chuẩn"),
    ListColumn("tier", "level"),
    ListColumn("year", "Năm đạt chuẩn"),
    ListColumn("year", "for_year"),
    ListColumn("decision_number", "Số quyết định"),
    ListColumn("decision_number", "decision_no"),
    ListColumn("decision_date", "Ngày quyết định"),
    ListColumn("event", "Sự kiện"),
)
REQUIRED = ("commune", "tier", "year", "decision_number", "decision_date")
_FIRST = {c.machine: c for c in reversed(COLUMNS)}
# An event that is a recognition (folded): "recognised", "công nhận", ...
RECOGNISED_EVENTS = frozenset(
    {"recognised", "recognized", "cong nhan", "duoc cong nhan", "da cong nhan"}
)

# ---------------------------------------------------------------------------- tiers

_TIER_WORDS = {
    "": NTM,
    "standard": NTM,
    "nc": ADVANCED,
    "nang cao": ADVANCED,
    "advanced": ADVANCED,
    "km": MODEL,
    "kieu mau": MODEL,
    "model": MODEL,
    "hien dai": MODERN,
    "modern": MODERN,
}
# Words a tier may be written with before its own ("Xã đạt chuẩn nông thôn mới nâng cao").
_TIER_LEADS = ("xa ", "dat chuan ", "nong thon moi ", "ntm ")


def parse_tier(value: object) -> str | None:
    """ "NTM", "NC", "nâng cao", "NTM nâng cao", "KM", "kiểu mẫu", "hiện đại", "Xã đạt chuẩn
    nông thôn mới" ... -> the tier's code; None for anything else."""
    if value is None or isinstance(value, bool) or not isinstance(value, str):
        return None
    text = " ".join(re.sub(r"[-_.,;/()]", " ", fold(value)).split())
    if not text:
        return None
    text += " "
    changed = True
    while changed:
        changed = False
        for lead in _TIER_LEADS:
            if text.startswith(lead):
                text, changed = text[len(lead) :], True
    return _TIER_WORDS.get(text.strip())


# ---------------------------------------------------------------------------- dates


class DateProblem(ValueError):
    """A cell that is not a day: why, in both languages."""

    def __init__(self, reason: Say) -> None:
        super().__init__(reason.vi)
        self.reason = reason


_DMY = re.compile(r"(\d{1,2})\s*[/.-]\s*(\d{1,2})\s*[/.-]\s*(\d+)")
_YMD = re.compile(r"(\d{3,})-(\d{1,2})-(\d{1,2})")
_FORMS = Say("dùng dd/mm/yyyy, d/m/yyyy hoặc yyyy-mm-dd", "use dd/mm/yyyy, d/m/yyyy or yyyy-mm-dd")


def parse_day(value: object) -> dt.date:
    """A decision date: a date cell, or text dd/mm/yyyy, d/m/yyyy (also with "." or "-") or
    yyyy-mm-dd. Anything else raises `DateProblem` saying what is wrong ("8/12/20114": the
    year has five digits; 31/02/2023: February has no 31st)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if not isinstance(value, str):
        raise DateProblem(
            Say(
                f"ô là một con số, không phải một ngày; {_FORMS.vi} hoặc định dạng ô kiểu ngày",
                f"the cell is a number, not a date; {_FORMS.en}, or format the cell as a date",
            )
        )
    text = value.strip()
    if m := _DMY.fullmatch(text):
        day, month, year = m.group(1), m.group(2), m.group(3)
    elif m := _YMD.fullmatch(text):
        year, month, day = m.group(1), m.group(2), m.group(3)
    else:
        raise DateProblem(Say(f"không đọc được ngày; {_FORMS.vi}", f"not a date; {_FORMS.en}"))
    if len(year) != 4:
        raise DateProblem(
            Say(
                f"năm “{year}” không có thật: năm ghi đủ 4 chữ số",
                f"the year “{year}” is impossible: a year has four digits",
            )
        )
    y, mo, d = int(year), int(month), int(day)
    if not 1 <= mo <= 12:
        raise DateProblem(
            Say(f"tháng {mo} không có thật (1 đến 12)", f"there is no month {mo} (1 to 12)")
        )
    last = calendar.monthrange(y, mo)[1]
    if not 1 <= d <= last:
        raise DateProblem(
            Say(
                f"tháng {mo}/{y} không có ngày {d} (có {last} ngày)",
                f"{calendar.month_name[mo]} {y} has no day {d} (it has {last} days)",
            )
        )
    return dt.date(y, mo, d)


def parse_year(value: object) -> int | None:
    """2022, 2022.0, "2022" -> 2022; None for anything else ("2019 (target)", "năm 2020")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}", value.strip()):
        return int(value)
    return None


# ---------------------------------------------------------------------------- reading


def number_key(number: str) -> str:
    """A decision number as compared: case and spacing do not matter ("2165/QĐ-UBND")."""
    return fold(number, keep_marks=True).replace(" ", "")


@dataclass(frozen=True)
class ListedRow:
    """A recognition row: what the cells say (None where blank or unreadable)."""

    row: int
    commune: str | None
    district: str | None
    tier: str | None
    year: int | None
    number: str
    date: dt.date | None
    cells: dict[str, Any]  # machine -> the cell as written (for problems)


@dataclass
class RecognitionList(FilledFile):
    """The list as read: its recognition rows, the problems found and the notes (rows
    accepted with a remark, rows that are not recognitions)."""

    COLUMNS: ClassVar[Sequence[ListColumn]] = COLUMNS
    rows: list[ListedRow] = field(default_factory=list)
    notes: list[InputProblem] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # machine -> header as written

    def _place(self, reason: Say, row: int | None, machine: str, value: Any) -> InputProblem:
        header = self.headers.get(machine) or (_FIRST[machine].header if machine else None)
        return InputProblem.of(
            reason,
            self.sheet,
            row,
            header,
            self.letters.get(machine),
            shown(value) if isinstance(value, str) else value,
        )

    def problem(
        self, reason: Say, row: int | None = None, machine: str = "", value: Any = None
    ) -> None:
        """A problem at the row and column, named as the file names the column."""
        self.problems.append(self._place(reason, row, machine, value))
        if len(self.problems) >= MAX_PROBLEMS:
            raise TooMany

    def note(
        self, reason: Say, row: int | None = None, machine: str = "", value: Any = None
    ) -> None:
        """A remark on a row that is accepted (or, not a recognition, left out)."""
        self.notes.append(self._place(reason, row, machine, value))

    def data_rows(self) -> set[int]:
        return {r.row for r in self.rows}


def read_recognitions(
    path: str | Path, *, name: str | None = None, today: dt.date | None = None
) -> RecognitionList:
    """Read a recognition list (.xlsx or .csv); the problems and notes found are on the
    result (nothing is raised for a cell). `today` bounds the dates (a decision is not
    signed in the future)."""
    path = Path(path)
    found = RecognitionList(sheet=name or path.name)
    day = today or dt.date.today()
    read_filled(path, found, SHEET, lambda f, sheet: _read(f, sheet, day))
    return found


def _remembered(sheet: Sheet, seen: dict[int, list[Any]]) -> None:
    """Keep the first rows as they pass (the header row's own words name the columns)."""
    rows = sheet.rows

    def keep() -> Any:
        for number, values in rows:
            if number <= HEADER_ROWS:
                seen[number] = values
            yield number, values

    sheet.rows = keep()


def _read(found: RecognitionList, sheet: Sheet, today: dt.date) -> None:
    seen: dict[int, list[Any]] = {}
    _remembered(sheet, seen)
    header_row, index = header_index(found, sheet, "commune", "Xã")
    if not index:
        return
    found.headers = {m: str(seen[header_row][i]).strip() for m, i in index.items()}
    if missing_columns(found, header_row, [_FIRST[m] for m in REQUIRED if m not in index]):
        return
    has_event = "event" in index
    count = 0
    for number, values in sheet.rows:
        cells = {m: values[i] if i < len(values) else None for m, i in index.items()}
        cells = {m: None if blank(v) else v for m, v in cells.items()}
        count += 1
        if too_many_rows(found, count, number):
            return
        if has_event and not _is_recognition(cells):
            event = cells.get("event")
            found.note(
                Say(
                    "không phải quyết định công nhận (không có số quyết định, sự kiện không "
                    "phải “recognised”): không nhập",
                    "not a recognition (no decision number, and the event is not "
                    "“recognised”): not imported",
                ),
                number,
                "event",
                "" if event is None else event,
            )
            continue
        found.rows.append(_row(found, number, cells, today))
    _same_decision(found)


def _is_recognition(cells: dict[str, Any]) -> bool:
    event = cells.get("event")
    return cells.get("decision_number") is not None or (
        isinstance(event, str) and fold(event) in RECOGNISED_EVENTS
    )


def _text(cells: dict[str, Any], machine: str) -> str | None:
    value = cells.get(machine)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return " ".join(str(value).split()) or None


def _row(found: RecognitionList, number: int, cells: dict[str, Any], today: dt.date) -> ListedRow:
    commune = _text(cells, "commune")
    if commune is None:
        found.problem(Say("thiếu tên xã", "the commune's name is missing"), number, "commune", "")
    raw_tier = cells.get("tier")
    tier = parse_tier(raw_tier)
    if tier is None:
        found.problem(
            Say(
                "mức công nhận không rõ: ghi NTM, NC (nâng cao), KM (kiểu mẫu) hoặc hiện đại",
                "unknown tier: write NTM, NC (nâng cao, advanced), KM (kiểu mẫu, model) or "
                "hiện đại (modern)",
            ),
            number,
            "tier",
            "" if raw_tier is None else raw_tier,
        )
    year = _year(found, number, cells.get("year"), today)
    decision = _text(cells, "decision_number") or ""
    if not decision:
        found.problem(
            Say("thiếu số quyết định", "the decision number is missing"),
            number,
            "decision_number",
            "",
        )
    return ListedRow(
        row=number,
        commune=commune,
        district=_text(cells, "district"),
        tier=tier,
        year=year,
        number=decision,
        date=_date(found, number, cells.get("decision_date"), year, today),
        cells=cells,
    )


def _year(found: RecognitionList, number: int, raw: Any, today: dt.date) -> int | None:
    year = parse_year(raw)
    if raw is None:
        found.problem(
            Say("thiếu năm đạt chuẩn", "the year of the standard is missing"), number, "year", ""
        )
    elif year is None:
        found.problem(
            Say(
                "năm đạt chuẩn phải là một năm (2022)", "the year of the standard is a year (2022)"
            ),
            number,
            "year",
            raw,
        )
    elif not FIRST_YEAR <= year <= today.year:
        found.problem(
            Say(
                f"năm đạt chuẩn phải từ {FIRST_YEAR} đến {today.year}",
                f"the year of the standard must lie between {FIRST_YEAR} and {today.year}",
            ),
            number,
            "year",
            raw,
        )
        return None
    return year


def _date(
    found: RecognitionList, number: int, raw: Any, year: int | None, today: dt.date
) -> dt.date | None:
    if raw is None:
        found.problem(
            Say("thiếu ngày quyết định", "the decision date is missing"),
            number,
            "decision_date",
            "",
        )
        return None
    try:
        day = parse_day(raw)
    except DateProblem as e:
        found.problem(e.reason, number, "decision_date", raw)
        return None
    shown_day = format_date(day)
    if day > today:
        found.problem(
            Say(
                f"ngày quyết định {shown_day} chưa đến",
                f"the decision date {shown_day} is in the future",
            ),
            number,
            "decision_date",
            raw,
        )
        return None
    if year is None:
        return day
    if day.year < year:
        found.problem(
            Say(
                f"quyết định ký ngày {shown_day}, trước năm đạt chuẩn {year}",
                f"the decision is dated {shown_day}, before its year of the standard {year}",
            ),
            number,
            "decision_date",
            raw,
        )
        return None
    if day.year > year + 1:
        found.problem(
            Say(
                f"quyết định ký ngày {shown_day}, hơn một năm sau năm đạt chuẩn {year}: kiểm "
                "tra lại năm đạt chuẩn hoặc ngày ký",
                f"the decision is dated {shown_day}, more than a year after its year of the "
                f"standard {year}: check the year or the date",
            ),
            number,
            "decision_date",
            raw,
        )
        return None
    if day.year == year + 1:
        found.note(
            Say(
                f"quyết định ký ngày {shown_day} công nhận đạt chuẩn năm {year}: hợp lệ, quyết "
                "định thường ký đầu năm sau",
                f"the decision dated {shown_day} recognises the year {year}: accepted, "
                "decisions are often signed early in the following year",
            ),
            number,
            "decision_date",
            raw,
        )
    return day


def _same_decision(found: RecognitionList) -> None:
    """One decision number on several rows: one act for several communes (a note), unless
    the rows give it two dates in one year (a problem on each row)."""
    by_number: dict[tuple[str, int], list[ListedRow]] = defaultdict(list)
    for row in found.rows:
        if row.number and row.date is not None:
            by_number[(number_key(row.number), row.date.year)].append(row)
    for rows in by_number.values():
        if len(rows) < 2:
            continue
        dates = sorted({r.date for r in rows if r.date is not None})
        listed = ", ".join(str(r.row) for r in rows)
        if len(dates) > 1:
            days = ", ".join(format_date(d) for d in dates)
            for r in rows:
                found.problem(
                    Say(
                        f"số quyết định {r.number} ghi với {len(dates)} ngày khác nhau "
                        f"({days}) ở các dòng {listed}",
                        f"decision {r.number} is given {len(dates)} different dates ({days}) "
                        f"on rows {listed}",
                    ),
                    r.row,
                    "decision_number",
                    r.number,
                )
            continue
        first = rows[0]
        found.note(
            Say(
                f"quyết định {first.number} ngày {format_date(dates[0])} có trên "
                f"{len(rows)} dòng ({listed}): hợp lệ, một quyết định có thể công nhận nhiều xã",
                f"decision {first.number} of {format_date(dates[0])} is on {len(rows)} rows "
                f"({listed}): accepted, one decision may recognise several communes",
            ),
            first.row,
            "decision_number",
            first.number,
        )
