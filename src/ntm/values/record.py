"""The record's time axis (design decision 11): the one writer of entries, declarations,
province decisions, count records and period states, each with its version row, its audit row
and the stamp of its unit's period.

Every service that changes a value's stage, a declared status, a province decision or a
period's state does it here, inside its own transaction and under its locks (`lock_periods`):
the current row (`Value`, `Declaration`, `ProvinceDecision`, `Submission`) changes, the version
that held until now is closed at the new version's `effective_at`, the new version is written
with the audit row of the change, and the unit's `PeriodStamp` moves to that audit row. An
ordinary change holds from the moment it is written; only `load_history` (a past record,
permission-checked and audited) gives versions an earlier `effective_at`, through
`bulk_versions`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from ntm.audit.models import AuditLog
from ntm.audit.services import record
from ntm.values.models import (
    CountRecord,
    CountVersion,
    Declaration,
    DeclarationVersion,
    EntryVersion,
    PeriodStamp,
    ProvinceDecision,
    ProvinceDecisionVersion,
    State,
    Submission,
    SubmissionVersion,
    Value,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

ENTRY_FIELDS = ("value", "numerator", "denominator", "not_applicable")
EMPTY_ENTRY: dict[str, Any] = {
    "value": None,
    "numerator": None,
    "denominator": None,
    "not_applicable": False,
}


def _who(audit: AuditLog) -> dict[str, Any]:
    return {"acting_user_id": audit.acting_user_id, "actor": audit.actor, "audit": audit}


def stamp(periods: Iterable[tuple[int, int]], audit: AuditLog) -> None:
    """Move the stamps of these (unit, period) pairs to `audit`."""
    rows = [PeriodStamp(unit_id=u, period=p, audit=audit) for u, p in sorted(set(periods))]
    PeriodStamp.objects.bulk_create(
        rows, update_conflicts=True, unique_fields=["unit", "period"], update_fields=["audit"]
    )


def _close(versions: models.QuerySet[Any], at: dt.datetime) -> None:
    versions.filter(superseded_at__isnull=True).update(superseded_at=at)


def write_entry(
    value: Value,
    stage: str,
    entry: dict[str, Any],
    *,
    action: str,
    acting_user: User,
    reason: str = "",
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Set one stage of a value to `entry` (its four fields) from now on: the value row, its
    version counter, the audit row (before and after, plus `after`'s extra keys) and the
    version row. The caller holds the period's locks and has checked the entry."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write_entry must run inside the service's transaction")
    if value.pk is None:
        value.save()
    before = {"stage": stage, **value.entry(stage), "version": value.version(stage)}
    version = value.version(stage) + 1
    where = {"unit": value.unit_id, "measure": value.measure, "period": value.period}
    audit = record(
        action=action,
        object_type=VALUE_OBJECT,
        object_id=value.pk,
        before=before,
        after={"stage": stage, **entry, "version": version, **where, **(after or {})},
        acting_user=acting_user,
        reason=reason,
    )
    for field in ENTRY_FIELDS:
        setattr(value, f"{stage}_{field}", entry[field])
    setattr(value, f"{stage}_version", version)
    setattr(value, f"{stage}_by", acting_user)
    setattr(value, f"{stage}_at", audit.created_at)
    value.save()
    _close(EntryVersion.objects.filter(value=value, stage=stage), audit.created_at)
    EntryVersion.objects.create(
        **entry_version(value, stage, entry, version, audit.created_at), **_who(audit)
    )
    stamp([(value.unit_id, value.period)], audit)
    return audit


def entry_version(
    value: Value, stage: str, entry: dict[str, Any], version: int, at: dt.datetime
) -> dict[str, Any]:
    """The fields of an `EntryVersion` (without who wrote it)."""
    return {
        "value": value,
        "unit_id": value.unit_id,
        "measure": value.measure,
        "period": value.period,
        "stage": stage,
        "version": version,
        "number": entry["value"],
        "numerator": entry["numerator"],
        "denominator": entry["denominator"],
        "not_applicable": bool(entry["not_applicable"]),
        "effective_at": at,
        "recorded_at": at,
    }


def write_declaration(
    declaration: Declaration,
    status: str,
    *,
    acting_user: User,
    action: str = "values.declare",
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Declare a criterion's status ("" withdraws it) from now on (`after`: extra keys of the
    audit row, e.g. the import it belongs to)."""
    return _write_criterion_status(
        declaration,
        DeclarationVersion,
        "declaration",
        {"status": status},
        ("declared_by", "declared_at"),
        action=action,
        object_type=DECLARATION_OBJECT,
        acting_user=acting_user,
        after=after,
    )


def write_decision(
    decision: ProvinceDecision, status: str, reason: str, *, acting_user: User
) -> AuditLog:
    """Decide a criterion's status over its computed result ("" withdraws the decision) from
    now on, for the written `reason`."""
    return _write_criterion_status(
        decision,
        ProvinceDecisionVersion,
        "decision",
        {"status": status, "reason": reason},
        ("decided_by", "decided_at"),
        action="values.decide",
        object_type=DECISION_OBJECT,
        acting_user=acting_user,
        reason=reason,
    )


def _write_criterion_status(
    row: Declaration | ProvinceDecision,
    version_model: type[DeclarationVersion] | type[ProvinceDecisionVersion],
    parent: str,
    fields: dict[str, str],
    by: tuple[str, str],
    *,
    action: str,
    object_type: str,
    acting_user: User,
    reason: str = "",
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """A criterion's status row (a declaration or the province's decision) set to `fields`
    from now on: its audit row, the row (`by`: its who and when fields), a version row
    (`parent`: its link to the row) closing the last one, and the period's stamp."""
    key = {"unit": row.unit_id, "period": row.period, "set": row.set_id, "criterion": row.criterion}
    before = {**key, **{name: getattr(row, name) for name in fields}}
    audit = record(
        action=action,
        object_type=object_type,
        object_id=row.pk,
        before=before,
        after={**key, **fields, **(after or {})},
        acting_user=acting_user,
        reason=reason,
    )
    for name, value in fields.items():
        setattr(row, name, value)
    row.version += 1
    setattr(row, by[0], acting_user)
    setattr(row, by[1], audit.created_at)
    row.save()
    _close(version_model.objects.filter(**{parent: row}), audit.created_at)
    version_model.objects.create(
        **{parent: row},
        unit_id=row.unit_id,
        period=row.period,
        set_id=row.set_id,
        criterion=row.criterion,
        version=row.version,
        effective_at=audit.created_at,
        recorded_at=audit.created_at,
        **fields,
        **_who(audit),
    )
    stamp([(row.unit_id, row.period)], audit)
    return audit


def write_count(
    row: CountRecord,
    met: int | None,
    note: str,
    *,
    acting_user: User,
    action: str = "values.count",
    reason: str = "",
    after: dict[str, Any] | None = None,
) -> AuditLog:
    """Record that the unit met `met` of the set's `row.total` criteria (None withdraws the
    record) from now on: its audit row (plus `after`'s extra keys), the row, a version row
    closing the last one, and the period's stamp. The caller holds the period's locks and
    has checked the number."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write_count must run inside the service's transaction")
    if row.pk is None:
        row.save()
    key = {"unit": row.unit_id, "period": row.period, "set": row.set_id, "total": row.total}
    audit = record(
        action=action,
        object_type=COUNT_OBJECT,
        object_id=row.pk,
        before={**key, "met": row.met, "note": row.note},
        after={**key, "met": met, "note": note, **(after or {})},
        acting_user=acting_user,
        reason=reason,
    )
    row.met, row.note = met, note
    row.version += 1
    row.recorded_by = acting_user
    row.recorded_at = audit.created_at
    row.save()
    _close(CountVersion.objects.filter(record=row), audit.created_at)
    CountVersion.objects.create(
        record=row,
        unit_id=row.unit_id,
        period=row.period,
        set_id=row.set_id,
        met=met,
        total=row.total,
        note=note,
        version=row.version,
        effective_at=audit.created_at,
        recorded_at=audit.created_at,
        **_who(audit),
    )
    stamp([(row.unit_id, row.period)], audit)
    return audit


def write_state(
    submission: Submission,
    state: str,
    *,
    action: str,
    acting_user: User,
    reason: str = "",
    keep_reason: bool = False,
    detail: dict[str, Any] | None = None,
) -> AuditLog:
    """Move a unit's period under a set to `state` from now on (`reason` is kept on the row
    unless `keep_reason`: a return and a reopening say why; a submit keeps the last why).
    `detail` goes into the audit row's after (the role acted in, the completeness shown)."""
    before = {
        "unit": submission.unit_id,
        "period": submission.period,
        "set": submission.set_id,
        "state": submission.state,
    }
    audit = record(
        action=action,
        object_type=SUBMISSION_OBJECT,
        object_id=submission.pk,
        before=before,
        after={**before, "state": state, **(detail or {})},
        acting_user=acting_user,
        reason=reason,
    )
    submission.state = state
    if not keep_reason:
        submission.reason = reason
    submission.changed_by = acting_user
    submission.changed_at = audit.created_at
    submission.save()
    _close(SubmissionVersion.objects.filter(submission=submission), audit.created_at)
    SubmissionVersion.objects.create(
        submission=submission,
        unit_id=submission.unit_id,
        period=submission.period,
        set_id=submission.set_id,
        state=state,
        reason=reason,
        effective_at=audit.created_at,
        recorded_at=audit.created_at,
        **_who(audit),
    )
    stamp([(submission.unit_id, submission.period)], audit)
    return audit


def _superseded(history: Sequence[tuple[dt.datetime, Any]]) -> list[dt.datetime | None]:
    """`superseded_at` of each version of a history in time order: the next one's moment."""
    return [*(at for at, _ in history[1:]), None]


def write_past(
    values: dict[tuple[int, str, int], list[tuple[dt.datetime, dict[str, Any]]]],
    declared: dict[tuple[int, int, str, int], list[tuple[dt.datetime, str]]],
    approved: dict[tuple[int, int, str], dt.datetime],
    stages: Sequence[str],
    *,
    summary: AuditLog,
) -> tuple[list[Value], list[Declaration], list[Submission], int]:
    """Write a past record in bulk (`load_history` checked it and holds the locks): each
    value's entries, in time order, to every stage of `stages`; each declaration's statuses;
    each approval — with their audit rows (in the summary's transaction, with its actor and
    reason) and version rows effective at the moments given. Returns the rows written and the
    number of audit rows besides the summary."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("write_past must run inside the service's transaction")
    now = summary.created_at
    user_id = summary.acting_user_id
    rows = []
    for (unit, measure, period), entries in values.items():
        last_at, last = entries[-1]
        v = Value(unit_id=unit, measure=measure, period=period)
        for stage in stages:
            for field in ENTRY_FIELDS:
                setattr(v, f"{stage}_{field}", last[field])
            setattr(v, f"{stage}_version", len(entries))
            setattr(v, f"{stage}_by_id", user_id)
            setattr(v, f"{stage}_at", last_at)
        rows.append(v)
    Value.objects.bulk_create(rows, batch_size=2000)
    decls = [
        Declaration(
            unit_id=unit,
            period=period,
            set_id=set_id,
            criterion=criterion,
            status=history[-1][1],
            version=len(history),
            declared_by_id=user_id,
            declared_at=history[-1][0],
        )
        for (unit, period, set_id, criterion), history in declared.items()
    ]
    Declaration.objects.bulk_create(decls, batch_size=2000)
    subs = [
        Submission(
            unit_id=unit,
            period=period,
            set_id=set_id,
            state=State.APPROVED,
            changed_by_id=user_id,
            changed_at=at,
        )
        for (unit, period, set_id), at in approved.items()
    ]
    Submission.objects.bulk_create(subs, batch_size=2000)

    # Each version and its audit row, built side by side; the audit rows are written first
    # so that the versions can point at them.
    audit: list[AuditLog] = []
    versions: list[tuple[type[models.Model], dict[str, Any]]] = []

    def log(action: str, object_type: str, pk: int, before: Any, after: Any) -> None:
        audit.append(
            AuditLog(
                created_at=now,
                acting_user_id=user_id,
                actor=summary.actor,
                action=action,
                object_type=object_type,
                object_id=str(pk),
                before=before,
                after=after,
                reason=summary.reason,
            )
        )

    for v, ((unit, measure, period), entries) in zip(rows, values.items(), strict=True):
        where = {"unit": unit, "measure": measure, "period": period}
        for stage in stages:
            before = None
            for n, ((at, entry), until) in enumerate(
                zip(entries, _superseded(entries), strict=True), start=1
            ):
                after = {"stage": stage, **entry, "version": n, **where, "at": at.isoformat()}
                log("values.import", VALUE_OBJECT, v.pk, before, after)
                fields = entry_version(v, stage, entry, n, at)
                versions.append((EntryVersion, {**fields, "superseded_at": until}))
                before = {"stage": stage, **entry, "version": n}
    for d, ((unit, period, set_id, criterion), history) in zip(
        decls, declared.items(), strict=True
    ):
        state = {
            "unit": unit,
            "period": period,
            "set": set_id,
            "criterion": criterion,
            "status": "",
        }
        for n, ((at, status), until) in enumerate(
            zip(history, _superseded(history), strict=True), start=1
        ):
            after = {**state, "status": status, "at": at.isoformat()}
            log("values.declare", DECLARATION_OBJECT, d.pk, state, after)
            state = {k: after[k] for k in state}
            versions.append(
                (
                    DeclarationVersion,
                    {
                        "declaration": d,
                        "unit_id": unit,
                        "period": period,
                        "set_id": set_id,
                        "criterion": criterion,
                        "status": status,
                        "version": n,
                        "effective_at": at,
                        "superseded_at": until,
                        "recorded_at": now,
                    },
                )
            )
    for s, at in zip(subs, approved.values(), strict=True):
        where = {"unit": s.unit_id, "period": s.period, "set": s.set_id}
        after = {**where, "state": State.APPROVED, "at": at.isoformat()}
        log("values.approve", SUBMISSION_OBJECT, s.pk, {**where, "state": State.DRAFT}, after)
        versions.append(
            (
                SubmissionVersion,
                {
                    "submission": s,
                    "unit_id": s.unit_id,
                    "period": s.period,
                    "set_id": s.set_id,
                    "state": State.APPROVED,
                    "effective_at": at,
                    "superseded_at": None,
                    "recorded_at": now,
                },
            )
        )
    AuditLog.objects.bulk_create(audit, batch_size=2000)
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for (model, fields), row in zip(versions, audit, strict=True):
        by_model.setdefault(model, []).append(
            model(**fields, acting_user_id=user_id, actor=summary.actor, audit=row)
        )
    for model, objects in by_model.items():
        model.objects.bulk_create(objects, batch_size=2000)  # type: ignore[attr-defined]
    periods = {(u, p) for u, _, p in values} | {(u, p) for u, p, _, _ in declared}
    stamp(periods | {(u, p) for u, p, _ in approved}, summary)
    return rows, decls, subs, len(audit)


# Audit object types of the record (the history page and the compliance record read them).
VALUE_OBJECT = "values.value"
SUBMISSION_OBJECT = "values.submission"
DECLARATION_OBJECT = "values.declaration"
DECISION_OBJECT = "values.provincedecision"
COUNT_OBJECT = "values.countrecord"
