"""Import commune groups from a workbook (`ntm.exchange.groups`): all or nothing.

Each row names a commune by its code or, without one, by its name among the province's
communes in force on the row's date (diacritics and the "Xã" prefix do not matter; a name
matching several communes is an error, never a guess). Every problem — of the file, of the
matching, and of `ntm.units.groups.check_assignments` — is reported with sheet, row, column
and value, and only a file without any is written, through `assign_groups`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone

from ntm.exchange.groups import GroupRow, GroupsFile, TemplateRow, read_groups
from ntm.exchange.sheets import Say
from ntm.exchange.workbook import InputError, InputProblem
from ntm.units.event_import import matching
from ntm.units.groups import (
    Assignment,
    Basis,
    GroupsRefused,
    assign_groups,
    check_assignments,
    groups_on,
)
from ntm.units.models import GroupAssignment, Unit, UnitKind
from ntm.units.queries import units_of

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


def _by_code(code: str, day: dt.date) -> Unit | None:
    """The commune with the code in force on `day`, else its latest version (so that a
    commune ended before the day is reported as such, not as unknown)."""
    found = list(
        Unit.objects.filter(code=code, kind=UnitKind.COMMUNE)
        .select_related("parent__parent")
        .order_by("valid_from", "pk")
    )
    in_force = [u for u in found if u.is_valid_on(day)]
    chosen = in_force or found[-1:]
    return chosen[0] if chosen else None


def _unit(found: GroupsFile, row: GroupRow, province: Unit, day: dt.date) -> Unit | None:
    if row.code is not None:
        unit = _by_code(row.code, day)
        if unit is None:
            found.problem(
                Say("không có xã nào mang mã này", "no commune has this code"),
                row.row,
                "unit",
                row.cells.get("unit"),
            )
        return unit
    if row.name is None:
        found.problem(
            Say("thiếu mã xã và tên xã", "the commune code and name are both missing"),
            row.row,
            "unit",
            "",
        )
        return None
    units = matching(units_of(province, day, kinds=[UnitKind.COMMUNE]), row.name)
    if len(units) == 1:
        return units[0]
    if not units:
        found.problem(
            Say(
                f"không có xã nào tên này thuộc {province.name} vào ngày {day:%d/%m/%Y}",
                f"no commune of {province.name} has this name on {day:%d/%m/%Y}",
            ),
            row.row,
            "name",
            row.name,
        )
    else:
        codes = ", ".join(u.code or "—" for u in units)
        found.problem(
            Say(
                f"tên này khớp với {len(units)} xã ({codes}); ghi mã xã",
                f"the name matches {len(units)} communes ({codes}); give the commune code",
            ),
            row.row,
            "name",
            row.name,
        )
    return None


def import_groups(
    path: str | Path,
    province: Unit,
    *,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
    source_name: str | None = None,
) -> list[GroupAssignment]:
    """Assign the groups of a filled workbook to communes of `province`; raises `InputError`
    with every problem and writes nothing, or writes every row."""
    path = Path(path)
    name = source_name or path.name
    found = read_groups(path, name=source_name)
    assignments: list[Assignment] = []
    rows: list[GroupRow] = []
    for row in found.rows:
        if row.valid_from is None and "valid_from" not in {
            p.header for p in found.problems if p.row == row.row
        }:
            found.problem(
                Say("thiếu ngày áp dụng", "the day the group applies from is missing"),
                row.row,
                "valid_from",
                "",
            )
        unit = _unit(found, row, province, row.valid_from or timezone.localdate())
        if unit is None or row.valid_from is None or row.group is None:
            continue
        rows.append(row)
        assignments.append(
            Assignment(
                unit,
                row.group,
                row.valid_from,
                Basis(row.decision_number, row.decision_date, row.issuer),
            )
        )
    for p in check_assignments(province, assignments, acting_user=acting_user):
        row = rows[p.index]
        machine = "unit" if p.field == "unit" and row.code is not None else p.field
        if machine == "unit" and row.code is None:
            machine = "name"
        found.problem(p.reason, row.row, machine, row.cells.get(machine) or "")
    if found.problems or not assignments:
        problems = found.problems or [
            InputProblem.of(Say("tệp không có dòng nào ghi nhóm xã", "no row gives a group"))
        ]
        raise InputError(problems, name)
    try:
        return assign_groups(
            province, assignments, acting_user=acting_user, actor=actor, source=name
        )
    except GroupsRefused as exc:  # a change committed meanwhile
        raise InputError([InputProblem.of(p.reason) for p in exc.problems], name) from None


def template_rows(province: Unit, day: dt.date) -> list[TemplateRow]:
    """The province's communes in force on `day`, with their group then, for the template."""
    communes = units_of(province, day, kinds=[UnitKind.COMMUNE])
    groups = groups_on([u.pk for u in communes], day)
    return [TemplateRow(u.code, u.name, groups.get(u.pk)) for u in communes]
