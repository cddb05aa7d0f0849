"""Declaring a criterion's status for a unit's period, where the province holds only the
criterion's result and not the values behind it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.criteria.schema import CriteriaSet
from ntm.units.models import Unit, UnitKind
from ntm.values.models import Declaration
from ntm.values.record import write_declaration
from ntm.values.services.checks import check_criterion_status, check_unit, existed
from ntm.values.services.errors import Locked, NotAllowed, ValuesError
from ntm.values.services.locks import lock_periods, set_locked

if TYPE_CHECKING:
    from django.contrib.auth.models import User

# The audit action of a district's criterion recorded by the province office.
DISTRICT_ACTION = "values.declare_district"


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


def declare_district_statuses(
    district: Unit,
    period: int,
    cset: CriteriaSet,
    statuses: Mapping[int, str],
    *,
    acting_user: User,
) -> int:
    """Record a district's own criteria met / basically met / not met ("" withdraws one) under
    a district-level set, for the QĐ 18/2022 district rule: all of `statuses` or none, one
    audit row per criterion changed; returns how many changed. Only the province office
    records them: a district has no commune officer and no submission, so no period lock
    applies."""
    if district.kind != UnitKind.DISTRICT:
        raise ValuesError(gettext("District criteria are recorded for districts only."))
    if not existed(district, period):
        raise ValuesError(gettext("The district did not exist in %(year)s.") % {"year": period})
    if cset.level != "district" or not cset.applies_to(period):
        raise ValuesError(
            gettext("Criteria set %(set)s is not a district set for %(year)s.")
            % {"set": cset.id, "year": period}
        )
    for criterion, status in statuses.items():
        check_criterion_status(cset, criterion, status)
    if not permissions.can_approve(acting_user, district):
        raise NotAllowed(gettext("Only the province office records a district's criteria."))
    changed = 0
    with transaction.atomic():
        lock_periods([district.pk], period)  # the unit's lock, under which its stamp moves
        key = {"unit": district, "period": period, "set_id": cset.id}
        for criterion, status in sorted(statuses.items()):
            decl = (
                Declaration.objects.select_for_update().filter(**key, criterion=criterion).first()
            )
            if decl is None and status == "":
                continue  # nothing recorded, nothing to withdraw: no row
            if decl is None:
                decl = Declaration.objects.create(**key, criterion=criterion)
            if decl.status != status:
                write_declaration(decl, status, acting_user=acting_user, action=DISTRICT_ACTION)
                changed += 1
    return changed
