"""Roles: which user may do what, on which units, during which dates.

A role is never deleted: revoking it stamps `revoked_at`, so "who could approve this
commune on 12/03/2021" stays answerable.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    COMMUNE_OFFICER = "commune_officer", _("Commune officer")
    APPRAISER = "appraiser", _("Appraiser")
    PROVINCE_OFFICE = "province_office", _("Province office")
    CENTRAL_VIEWER = "central_viewer", _("Central viewer")
    ADMINISTRATOR = "administrator", _("Administrator")


# Roles bound to the whole country carry no unit; the others carry exactly one.
COUNTRY_ROLES = frozenset({Role.CENTRAL_VIEWER, Role.ADMINISTRATOR})
PROVINCE_ROLES = frozenset({Role.APPRAISER, Role.PROVINCE_OFFICE})
_COUNTRY_ROLE_VALUES = sorted(r.value for r in COUNTRY_ROLES)  # sorted: stable migrations


class RoleAssignmentQuerySet(models.QuerySet["RoleAssignment"]):
    def active_on(self, day: dt.date) -> RoleAssignmentQuerySet:
        """Assignments in force on `day`: within valid_from..valid_to (both inclusive) and not
        revoked on or before that day."""
        return self.filter(
            Q(valid_from__lte=day),
            Q(valid_to__isnull=True) | Q(valid_to__gte=day),
            Q(revoked_at__isnull=True) | Q(revoked_at__date__gt=day),
        )


class RoleAssignment(models.Model):
    """One user holding one role over one unit (or the whole country) for a period.

    Dates are inclusive, as for units (`valid_to` is the last day in force). Revocation takes
    effect at once, so it is a timestamp rather than a date: a role revoked at 10:00 today is
    out of force for the whole of today.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="role_assignments",
        verbose_name=_("user"),
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    unit = models.ForeignKey(
        "units.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="role_assignments",
        verbose_name=_("unit"),
    )
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    objects = RoleAssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        ordering = ("user_id", "valid_from", "pk")
        indexes = (models.Index(fields=("user", "valid_from")),)
        constraints = (
            models.CheckConstraint(
                condition=(
                    Q(role__in=_COUNTRY_ROLE_VALUES, unit__isnull=True)
                    | (~Q(role__in=_COUNTRY_ROLE_VALUES) & Q(unit__isnull=False))
                ),
                name="accounts_role_unit_matches_scope",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="accounts_role_valid_to_after_from",
            ),
        )

    def __str__(self) -> str:
        scope = str(self.unit) if self.unit_id else _("whole country")
        return f"{self.user} — {self.get_role_display()} — {scope}"

    def is_active_on(self, day: dt.date) -> bool:
        return (
            self.valid_from <= day
            and (self.valid_to is None or day <= self.valid_to)
            and (self.revoked_at is None or timezone.localdate(self.revoked_at) > day)
        )


class PasswordChangeRequired(models.Model):
    """A user who must choose a new password at the next login: the administrator set a
    temporary one. The row is removed when the user changes it (ntm.accounts.services)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="password_change_required",
        verbose_name=_("user"),
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)

    class Meta:
        verbose_name = _("password change required")
        verbose_name_plural = _("password changes required")

    def __str__(self) -> str:
        return str(self.user)
