"""Forms of the user administration pages (the administrator's): they read and check what was
typed; the services in ntm.accounts.services decide and write."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ntm.accounts.models import COUNTRY_ROLES, PROVINCE_ROLES, Role
from ntm.units.models import Unit, UnitKind
from ntm.vn.dates import parse_date

DATE_PLACEHOLDER = _("dd/mm/yyyy")


def _day(text: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return parse_date(text)
    except ValueError:
        raise forms.ValidationError(
            _("Enter a date as dd/mm/yyyy, for example 30/06/2025.")
        ) from None


class RoleFields(forms.Form):
    """A role, the unit it covers (by its code) and its dates."""

    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    unit_code = forms.CharField(
        label=_(
            "Unit code (commune for a commune officer, province for an appraiser or a "
            "province office; empty for the whole country)"
        ),
        required=False,
        max_length=20,
    )
    valid_from = forms.CharField(
        label=_("From"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": DATE_PLACEHOLDER, "inputmode": "numeric"}),
    )
    valid_to = forms.CharField(
        label=_("Until (inclusive; empty for no end)"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": DATE_PLACEHOLDER, "inputmode": "numeric"}),
    )

    def clean_valid_from(self) -> dt.date | None:
        return _day(self.cleaned_data.get("valid_from", ""))

    def clean_valid_to(self) -> dt.date | None:
        return _day(self.cleaned_data.get("valid_to", ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        role = data.get("role")
        if role is None:
            return data
        code = data.get("unit_code", "").strip()
        kind = Role(role)
        if kind in COUNTRY_ROLES:
            if code:
                self.add_error(
                    "unit_code", _("This role covers the whole country: leave the unit code empty.")
                )
            data["unit"] = None
            return data
        wanted = UnitKind.PROVINCE if kind in PROVINCE_ROLES else UnitKind.COMMUNE
        if not code:
            self.add_error("unit_code", _("Enter the code of the unit this role covers."))
            return data
        on = data.get("valid_from") or timezone.localdate()
        unit = Unit.objects.valid_on(on).filter(code=code, kind=wanted).first()
        if unit is None:
            missing = (
                _("No province with the code %(code)s is in force on that date.")
                if wanted == UnitKind.PROVINCE
                else _("No commune with the code %(code)s is in force on that date.")
            )
            self.add_error("unit_code", missing % {"code": code})
        data["unit"] = unit
        return data


class CreateUserForm(RoleFields):
    username = forms.CharField(label=_("Login"), max_length=150)
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)
    password = forms.CharField(
        label=_("Temporary password (empty: one is generated and shown once)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )

    field_order = ("username", "full_name", "email", "password", "role", "unit_code")


class EditUserForm(forms.Form):
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    email = forms.EmailField(label=_("E-mail"), required=False)


class ResetPasswordForm(forms.Form):
    password = forms.CharField(
        label=_("Temporary password (empty: one is generated and shown once)"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("Reason (recorded)"), required=False, max_length=500)


class ChangePasswordForm(forms.Form):
    old_password = forms.CharField(label=_("Current password"), widget=forms.PasswordInput)
    new_password = forms.CharField(label=_("New password"), widget=forms.PasswordInput)
    new_password_again = forms.CharField(label=_("New password again"), widget=forms.PasswordInput)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        new, again = data.get("new_password"), data.get("new_password_again")
        if new and again and new != again:
            self.add_error("new_password_again", _("The two new passwords differ."))
        return data
