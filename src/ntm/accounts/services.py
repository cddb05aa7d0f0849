"""Every change of accounts and roles goes through these functions (design decision 7).

Each runs in one transaction, takes the acting user (or a text `actor` for the command line
and the demo loader) as keyword arguments, refuses bad input with a Vietnamese message and
writes one audit row with the state before and after. Passwords never reach the audit log.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.accounts.models import (
    COUNTRY_ROLES,
    PROVINCE_ROLES,
    PasswordChangeRequired,
    Role,
    RoleAssignment,
)
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


# A generated temporary password: 12 random bytes, 16 URL-safe characters (96 bits).
_GENERATED_PASSWORD_BYTES = 12


def _check_password(password: str, user: User) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountServiceError(
            _("The password must have at least %(n)s characters.") % {"n": MIN_PASSWORD_LENGTH}
        )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise AccountServiceError(" ".join(error.messages)) from error


def _clean_email(email: str) -> str:
    email = email.strip()
    if email:
        try:
            validate_email(email)
        except ValidationError as error:
            raise AccountServiceError(
                _("%(email)s is not a valid e-mail address.") % {"email": email}
            ) from error
    return email


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
        today = timezone.localdate()
        if (
            locked.role == Role.ADMINISTRATOR
            and locked.is_active_on(today)
            and locked.user.is_active
            and not _other_administrators(today, exclude=Q(pk=locked.pk)).exists()
        ):
            raise AccountServiceError(
                _("This is the last active administrator's role; grant it to someone else first.")
            )
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
    must_change_password: bool = False,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> User:
    """A new user with one role. `password=None` leaves the account without a usable password
    (it cannot log in until one is set). The password is hashed with Argon2 (settings).
    `must_change_password` marks a temporary password the user replaces at the first login."""
    username = username.strip()
    if not username:
        raise AccountServiceError(_("The username cannot be empty."))
    user_model = get_user_model()
    if user_model.objects.filter(username__iexact=username).exists():
        raise AccountServiceError(
            _("The username %(username)s is already taken.") % {"username": username}
        )
    email = _clean_email(email)
    user = user_model(username=username, first_name=" ".join(full_name.split()), email=email)
    if password is None:
        user.set_unusable_password()
    else:
        _check_password(password, user)
        user.set_password(password)
    _check_role(role, unit, valid_from or timezone.localdate(), valid_to)
    with transaction.atomic():
        user.save()
        if must_change_password and password is not None:
            PasswordChangeRequired.objects.create(user=user)
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


def _locked_user(user: User) -> User:
    locked: User = get_user_model().objects.select_for_update().get(pk=user.pk)
    return locked


def _other_administrators(today: dt.date, *, exclude: Q) -> QuerySet[RoleAssignment]:
    """The administrator roles in force today of active users, but for `exclude`: the
    application must keep someone who can manage its users."""
    return (
        RoleAssignment.objects.active_on(today)
        .filter(role=Role.ADMINISTRATOR, user__is_active=True)
        .exclude(exclude)
    )


def _is_active_administrator(user: User, today: dt.date) -> bool:
    return (
        user.is_active
        and RoleAssignment.objects.active_on(today)
        .filter(user=user, role=Role.ADMINISTRATOR)
        .exists()
    )


def deactivate_user(
    user: User,
    *,
    reason: str = "",
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> User:
    """Stop a user from logging in; their roles and their record stay. An administrator cannot
    deactivate their own account, and nobody can deactivate the last active administrator
    (the application would have no one left to manage users)."""
    today = timezone.localdate()
    with transaction.atomic():
        locked = _locked_user(user)
        if not locked.is_active:
            raise AccountServiceError(
                _("%(user)s is already deactivated.") % {"user": locked.get_username()}
            )
        if acting_user is not None and acting_user.pk == locked.pk:
            raise AccountServiceError(_("You cannot deactivate your own account."))
        if (
            _is_active_administrator(locked, today)
            and not _other_administrators(today, exclude=Q(user=locked)).exists()
        ):
            raise AccountServiceError(
                _("%(user)s is the last active administrator and cannot be deactivated.")
                % {"user": locked.get_username()}
            )
        _set_active(locked, False, reason=reason, acting_user=acting_user, actor=actor)
    return locked


def _set_active(
    locked: User,
    active: bool,
    *,
    reason: str,
    acting_user: AbstractBaseUser | None,
    actor: str,
) -> None:
    """Deactivate or reactivate the (locked) user, with its audit row."""
    before = _user_snapshot(locked)
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    record(
        action="accounts.reactivate_user" if active else "accounts.deactivate_user",
        object_type="auth.User",
        object_id=locked.pk,
        before=before,
        after=_user_snapshot(locked),
        reason=reason,
        acting_user=acting_user,
        actor=actor,
    )


def reactivate_user(
    user: User,
    *,
    reason: str = "",
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> User:
    """Let a deactivated user log in again (with the roles still in force)."""
    with transaction.atomic():
        locked = _locked_user(user)
        if locked.is_active:
            raise AccountServiceError(
                _("%(user)s is already active.") % {"user": locked.get_username()}
            )
        _set_active(locked, True, reason=reason, acting_user=acting_user, actor=actor)
    return locked


def edit_user(
    user: User,
    *,
    full_name: str,
    email: str,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> User:
    """Change a user's full name and e-mail address (the login stays: the audit log and other
    people know the user by it)."""
    name = " ".join(full_name.split())
    email = _clean_email(email)
    with transaction.atomic():
        locked = _locked_user(user)
        if locked.first_name == name and locked.last_name == "" and locked.email == email:
            raise AccountServiceError(_("Nothing to change."))
        before = _user_snapshot(locked)
        locked.first_name, locked.last_name, locked.email = name, "", email
        locked.save(update_fields=["first_name", "last_name", "email"])
        record(
            action="accounts.edit_user",
            object_type="auth.User",
            object_id=locked.pk,
            before=before,
            after=_user_snapshot(locked),
            acting_user=acting_user,
            actor=actor,
        )
    return locked


def generate_password() -> str:
    """A random temporary password (shown once to the administrator, never stored clear)."""
    return secrets.token_urlsafe(_GENERATED_PASSWORD_BYTES)


def reset_password(
    user: User,
    *,
    password: str,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
) -> User:
    """Set a temporary password that the user must replace at the next login. Every session
    of the user ends (Django ties a session to the password hash)."""
    _check_password(password, user)
    with transaction.atomic():
        locked = _locked_user(user)
        locked.set_password(password)
        locked.save(update_fields=["password"])
        PasswordChangeRequired.objects.update_or_create(
            user=locked, defaults={"set_at": timezone.now()}
        )
        record(
            action="accounts.reset_password",
            object_type="auth.User",
            object_id=locked.pk,
            # What changed, never the password or its hash.
            after={"id": locked.pk, "must_change_password": True},
            acting_user=acting_user,
            actor=actor,
        )
    return locked


def must_change_password(user: AbstractBaseUser) -> bool:
    """Whether the user still holds a temporary password set by an administrator."""
    return PasswordChangeRequired.objects.filter(user_id=user.pk).exists()


def change_own_password(user: User, *, old_password: str, new_password: str) -> User:
    """The user replaces their password (a temporary one, or their own)."""
    with transaction.atomic():
        # Checked against the stored row: the caller's object may predate a reset.
        locked = _locked_user(user)
        if not locked.check_password(old_password):
            raise AccountServiceError(_("The current password is wrong."))
        if old_password == new_password:
            raise AccountServiceError(_("The new password must differ from the current one."))
        _check_password(new_password, locked)
        locked.set_password(new_password)
        locked.save(update_fields=["password"])
        PasswordChangeRequired.objects.filter(user=locked).delete()
        record(
            action="accounts.change_password",
            object_type="auth.User",
            object_id=locked.pk,
            after={"id": locked.pk, "must_change_password": False},
            acting_user=locked,
        )
    return locked
