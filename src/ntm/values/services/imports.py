"""Bulk import of the `ntm criteria template` workbook (or its CSV) as a service.

All or nothing (design decision 10): the file is read and checked whole by
`ntm.exchange.workbook.read_input`, with the units database as its unit register (the commune
code alone is enough); then the rows the register cannot take (a commune outside the user's
units, a period already submitted or approved) are added to the same list of problems. Only a
file without any problem is written, in one transaction, with one audit row per changed value
and a summary row for the import. Progress goes to an optional callback; a job run beside the
web request reports to `PROGRESS` (`ntm.jobs`), where the page's poll reads it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from ntm.accounts import permissions
from ntm.audit.services import record
from ntm.criteria.schema import CriteriaSet
from ntm.exchange.criterion_level import TemplateRow, is_level_file, read_level
from ntm.exchange.sheets import Say
from ntm.exchange.workbook import (
    InputError,
    InputProblem,
    UnitInfo,
    read_file,
    template_columns,
    year_outside,
)
from ntm.jobs import Progress, ProgressCallback, ProgressStore
from ntm.units.groups import groups_on
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import province_code
from ntm.values.models import Declaration, Stage, Value
from ntm.values.record import EMPTY_ENTRY as EMPTY
from ntm.values.record import write_declaration, write_entry
from ntm.values.services.locks import lock_periods, locked_for, set_locked

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ntm.audit.models import AuditLog

IMPORT_OBJECT = "values.import"
VALUES, STATUSES = "values", "statuses"  # the kinds of file imported
CHUNK = 200
FLAG_FIELDS = ("special_difficulty", "safe_zone_poor_district")
PROGRESS = ProgressStore(IMPORT_OBJECT)
log = logging.getLogger(__name__)


# The phases of an import: English msgids, translated where they are shown (the job runs
# apart from the request, in no reader's language).
READING = gettext_noop("Reading and checking the file")
WRITING = gettext_noop("Writing the values")
DONE = gettext_noop("Done")


@dataclass(frozen=True)
class ImportResult:
    units: int
    values: int  # filled cells (a share's two cells count once)
    created: int
    changed: int
    unchanged: int  # filled cells equal to what was stored
    blank: int  # blank cells: "no data"
    cleared: int  # blank cells whose stored entry was removed
    audit_id: int
    # VALUES, or STATUSES: a criterion-level file, whose "values" are declared statuses and
    # whose cleared cells withdrew a declaration
    kind: str = VALUES


def _commune_in_year(code: str, year: int) -> Unit | None:
    """The commune with this GSO code during the year (the version in force at its end when
    the code changed hands within the year)."""
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    found = list(
        Unit.objects.filter(code=code, kind=UnitKind.COMMUNE)
        .filter(Q(valid_from__isnull=True) | Q(valid_from__lte=end))
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=start))
        .select_related("parent__parent__parent")
    )
    if len(found) > 1:
        found = [u for u in found if u.is_valid_on(end)] or found[-1:]
    return found[0] if len(found) == 1 else None


OUTSIDE = Say(
    "xã này ngoài phạm vi của bạn: bạn không được nhập số liệu cho xã này",
    "this commune is outside your scope: you may not enter its values",
)


class _Register:
    """The `unit_lookup` of read_file: the communes of the year by code, those the user may
    import for at this stage; a commune outside the user's scope is reported as such, apart
    from an unknown code."""

    def __init__(self, user: User, year: int, stage: str) -> None:
        self.user, self.year, self.stage = user, year, stage
        self.units: dict[str, Unit] = {}

    def __call__(self, code: str) -> UnitInfo | Say | None:
        unit = _commune_in_year(code, self.year)
        if unit is None:
            return None
        if not permissions.can_import(self.user, unit, self.stage):
            return OUTSIDE
        self.units[code] = unit
        return UnitInfo(
            code=code,
            name=unit.name,
            province=province_code(unit),
            region=unit.region,
            commune_group=groups_on([unit.pk], dt.date(self.year, 12, 31)).get(unit.pk),
            flags=frozenset(f for f in FLAG_FIELDS if getattr(unit, f)),
        )


def _entry(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": row["value"],
        "numerator": row["numerator"],
        "denominator": row["denominator"],
        "not_applicable": bool(row["not_applicable"]),
    }


def bilingual(message: Callable[[], str]) -> Say:
    """A service's message (gettext) said in Vietnamese and in English, for a file's problem."""
    said = {}
    for language in ("vi", "en"):
        with translation.override(language):
            said[language] = message()
    return Say(said["vi"], said["en"])


def _in_both(why: Callable[[], str | None]) -> Say | None:
    """A lock's reason (`why`, in the active language; None: no lock) in both languages."""
    return None if why() is None else bilingual(lambda: str(why()))


def _first_lock(measures: list[str], stage: str, year: int, known: dict[str, str]) -> Say | None:
    """Why the unit's entries of this stage cannot change, in both languages (None: they can)."""
    measure = next((m for m in measures if locked_for(m, stage, year, known)), None)
    if measure is None:
        return None
    return bilingual(lambda: str(locked_for(measure, stage, year, known)))


def import_summary(
    action: str, path: Path, name: str, after: dict[str, Any], *, acting_user: User
) -> AuditLog:
    """The audit row of a whole import (the file's name and digest, and `after`), written
    first in its transaction; each change it makes points at it."""
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return record(
        action=action,
        object_type=IMPORT_OBJECT,
        object_id=digest[:16],
        after={"file": name, "sha256": digest, **after},
        acting_user=acting_user,
    )


def _reporter(progress: ProgressCallback | None) -> Callable[..., None]:
    def report(phase: str, done: int = 0, total: int = 0) -> None:
        if progress is not None:
            progress(Progress(phase, done, total))

    return report


def user_named(problems: list[InputProblem], path: Path, name: str) -> InputError:
    """The file's problems placed in the file the user sent: a CSV's "sheet" is its file
    name, the user's and not the server's copy."""
    return InputError(
        [replace(p, sheet=name) if p.sheet == path.name else p for p in problems], name
    )


def import_values(
    path: str | Path,
    cset: CriteriaSet,
    year: int,
    *,
    acting_user: User,
    stage: str = Stage.CLAIMED,
    progress: ProgressCallback | None = None,
    source_name: str | None = None,
) -> ImportResult:
    """Import a filled template (.xlsx) or CSV as the `stage` entries of `year`: the file
    states every measure of its communes — a filled cell is the entry, a blank cell is "no
    data" and clears what was stored, as `ntm evaluate` reads the same file. Raises
    `InputError` listing every problem, placed in the file the user sent (`source_name`),
    and nothing is written; returns counts otherwise."""
    path = Path(path)
    name = source_name or path.name
    report = _reporter(progress)
    if stage not in Stage.values:
        raise InputError(
            [InputProblem.of(Say(f"giai đoạn không hợp lệ: {stage}", f"unknown stage: {stage}"))],
            name,
        )
    report(READING)
    register = _Register(acting_user, year, stage)
    try:
        found = read_file(path, cset, year=year, unit_lookup=register)
    except InputError as exc:
        raise user_named(exc.problems, path, name) from None

    def at(code: str, reason: Say) -> InputProblem:
        place = (found.sheet, found.rows[code], "Mã xã", found.code_letter, code)
        return InputProblem.of(reason, *place)

    codes = list(found.rows)
    units = [register.units[c] for c in codes]

    measures = sorted({c.field for c in template_columns(cset) if c.kind})
    rows = found.values.to_dicts()
    total = len(rows)  # progress counts the filled cells; clearing the blank ones is quick
    created = changed = unchanged = cleared = 0
    with transaction.atomic():
        # The periods' states are decided under their locks, inside this transaction: a
        # submit or an approval that commits meanwhile waits for the import, or the other way.
        known = lock_periods([u.pk for u in units], year)
        locked = [
            at(c, why)
            for c, u in zip(codes, units, strict=True)
            if (why := _first_lock(measures, stage, year, known[u.pk]))
        ]
        if locked:
            raise user_named(locked, path, name)
        existing = {
            (v.unit_id, v.measure): v
            for v in Value.objects.select_for_update()
            .filter(unit_id__in=[u.pk for u in units], period=year, measure__in=measures)
            .order_by("pk")
        }
        summary = import_summary(
            "values.import",
            path,
            name,
            {
                "set": cset.id,
                "period": year,
                "stage": stage,
                "units": len(codes),
                "values": len(rows),
                "blank": len(found.blank),
            },
            acting_user=acting_user,
        )
        writes = [(row["unit"], row["measure"], _entry(row)) for row in rows]
        writes += [(code, m, EMPTY) for code, m in sorted(found.blank)]
        for i, (code, measure, entry) in enumerate(writes, start=1):
            unit = register.units[code]
            value = existing.get((unit.pk, measure))
            if value is None and entry == EMPTY:
                pass  # nothing stored, nothing to clear: no row
            elif value is not None and value.entry(stage) == entry:
                unchanged += entry != EMPTY
            else:
                if value is None:
                    value = Value(unit=unit, measure=measure, period=year)
                    created += 1
                write_entry(
                    value,
                    stage,
                    entry,
                    action="values.import",
                    acting_user=acting_user,
                    reason=f"Nhập từ tệp {name}",
                    after={"import": summary.pk},
                )
                if entry == EMPTY:
                    cleared += 1
                else:
                    changed += 1
            if i <= total and (i % CHUNK == 0 or i == total):
                report(WRITING, i, total)
    report(DONE, total, total)
    return ImportResult(
        units=len(codes),
        values=len(rows),
        created=created,
        changed=changed,
        unchanged=unchanged,
        blank=len(found.blank),
        cleared=cleared,
        audit_id=summary.pk,
    )


def import_statuses(
    path: str | Path,
    cset: CriteriaSet,
    year: int,
    *,
    acting_user: User,
    progress: ProgressCallback | None = None,
    source_name: str | None = None,
) -> ImportResult:
    """Import a filled criterion-level workbook (`ntm.exchange.criterion_level`) or its CSV as
    the declared statuses of `year` under `cset`, as `import_values` imports values: checked
    whole against the unit register (the commune officer for their commune, the province
    office for its province's), then under the periods' locks — a period submitted or approved
    under the set refuses, as for the communes' entries — and written in one transaction, one
    audit row per declaration changed and a summary row. A row states every criterion column
    the file has: a status declares it, a blank cell withdraws a stored declaration; a row
    without any status is not imported. Raises `InputError` listing every problem, and
    nothing is written."""
    path = Path(path)
    name = source_name or path.name
    report = _reporter(progress)
    report(READING)
    register = _Register(acting_user, year, Stage.CLAIMED)
    found = read_level(path, cset, unit_lookup=register, name=name)
    outside = year_outside(cset, year)
    if outside or found.problems:
        raise user_named([*([outside] if outside else []), *found.problems], path, name)
    units = [register.units[row.code] for row in found.rows]
    cells = [
        (unit, n, row.statuses[n] or "")
        for row, unit in zip(found.rows, units, strict=True)
        for n in found.criteria
    ]
    total = sum(status != "" for _, _, status in cells)
    created = changed = unchanged = cleared = 0
    with transaction.atomic():
        known = lock_periods([u.pk for u in units], year)
        # The communes' side: a period submitted or approved under the set is frozen.
        frozen = partial(set_locked, set_id=cset.id, period=year, commune_side=True)
        locked = [
            InputProblem.of(why, found.sheet, row.row, "Mã xã", found.code_letter, row.code)
            for row, unit in zip(found.rows, units, strict=True)
            if (why := _in_both(partial(frozen, known[unit.pk])))
        ]
        if locked:
            raise user_named(locked, path, name)
        existing = {
            (d.unit_id, d.criterion): d
            for d in Declaration.objects.select_for_update()
            .filter(unit_id__in=[u.pk for u in units], period=year, set_id=cset.id)
            .order_by("pk")
        }
        summary = import_summary(
            "values.import",
            path,
            name,
            {
                "set": cset.id,
                "period": year,
                "kind": STATUSES,
                "units": len(units),
                "statuses": total,
                "blank": len(cells) - total,
            },
            acting_user=acting_user,
        )
        done = 0
        for unit, criterion, status in cells:
            decl = existing.get((unit.pk, criterion))
            if decl is None and status == "":
                continue  # nothing declared, nothing to withdraw: no row
            if decl is not None and decl.status == status:
                unchanged += status != ""
            else:
                if decl is None:
                    decl = Declaration.objects.create(
                        unit=unit, period=year, set_id=cset.id, criterion=criterion
                    )
                    created += 1
                write_declaration(
                    decl,
                    status,
                    acting_user=acting_user,
                    action="values.import",
                    after={"import": summary.pk},
                )
                if status:
                    changed += 1
                else:
                    cleared += 1
            done += status != ""
            if status and (done % CHUNK == 0 or done == total):
                report(WRITING, done, total)
    report(DONE, total, total)
    return ImportResult(
        units=len(units),
        values=total,
        created=created,
        changed=changed,
        unchanged=unchanged,
        blank=len(cells) - total,
        cleared=cleared,
        audit_id=summary.pk,
        kind=STATUSES,
    )


def import_file(
    path: str | Path,
    cset: CriteriaSet,
    year: int,
    *,
    acting_user: User,
    stage: str = Stage.CLAIMED,
    progress: ProgressCallback | None = None,
    source_name: str | None = None,
) -> ImportResult:
    """Import either kind of file, told apart by its header row: a criterion-level workbook
    (`import_statuses`; declared statuses have no stage, so only "claimed" is asked for) or a
    values template (`import_values`)."""
    if not is_level_file(path):
        return import_values(
            path,
            cset,
            year,
            acting_user=acting_user,
            stage=stage,
            progress=progress,
            source_name=source_name,
        )
    if stage != Stage.CLAIMED:
        raise InputError(
            [
                InputProblem.of(
                    Say(
                        "tệp kết quả từng tiêu chí ghi trạng thái xã khai báo, không có số liệu "
                        "thẩm định: nhập với giai đoạn “tự đánh giá”",
                        "a criterion-level file records the statuses a commune declares, not "
                        "verified values: import it with the stage “claimed”",
                    )
                )
            ],
            source_name or Path(path).name,
        )
    return import_statuses(
        path, cset, year, acting_user=acting_user, progress=progress, source_name=source_name
    )


def level_template_day(year: int) -> dt.date:
    """The day whose communes the criterion-level template of `year` lists: the year's end,
    or today during the year."""
    return min(dt.date(year, 12, 31), timezone.localdate())


def level_template_rows(
    communes: Iterable[Unit], cset: CriteriaSet, year: int
) -> list[TemplateRow]:
    """The communes (by district, then name) with their district and the statuses declared
    now under `cset` for `year`, for the criterion-level template."""
    units = sorted(
        communes,
        key=lambda u: (u.parent.name_key if u.parent else "", u.name_key, u.code or ""),
    )
    declared: dict[int, dict[int, str]] = {}
    for unit_id, criterion, status in Declaration.objects.filter(
        unit__in=[u.pk for u in units], period=year, set_id=cset.id
    ).values_list("unit_id", "criterion", "status"):
        declared.setdefault(unit_id, {})[criterion] = status
    return [
        TemplateRow(
            u.code,
            u.name,
            u.parent.name if u.parent is not None and u.parent.kind == UnitKind.DISTRICT else "",
            declared.get(u.pk, {}),
        )
        for u in units
    ]
