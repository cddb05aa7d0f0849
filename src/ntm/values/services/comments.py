"""Remarks on a value by anyone who works on it, until its period is approved; the commune's
officers are notified of each (the author excepted)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.audit.services import record
from ntm.units.models import Unit
from ntm.values.models import Comment, NotificationKind, Stage, Value
from ntm.values.record import VALUE_OBJECT
from ntm.values.services.checks import check_read, check_unit, measure_of
from ntm.values.services.errors import InvalidEntry, Locked, NotAllowed
from ntm.values.services.locks import lock_periods, locked_for
from ntm.values.services.notifications import notify
from ntm.vn.numbers import format_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User

MAX_COMMENT = 2000


def add_comment(unit: Unit, measure: str, period: int, text: str, *, acting_user: User) -> Comment:
    """A remark on a value by anyone who works on it (commune, appraiser, province office)."""
    measure_of(measure)
    check_unit(unit, period)
    check_read(measure, period, unit)
    text = text.strip()
    if not text:
        raise InvalidEntry(gettext("The comment is empty."))
    if len(text) > MAX_COMMENT:
        raise InvalidEntry(
            gettext("The comment is longer than %(n)s characters.")
            % {"n": format_number(MAX_COMMENT)}
        )
    if not (
        permissions.can_enter_values(acting_user, unit)
        or permissions.can_verify(acting_user, unit)
        or permissions.can_approve(acting_user, unit)
    ):
        raise NotAllowed(gettext("You are not allowed to comment."))
    with transaction.atomic():
        # Remarks go on during the review; an approved period is closed until it is reopened.
        known = lock_periods([unit.pk], period)[unit.pk]
        why = locked_for(measure, Stage.VERIFIED, period, known)
        if why:
            raise Locked(why)
        value, _ = Value.objects.get_or_create(unit=unit, measure=measure, period=period)
        comment = Comment.objects.create(
            value=value, author=acting_user, text=text, created_at=timezone.now()
        )
        audit = record(
            action="values.add_comment",
            object_type=VALUE_OBJECT,
            object_id=value.pk,
            after={"comment": comment.pk, "text": text, "measure": measure, "period": period},
            acting_user=acting_user,
        )
        notify(
            NotificationKind.COMMENT,
            unit,
            period,
            audit=audit,
            acting_user=acting_user,
            measure=measure,
            text=text,
        )
    return comment
