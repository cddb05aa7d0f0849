"""Every change of accounts and roles goes through these functions (design decision 7).

Each runs in one transaction, takes the acting user (or a text `actor` for the command line
and the demo loader) as keyword arguments, refuses bad input with a Vietnamese message and
writes one audit row with the state before and after. Passwords never reach the audit log.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.models import COUNTRY_ROLES, PROVINCE_ROLES, Role, RoleAssignment
from ntm.audit.services import record
from ntm.units.models import Unit, UnitKind
from ntm.vn.dates import format_date

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, User


# Our own floor, with a Vietnamese message (Django's vi catalogue does not translate its
# password validators); validators configured in the settings apply on top.
MIN_PASSWORD_LENGTH = 10


class AccountServiceError(ValueError):
    """A refused change; `str(error)` is the message for the person who asked."""


def _user_snapshot(user: User) -> dict[str, Any]:
    return {
        "id": user.pk,
        "username": user.get_username(),
        "full_name": user.get_full_name(),
        "email": user.email,
        "is_active": user.is_active,
    }


def role_snapshot(assignment: RoleAssignment) -> dict[str, Any]:
    """The audited state of a role assignment."""
    return {
        "id": assignment.pk,
        "user": assignment.user_id,
        "role": assignment.role,
        "unit": assignment.unit_id,
        "valid_from": assignment.valid_from.isoformat(),
        "valid_to": assignment.valid_to.isoformat() if assignment.valid_to else None,
        "revoked_at": assignment.revoked_at.isoformat() if assignment.revoked_at else None,
    }


_UNIT_KIND_OF_ROLE = {Role.COMMUNE_OFFICER: UnitKind.COMMUNE} | {
    role: UnitKind.PROVINCE for role in PROVINCE_ROLES
}


def _check_role(
    role: str, unit: Unit | None, valid_from: dt.date, valid_to: dt.date | None
) -> Role:
    if role not in Role.values:
        raise AccountServiceError(_("Unknown role: %(role)s.") % {"role": role})
    kind = Role(role)
    if kind in COUNTRY_ROLES:
        if unit is not None:
            raise AccountServiceError(
                _("The role %(role)s covers the whole country and takes no unit.")
                % {"role": kind.label}
            )
    else:
        wanted = _UNIT_KIND_OF_ROLE[kind]
        if unit is None or unit.kind != wanted:
            raise AccountServiceError(
                _("The role %(role)s must be bound to a unit of kind %(kind)s.")
                % {"role": kind.label, "kind": wanted.label}
            )
        if unit.valid_to is not None and unit.valid_to < valid_from:
            raise AccountServiceError(
                _("%(unit)s ended on %(end)s, before the role would start.")
                % {"unit": unit.name, "end": format_date(unit.valid_to)}
            )
    if valid_to is not None and valid_to < valid_from:
        raise AccountServiceError(_("The end date of a role cannot be before its start date."))
    return kind


def grant_role(
    user: User,
    role: str,
    unit: Unit | None = None,
    *,
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> RoleAssignment:
    """Give `user` a role over `unit` (None for the country roles) from `valid_from` (default
    today) to `valid_to` (inclusive; None = open-ended)."""
    start = valid_from or timezone.localdate()
    kind = _check_role(role, unit, start, valid_to)
    with transaction.atomic():
        overlapping = RoleAssignment.objects.filter(
            user=user, role=kind, unit=unit, revoked_at__isnull=True
        ).exclude(valid_to__lt=start)
        if valid_to is not None:
            overlapping = overlapping.exclude(valid_from__gt=valid_to)
        if overlapping.exists():
            raise AccountServiceError(
                _("%(user)s already holds the role %(role)s for this unit in that period.")
                % {"user": user.get_username(), "role": kind.label}
            )
        assignment = RoleAssignment.objects.create(
            user=user, role=kind, unit=unit, valid_from=start, valid_to=valid_to
        )
        record(
            action="accounts.grant_role",
            object_type="accounts.RoleAssignment",
            object_id=assignment.pk,
            after=role_snapshot(assignment),
            acting_user=acting_user,
            actor=actor,
        )
    return assignment


def revoke_role(
    assignment: RoleAssignment,
    *,
    reason: str = "",
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> RoleAssignment:
    """End a role now. The row stays, stamped with the time it was revoked."""
    with transaction.atomic():
        locked = RoleAssignment.objects.select_for_update().get(pk=assignment.pk)
        if locked.revoked_at is not None:
            raise AccountServiceError(_("This role has already been revoked."))
        before = role_snapshot(locked)
        locked.revoked_at = timezone.now()
        locked.save(update_fields=["revoked_at"])
        record(
            action="accounts.revoke_role",
            object_type="accounts.RoleAssignment",
            object_id=locked.pk,
            before=before,
            after=role_snapshot(locked),
            reason=reason,
            acting_user=acting_user,
            actor=actor,
        )
    return locked


def create_user(
    username: str,
    *,
    password: str | None,
    role: str,
    unit: Unit | None = None,
    full_name: str = "",
    email: str = "",
    valid_from: dt.date | None = None,
    valid_to: dt.date | None = None,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> User:
    """A new user with one role. `password=None` leaves the account without a usable password
    (it cannot log in until one is set). The password is hashed with Argon2 (settings)."""
    username = username.strip()
    if not username:
        raise AccountServiceError(_("The username cannot be empty."))
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise AccountServiceError(
            _("The username %(username)s is already taken.") % {"username": username}
        )
    user = user_model(username=username, first_name=" ".join(full_name.split()), email=email)
    if password is None:
        user.set_unusable_password()
    else:
        if len(password) < MIN_PASSWORD_LENGTH:
            raise AccountServiceError(
                _("The password must have at least %(n)s characters.") % {"n": MIN_PASSWORD_LENGTH}
            )
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise AccountServiceError(" ".join(error.messages)) from error
        user.set_password(password)
    _check_role(role, unit, valid_from or timezone.localdate(), valid_to)
    with transaction.atomic():
        user.save()
        record(
            action="accounts.create_user",
            object_type="auth.User",
            object_id=user.pk,
            after=_user_snapshot(user),
            acting_user=acting_user,
            actor=actor,
        )
        grant_role(
            user,
            role,
            unit,
            valid_from=valid_from,
            valid_to=valid_to,
            acting_user=acting_user,
            actor=actor,
        )
    return user
