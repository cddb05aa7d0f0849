"""Declaring a criterion's status for a unit's period, where the province holds only the
criterion's result and not the values behind it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.criteria.schema import CriteriaSet
from ntm.units.models import Unit
from ntm.values.models import Declaration
from ntm.values.record import write_declaration
from ntm.values.services.checks import check_criterion_status, check_unit
from ntm.values.services.errors import Locked, NotAllowed
from ntm.values.services.locks import lock_periods, set_locked

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def declare_status(
    unit: Unit,
    period: int,
    cset: CriteriaSet,
    criterion: int,
    status: str,
    *,
    acting_user: User,
) -> Declaration:
    """Declare a criterion met / basically met / not met ("" withdraws the declaration).
    The commune declares while its period is open; the appraiser and the province office
    until it is approved. A declaration counts only where the values do not decide the
    criterion (see `ntm.evaluation.engine`); the province office overrides a computed result
    with `decide_status`."""
    check_unit(unit, period)
    check_criterion_status(cset, criterion, status)
    commune = permissions.can_enter_values(acting_user, unit)
    reviewer = permissions.can_verify(acting_user, unit) or permissions.can_approve(
        acting_user, unit
    )
    if not commune and not reviewer:
        raise NotAllowed(gettext("You are not allowed to declare a criterion's status."))
    with transaction.atomic():
        known = lock_periods([unit.pk], period)[unit.pk]
        why = set_locked(known, cset.id, period, commune_side=not reviewer)
        if why:
            raise Locked(why)
        decl, _ = Declaration.objects.select_for_update().get_or_create(
            unit=unit, period=period, set_id=cset.id, criterion=criterion
        )
        if decl.status == status:
            return decl
        write_declaration(decl, status, acting_user=acting_user)
    return decl
