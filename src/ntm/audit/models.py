"""The append-only audit log: one row per state change, written by the service that made it.

Modelled on Zulip's RealmAuditLog: when, who (a user, or a text actor for the command line
and system jobs), what (action, object type and id), the state before and after, the reason
and, where a change rests on a legal act, its legal basis. Rows are never changed or deleted:
the model and its queryset refuse both.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from ntm.vn.dates import format_datetime


class AuditLogImmutableError(Exception):
    """Raised on any attempt to change or delete an audit row."""

    def __init__(self) -> None:
        super().__init__(
            "Nhật ký kiểm toán chỉ được ghi thêm, không được sửa hay xoá. "
            "(The audit log is append-only.)"
        )


class AuditLogQuerySet(models.QuerySet["AuditLog"]):
    def update(self, **kwargs: Any) -> int:
        raise AuditLogImmutableError

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutableError


class AuditLog(models.Model):
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Who acted when there is no user: "cli:<login>", "system:units-load", ...
    actor = models.CharField(max_length=200, blank=True, default="")
    action = models.CharField(max_length=100, db_index=True)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=100, blank=True, default="")
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True, default="")
    legal_basis = models.CharField(max_length=300, blank=True, default="")

    objects: ClassVar[models.Manager[AuditLog]] = AuditLogQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "id")
        indexes = (models.Index(fields=("object_type", "object_id")),)

    def __str__(self) -> str:
        return (
            f"{format_datetime(self.created_at)} {self.action} {self.object_type}#{self.object_id}"
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise AuditLogImmutableError
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AuditLogImmutableError
