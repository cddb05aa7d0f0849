"""Count-only records: how many criteria of a set a commune met in a year, where that number
is all the record holds (real lists read "commune, district, 14/19"). Such a record counts in
the average, the bands and "at the standard", never per criterion (`ntm.results`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.criteria.schema import CriteriaSet
from ntm.units.models import Unit
from ntm.values.models import CountRecord
from ntm.values.record import write_count
from ntm.values.services.checks import check_unit
from ntm.values.services.errors import InvalidEntry, Locked, NotAllowed, ValuesError
from ntm.values.services.locks import lock_periods, set_locked

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_NOTE = 500


def may_record_count(user: User, unit: Unit) -> tuple[bool, bool]:
    """(may, as the province office): the province office records its communes' counts, a
    commune officer its own commune's."""
    office = permissions.can_approve(user, unit)
    return office or permissions.can_enter_values(user, unit), office


def check_count(cset: CriteriaSet, met: int | None, total: int | None) -> None:
    """A number of criteria met (None: withdraw) within the set, and the set's own total."""
    criteria = len(cset.criteria)
    if total is not None and total != criteria:
        raise InvalidEntry(
            gettext("Criteria set %(set)s has %(n)s criteria, not %(total)s.")
            % {"set": cset.id, "n": criteria, "total": total}
        )
    if met is not None and met < 0:
        raise InvalidEntry(gettext("The number of criteria met cannot be negative."))
    if met is not None and met > criteria:
        raise InvalidEntry(
            gettext("%(met)s criteria met is more than the %(n)s criteria of set %(set)s.")
            % {"met": met, "n": criteria, "set": cset.id}
        )


def record_count(
    unit: Unit,
    period: int,
    cset: CriteriaSet,
    met: int | None,
    *,
    total: int | None = None,
    note: str = "",
    acting_user: User,
) -> CountRecord:
    """Record that the commune met `met` of the set's criteria in `period` (None withdraws
    the record); `total`, when the list states it, must be the set's number of criteria. The
    commune's side is frozen once the period is submitted under the set, everyone's once
    approved. Where the unit also has per-criterion results, those stand (`ntm.results`)."""
    check_unit(unit, period)
    check_count(cset, met, total)
    may, office = may_record_count(acting_user, unit)
    if not may:
        raise NotAllowed(gettext("You are not allowed to record this commune's criteria count."))
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise ValuesError(gettext("The note is longer than %(n)s characters.") % {"n": MAX_NOTE})
    with transaction.atomic():
        known = lock_periods([unit.pk], period)[unit.pk]
        why = set_locked(known, cset.id, period, commune_side=not office)
        if why:
            raise Locked(why)
        where = {"unit": unit, "period": period, "set_id": cset.id}
        row = CountRecord.objects.select_for_update().filter(**where).first()
        if row is None or row.met is None:
            if met is None:
                raise ValuesError(gettext("There is no criteria count to withdraw."))
            row = row or CountRecord(**where, total=len(cset.criteria))
        elif (row.met, row.note) == (met, note):
            return row
        write_count(row, met, note, acting_user=acting_user)
    return row
