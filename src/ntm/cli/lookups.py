"""What the commands look up from their options: a province today, a signed-in user."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.core.management.base import CommandError
from django.utils import timezone

from ntm.units.models import Unit
from ntm.units.queries import UnitLookupError, province_on

if TYPE_CHECKING:
    from django.contrib.auth.models import User


def province_today(text: str) -> Unit:
    """The province named or coded `text`, in force today; CommandError when there is none."""
    try:
        return province_on(text, timezone.localdate())
    except UnitLookupError as exc:
        raise CommandError(str(exc)) from None


def active_user(username: str) -> User:
    """The active user of that name; CommandError when there is none."""
    user_model = get_user_model()
    try:
        return user_model.objects.get(username=username, is_active=True)
    except user_model.DoesNotExist:
        raise CommandError(f"Không có người dùng “{username}”.") from None
