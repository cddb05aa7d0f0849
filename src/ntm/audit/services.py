"""`record(...)`: the one way services write the audit log (inside their own transaction)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction

from ntm.audit.models import AuditLog

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser


class MissingActorError(ValueError):
    def __init__(self) -> None:
        super().__init__(
            "Thiếu người thực hiện: cần acting_user hoặc actor. "
            "(An acting user or actor is required.)"
        )


def record(
    *,
    action: str,
    object_type: str,
    object_id: str | int = "",
    before: Any = None,
    after: Any = None,
    acting_user: AbstractBaseUser | None = None,
    actor: str = "",
    reason: str = "",
    legal_basis: str = "",
) -> AuditLog:
    """Append one audit row. Call it inside the service's atomic block, so that the change
    and its audit row are committed together or not at all."""
    if acting_user is None and not actor:
        raise MissingActorError
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record() must run inside the service's transaction")
    return AuditLog.objects.create(
        action=action,
        object_type=object_type,
        object_id=str(object_id),
        before=before,
        after=after,
        acting_user_id=acting_user.pk if acting_user is not None else None,
        actor=actor,
        reason=reason,
        legal_basis=legal_basis,
    )
