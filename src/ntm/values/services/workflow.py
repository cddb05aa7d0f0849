"""The approval workflow of a unit's period under a criteria set: the commune submits, the
province office approves (the period is locked), the province's appraisers or its office
return it with a reason, the office reopens an approved period with a reason.

Submit and approve are shown the period's completeness first (`Completeness`, which the
caller reads through `ntm.results.workflow.completeness`, as recognition is given the set's
result): with a gap, the act needs the user's confirmation, which the audit row keeps with the
completeness; a province whose rule requires completeness (`WorkflowRule`) refuses approval
with any gap, and approval without the completeness read. Return, approve and reopen notify
the commune's officers in the same transaction."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.accounts.models import Role
from ntm.audit.services import record
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation.completeness import Completeness
from ntm.units.models import Unit, UnitKind
from ntm.values.models import NotificationKind, State, Submission, WorkflowRule
from ntm.values.record import write_state
from ntm.values.services.checks import bounded_reason, check_unit
from ntm.values.services.errors import NotAllowed, ValuesError
from ntm.values.services.locks import lock_periods
from ntm.values.services.notifications import notify
from ntm.vn.numbers import format_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User

    from ntm.accounts.permissions import AnyUser

RULE_OBJECT = "values.workflow_rule"
# Province levels above a commune: district, province.
_MAX_DEPTH = 3


class NeedsConfirmation(ValuesError):
    """The period has gaps and the user has not confirmed going on with them."""

    def __init__(self, completeness: Completeness) -> None:
        self.completeness = completeness
        super().__init__(
            gettext(
                "%(missing_data)s of %(total)s criteria are missing data and %(no_threshold)s "
                "a threshold. Confirm to go on with these gaps."
            )
            % _figures(completeness)
        )


def _figures(c: Completeness) -> dict[str, str]:
    return {
        "missing_data": format_number(c.missing_data),
        "no_threshold": format_number(c.missing_threshold),
        "total": format_number(c.total),
    }


def province_of(unit: Unit) -> Unit | None:
    """The province above a unit through its parent chain (the unit itself if one)."""
    node: Unit | None = unit
    for _ in range(_MAX_DEPTH + 1):
        if node is None or node.kind == UnitKind.PROVINCE:
            return node
        node = node.parent
    return None


def requires_complete(unit: Unit) -> bool:
    """Does the unit's province require completeness before approval?"""
    province = province_of(unit)
    return (
        province is not None
        and WorkflowRule.objects.filter(province=province, require_complete=True).exists()
    )


def _role(user: User, unit: Unit) -> str:
    """The role the user acts in on the unit (what the audit row keeps)."""
    if permissions.can_enter_values(user, unit):
        return Role.COMMUNE_OFFICER.value
    if permissions.can_approve(user, unit):
        return Role.PROVINCE_OFFICE.value
    return Role.APPRAISER.value


def _shown(completeness: Completeness | None, confirmed: bool) -> dict[str, Any]:
    """What the audit row keeps of the completeness the user was shown."""
    if completeness is None:
        return {"completeness": None}
    return {
        "completeness": completeness.as_record(),
        "confirmed_with_gaps": confirmed and not completeness.complete,
    }


def _check_complete(completeness: Completeness | None, confirmed: bool) -> None:
    if completeness is not None and not completeness.complete and not confirmed:
        raise NeedsConfirmation(completeness)


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
    detail: dict[str, Any] | None = None,
    notice: NotificationKind | None = None,
    check: Callable[[], None] | None = None,
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
        if check is not None:
            check()  # a refusal here rolls back the row `get_or_create` may have added
        audit = write_state(
            sub,
            target,
            action=action,
            acting_user=acting_user,
            reason=reason,
            keep_reason=not reason_required,
            detail={"role": _role(acting_user, unit), **(detail or {})},
        )
        if notice is not None:
            notify(
                notice,
                unit,
                period,
                audit=audit,
                acting_user=acting_user,
                set_id=cset.id,
                text=reason,
            )
    return sub


def submit(
    unit: Unit,
    period: int,
    cset: CriteriaSet,
    *,
    acting_user: User,
    completeness: Completeness | None = None,
    confirmed: bool = False,
) -> Submission:
    """The commune sends its period for review: draft/returned -> submitted. With a gap in
    `completeness`, only once the user `confirmed`."""
    return _transition(
        unit,
        period,
        cset,
        allowed=permissions.can_enter_values,
        check=lambda: _check_complete(completeness, confirmed),
        sources=(State.DRAFT, State.RETURNED),
        target=State.SUBMITTED,
        action="values.submit",
        acting_user=acting_user,
        detail=_shown(completeness, confirmed),
    )


def approve(
    unit: Unit,
    period: int,
    cset: CriteriaSet,
    *,
    acting_user: User,
    completeness: Completeness | None = None,
    confirmed: bool = False,
) -> Submission:
    """The province office approves: submitted -> approved (locked). With a gap in
    `completeness`, only once the user `confirmed`, and never where the province requires
    completeness (nor there without the completeness read)."""

    def check() -> None:
        if requires_complete(unit):
            _check_required(completeness)
        _check_complete(completeness, confirmed)

    return _transition(
        unit,
        period,
        cset,
        allowed=permissions.can_approve,
        check=check,
        sources=(State.SUBMITTED,),
        target=State.APPROVED,
        action="values.approve",
        acting_user=acting_user,
        detail=_shown(completeness, confirmed),
        notice=NotificationKind.APPROVED,
    )


def _check_required(completeness: Completeness | None) -> None:
    """The refusal of a province that requires completeness before approval."""
    if completeness is None:
        raise ValuesError(
            gettext(
                "The province requires every criterion complete before approval, and the "
                "completeness of this period was not read."
            )
        )
    if not completeness.complete:
        raise ValuesError(
            gettext(
                "The province requires every criterion complete before approval: "
                "%(missing_data)s of %(total)s criteria are missing data and "
                "%(no_threshold)s a threshold."
            )
            % _figures(completeness)
        )


def return_submission(
    unit: Unit, period: int, cset: CriteriaSet, *, reason: str, acting_user: User
) -> Submission:
    """The province's appraisers or its office send a submission back with a reason:
    submitted -> returned."""
    return _transition(
        unit,
        period,
        cset,
        allowed=permissions.can_return,
        sources=(State.SUBMITTED,),
        target=State.RETURNED,
        action="values.return",
        acting_user=acting_user,
        reason=reason,
        reason_required=True,
        notice=NotificationKind.RETURNED,
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
        notice=NotificationKind.REOPENED,
    )


def set_require_complete(province: Unit, require: bool, *, acting_user: User) -> WorkflowRule:
    """The province office sets whether its communes' periods must be complete before
    approval."""
    if not permissions.can_decide_criteria(acting_user, province):
        raise NotAllowed()
    with transaction.atomic():
        rule, _ = WorkflowRule.objects.select_for_update().get_or_create(province=province)
        before = {"province": province.pk, "require_complete": rule.require_complete}
        audit = record(
            action="values.set_require_complete",
            object_type=RULE_OBJECT,
            object_id=rule.pk,
            before=before,
            after={**before, "require_complete": require},
            acting_user=acting_user,
        )
        rule.require_complete = require
        rule.changed_by = acting_user
        rule.changed_at = audit.created_at
        rule.save()
    return rule
