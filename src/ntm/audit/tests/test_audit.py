from __future__ import annotations

import pytest
from django.db import transaction

from ntm.audit.models import AuditLog, AuditLogImmutableError
from ntm.audit.services import MissingActorError, record

pytestmark = pytest.mark.django_db


def _row() -> AuditLog:
    with transaction.atomic():
        return record(
            action="test.change",
            object_type="test.Thing",
            object_id=7,
            before={"name": "cũ"},
            after={"name": "mới"},
            actor="cli:tester",
            reason="thử",
            legal_basis="QĐ 1/2030",
        )


def test_record_writes_one_row() -> None:
    row = _row()
    stored = AuditLog.objects.get(pk=row.pk)
    assert (stored.object_id, stored.before, stored.after) == ("7", {"name": "cũ"}, {"name": "mới"})
    assert stored.actor == "cli:tester" and stored.acting_user is None


def test_rows_cannot_be_changed_or_deleted() -> None:
    row = _row()
    row.reason = "sửa"
    with pytest.raises(AuditLogImmutableError, match="chỉ được ghi thêm"):
        row.save()
    with pytest.raises(AuditLogImmutableError):
        row.delete()
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.filter(pk=row.pk).update(reason="sửa")
    with pytest.raises(AuditLogImmutableError):
        AuditLog.objects.filter(pk=row.pk).delete()
    assert AuditLog.objects.get(pk=row.pk).reason == "thử"


def test_record_needs_an_actor() -> None:
    with pytest.raises(MissingActorError), transaction.atomic():
        record(action="x", object_type="y")
    assert AuditLog.objects.count() == 0
