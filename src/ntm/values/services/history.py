"""A value's history as a person reads it: who changed it, when, from what to what, at which
stage and why, with the workflow steps of its unit and period (from the audit log, which is
the compliance record: this reads it to show it, never to derive state)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from ntm.audit.models import AuditLog
from ntm.criteria.loader import load_measures
from ntm.values.models import Stage, State, Submission, Value
from ntm.values.record import SUBMISSION_OBJECT, VALUE_OBJECT
from ntm.values.services.describe import describe_entry, display_name

# The history names the states in Vietnamese whatever the interface language.
STATE_VI = {
    State.DRAFT.value: "đang soạn",
    State.SUBMITTED.value: "đã gửi, chờ duyệt",
    State.APPROVED.value: "đã duyệt",
    State.RETURNED.value: "bị trả lại",
}

# What each audited action is called in the history (English msgids, Vietnamese catalogue).
ACTION_LABELS = {
    "values.save_claimed": _("Save the claimed value"),
    "values.save_verified": _("Save the verified value"),
    "values.import": _("Import from a file"),
    "values.add_evidence": _("Add evidence"),
    "values.add_comment": _("Comment"),
    "values.submit": _("Submit for approval"),
    "values.approve": _("Approve"),
    "values.return": _("Return"),
    "values.reopen": _("Reopen"),
    "values.declare": _("Declare a criterion status"),
    "values.declare_district": _("Record a district criterion status"),
    "values.load_history": _("Load a past record"),
}
STAGE_LABELS = {
    Stage.CLAIMED.value: "tự đánh giá",
    Stage.VERIFIED.value: "thẩm định",
}


@dataclass(frozen=True)
class HistoryEntry:
    when: dt.datetime
    who: str
    action: str
    stage: str
    old: str
    new: str
    reason: str


def _who(row: AuditLog) -> str:
    if row.acting_user is not None:
        return display_name(row.acting_user)
    return row.actor


def value_history(value: Value) -> list[HistoryEntry]:
    """Who changed the value, when, from what to what, at which stage, and why — with the
    workflow steps of its unit and period — oldest first, from the audit log."""
    m = load_measures().get(value.measure)
    subs = [
        str(pk)
        for pk in Submission.objects.filter(unit_id=value.unit_id, period=value.period).values_list(
            "pk", flat=True
        )
    ]
    rows = (
        (
            AuditLog.objects.filter(object_type=VALUE_OBJECT, object_id=str(value.pk))
            | AuditLog.objects.filter(object_type=SUBMISSION_OBJECT, object_id__in=subs)
        )
        .select_related("acting_user")
        .order_by("created_at", "id")
    )
    out = []
    for row in rows:
        before = row.before if isinstance(row.before, dict) else {}
        after = row.after if isinstance(row.after, dict) else {}
        if row.object_type == SUBMISSION_OBJECT:
            stage = f"bộ {after.get('set', '')}"
            old = STATE_VI.get(str(before.get("state")), "")
            new = STATE_VI.get(str(after.get("state")), "")
        elif row.action in {"values.add_evidence", "values.add_comment"}:
            stage = ""
            old = ""
            new = str(after.get("name") or after.get("text") or "")
        else:
            stage = STAGE_LABELS.get(str(after.get("stage")), str(after.get("stage", "")))
            old = describe_entry(m, before) if before else "(trống)"
            new = describe_entry(m, after)
        out.append(
            HistoryEntry(
                when=row.created_at,
                who=_who(row),
                action=str(ACTION_LABELS.get(row.action, row.action)),
                stage=stage,
                old=str(old),
                new=str(new),
                reason=row.reason,
            )
        )
    return out
