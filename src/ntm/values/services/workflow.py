"""The approval workflow of a unit's period under a criteria set: the commune submits, the
province office approves (the period is locked), returns it with a reason, or reopens an
approved period with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.criteria.schema import CriteriaSet
from ntm.units.models import Unit
from ntm.values.models import State, Submission
from ntm.values.record import write_state
from ntm.values.services.checks import bounded_reason, check_unit
from ntm.values.services.errors import NotAllowed, ValuesError
from ntm.values.services.locks import lock_periods

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ntm.accounts.permissions import AnyUser


def _transition(
    unit: Unit,
    period: int,
    cset: CriteriaSet,
    *,
    allowed: Callable[[AnyUser, Unit], bool],
    sources: tuple[str, ...],
    target: str,
    action: str,
    acting_user: User,
    reason: str = "",
    reason_required: bool = False,
) -> Submission:
    check_unit(unit, period)
    if not cset.applies_to(period):
        raise ValuesError(
            gettext("%(year)s is outside the period of criteria set %(set)s.")
            % {"year": period, "set": cset.id}
        )
    if not allowed(acting_user, unit):
        raise NotAllowed()
    reason = bounded_reason(reason)
    if reason_required and not reason:
        raise ValuesError(gettext("A reason is required."))
    with transaction.atomic():
        lock_periods([unit.pk], period)
        sub, _ = Submission.objects.select_for_update().get_or_create(
            unit=unit, period=period, set_id=cset.id
        )
        if sub.state not in sources:
            raise ValuesError(
                gettext("This is not possible from the state “%(state)s”.")
                % {"state": State(sub.state).label}
            )
        write_state(
            sub,
            target,
            action=action,
            acting_user=acting_user,
            reason=reason,
            keep_reason=not reason_required,
        )
    return sub


def submit(unit: Unit, period: int, cset: CriteriaSet, *, acting_user: User) -> Submission:
    """The commune sends its period for review: draft/returned -> submitted."""
    return _transition(
        unit,
        period,
        cset,
        allowed=permissions.can_enter_values,
        sources=(State.DRAFT, State.RETURNED),
        target=State.SUBMITTED,
        action="values.submit",
        acting_user=acting_user,
    )


def approve(unit: Unit, period: int, cset: CriteriaSet, *, acting_user: User) -> Submission:
    """The province office approves: submitted -> approved (locked)."""
    return _transition(
        unit,
        period,
        cset,
        allowed=permissions.can_approve,
        sources=(State.SUBMITTED,),
        target=State.APPROVED,
        action="values.approve",
        acting_user=acting_user,
    )


def return_submission(
    unit: Unit, period: int, cset: CriteriaSet, *, reason: str, acting_user: User
) -> Submission:
    """The province office sends a submission back with a reason: submitted -> returned."""
    return _transition(
        unit,
        period,
        cset,
        allowed=permissions.can_approve,
        sources=(State.SUBMITTED,),
        target=State.RETURNED,
        action="values.return",
        acting_user=acting_user,
        reason=reason,
        reason_required=True,
    )


def reopen(
    unit: Unit, period: int, cset: CriteriaSet, *, reason: str, acting_user: User
) -> Submission:
    """The province office reopens an approved period with a reason: approved -> returned."""
    return _transition(
        unit,
        period,
        cset,
        allowed=permissions.can_reopen,
        sources=(State.APPROVED,),
        target=State.RETURNED,
        action="values.reopen",
        acting_user=acting_user,
        reason=reason,
        reason_required=True,
    )
