"""Commune groups (nhóm xã) of the 2026–2030 set: who is in which group on a day, and the one
service that assigns them (design decision 7).

A province office assigns groups to the communes of its province only, each assignment dated
(in force from `valid_from` until a later one) and with its legal basis (decision number, date,
issuer). `assign_groups` checks every assignment first and writes all or nothing, one audit
row per assignment; the page, the workbook import (`ntm.units.group_import`) and the command
line all call it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from ntm.accounts import permissions
from ntm.audit.services import record
from ntm.exchange.sheets import Say
from ntm.units.models import GROUPS_FROM, CommuneGroup, GroupAssignment, Unit, UnitKind
from ntm.units.queries import province_code
from ntm.vn.dates import format_date

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

ACTION = "units.group.assign"
# The fields of an assignment, in the order problems are reported.
FIELDS = ("unit", "group", "valid_from", "decision_number", "decision_date", "issuer")


@dataclass(frozen=True)
class Basis:
    """The decision a group assignment rests on."""

    number: str
    date: dt.date | None
    issuer: str


@dataclass(frozen=True)
class Assignment:
    unit: Unit
    group: str
    valid_from: dt.date
    basis: Basis


@dataclass(frozen=True)
class Problem:
    """What is wrong with assignment `index`, and in which field."""

    index: int
    field: str
    reason: Say


class GroupsRefused(ValueError):
    """Nothing was written: the problems, each in both languages."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("; ".join(p.reason.vi for p in self.problems))


def groups_on(unit_ids: Iterable[int], day: dt.date) -> dict[int, str]:
    """The group in force on `day` of each unit that has one."""
    found: dict[int, str] = {}
    rows = (
        GroupAssignment.objects.filter(unit_id__in=list(unit_ids), valid_from__lte=day)
        .order_by("unit_id", "valid_from", "id")
        .values_list("unit_id", "group")
    )
    for unit_id, group in rows:
        found[unit_id] = group  # the latest start, then the latest written, wins
    return found


def current_assignments(unit_ids: Iterable[int], day: dt.date) -> dict[int, GroupAssignment]:
    """The assignment in force on `day` of each unit that has one (for pages)."""
    found: dict[int, GroupAssignment] = {}
    for row in GroupAssignment.objects.filter(
        unit_id__in=list(unit_ids), valid_from__lte=day
    ).order_by("unit_id", "valid_from", "id"):
        found[row.unit_id] = row
    return found


def group_label(group: str | None) -> str:
    """ "nhóm 2"; "" without a group."""
    return CommuneGroup(group).label if group in CommuneGroup.values else ""


def _problems_of(
    index: int, a: Assignment, province: Unit, acting_user: AbstractBaseUser | None
) -> list[Problem]:
    unit = a.unit

    def say(field: str, vi: str, en: str) -> Problem:
        return Problem(index, field, Say(vi, en))

    out: list[Problem] = []
    if unit.kind != UnitKind.COMMUNE:
        out.append(
            say(
                "unit",
                f"{unit.name} không phải là xã: chỉ xã mới được xếp nhóm",
                f"{unit.name} is not a commune: only communes have a group",
            )
        )
    elif province_code(unit) != province.code:
        out.append(
            say(
                "unit",
                f"{unit.name} không thuộc {province.name}",
                f"{unit.name} is not in {province.name}",
            )
        )
    elif acting_user is not None and not permissions.can_assign_groups(
        acting_user, unit, a.valid_from
    ):
        out.append(
            say(
                "unit",
                f"bạn không được xếp nhóm cho {unit.name}",
                f"you may not assign a group to {unit.name}",
            )
        )
    if a.group not in CommuneGroup.values:
        out.append(
            say("group", "nhóm xã phải là 1, 2 hoặc 3", "the commune group must be 1, 2 or 3")
        )
    if a.valid_from < GROUPS_FROM:
        out.append(
            say(
                "valid_from",
                f"nhóm xã chỉ áp dụng từ ngày {format_date(GROUPS_FROM)} (đơn vị hành chính mới)",
                f"commune groups apply from {GROUPS_FROM:%d/%m/%Y} (the new units) only",
            )
        )
    elif not unit.is_valid_on(a.valid_from):
        out.append(
            say(
                "valid_from",
                f"{unit.name} không còn hiệu lực vào ngày {format_date(a.valid_from)} "
                f"(hiệu lực {unit.period})",
                f"{unit.name} is not in force on {a.valid_from:%d/%m/%Y} (in force {unit.period})",
            )
        )
    if not a.basis.number.strip():
        out.append(
            say(
                "decision_number",
                "thiếu số quyết định (căn cứ pháp lý)",
                "the decision number (legal basis) is missing",
            )
        )
    if a.basis.date is None:
        out.append(say("decision_date", "thiếu ngày quyết định", "the decision date is missing"))
    elif a.basis.date > a.valid_from:
        out.append(
            say(
                "decision_date",
                "ngày quyết định sau ngày hiệu lực của nhóm",
                "the decision is dated after the day the group takes effect",
            )
        )
    if not a.basis.issuer.strip():
        out.append(
            say(
                "issuer",
                "thiếu cơ quan ban hành quyết định",
                "the issuer of the decision is missing",
            )
        )
    return out


def check_assignments(
    province: Unit,
    assignments: Sequence[Assignment],
    *,
    acting_user: AbstractBaseUser | None = None,
) -> list[Problem]:
    """Every problem of the assignments; none means `assign_groups` writes them."""
    problems: list[Problem] = []
    first: dict[int, int] = {}
    for i, a in enumerate(assignments):
        problems += _problems_of(i, a, province, acting_user)
        if a.unit.pk in first:
            problems.append(
                Problem(
                    i,
                    "unit",
                    Say(
                        f"{a.unit.name} có mặt hai lần (lần đầu ở mục {first[a.unit.pk] + 1})",
                        f"{a.unit.name} appears twice (first as item {first[a.unit.pk] + 1})",
                    ),
                )
            )
        else:
            first[a.unit.pk] = i
    return sorted(problems, key=lambda p: (p.index, FIELDS.index(p.field)))


def assign_groups(
    province: Unit,
    assignments: Sequence[Assignment],
    *,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
    source: str = "",
) -> list[GroupAssignment]:
    """Assign the groups, all or nothing: raises `GroupsRefused` with every problem and
    writes nothing, else writes each assignment with its audit row. With `acting_user`, the
    user must be the province office of every commune; `actor` names the command line."""
    if not assignments:
        raise GroupsRefused([Problem(0, "unit", Say("chưa chọn xã nào", "no commune was chosen"))])
    with transaction.atomic():
        problems = check_assignments(province, assignments, acting_user=acting_user)
        if problems:
            raise GroupsRefused(problems)
        now = timezone.now()
        written = []
        for a in assignments:
            prior = groups_on([a.unit.pk], a.valid_from).get(a.unit.pk)
            audit = record(
                action=ACTION,
                object_type="units.unit",
                object_id=a.unit.pk,
                before={"group": prior, "on": a.valid_from.isoformat()},
                after={
                    "group": a.group,
                    "valid_from": a.valid_from.isoformat(),
                    "decision_number": a.basis.number.strip(),
                    "decision_date": a.basis.date.isoformat() if a.basis.date else None,
                    "issuer": a.basis.issuer.strip(),
                    "source": source,
                },
                acting_user=acting_user,
                actor=actor,
                legal_basis=a.basis.number.strip(),
            )
            assert a.basis.date is not None  # checked above
            written.append(
                GroupAssignment.objects.create(
                    unit=a.unit,
                    group=a.group,
                    valid_from=a.valid_from,
                    decision_number=a.basis.number.strip(),
                    decision_date=a.basis.date,
                    issuer=a.basis.issuer.strip(),
                    recorded_at=now,
                    audit=audit,
                )
            )
    return written
