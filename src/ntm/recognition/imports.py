"""Import a recognition list (`ntm.exchange.recognitions`) into a province: all or nothing,
unless the user chooses to import only the clean rows — a choice the import's audit row keeps,
with every row it left out and why.

Each row names a commune among the province's communes in force on the decision's date (on
31/12 of the year of the standard when the date is unusable): diacritics, case and the "Xã"
prefix do not matter, the district tells communes of one name apart, and a name that matches
none or several is a problem, never a guess; a name read other than as the unit writes it is a
note. A commune listed twice at one tier with two decisions — in the file, or against what is
recorded — is a problem naming both; listed again with the same decision, a note (recorded
once). Every recognition is written through `services.record_recognised`, so the province
office alone imports, and each decision is one `RecognitionDecision` however many rows name it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.audit.services import record as audit
from ntm.exchange.recognitions import (
    TIER_LABELS,
    ListedRow,
    RecognitionList,
    number_key,
    read_recognitions,
)
from ntm.exchange.sheets import Say
from ntm.exchange.workbook import InputError, InputProblem
from ntm.recognition.models import OPEN, Recognition, Status
from ntm.recognition.services import (
    DecisionBasis,
    RecognitionError,
    record_recognised,
)
from ntm.units.event_import import matching
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import UnitLookupError, units_of
from ntm.vn.dates import format_date

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OBJECT = "recognition.import"
NO_RECOGNITION = Say("danh sách không có dòng công nhận nào", "the list has no recognition row")
NOTHING_CLEAN = Say(
    "không còn dòng nào không có lỗi để nhập", "no row without a problem is left to import"
)


class ImportRefused(InputError):
    """Nothing was written: the problems, and the notes the list gave besides."""

    def __init__(
        self, problems: list[InputProblem], source: str, notes: list[InputProblem]
    ) -> None:
        super().__init__(problems, source)
        self.notes = notes


@dataclass(frozen=True)
class Written:
    """A row recorded: the unit it names and its recognition."""

    row: int
    unit: Unit
    recognition: Recognition


@dataclass(frozen=True)
class ImportReport:
    source: str
    clean_only: bool
    written: list[Written]
    skipped: list[InputProblem]  # the problems of the rows left out (clean_only)
    notes: list[InputProblem]


@dataclass
class _Planned:
    row: ListedRow
    unit: Unit


def issuer_of(province: Unit) -> str:
    """The body a list's decisions come from: the province's People's Committee."""
    name = province.name
    return f"UBND {name[:1].lower()}{name[1:]}"


def _day(row: ListedRow) -> dt.date | None:
    if row.date is not None:
        return row.date
    return None if row.year is None else dt.date(row.year, 12, 31)


def _where(unit: Unit) -> str:
    parent = unit.parent.name if unit.parent is not None else "—"
    return f"{unit.name} ({unit.code or '—'}, {parent})"


class _Matcher:
    """The communes of the province by day (one query per day met)."""

    def __init__(self, found: RecognitionList, province: Unit) -> None:
        self.found = found
        self.province = province
        self.by_day: dict[dt.date, list[Unit]] = {}

    def units(self, day: dt.date) -> list[Unit]:
        if day not in self.by_day:
            try:
                self.by_day[day] = units_of(self.province, day)
            except UnitLookupError:
                self.by_day[day] = []
        return self.by_day[day]

    def unit(self, row: ListedRow) -> Unit | None:
        day = _day(row)
        if row.commune is None or day is None:
            return None
        every = self.units(day)
        communes = [u for u in every if u.kind == UnitKind.COMMUNE]
        found = matching(communes, row.commune)
        if row.district is not None and found:
            districts = matching([u for u in every if u.kind == UnitKind.DISTRICT], row.district)
            inside = [u for u in found if u.parent_id in {d.pk for d in districts}]
            if not inside:
                self.found.problem(
                    Say(
                        f"huyện “{row.district}” không có xã tên này vào ngày {format_date(day)}; "
                        f"xã tên này: {', '.join(_where(u) for u in found)}",
                        f"district “{row.district}” has no commune of this name on "
                        f"{format_date(day)}; communes of this name: "
                        f"{', '.join(_where(u) for u in found)}",
                    ),
                    row.row,
                    "commune",
                    row.commune,
                )
                return None
            found = inside
        if len(found) == 1:
            unit = found[0]
            if row.commune != unit.name:  # no diacritics, no "Xã", another case: said
                self.found.note(
                    Say(
                        f"tên “{row.commune}” được hiểu là {_where(unit)}",
                        f"the name “{row.commune}” is read as {_where(unit)}",
                    ),
                    row.row,
                    "commune",
                    row.commune,
                )
            return unit
        if found:
            self.found.problem(
                Say(
                    f"tên này khớp với {len(found)} xã: {'; '.join(_where(u) for u in found)}; "
                    "ghi tên huyện",
                    f"the name matches {len(found)} communes: "
                    f"{'; '.join(_where(u) for u in found)}; give the district",
                ),
                row.row,
                "commune",
                row.commune,
            )
            return None
        others = [u for u in matching(every, row.commune) if u.kind != UnitKind.DISTRICT]
        if others:
            self.found.problem(
                Say(
                    f"{_where(others[0])} là {others[0].get_kind_display().lower()}, không phải "
                    "xã: phường và thị trấn không được công nhận theo bộ tiêu chí xã",
                    f"{_where(others[0])} is not a commune: wards and townships are not "
                    "recognised under the commune set",
                ),
                row.row,
                "commune",
                row.commune,
            )
            return None
        self.found.problem(
            Say(
                f"không có xã nào tên này thuộc {self.province.name} vào ngày {format_date(day)}",
                f"no commune of {self.province.name} has this name on {format_date(day)}",
            ),
            row.row,
            "commune",
            row.commune,
        )
        return None


def _tier(row: ListedRow) -> Say:
    assert row.tier is not None  # rows without a tier are not matched
    return TIER_LABELS[row.tier]


def _decision_text(number: str, day: dt.date | None) -> str:
    return f"{number} ({format_date(day)})"


def _conflicts(found: RecognitionList, planned: list[_Planned]) -> list[_Planned]:
    """A commune at one tier on several rows: the same decision is recorded once (a note),
    two decisions are a problem on each row. Returns the rows to record."""
    by_case: dict[tuple[int, str], list[_Planned]] = defaultdict(list)
    for p in planned:
        assert p.row.tier is not None
        by_case[(p.unit.pk, p.row.tier)].append(p)
    kept = []
    for rows in by_case.values():
        decisions = {(number_key(p.row.number), p.row.date, p.row.year) for p in rows}
        if len(decisions) == 1:
            kept.append(rows[0])
            for p in rows[1:]:
                found.note(
                    Say(
                        f"{p.unit.name} đã có ở dòng {rows[0].row} với cùng quyết định: ghi "
                        "một lần",
                        f"{p.unit.name} is already on row {rows[0].row} with the same "
                        "decision: recorded once",
                    ),
                    p.row.row,
                    "commune",
                    p.row.commune,
                )
            continue
        for p in rows:
            others = "; ".join(
                f"dòng {o.row.row}: {_decision_text(o.row.number, o.row.date)}, năm {o.row.year}"
                for o in rows
                if o is not p
            )
            others_en = "; ".join(
                f"row {o.row.row}: {_decision_text(o.row.number, o.row.date)}, year {o.row.year}"
                for o in rows
                if o is not p
            )
            tier = _tier(p.row)
            found.problem(
                Say(
                    f"{p.unit.name} ({tier.vi}) có quyết định khác ở {others}; dòng này ghi "
                    f"{_decision_text(p.row.number, p.row.date)}, năm {p.row.year}",
                    f"{p.unit.name} ({tier.en}) has another decision on {others_en}; this row "
                    f"gives {_decision_text(p.row.number, p.row.date)}, year {p.row.year}",
                ),
                p.row.row,
                "decision_number",
                p.row.number,
            )
    return kept


def _against_record(found: RecognitionList, planned: list[_Planned]) -> list[_Planned]:
    """What is recorded already: the same recognition is a note (not written again), another
    decision for a recognition in force or a case under way at the tier a problem."""
    cases: dict[tuple[int, str], list[Recognition]] = defaultdict(list)
    for case in Recognition.objects.filter(unit__in=[p.unit for p in planned]).select_related(
        "decision"
    ):
        cases[(case.unit_id, case.tier)].append(case)
    kept = []
    for p in planned:
        row = p.row
        tier = _tier(row)
        recorded = cases[(p.unit.pk, row.tier or "")]
        same = [
            c
            for c in recorded
            if c.decision is not None
            and number_key(c.decision.number) == number_key(row.number)
            and c.decision.date_signed == row.date
            and c.year == row.year
        ]
        if same:
            found.note(
                Say(
                    f"{p.unit.name} ({tier.vi}, năm {row.year}) đã được ghi với quyết định này: "
                    "không ghi lại",
                    f"{p.unit.name} ({tier.en}, year {row.year}) is already recorded with this "
                    "decision: not written again",
                ),
                row.row,
                "decision_number",
                row.number,
            )
            continue
        clash = next(
            (c for c in recorded if c.status in (Status.RECOGNISED, Status.ACKNOWLEDGED, *OPEN)),
            None,
        )
        if clash is None:
            kept.append(p)
        elif clash.decision is not None:
            held = clash.decision
            found.problem(
                Say(
                    f"{p.unit.name} ({tier.vi}) đã được ghi công nhận năm {clash.year} theo "
                    f"quyết định {_decision_text(held.number, held.date_signed)}; dòng này ghi "
                    f"{_decision_text(row.number, row.date)}, năm {row.year}",
                    f"{p.unit.name} ({tier.en}) is recorded as recognised for {clash.year} by "
                    f"decision {_decision_text(held.number, held.date_signed)}; this row gives "
                    f"{_decision_text(row.number, row.date)}, year {row.year}",
                ),
                row.row,
                "decision_number",
                row.number,
            )
        else:
            found.problem(
                Say(
                    f"{p.unit.name} đang có hồ sơ {tier.vi} ({clash.get_status_display()}): "
                    "ghi quyết định trên hồ sơ đó",
                    f"{p.unit.name} has a case for {tier.en} under way "
                    f"({clash.get_status_display()}): record the decision on that case",
                ),
                row.row,
                "commune",
                row.commune,
            )
    return kept


def import_recognitions(
    path: str | Path,
    province: Unit,
    *,
    acting_user: User | None = None,
    actor: str = "",
    clean_only: bool = False,
    source_name: str | None = None,
) -> ImportReport:
    """Record the recognitions a list gives for communes of `province`. Every row is written,
    or none and `ImportRefused` lists every problem; with `clean_only` the rows without a
    problem are written and the others left out, which the import's audit row records. A
    person must be the province office; without one, `actor` names the loading program."""
    allowed = acting_user is not None and permissions.can_approve(acting_user, province)
    if not allowed and (acting_user is not None or not actor):
        raise RecognitionError([gettext("You may not take this step for this unit.")])
    path = Path(path)
    name = source_name or path.name
    found = read_recognitions(path, name=source_name, today=timezone.localdate())
    matcher = _Matcher(found, province)
    planned = []
    for row in found.rows:
        unit = matcher.unit(row)
        if unit is not None and row.tier is not None:
            planned.append(_Planned(row, unit))
    rows = found.data_rows()

    def bad() -> set[int | None]:  # the rows with a problem so far
        return {p.row for p in found.problems if p.row in rows}

    planned = _conflicts(found, [p for p in planned if p.row.row not in bad()])
    planned = _against_record(found, [p for p in planned if p.row.row not in bad()])
    left_out = bad()
    whole = [p for p in found.problems if p.row not in rows]  # the file's own
    if whole or (found.problems and not clean_only):
        raise ImportRefused(found.problems, name, found.notes)
    if not found.rows:
        raise ImportRefused([InputProblem.of(NO_RECOGNITION, name)], name, found.notes)
    clean = [p for p in planned if p.row.row not in left_out]
    if found.problems and not clean:
        raise ImportRefused(
            [*found.problems, InputProblem.of(NOTHING_CLEAN, name)], name, found.notes
        )
    skipped = [p for p in found.problems if p.row in left_out]
    with transaction.atomic():
        written = [_write(p, province, name, acting_user, actor) for p in clean]
        if written:
            audit(
                action="recognition.import",
                object_type=OBJECT,
                object_id=province.pk,
                after=_audited(name, clean_only, written, skipped, found.notes),
                acting_user=acting_user,
                actor=actor,
                reason=(
                    "Chỉ nhập các dòng không có lỗi (người nhập chọn); các dòng bỏ qua ghi "
                    "kèm lý do"
                    if clean_only and skipped
                    else ""
                ),
            )
    return ImportReport(name, clean_only, written, skipped, found.notes)


def _write(
    p: _Planned, province: Unit, source: str, acting_user: User | None, actor: str
) -> Written:
    row = p.row
    assert row.tier is not None and row.year is not None
    basis = DecisionBasis(row.number, row.date, issuer_of(province))
    try:
        case = record_recognised(
            p.unit,
            row.tier,
            row.year,
            basis,
            acting_user=acting_user,
            actor=actor,
            note=f"Nhập từ danh sách {source}, dòng {row.row}",
        )
    except RecognitionError as e:  # a change committed meanwhile: nothing is kept
        problems = [InputProblem.of(Say(t, t), source, row.row) for t in e.problems]
        raise ImportRefused(problems, source, []) from None
    return Written(row.row, p.unit, case)


def _audited(
    source: str,
    clean_only: bool,
    written: list[Written],
    skipped: list[InputProblem],
    notes: list[InputProblem],
) -> dict[str, Any]:
    return {
        "source": source,
        "clean_only": clean_only,
        "written": [
            {"row": w.row, "unit": w.unit.pk, "recognition": w.recognition.pk} for w in written
        ],
        "skipped": [{"row": p.row, "problem": p.text("vi")} for p in skipped],
        "notes": [n.text("vi") for n in notes],
    }
