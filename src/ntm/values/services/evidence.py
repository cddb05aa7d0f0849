"""Evidence files for a value, stored under MEDIA_ROOT after their size and type are checked
(`ntm.values.files`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.audit.services import record
from ntm.units.models import Unit
from ntm.values import files
from ntm.values.models import Evidence, Stage, Value
from ntm.values.record import VALUE_OBJECT
from ntm.values.services.checks import check_read, check_unit, measure_of
from ntm.values.services.errors import InvalidEntry, Locked, NotAllowed
from ntm.values.services.locks import lock_periods, locked_for
from ntm.vn.numbers import format_number

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile

    from ntm.accounts.permissions import AnyUser

MAX_DESCRIPTION = 500  # Evidence.description's column


def _may_touch_value(user: AnyUser, unit: Unit, period: int, measure: str) -> None:
    """Evidence follows the stage the user works on: the commune while its entry is open,
    the appraiser until approval. Call inside the transaction that writes."""
    if permissions.can_enter_values(user, unit):
        stage = Stage.CLAIMED
    elif permissions.can_verify(user, unit):
        stage = Stage.VERIFIED
    else:
        raise NotAllowed(gettext("You are not allowed to add evidence."))
    why = locked_for(measure, stage, period, lock_periods([unit.pk], period)[unit.pk])
    if why:
        raise Locked(why)


def add_evidence(
    unit: Unit,
    measure: str,
    period: int,
    upload: UploadedFile[bytes],
    *,
    acting_user: User,
    description: str = "",
) -> Evidence:
    """Store an evidence file for a value under MEDIA_ROOT, after checking its size and its
    type as read from its bytes (the browser's content type is not trusted)."""
    measure_of(measure)
    check_unit(unit, period)
    check_read(measure, period, unit)
    description = description.strip()
    if len(description) > MAX_DESCRIPTION:
        raise InvalidEntry(
            gettext("The description is longer than %(n)s characters.")
            % {"n": format_number(MAX_DESCRIPTION)}
        )
    try:
        upload_ok = files.checked(upload)
    except files.NotTaken as exc:
        raise InvalidEntry(str(exc)) from exc
    content_type = upload_ok.content_type
    with transaction.atomic():
        _may_touch_value(acting_user, unit, period, measure)
        value, _ = Value.objects.get_or_create(unit=unit, measure=measure, period=period)
        evidence = Evidence(
            value=value,
            **upload_ok.facts(),
            description=description,
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
        )
        files.save_with_file(
            evidence,
            evidence.file,
            upload_ok,
            "evidence",
            then=lambda: record(
                action="values.add_evidence",
                object_type=VALUE_OBJECT,
                object_id=value.pk,
                after={
                    "evidence": evidence.pk,
                    "name": evidence.original_name,
                    "content_type": content_type,
                    "size": evidence.size,
                    "sha256": evidence.sha256,
                    "measure": measure,
                    "period": period,
                },
                acting_user=acting_user,
            ),
        )
    return evidence
