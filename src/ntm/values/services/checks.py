"""What every values service checks before it writes: a commune that existed in the period,
a measure that exists and that some criteria set of the period reads, a reason within its
bound."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext

from ntm.criteria.loader import load_measures, measures_read, sets_for_period
from ntm.criteria.schema import CriteriaSet, Measure
from ntm.decisions.queries import province_sets
from ntm.units.models import Unit, UnitKind
from ntm.units.queries import province_code
from ntm.values.models import DeclaredStatus
from ntm.values.services.errors import InvalidEntry, ValuesError
from ntm.values.services.locks import set_reads
from ntm.vn.numbers import format_number

MAX_REASON = 2000


def check_unit(unit: Unit, period: int) -> None:
    if unit.kind != UnitKind.COMMUNE:
        raise ValuesError(gettext("Values are entered for communes only."))
    if not existed(unit, period):
        raise ValuesError(gettext("The commune did not exist in %(year)s.") % {"year": period})


def existed(unit: Unit, period: int) -> bool:
    """The unit was in force on some day of the year."""
    return (unit.valid_from is None or unit.valid_from <= dt.date(period, 12, 31)) and (
        unit.valid_to is None or unit.valid_to >= dt.date(period, 1, 1)
    )


def check_criterion_status(cset: CriteriaSet, criterion: int, status: str) -> None:
    """A criterion-level status ("" withdraws one) of a criterion the set has."""
    if status not in (*DeclaredStatus.values, ""):
        raise ValuesError(gettext("Unknown status: %(status)s.") % {"status": status})
    if criterion not in {c.number for c in cset.criteria}:
        raise ValuesError(
            gettext("Criteria set %(set)s has no criterion %(n)s.")
            % {"set": cset.id, "n": criterion}
        )


def measure_of(key: str) -> Measure:
    measures = load_measures()
    if key not in measures:
        raise InvalidEntry(gettext("There is no measure “%(key)s”.") % {"key": key})
    return measures[key]


def check_read(measure: str, period: int, unit: Unit) -> None:
    """Refuse a value no criteria set of its period reads — the national sets, and the unit's
    province's own whole sets (`ntm.decisions`): nothing would ever show it."""
    own = [
        s
        for s in province_sets(province_code(unit))
        if s.level == "commune" and s.applies_to(period)
    ]
    if any(measure in measures_read(s) for s in own):
        return
    sets = sets_for_period(period)
    if not sets:
        raise InvalidEntry(gettext("No criteria set covers %(year)s.") % {"year": period})
    if not any(measure in set_reads(s.id) for s in sets):
        ids = ", ".join(s.id for s in sets)
        raise InvalidEntry(
            gettext(
                "The criteria sets of %(year)s (%(sets)s) do not use the measure “%(measure)s”."
            )
            % {"year": period, "sets": ids, "measure": measure}
        )


def bounded_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ValuesError(
            gettext("The reason is longer than %(n)s characters.")
            % {"n": format_number(MAX_REASON)}
        )
    return reason
