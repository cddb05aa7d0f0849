"""The approval state of a unit's period, and the locks that hold it while a write decides
on it: every write that depends on a period's state takes `lock_periods` first, inside its
transaction."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils.translation import gettext

from ntm.criteria.loader import CriteriaError, load_measures, load_set, measures_read
from ntm.units.models import Unit
from ntm.values.models import Stage, State, Submission


def set_reads(set_id: str) -> frozenset[str]:
    """The measures a bundled set reads: its conditions' measures and the weights they
    combine by. A set that cannot be read is taken to read everything (the empty set is
    never returned for it), so that the locks always hold."""
    try:
        return measures_read(load_set(set_id))
    except CriteriaError:
        return frozenset(load_measures())


def states(unit: Unit, period: int) -> dict[str, str]:
    """set id -> approval state of the unit's period (sets without a row are drafts). Read
    without locks: for showing a state; a write checks `lock_periods`' answer instead."""
    return dict(Submission.objects.filter(unit=unit, period=period).values_list("set_id", "state"))


def lock_units(unit_ids: Iterable[int]) -> list[int]:
    """Lock the unit rows, in id order, until the transaction ends (see `lock_periods`)."""
    ids = sorted(set(unit_ids))
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locks need a transaction")
    locked = Unit.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    list(locked.values_list("pk", flat=True))
    return ids


def lock_periods(unit_ids: Iterable[int], period: int) -> dict[int, dict[str, str]]:
    """Hold the approval state of these units' period until the transaction ends, and return
    it (unit -> set id -> state; drafts may be missing).

    Every write that depends on a period's state calls this first, inside its transaction,
    and decides on what it returns; every change of state (`workflow`) calls it too. The
    unit rows are locked first, in id order — a submission row that does not exist yet cannot
    be locked, and the unit row stops a concurrent submit from creating it — then the
    submission rows, in (unit, set) order. One fixed order for every writer: no deadlock.
    SQLite has no row locks; its writers are serialised by the database (IMMEDIATE
    transactions)."""
    ids = lock_units(unit_ids)
    found: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    rows = (
        Submission.objects.select_for_update()
        .filter(unit_id__in=ids, period=period)
        .order_by("unit_id", "set_id")
        .values_list("unit_id", "set_id", "state")
    )
    for unit_id, set_id, state in rows:
        found[unit_id][set_id] = state
    return found


def _frozen(state: str, set_id: str, period: int) -> str:
    if state == State.APPROVED:
        text = gettext(
            "The %(year)s values under criteria set %(set)s are approved: they cannot be changed."
        )
    else:
        text = gettext(
            "The %(year)s values under criteria set %(set)s are submitted and awaiting approval"
            ": they cannot be changed."
        )
    return text % {"year": period, "set": set_id}


def locked_for(measure: str, stage: str, period: int, known: dict[str, str]) -> str | None:
    """Why the stage of this value cannot change now (None: it can), given the states of its
    unit's period (`lock_periods` inside a write; `states` to show a page). The commune's
    entry is frozen once a set reading it is submitted; every entry once it is approved."""
    blocking = {State.APPROVED} if stage == Stage.VERIFIED else {State.SUBMITTED, State.APPROVED}
    for set_id, state in known.items():
        if state in blocking and measure in set_reads(set_id):
            return _frozen(state, set_id, period)
    return None


def set_locked(
    known: dict[str, str], set_id: str, period: int, *, commune_side: bool
) -> str | None:
    """Why what is recorded under one set for the period cannot change now (None: it can):
    the commune's side is frozen once the set is submitted, everyone's once approved."""
    state = known.get(set_id, State.DRAFT)
    blocking = {State.SUBMITTED, State.APPROVED} if commune_side else {State.APPROVED}
    return _frozen(state, set_id, period) if state in blocking else None
