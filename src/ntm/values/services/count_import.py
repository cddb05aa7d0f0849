"""Import a count-only list (`ntm.exchange.counts`): all or nothing, through the values
import's plumbing (`imports`: the summary audit row, the user's file name on every problem,
the scope and lock refusals in both languages).

The list names communes of one year by code or by name and district; they are matched among
the communes the caller gives (those of a province counted in that year). Every problem — of
the file, of the matching, of the user's scope and of the periods' locks — is reported with
sheet, row, column and value, and only a file without any is written, in one transaction, one
version row and audit row per changed record.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from ntm.criteria.schema import CriteriaSet
from ntm.exchange.counts import Commune, CountRow, CountsFile, read_counts
from ntm.exchange.filled import TooMany
from ntm.exchange.sheets import Say
from ntm.units.models import Unit, UnitKind
from ntm.values.models import CountRecord
from ntm.values.record import write_count
from ntm.values.services.counts import MAX_NOTE, may_record_count
from ntm.values.services.imports import OUTSIDE, bilingual, import_summary, user_named
from ntm.values.services.locks import lock_periods, set_locked

if TYPE_CHECKING:
    from django.contrib.auth.models import User


@dataclass(frozen=True)
class CountImportResult:
    units: int
    created: int
    changed: int
    unchanged: int
    audit_id: int


def _district(unit: Unit) -> str | None:
    parent = unit.parent
    return parent.name if parent is not None and parent.kind == UnitKind.DISTRICT else None


def import_counts(
    path: str | Path,
    cset: CriteriaSet,
    year: int,
    communes: Sequence[Unit],
    *,
    acting_user: User,
    note: str = "",
    source_name: str | None = None,
) -> CountImportResult:
    """Record the criteria met of each commune of the list under `cset` for `year`;
    `communes` (their parents loaded) are those the list may name. Raises `InputError` with
    every problem and writes nothing, or writes every row. `note` (the list's source) goes on
    every record, after the file's name."""
    path = Path(path)
    name = source_name or path.name
    by_key = {str(u.pk): u for u in communes}
    refs = [Commune(k, u.code, u.name, _district(u)) for k, u in by_key.items()]
    found = read_counts(path, refs, len(cset.criteria), name=name)
    office: dict[str, bool] = {}
    for row in found.rows:
        may, as_office = may_record_count(acting_user, by_key[row.unit])
        if not may:
            _at(found, row, OUTSIDE)
        office[row.unit] = as_office
    if not found.problems and not found.rows:
        _none(found)
    if found.problems:
        raise user_named(found.problems, path, name)
    source = f"{name}: {note.strip()}" if note.strip() else name
    created = changed = unchanged = 0
    with transaction.atomic():
        known = lock_periods([int(r.unit) for r in found.rows], year)
        for row in found.rows:
            states, commune_side = known[int(row.unit)], not office[row.unit]
            if set_locked(states, cset.id, year, commune_side=commune_side):
                _at(found, row, _locked(states, cset.id, year, commune_side))
        if found.problems:
            raise user_named(found.problems, path, name)
        existing = {
            str(r.unit_id): r
            for r in CountRecord.objects.select_for_update()
            .filter(unit_id__in=[int(r.unit) for r in found.rows], period=year, set_id=cset.id)
            .order_by("pk")
        }
        summary = import_summary(
            "values.import_counts",
            path,
            name,
            {"set": cset.id, "period": year, "units": len(found.rows), "note": note},
            acting_user=acting_user,
        )
        for row in found.rows:
            kept = (row.note or source)[:MAX_NOTE]
            current = existing.get(row.unit)
            if current is not None and (current.met, current.note) == (row.met, kept):
                unchanged += 1
                continue
            if current is None:
                current = CountRecord(
                    unit=by_key[row.unit], period=year, set_id=cset.id, total=len(cset.criteria)
                )
                created += 1
            else:
                changed += 1
            write_count(
                current,
                row.met,
                kept,
                acting_user=acting_user,
                action="values.import_counts",
                reason=f"Nhập từ tệp {name}",
                after={"import": summary.pk},
            )
    return CountImportResult(len(found.rows), created, changed, unchanged, summary.pk)


def _locked(states: dict[str, str], set_id: str, year: int, commune_side: bool) -> Say:
    return bilingual(lambda: str(set_locked(states, set_id, year, commune_side=commune_side)))


def _none(found: CountsFile) -> None:
    found.problem(Say("tệp không có dòng xã nào", "the file has no commune row"))


def _at(found: CountsFile, row: CountRow, reason: Say) -> None:
    with suppress(TooMany):  # every problem is kept; the message lists the first ones
        found.problem(reason, row.row, row.named_by, row.named)
