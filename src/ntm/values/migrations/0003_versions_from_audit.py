"""Build the version rows of the record from the audit log, once (design decision 11).

Before version rows existed, "as of a date" replayed the audit rows: for each value stage,
declaration and period state, the last row effective at that moment (`after["at"]` when the
writer gave one — a loaded past record — else the row's `created_at`). This migration writes
that same history as version rows, each pointing at its audit row, and the stamps of every
unit's period. A current entry without any audit row (none should exist) gets one version from
the row itself, attached to the summary audit row this migration writes.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from django.db import migrations
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.state import StateApps
from django.utils import timezone

BATCH = 2000
ENTRY = ("value", "numerator", "denominator", "not_applicable")


def _effective(after: dict[str, Any], created_at: dt.datetime) -> dt.datetime:
    at = after.get("at")
    return dt.datetime.fromisoformat(at) if isinstance(at, str) else created_at


def _histories(rows: Any, key: Any) -> dict[Any, list[tuple[dt.datetime, int, Any]]]:
    """(object id, key(after)) -> [(effective, audit row, row), ...] in time order."""
    out: dict[Any, list[tuple[dt.datetime, int, Any]]] = defaultdict(list)
    for row in rows.iterator(chunk_size=BATCH):
        after = row.after
        if not isinstance(after, dict) or key(after) is None:
            continue  # evidence, comments, summaries: not a version
        out[(row.object_id, key(after))].append((_effective(after, row.created_at), row.pk, row))
    for history in out.values():
        history.sort(key=lambda h: (h[0], h[1]))
    return out


def _until(history: list[tuple[dt.datetime, int, Any]]) -> list[dt.datetime | None]:
    return [*(h[0] for h in history[1:]), None]


def build(apps: StateApps, schema_editor: BaseDatabaseSchemaEditor | None = None) -> None:
    AuditLog = apps.get_model("audit", "AuditLog")
    Value = apps.get_model("values", "Value")
    Declaration = apps.get_model("values", "Declaration")
    Submission = apps.get_model("values", "Submission")
    EntryVersion = apps.get_model("values", "EntryVersion")
    DeclarationVersion = apps.get_model("values", "DeclarationVersion")
    SubmissionVersion = apps.get_model("values", "SubmissionVersion")
    PeriodStamp = apps.get_model("values", "PeriodStamp")
    if not (Value.objects.exists() or Submission.objects.exists()):
        return
    now = timezone.now()
    summary = AuditLog.objects.create(
        created_at=now,
        actor="system:migrate",
        action="values.build_versions",
        object_type="values.history",
        reason="Lập các phiên bản của hồ sơ từ nhật ký kiểm toán. "
        "(Version rows built from the audit log.)",
    )
    stamps: dict[tuple[int, int], int] = {}

    def stamped(unit: int, period: int, audit: int) -> None:
        stamps[(unit, period)] = max(stamps.get((unit, period), 0), audit)

    def who(row: Any) -> dict[str, Any]:
        return {"acting_user_id": row.acting_user_id, "actor": row.actor, "audit_id": row.pk}

    values = {str(v.pk): v for v in Value.objects.all().iterator(chunk_size=BATCH)}
    entries = _histories(
        AuditLog.objects.filter(object_type="values.value").order_by("id"),
        lambda a: a.get("stage") if "value" in a else None,
    )
    out = []
    seen: set[tuple[int, str]] = set()
    for (object_id, stage), history in entries.items():
        v = values.get(object_id)
        if v is None:
            continue
        seen.add((v.pk, stage))
        for n, ((at, _, row), until) in enumerate(
            zip(history, _until(history), strict=True), start=1
        ):
            a = row.after
            out.append(
                EntryVersion(
                    value_id=v.pk,
                    unit_id=v.unit_id,
                    measure=v.measure,
                    period=v.period,
                    stage=stage,
                    version=int(a.get("version") or n),
                    number=a.get("value"),
                    numerator=a.get("numerator"),
                    denominator=a.get("denominator"),
                    not_applicable=bool(a.get("not_applicable")),
                    effective_at=at,
                    superseded_at=until,
                    recorded_at=row.created_at,
                    **who(row),
                )
            )
            stamped(v.unit_id, v.period, row.pk)
    for v in values.values():
        for stage in ("claimed", "verified"):
            held = getattr(v, f"{stage}_not_applicable") or any(
                getattr(v, f"{stage}_{k}") is not None for k in ("value", "numerator")
            )
            if held and (v.pk, stage) not in seen:
                out.append(
                    EntryVersion(
                        value_id=v.pk,
                        unit_id=v.unit_id,
                        measure=v.measure,
                        period=v.period,
                        stage=stage,
                        version=max(1, getattr(v, f"{stage}_version")),
                        number=getattr(v, f"{stage}_value"),
                        numerator=getattr(v, f"{stage}_numerator"),
                        denominator=getattr(v, f"{stage}_denominator"),
                        not_applicable=getattr(v, f"{stage}_not_applicable"),
                        effective_at=getattr(v, f"{stage}_at") or now,
                        recorded_at=now,
                        acting_user_id=None,
                        actor=summary.actor,
                        audit_id=summary.pk,
                    )
                )
                stamped(v.unit_id, v.period, summary.pk)
    EntryVersion.objects.bulk_create(out, batch_size=BATCH)

    declarations = {str(d.pk): d for d in Declaration.objects.all()}
    out = []
    for (object_id, _), history in _histories(
        AuditLog.objects.filter(object_type="values.declaration").order_by("id"),
        lambda a: a.get("criterion") if "status" in a else None,
    ).items():
        d = declarations.get(object_id)
        if d is None:
            continue
        for n, ((at, _, row), until) in enumerate(
            zip(history, _until(history), strict=True), start=1
        ):
            out.append(
                DeclarationVersion(
                    declaration_id=d.pk,
                    unit_id=d.unit_id,
                    period=d.period,
                    set_id=d.set_id,
                    criterion=d.criterion,
                    status=row.after.get("status") or "",
                    version=n,
                    effective_at=at,
                    superseded_at=until,
                    recorded_at=row.created_at,
                    **who(row),
                )
            )
            stamped(d.unit_id, d.period, row.pk)
    DeclarationVersion.objects.bulk_create(out, batch_size=BATCH)

    submissions = {str(s.pk): s for s in Submission.objects.all()}
    out = []
    for (object_id, _), history in _histories(
        AuditLog.objects.filter(object_type="values.submission").order_by("id"),
        lambda a: "state" if "state" in a else None,
    ).items():
        s = submissions.get(object_id)
        if s is None:
            continue
        for (at, _, row), until in zip(history, _until(history), strict=True):
            out.append(
                SubmissionVersion(
                    submission_id=s.pk,
                    unit_id=s.unit_id,
                    period=s.period,
                    set_id=s.set_id,
                    state=str(row.after["state"]),
                    reason=row.reason,
                    effective_at=at,
                    superseded_at=until,
                    recorded_at=row.created_at,
                    **who(row),
                )
            )
            stamped(s.unit_id, s.period, row.pk)
    SubmissionVersion.objects.bulk_create(out, batch_size=BATCH)

    PeriodStamp.objects.bulk_create(
        [PeriodStamp(unit_id=u, period=p, audit_id=a) for (u, p), a in sorted(stamps.items())],
        batch_size=BATCH,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("values", "0002_version_rows"),
        ("audit", "0001_initial"),
    ]

    operations = [migrations.RunPython(build, migrations.RunPython.noop, elidable=True)]
