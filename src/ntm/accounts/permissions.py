"""The one place where access rules live. Pages, the API, exports and imports ask here.

Two dates are in play and kept apart:
- a role counts when it is in force *today* (access is what a person may do now; a former
  officer of a commune does not keep reading it);
- the geography is taken *as of* a date `on`: a commune belongs to a province through its
  parent chain on that date. When a role's unit did not exist on `on`, its scope on `on` is
  found through the recorded unit events, at the same level: before the unit began, its
  predecessors (the office of a province formed in 2025 reads the history of what it was
  formed from); after it ended, only the versions it continued as (rename, reclassification,
  transfer) — never the unit it was merged into, which holds other people's communes.

Outside their scope a user gets nothing: `visible_units` leaves such units out, and the
`can_*` functions say no. Views turn a "no" on a specific object into a 404, so that nobody
learns whether a unit, value or file outside their scope exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from ntm.accounts.models import COUNTRY_ROLES, Role, RoleAssignment
from ntm.evaluation.semantics import Stage
from ntm.units.models import LEVEL, EventKind, Unit, UnitEventLink, UnitKind, UnitQuerySet

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

    AnyUser = AbstractBaseUser | AnonymousUser

# Province -> district -> commune: a unit is at most this many parent steps below its root.
_MAX_DEPTH = 3
# Lineage steps followed when a role's unit did not exist on the date asked about.
_MAX_LINEAGE_STEPS = 10
# Events after which the new version is the same unit continued.
_CONTINUING_EVENTS = (EventKind.RENAME, EventKind.RECLASSIFY, EventKind.TRANSFER)


def active_assignments(user: AnyUser, today: dt.date | None = None) -> list[RoleAssignment]:
    """The user's roles in force today (none for anonymous or deactivated users)."""
    if not user.is_authenticated or not user.is_active:
        return []
    day = today or timezone.localdate()
    return list(
        RoleAssignment.objects.active_on(day)
        .filter(user_id=user.pk)
        .select_related("unit")
        .order_by("role", "unit__name", "pk")
    )


def has_role(user: AnyUser, *roles: Role) -> bool:
    return any(a.role in roles for a in active_assignments(user))


def can_read_all(user: AnyUser) -> bool:
    """Central viewers and administrators read every unit of the country."""
    return has_role(user, *COUNTRY_ROLES)


def can_manage_users(user: AnyUser) -> bool:
    return has_role(user, Role.ADMINISTRATOR)


def reference_date(unit: Unit) -> dt.date:
    """The date a unit is judged on when none is given: today while it is in force, otherwise
    the nearest day it was (its last day, or its first for a unit not yet in force)."""
    today = timezone.localdate()
    if unit.valid_to is not None and unit.valid_to < today:
        return unit.valid_to
    if unit.valid_from is not None and unit.valid_from > today:
        return unit.valid_from
    return today


def _roots_on(unit: Unit, on: dt.date) -> set[int]:
    """The versions standing for `unit` on `on`: itself if in force then, otherwise the units
    of the same level reached through unit events (see the module docstring)."""
    if unit.is_valid_on(on):
        return {unit.pk}
    backwards = unit.valid_from is not None and on < unit.valid_from
    level = LEVEL[UnitKind(unit.kind)]
    frontier, seen, found = {unit.pk}, {unit.pk}, set()
    for _ in range(_MAX_LINEAGE_STEPS):
        if not frontier:
            break
        if backwards:
            links = UnitEventLink.objects.filter(new_unit_id__in=frontier, old_unit__isnull=False)
            neighbours = Unit.objects.filter(pk__in=links.values("old_unit_id"))
        else:
            links = UnitEventLink.objects.filter(
                old_unit_id__in=frontier,
                new_unit__isnull=False,
                event__kind__in=_CONTINUING_EVENTS,
            )
            neighbours = Unit.objects.filter(pk__in=links.values("new_unit_id"))
        frontier = set()
        for other in neighbours.exclude(pk__in=seen):
            seen.add(other.pk)
            if LEVEL[UnitKind(other.kind)] != level:
                continue
            if other.is_valid_on(on):
                found.add(other.pk)
            else:
                frontier.add(other.pk)
    return found


def _scope_q(roots: Iterable[int]) -> Q:
    """The roots and everything below them through the parent chain."""
    ids = list(roots)
    q = Q(pk__in=ids)
    path = "parent_id"
    for _ in range(_MAX_DEPTH):
        q |= Q(**{f"{path}__in": ids})
        path = "parent__" + path
    return q


def _scoped_units(assignments: Iterable[RoleAssignment], on: dt.date) -> UnitQuerySet:
    roots: set[int] = set()
    for a in assignments:
        if a.unit is not None:
            roots |= _roots_on(a.unit, on)
    if not roots:
        return Unit.objects.none()
    return Unit.objects.valid_on(on).filter(_scope_q(roots))


def visible_units(user: AnyUser, on: dt.date | None = None) -> UnitQuerySet:
    """Every unit in force on `on` (default today) that the user may read."""
    day = on or timezone.localdate()
    assignments = active_assignments(user)
    if any(a.role in COUNTRY_ROLES for a in assignments):
        return Unit.objects.valid_on(day)
    return _scoped_units(assignments, day)


def _in_scope(assignments: list[RoleAssignment], unit: Unit, on: dt.date | None) -> bool:
    if not assignments:
        return False
    day = on or reference_date(unit)
    if not unit.is_valid_on(day):
        return False
    return _scoped_units(assignments, day).filter(pk=unit.pk).exists()


def can_view(user: AnyUser, unit: Unit, on: dt.date | None = None) -> bool:
    """May the user read this unit (as of `on`, default the unit's reference date)?"""
    assignments = active_assignments(user)
    if any(a.role in COUNTRY_ROLES for a in assignments):
        return True
    return _in_scope(assignments, unit, on)


def can_enter_values(user: AnyUser, unit: Unit) -> bool:
    """Only the commune's own officers enter its values."""
    return any(
        a.role == Role.COMMUNE_OFFICER and a.unit_id == unit.pk for a in active_assignments(user)
    )


def _province_role_covers(user: AnyUser, role: Role, unit: Unit, on: dt.date | None) -> bool:
    return _in_scope([a for a in active_assignments(user) if a.role == role], unit, on)


def can_verify(user: AnyUser, unit: Unit, on: dt.date | None = None) -> bool:
    """Appraisers of the province record verified values for its units."""
    return _province_role_covers(user, Role.APPRAISER, unit, on)


def can_approve(user: AnyUser, unit: Unit, on: dt.date | None = None) -> bool:
    """The province office approves (and returns) its units' periods."""
    return _province_role_covers(user, Role.PROVINCE_OFFICE, unit, on)


def can_return(user: AnyUser, unit: Unit, on: dt.date | None = None) -> bool:
    """A submission is sent back to its commune, with a reason, by the province's appraisers
    (who check the values) or by its office."""
    return can_verify(user, unit, on) or can_approve(user, unit, on)


def can_propose_recognition(user: AnyUser, unit: Unit) -> bool:
    """A unit's case for recognition is proposed, and its dossier completed, by the unit's
    own officers or by the province office for it."""
    return can_enter_values(user, unit) or can_approve(user, unit)


def can_decide(user: AnyUser, unit: Unit, on: dt.date | None = None) -> bool:
    """Only the province office decides a criterion's status over its computed result (with a
    written reason, audited by the service)."""
    return _province_role_covers(user, Role.PROVINCE_OFFICE, unit, on)


def can_reopen(user: AnyUser, unit: Unit, on: dt.date | None = None) -> bool:
    """Reopening an approved period is the province office's act (audited by the service)."""
    return _province_role_covers(user, Role.PROVINCE_OFFICE, unit, on)


def can_assign_groups(user: AnyUser, unit: Unit, on: dt.date | None = None) -> bool:
    """Commune groups (2026–2030) are assigned by the province office of the commune."""
    return _province_role_covers(user, Role.PROVINCE_OFFICE, unit, on)


def can_import(user: AnyUser, unit: Unit, stage: str) -> bool:
    """Who may import a file's entries for a commune: the claimed entries, the commune's own
    officers and the province office (which collects the communes' files for them); the
    verified entries, the province's appraisers."""
    if stage == Stage.VERIFIED:
        return can_verify(user, unit)
    return can_enter_values(user, unit) or can_approve(user, unit)


def importable_communes(user: AnyUser, on: dt.date) -> UnitQuerySet:
    """The communes in force on `on` whose claimed entries and declared statuses the user may
    import (`can_import`): their own commune as its officer, their province's as its office."""
    assignments = active_assignments(user)
    offices = [a for a in assignments if a.role == Role.PROVINCE_OFFICE]
    own = [a.unit_id for a in assignments if a.role == Role.COMMUNE_OFFICER]
    scoped = _scoped_units(offices, on).values("pk") if offices else []
    return Unit.objects.valid_on(on).filter(Q(pk__in=own) | Q(pk__in=scoped), kind=UnitKind.COMMUNE)


def can_decide_criteria(user: AnyUser, province: Unit) -> bool:
    """Only the province's own office records the province's decisions on a criteria set."""
    return province.kind == UnitKind.PROVINCE and _province_role_covers(
        user, Role.PROVINCE_OFFICE, province, None
    )
