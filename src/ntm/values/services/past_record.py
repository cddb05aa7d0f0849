"""Loading a record kept before ntm (or simulated): values, declarations and approvals, each
with the moment it holds from, checked whole and written in one transaction, or refused with
every problem found. Its messages are Vietnamese whatever the interface language, English
in brackets after them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import transaction
from django.utils import timezone

from ntm.accounts import permissions
from ntm.audit.services import MissingActorError, record
from ntm.criteria.loader import load_measures
from ntm.criteria.schema import CriteriaSet
from ntm.units.models import Unit
from ntm.values.models import Declaration, DeclaredStatus, Stage, Submission, Value
from ntm.values.record import write_past
from ntm.values.services.checks import check_unit
from ntm.values.services.entries import Entry, check_entry
from ntm.values.services.errors import InvalidEntry, ValuesError
from ntm.values.services.locks import lock_units
from ntm.vn.dates import format_datetime
from ntm.vn.numbers import format_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User

HISTORY_OBJECT = "values.history"
_K = TypeVar("_K")
_T = TypeVar("_T")
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class PastValue:
    """A value of a historical record as it stood from `at` (timezone-aware) on."""

    unit: Unit
    measure: str
    period: int
    entry: Entry
    at: dt.datetime


@dataclass(frozen=True)
class PastDeclaration:
    """A criterion status declared under `set_id`, holding from `at` on ("" withdraws it)."""

    unit: Unit
    period: int
    set_id: str
    criterion: int
    status: str
    at: dt.datetime


@dataclass(frozen=True)
class PastApproval:
    """A unit's period approved (locked) under `set_id` at `at`."""

    unit: Unit
    period: int
    set_id: str
    at: dt.datetime


@dataclass(frozen=True)
class HistoryLoad:
    values: int  # Value rows written
    declarations: int  # Declaration rows written
    approvals: int  # Submission rows written (approved)
    audit_rows: int  # every audit row written, the summary row included
    audit_id: int  # the summary row


class HistoryRefused(ValuesError):
    """A historical record that cannot be loaded: every problem found, nothing written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"- {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n- … và {format_number(more)} lỗi khác." if more > 0 else ""
        super().__init__(
            f"Không nạp được lịch sử số liệu, chưa ghi gì ({format_number(len(problems))} "
            f"lỗi):\n{shown}{tail}\n(The historical record was refused; nothing was written.)"
        )


def _when(at: dt.datetime) -> str:
    return format_datetime(timezone.localtime(at), time_first=True)


def _unit_problem(unit: Unit, period: int) -> str | None:
    try:
        check_unit(unit, period)
    except ValuesError as exc:
        return f"{unit} năm {period}: {exc}"
    return None


def _history(
    items: Iterable[tuple[_K, dt.datetime, _T]], empty: _T, what: Callable[[_K], str]
) -> tuple[dict[_K, list[tuple[dt.datetime, _T]]], list[str]]:
    """key -> [(at, content), ...] in time order, an entry equal to the one before it dropped
    (no change, no version, as `save_value` does); two contents at one moment are a problem."""
    raw: dict[_K, list[tuple[dt.datetime, _T]]] = {}
    for key, at, content in items:
        raw.setdefault(key, []).append((at, content))
    out: dict[_K, list[tuple[dt.datetime, _T]]] = {}
    problems = []
    for key, entries in raw.items():
        entries.sort(key=lambda e: e[0])
        kept: list[tuple[dt.datetime, _T]] = []
        for at, content in entries:
            if kept and kept[-1][0] == at and kept[-1][1] != content:
                problems.append(f"{what(key)}: hai giá trị khác nhau cùng lúc {_when(at)}.")
            elif (kept[-1][1] if kept else empty) != content:
                kept.append((at, content))
        if kept:
            out[key] = kept
    return out, problems


def load_history(
    sets: Sequence[CriteriaSet],
    values: Iterable[PastValue] = (),
    declarations: Iterable[PastDeclaration] = (),
    approvals: Iterable[PastApproval] = (),
    *,
    reason: str,
    actor: str = "",
    acting_user: User | None = None,
    stages: Sequence[str] = (Stage.CLAIMED, Stage.VERIFIED),
) -> HistoryLoad:
    """Load a record kept before ntm (or simulated): values, declarations and approvals, each
    with the moment it holds from, into units and periods that hold nothing yet.

    `sets` are the criteria sets the record was kept under (bundled or not): a value's measure
    must be one a set covering its period reads (or weighs it by), a declaration's and an
    approval's set one of them. A record kept before ntm has one entry per value, written to
    every stage in `stages`. Every audit row carries `after["at"]`, the moment it holds from,
    so the record answers "as of" any date (`ntm.results.record`); the rows are bulk-
    written in one transaction with one summary row. Results are not refreshed: the cache key
    moves with the new rows, so a read recomputes them. Raises `HistoryRefused` listing every
    problem (nothing written); with `acting_user`, the user must approve for every unit.
    """
    if acting_user is None and not actor:
        raise MissingActorError
    values, declarations, approvals = list(values), list(declarations), list(approvals)
    by_id = {s.id: s for s in sets}
    problems: list[str] = []
    if len(by_id) != len(sets):
        problems.append("Một bộ tiêu chí được nêu hai lần. (A set is given twice.)")
    if not stages:
        problems.append("Cần ít nhất một giai đoạn. (No stage.)")
    problems += [
        f"Giai đoạn không hợp lệ: {s}. (Unknown stage.)" for s in stages if s not in Stage.values
    ]
    catalogue = load_measures()
    reads: dict[str, set[str]] = {}
    for s in sets:
        keys = {cond.measure for c in s.criteria for i in c.indicators for cond in i.conditions}
        weights = {catalogue[k].weight_measure for k in keys if k in catalogue}
        reads[s.id] = keys | {w for w in weights if w is not None}

    def covering(period: int) -> list[str]:
        return [s.id for s in sets if s.applies_to(period)]

    checked: dict[tuple[int, int], str | None] = {}

    def unit_ok(unit: Unit, period: int) -> bool:
        key = (unit.pk, period)
        if key not in checked:
            checked[key] = _unit_problem(unit, period)
            if checked[key]:
                problems.append(str(checked[key]))
        return checked[key] is None

    def aware(at: dt.datetime, what: str) -> bool:
        if timezone.is_naive(at):
            problems.append(f"{what}: thời điểm {at} thiếu múi giờ. (Naive datetime.)")
        return timezone.is_aware(at)

    units = {v.unit.pk: v.unit for v in values}
    units |= {d.unit.pk: d.unit for d in declarations}
    units |= {a.unit.pk: a.unit for a in approvals}
    name = {pk: str(u) for pk, u in units.items()}

    good_values: list[tuple[tuple[int, str, int], dt.datetime, dict[str, Any]]] = []
    for v in values:
        what = f"{name[v.unit.pk]}, {v.measure}, năm {v.period}"
        if not unit_ok(v.unit, v.period) or not aware(v.at, what):
            continue
        if v.measure not in catalogue:
            problems.append(f"{what}: không có mã đo lường “{v.measure}”. (Unknown measure.)")
            continue
        if not any(v.measure in reads[s] for s in covering(v.period)):
            ids = ", ".join(covering(v.period)) or "không có bộ nào"
            problems.append(
                f"{what}: bộ tiêu chí của năm này ({ids}) không đọc chỉ tiêu này. "
                "(No set of the period reads this measure.)"
            )
            continue
        try:
            entry = check_entry(catalogue[v.measure], v.entry)
        except InvalidEntry as exc:
            problems.append(f"{what}: {exc}")
            continue
        good_values.append(((v.unit.pk, v.measure, v.period), v.at, entry.as_dict()))

    good_decls: list[tuple[tuple[int, int, str, int], dt.datetime, str]] = []
    for d in declarations:
        what = f"{name[d.unit.pk]}, tiêu chí {d.criterion}, năm {d.period}, bộ {d.set_id}"
        cset = by_id.get(d.set_id)
        if cset is None:
            problems.append(f"{what}: bộ tiêu chí không có trong lần nạp. (Unknown set.)")
        elif d.criterion not in {c.number for c in cset.criteria}:
            problems.append(f"{what}: bộ tiêu chí không có tiêu chí này. (No such criterion.)")
        elif d.status not in (*DeclaredStatus.values, ""):
            problems.append(f"{what}: trạng thái không hợp lệ “{d.status}”. (Unknown status.)")
        elif d.set_id not in covering(d.period):
            problems.append(f"{what}: năm nằm ngoài giai đoạn của bộ. (Year outside the set.)")
        elif unit_ok(d.unit, d.period) and aware(d.at, what):
            good_decls.append(((d.unit.pk, d.period, d.set_id, d.criterion), d.at, d.status))

    approved: dict[tuple[int, int, str], dt.datetime] = {}
    for a in approvals:
        what = f"{name[a.unit.pk]}, năm {a.period}, bộ {a.set_id}"
        cset = by_id.get(a.set_id)
        if cset is None:
            problems.append(f"{what}: bộ tiêu chí không có trong lần nạp. (Unknown set.)")
        elif a.set_id not in covering(a.period):
            problems.append(f"{what}: năm nằm ngoài giai đoạn của bộ. (Year outside the set.)")
        elif (a.unit.pk, a.period, a.set_id) in approved:
            problems.append(f"{what}: được duyệt hai lần. (Approved twice.)")
        elif unit_ok(a.unit, a.period) and aware(a.at, what):
            approved[(a.unit.pk, a.period, a.set_id)] = a.at

    histories, found = _history(
        good_values, Entry().as_dict(), lambda k: f"{name[k[0]]}, {k[1]}, năm {k[2]}"
    )
    problems += found
    declared, found = _history(
        good_decls, "", lambda k: f"{name[k[0]]}, tiêu chí {k[3]}, năm {k[1]}, bộ {k[2]}"
    )
    problems += found
    # An approved period is locked: nothing of it may change after its approval.
    last: dict[tuple[int, int], list[tuple[str, str | None, dt.datetime]]] = {}
    for (u, measure, p), h in histories.items():
        last.setdefault((u, p), []).append((measure, None, h[-1][0]))
    for (u, p, set_id, c), statuses in declared.items():
        last.setdefault((u, p), []).append((f"tiêu chí {c}", set_id, statuses[-1][0]))
    for (unit, period, set_id), at in approved.items():
        late = [
            what
            for what, of_set, when in last.get((unit, period), [])
            if when > at and (of_set == set_id if of_set else what in reads[set_id])
        ]
        if late:
            problems.append(
                f"{name[unit]}, năm {period}, bộ {set_id}: {', '.join(late)} thay đổi sau khi "
                f"được duyệt lúc {_when(at)}. (Changed after its approval.)"
            )
    if acting_user is not None:
        problems += [
            f"{u}: bạn không có quyền duyệt số liệu của đơn vị này. (Not allowed.)"
            for u in units.values()
            if not permissions.can_approve(acting_user, u)
        ]

    with transaction.atomic():
        periods = {(u, p) for u, _, p in histories} | {(u, p) for u, p, _, _ in declared}
        periods |= {(u, p) for u, p, _ in approved}
        lock_units(u for u, _ in periods)  # nothing may be written there while we check
        problems += _holding(periods, name)
        if problems:
            raise HistoryRefused(problems)
        return _write_history(
            histories,
            declared,
            approved,
            stages,
            sorted(by_id),
            reason=reason,
            actor=actor,
            acting_user=acting_user,
        )


def _holding(periods: set[tuple[int, int]], name: dict[int, str]) -> list[str]:
    """A problem for every (unit, period) of the load that already holds something."""
    if not periods:
        return []
    unit_ids = {u for u, _ in periods}
    years = {p for _, p in periods}
    held: set[tuple[int, int]] = set()
    for rows in (
        Value.objects.filter(unit_id__in=unit_ids, period__in=years),
        Declaration.objects.filter(unit_id__in=unit_ids, period__in=years),
        Submission.objects.filter(unit_id__in=unit_ids, period__in=years),
    ):
        held |= set(rows.values_list("unit_id", "period").distinct()) & periods
    return [
        f"{name[u]} năm {p} đã có số liệu: lịch sử chỉ được nạp vào năm còn trống. "
        "(This unit and period already hold values.)"
        for u, p in sorted(held)
    ]


def _write_history(
    values: dict[tuple[int, str, int], list[tuple[dt.datetime, dict[str, Any]]]],
    declared: dict[tuple[int, int, str, int], list[tuple[dt.datetime, str]]],
    approved: dict[tuple[int, int, str], dt.datetime],
    stages: Sequence[str],
    sets: list[str],
    *,
    reason: str,
    actor: str,
    acting_user: User | None,
) -> HistoryLoad:
    summary = record(
        action="values.load_history",
        object_type=HISTORY_OBJECT,
        after={
            "values": len(values),
            "declarations": len(declared),
            "approvals": len(approved),
            "units": len({k[0] for k in (*values, *declared, *approved)}),
            "periods": sorted({k[-1] for k in values} | {k[1] for k in (*declared, *approved)}),
            "sets": sets,
            "stages": list(stages),
        },
        acting_user=acting_user,
        actor=actor,
        reason=reason,
    )
    rows, decls, subs, audit_rows = write_past(values, declared, approved, stages, summary=summary)
    return HistoryLoad(
        values=len(rows),
        declarations=len(decls),
        approvals=len(subs),
        audit_rows=audit_rows + 1,
        audit_id=summary.pk,
    )
