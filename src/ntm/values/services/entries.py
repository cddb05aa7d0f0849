"""Saving one stage of a value: the entry checked against its measure, the period's lock,
optimistic concurrency by the stage's version."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import get_language, gettext

from ntm.accounts import permissions
from ntm.criteria import bounds
from ntm.criteria.loader import bundled_set_ids, load_set
from ntm.criteria.schema import Measure
from ntm.units.models import Unit
from ntm.values.models import Stage, Value
from ntm.values.record import write_entry
from ntm.values.services.checks import bounded_reason, check_read, check_unit, measure_of
from ntm.values.services.errors import Conflict, InvalidEntry, Locked, NotAllowed, ValuesError
from ntm.values.services.locks import lock_periods, locked_for

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ntm.accounts.permissions import AnyUser


@dataclass(frozen=True)
class Entry:
    """What one stage of a value holds (see `Value`)."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    not_applicable: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "not_applicable": self.not_applicable,
        }

    @property
    def empty(self) -> bool:
        return not self.not_applicable and self.value is None and self.numerator is None


def may_be_not_applicable(measure: str) -> bool:
    """Whether any bundled set lets an indicator reading this measure be "not applicable"."""
    for set_id in bundled_set_ids():
        for c in load_set(set_id).criteria:
            for ind in c.indicators:
                if ind.may_be_not_applicable and any(k.measure == measure for k in ind.conditions):
                    return True
    return False


def _refuse(problem: bounds.OutOfBounds, part: str = "") -> InvalidEntry:
    where = {"numerator": ("Tử số: ", "Numerator: "), "denominator": ("Mẫu số: ", "Denominator: ")}
    vi, en = where.get(part, ("", ""))
    text = f"{vi}{problem.vi}" if get_language() != "en" else f"{en}{problem.en}"
    return InvalidEntry(text[0].upper() + text[1:] + ".")


def check_entry(measure: Measure, entry: Entry) -> Entry:
    """The entry if it fits the measure (`ntm.criteria.bounds`: finite, plausible, of its
    kind); otherwise `InvalidEntry` saying why."""
    if entry.not_applicable:
        if not may_be_not_applicable(measure.key):
            raise InvalidEntry(gettext("This indicator has no “not applicable” choice."))
        return Entry(not_applicable=True)
    if measure.kind == "share":
        num, den = entry.numerator, entry.denominator
        if entry.value is not None:
            raise InvalidEntry(gettext("A share is entered as a numerator and a denominator."))
        if (num is None) != (den is None):
            raise InvalidEntry(
                gettext("Enter both the numerator and the denominator (or leave both blank).")
            )
        if num is None or den is None:
            return Entry()
        for part, x_part in (("numerator", num), ("denominator", den)):
            if problem := bounds.number_problem(measure, float(x_part), part=part):
                raise _refuse(problem, part)
        if problem := bounds.share_problem(float(num), float(den)):
            raise _refuse(problem)
        return Entry(numerator=float(num), denominator=float(den))
    if entry.numerator is not None or entry.denominator is not None:
        raise InvalidEntry(gettext("This indicator has no numerator and denominator."))
    x = entry.value
    if x is None:
        return Entry()
    if problem := bounds.number_problem(measure, float(x)):
        raise _refuse(problem)
    return Entry(value=float(x))


def _may_save(user: AnyUser, unit: Unit, stage: str) -> bool:
    if stage == Stage.CLAIMED:
        return permissions.can_enter_values(user, unit)
    return permissions.can_verify(user, unit)


def save_value(
    unit: Unit,
    measure: str,
    period: int,
    entry: Entry,
    *,
    stage: str,
    expected_version: int,
    acting_user: User,
    reason: str = "",
) -> Value:
    """Save one stage of a value. `expected_version` is the stage's version the user saw (0 for
    a value never saved); if it moved meanwhile, `Conflict` shows the other person's entry."""
    if stage not in Stage.values:
        raise ValuesError(gettext("Unknown stage: %(stage)s.") % {"stage": stage})
    m = measure_of(measure)
    entry = check_entry(m, entry)
    check_unit(unit, period)
    check_read(measure, period, unit)
    reason = bounded_reason(reason)
    if not _may_save(acting_user, unit, stage):
        raise NotAllowed(gettext("You are not allowed to enter this value."))
    with transaction.atomic():
        why = locked_for(measure, stage, period, lock_periods([unit.pk], period)[unit.pk])
        if why:
            raise Locked(why)
        found = Value.objects.select_for_update().filter(unit=unit, measure=measure, period=period)
        value = found.first() or Value(unit=unit, measure=measure, period=period)
        if value.entry(stage) == entry.as_dict():
            # Nothing changes: no new version, no audit row — and no row for an empty entry.
            return value
        if value.version(stage) != expected_version:
            raise Conflict(value, stage, entry, m)
        write_entry(
            value,
            stage,
            entry.as_dict(),
            action=f"values.save_{stage}",
            acting_user=acting_user,
            reason=reason,
        )
    return value
