"""The province office's decision on a criterion's status over its computed result: where
the values decide a criterion, a declaration does not count (`ntm.evaluation.engine`), and
only this decision — with a written reason, audited — changes the status the record shows
(*quyết định của tỉnh*)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.criteria.schema import CriteriaSet
from ntm.units.models import Unit
from ntm.values.models import ProvinceDecision
from ntm.values.record import write_decision
from ntm.values.services.checks import bounded_reason, check_criterion_status, check_unit
from ntm.values.services.errors import Locked, NotAllowed, ValuesError
from ntm.values.services.locks import lock_periods, set_locked

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def decide_status(
    unit: Unit,
    period: int,
    cset: CriteriaSet,
    criterion: int,
    status: str,
    *,
    reason: str,
    acting_user: User,
) -> ProvinceDecision:
    """The province office decides a criterion met / basically met / not met for a unit's
    period under a set ("" withdraws its decision), for a written reason; refused once the
    period is approved under the set."""
    check_unit(unit, period)
    check_criterion_status(cset, criterion, status)
    if not permissions.can_decide(acting_user, unit):
        raise NotAllowed(
            gettext("Only the province office may decide a criterion's status over its result.")
        )
    reason = bounded_reason(reason)
    if not reason:
        raise ValuesError(gettext("A reason is required."))
    with transaction.atomic():
        known = lock_periods([unit.pk], period)[unit.pk]
        why = set_locked(known, cset.id, period, commune_side=False)
        if why:
            raise Locked(why)
        where = {"unit": unit, "period": period, "set_id": cset.id, "criterion": criterion}
        decision = ProvinceDecision.objects.select_for_update().filter(**where).first()
        if decision is None or not decision.status:
            if not status:
                raise ValuesError(gettext("There is no decision of the province to withdraw."))
            decision = decision or ProvinceDecision.objects.create(**where)
        elif (decision.status, decision.reason) == (status, reason):
            return decision
        write_decision(decision, status, reason, acting_user=acting_user)
    return decision
