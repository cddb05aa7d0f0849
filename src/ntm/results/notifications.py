"""A user's notifications (`ntm.values.models.Notification`) as the header and the list read
them: live, newest first."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ntm.values.models import Notification

if TYPE_CHECKING:
    from ntm.accounts.permissions import AnyUser

# The list shows the latest ones; older ones stay in the record.
LIST_LIMIT = 200


def unread_count(user: AnyUser) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).count()


def notifications_of(user: AnyUser) -> list[Notification]:
    """The user's latest notifications, newest first, with their units and actors."""
    if not user.is_authenticated:
        return []
    return list(
        Notification.objects.filter(user_id=user.pk).select_related("unit", "actor")[:LIST_LIMIT]
    )
