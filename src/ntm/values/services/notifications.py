"""Notifications in the app: what happened to a commune's record, for its officers to read.

`notify` is called by the services of the acts themselves (return, approve, reopen, a
comment), inside their transaction and beside their audit row, so a notification exists
exactly when its act does. Reading them is `ntm.results.notifications`; marking them read is
`mark_read`, the user's own act, audited as every change is.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone

from ntm.accounts.models import Role, RoleAssignment
from ntm.audit.models import AuditLog
from ntm.audit.services import record
from ntm.units.models import Unit
from ntm.values.models import Notification, NotificationKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

NOTIFICATION_OBJECT = "values.notification"


def notify(
    kind: NotificationKind,
    unit: Unit,
    period: int,
    *,
    audit: AuditLog,
    acting_user: User,
    set_id: str = "",
    measure: str = "",
    text: str = "",
) -> int:
    """Tell the commune's officers in office today (the actor excepted) what `audit` records;
    returns how many were told. Call it inside the act's transaction."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify() must run inside the act's transaction")
    officers = (
        RoleAssignment.objects.active_on(timezone.localdate())
        .filter(role=Role.COMMUNE_OFFICER, unit=unit, user__is_active=True)
        .exclude(user_id=acting_user.pk)
        .values_list("user_id", flat=True)
        .distinct()
    )
    rows = [
        Notification(
            user_id=user_id,
            kind=kind,
            unit=unit,
            period=period,
            set_id=set_id,
            measure=measure,
            text=text,
            actor=acting_user,
            created_at=audit.created_at,
            audit=audit,
        )
        for user_id in officers
    ]
    Notification.objects.bulk_create(rows)
    return len(rows)


def mark_read(ids: Iterable[int] | None, *, acting_user: User) -> int:
    """Mark the user's own unread notifications read (`ids`; None: all of them); another
    user's ids are left alone. Returns how many changed; nothing to change writes nothing."""
    with transaction.atomic():
        unread = Notification.objects.select_for_update().filter(
            user_id=acting_user.pk, read_at__isnull=True
        )
        if ids is not None:
            unread = unread.filter(pk__in=list(ids))
        marked = sorted(unread.values_list("pk", flat=True))
        if not marked:
            return 0
        audit = record(
            action="values.notifications_read",
            object_type=NOTIFICATION_OBJECT,
            after={"notifications": marked},
            acting_user=acting_user,
        )
        return Notification.objects.filter(pk__in=marked).update(read_at=audit.created_at)
