"""Every change to stored values goes through these functions (design decision 7).

Each runs in one transaction, takes the acting user as a keyword argument, asks
`ntm.accounts.permissions` whether that user may act, writes one audit row with before and
after; the read layer (`ntm.results`) sees the change by the stamp the write moves.
Errors carry a Vietnamese message (English after it) and leave nothing written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from ntm.accounts import permissions
from ntm.audit.models import AuditLog
from ntm.audit.services import MissingActorError, record
from ntm.criteria import bounds
from ntm.criteria.loader import (
    CriteriaError,
    bundled_set_ids,
    load_measures,
    load_set,
    measures_read,
    sets_for_period,
)
from ntm.criteria.schema import CriteriaSet, Measure
from ntm.stats.formatting import format_number
from ntm.units.models import Unit, UnitKind
from ntm.values import files
from ntm.values.models import (
    Comment,
    Declaration,
    DeclaredStatus,
    Evidence,
    SimulatedData,
    Stage,
    State,
    Submission,
    Value,
)
from ntm.values.record import (
    SUBMISSION_OBJECT,
    VALUE_OBJECT,
    write_declaration,
    write_entry,
    write_past,
    write_state,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
    from django.core.files.uploadedfile import UploadedFile

    AnyUser = AbstractBaseUser | AnonymousUser

MAX_COMMENT = 2000
MAX_REASON = 2000
# Messages are Vietnamese whatever the interface language (English follows in brackets).
STATE_VI = {
    State.DRAFT.value: "đang soạn",
    State.SUBMITTED.value: "đã gửi, chờ duyệt",
    State.APPROVED.value: "đã duyệt",
    State.RETURNED.value: "bị trả lại",
}


# ------------------------------------------------------------------------------------ errors


class ValuesError(ValueError):
    """A refused change; the message is for the user (Vietnamese, then English)."""


class NotAllowed(ValuesError):
    """The user may not do this (views answer 404 outside the user's units, else 403)."""

    def __init__(self, message: str = "") -> None:
        super().__init__(message or gettext("You are not allowed to do this."))


class Locked(ValuesError):
    pass


class InvalidEntry(ValuesError):
    pass


class Conflict(ValuesError):
    """Someone saved the same stage of the same value since the user loaded it."""

    def __init__(self, value: Value, stage: str, yours: Entry, measure: Measure | None) -> None:
        self.value = value
        self.stage = stage
        self.theirs = value.entry(stage)
        self.yours = yours
        self.by = getattr(value, f"{stage}_by")
        self.at: dt.datetime | None = getattr(value, f"{stage}_at")
        self.current_version = value.version(stage)
        when = timezone.localtime(self.at).strftime("%H:%M %d/%m/%Y") if self.at else "—"
        super().__init__(
            gettext(
                "%(who)s saved this value at %(when)s: %(theirs)s. Yours (%(yours)s) was not "
                "saved — look again, and save once more if you still want to change it."
            )
            % {
                "who": display_name(self.by),
                "when": when,
                "theirs": describe_entry(measure, self.theirs),
                "yours": describe_entry(measure, yours.as_dict()),
            }
        )


def display_name(user: Any) -> str:
    if user is None:
        return "—"
    return str(user.get_full_name() or user.get_username())


# ------------------------------------------------------------------------------------ entries


@dataclass(frozen=True)
class Entry:
    """What one stage of a value holds (see `Value`)."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    not_applicable: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "not_applicable": self.not_applicable,
        }

    @property
    def empty(self) -> bool:
        return not self.not_applicable and self.value is None and self.numerator is None


def _num(x: float | None) -> str:
    if x is None:
        return "—"
    return format_number(x, 0 if float(x).is_integer() else 2, strip_zeros=True)


def describe_entry(measure: Measure | None, entry: dict[str, Any] | None) -> str:
    """A stage's content as a person reads it: "45,5 triệu đồng/người/năm", "Đạt", "12/15
    (80 %)", "Không áp dụng", "(trống)"."""
    if entry is None:
        return "(trống)"
    if entry.get("not_applicable"):
        return "Không áp dụng"
    kind = measure.kind if measure else "number"
    if kind == "share":
        num, den = entry.get("numerator"), entry.get("denominator")
        if num is None and den is None:
            return "(trống)"
        share = f" ({_num(100 * num / den)} %)" if num is not None and den else ""
        return f"{_num(num)}/{_num(den)}{share}"
    value = entry.get("value")
    if value is None:
        return "(trống)"
    if kind == "yesno":
        return "Đạt" if value >= 0.5 else "Chưa đạt"
    unit = f" {measure.unit}" if measure and measure.unit else ""
    return f"{_num(value)}{unit}"


def measure_of(key: str) -> Measure:
    measures = load_measures()
    if key not in measures:
        raise InvalidEntry(gettext("There is no measure “%(key)s”.") % {"key": key})
    return measures[key]


def may_be_not_applicable(measure: str) -> bool:
    """Whether any bundled set lets an indicator reading this measure be "not applicable"."""
    for set_id in bundled_set_ids():
        for c in load_set(set_id).criteria:
            for ind in c.indicators:
                if ind.may_be_not_applicable and any(k.measure == measure for k in ind.conditions):
                    return True
    return False


def _refuse(problem: bounds.OutOfBounds, part: str = "") -> InvalidEntry:
    where = {"numerator": ("Tử số: ", "Numerator: "), "denominator": ("Mẫu số: ", "Denominator: ")}
    vi, en = where.get(part, ("", ""))
    text = f"{vi}{problem.vi}" if get_language() != "en" else f"{en}{problem.en}"
    return InvalidEntry(text[0].upper() + text[1:] + ".")


def check_entry(measure: Measure, entry: Entry) -> Entry:
    """The entry if it fits the measure (`ntm.criteria.bounds`: finite, plausible, of its
    kind); otherwise `InvalidEntry` saying why."""
    if entry.not_applicable:
        if not may_be_not_applicable(measure.key):
            raise InvalidEntry(gettext("This indicator has no “not applicable” choice."))
        return Entry(not_applicable=True)
    if measure.kind == "share":
        num, den = entry.numerator, entry.denominator
        if entry.value is not None:
            raise InvalidEntry(gettext("A share is entered as a numerator and a denominator."))
        if (num is None) != (den is None):
            raise InvalidEntry(
                gettext("Enter both the numerator and the denominator (or leave both blank).")
            )
        if num is None or den is None:
            return Entry()
        for part, x_part in (("numerator", num), ("denominator", den)):
            if problem := bounds.number_problem(measure, float(x_part), part=part):
                raise _refuse(problem, part)
        if problem := bounds.share_problem(float(num), float(den)):
            raise _refuse(problem)
        return Entry(numerator=float(num), denominator=float(den))
    if entry.numerator is not None or entry.denominator is not None:
        raise InvalidEntry(gettext("This indicator has no numerator and denominator."))
    x = entry.value
    if x is None:
        return Entry()
    if problem := bounds.number_problem(measure, float(x)):
        raise _refuse(problem)
    return Entry(value=float(x))


# ------------------------------------------------------------------------------------ locks


def _check_unit(unit: Unit, period: int) -> None:
    if unit.kind != UnitKind.COMMUNE:
        raise ValuesError(gettext("Values are entered for communes only."))
    if not (
        (unit.valid_from is None or unit.valid_from <= dt.date(period, 12, 31))
        and (unit.valid_to is None or unit.valid_to >= dt.date(period, 1, 1))
    ):
        raise ValuesError(gettext("The commune did not exist in %(year)s.") % {"year": period})


def set_reads(set_id: str) -> frozenset[str]:
    """The measures a bundled set reads: its conditions' measures and the weights they
    combine by. A set that cannot be read is taken to read everything (the empty set is
    never returned for it), so that the locks always hold."""
    try:
        return measures_read(load_set(set_id))
    except CriteriaError:
        return frozenset(load_measures())


def states(unit: Unit, period: int) -> dict[str, str]:
    """set id -> approval state of the unit's period (sets without a row are drafts). Read
    without locks: for showing a state; a write checks `lock_periods`' answer instead."""
    return dict(Submission.objects.filter(unit=unit, period=period).values_list("set_id", "state"))


def _lock_units(unit_ids: Iterable[int]) -> list[int]:
    """Lock the unit rows, in id order, until the transaction ends (see `lock_periods`)."""
    ids = sorted(set(unit_ids))
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("locks need a transaction")
    locked = Unit.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk")
    list(locked.values_list("pk", flat=True))
    return ids


def lock_periods(unit_ids: Iterable[int], period: int) -> dict[int, dict[str, str]]:
    """Hold the approval state of these units' period until the transaction ends, and return
    it (unit -> set id -> state; drafts may be missing).

    Every write that depends on a period's state calls this first, inside its transaction,
    and decides on what it returns; every change of state (`_transition`) calls it too. The
    unit rows are locked first, in id order — a submission row that does not exist yet cannot
    be locked, and the unit row stops a concurrent submit from creating it — then the
    submission rows, in (unit, set) order. One fixed order for every writer: no deadlock.
    SQLite has no row locks; its writers are serialised by the database (IMMEDIATE
    transactions)."""
    ids = _lock_units(unit_ids)
    found: dict[int, dict[str, str]] = {pk: {} for pk in ids}
    rows = (
        Submission.objects.select_for_update()
        .filter(unit_id__in=ids, period=period)
        .order_by("unit_id", "set_id")
        .values_list("unit_id", "set_id", "state")
    )
    for unit_id, set_id, state in rows:
        found[unit_id][set_id] = state
    return found


def _frozen(state: str, set_id: str, period: int) -> str:
    if state == State.APPROVED:
        text = gettext(
            "The %(year)s values under criteria set %(set)s are approved: they cannot be changed."
        )
    else:
        text = gettext(
            "The %(year)s values under criteria set %(set)s are submitted and awaiting approval"
            ": they cannot be changed."
        )
    return text % {"year": period, "set": set_id}


def locked_for(measure: str, stage: str, period: int, known: dict[str, str]) -> str | None:
    """Why the stage of this value cannot change now (None: it can), given the states of its
    unit's period (`lock_periods` inside a write; `states` to show a page). The commune's
    entry is frozen once a set reading it is submitted; every entry once it is approved."""
    blocking = {State.APPROVED} if stage == Stage.VERIFIED else {State.SUBMITTED, State.APPROVED}
    for set_id, state in known.items():
        if state in blocking and measure in set_reads(set_id):
            return _frozen(state, set_id, period)
    return None


def _set_locked(
    known: dict[str, str], set_id: str, period: int, *, commune_side: bool
) -> str | None:
    state = known.get(set_id, State.DRAFT)
    blocking = {State.SUBMITTED, State.APPROVED} if commune_side else {State.APPROVED}
    return _frozen(state, set_id, period) if state in blocking else None


def _check_read(measure: str, period: int) -> None:
    """Refuse a value no criteria set of its period reads: nothing would ever show it."""
    sets = sets_for_period(period)
    if not sets:
        raise InvalidEntry(gettext("No criteria set covers %(year)s.") % {"year": period})
    if not any(measure in set_reads(s.id) for s in sets):
        ids = ", ".join(s.id for s in sets)
        raise InvalidEntry(
            gettext(
                "The criteria sets of %(year)s (%(sets)s) do not use the measure “%(measure)s”."
            )
            % {"year": period, "sets": ids, "measure": measure}
        )


# ------------------------------------------------------------------------------------ values


def _may_save(user: AnyUser, unit: Unit, stage: str) -> bool:
    if stage == Stage.CLAIMED:
        return permissions.can_enter_values(user, unit)
    return permissions.can_verify(user, unit)


def save_value(
    unit: Unit,
    measure: str,
    period: int,
    entry: Entry,
    *,
    stage: str,
    expected_version: int,
    acting_user: User,
    reason: str = "",
) -> Value:
    """Save one stage of a value. `expected_version` is the stage's version the user saw (0 for
    a value never saved); if it moved meanwhile, `Conflict` shows the other person's entry."""
    if stage not in Stage.values:
        raise ValuesError(gettext("Unknown stage: %(stage)s.") % {"stage": stage})
    m = measure_of(measure)
    entry = check_entry(m, entry)
    _check_unit(unit, period)
    _check_read(measure, period)
    reason = _bounded_reason(reason)
    if not _may_save(acting_user, unit, stage):
        raise NotAllowed(gettext("You are not allowed to enter this value."))
    with transaction.atomic():
        why = locked_for(measure, stage, period, lock_periods([unit.pk], period)[unit.pk])
        if why:
            raise Locked(why)
        found = Value.objects.select_for_update().filter(unit=unit, measure=measure, period=period)
        value = found.first() or Value(unit=unit, measure=measure, period=period)
        if value.entry(stage) == entry.as_dict():
            # Nothing changes: no new version, no audit row — and no row for an empty entry.
            return value
        if value.version(stage) != expected_version:
            raise Conflict(value, stage, entry, m)
        write_entry(
            value,
            stage,
            entry.as_dict(),
            action=f"values.save_{stage}",
            acting_user=acting_user,
            reason=reason,
        )
    return value


# ------------------------------------------------------------------------------------ workflow


def _transition(
    unit: Unit,
    period: int,
    cset: CriteriaSet,
    *,
    allowed: Callable[[AnyUser, Unit], bool],
    sources: tuple[str, ...],
    target: str,
    action: str,
    acting_user: User,
    reason: str = "",
    reason_required: bool = False,
) -> Submission:
    _check_unit(unit, period)
    if not cset.period.start_year <= period <= cset.period.end_year:
        raise ValuesError(
            gettext("%(year)s is outside the period of criteria set %(set)s.")
            % {"year": period, "set": cset.id}
        )
    if not allowed(acting_user, unit):
        raise NotAllowed()
    reason = _bounded_reason(reason)
    if reason_required and not reason:
        raise ValuesError(gettext("A reason is required."))
    with transaction.atomic():
        lock_periods([unit.pk], period)
        sub, _ = Submission.objects.select_for_update().get_or_create(
            unit=unit, period=period, set_id=cset.id
        )
        if sub.state not in sources:
            raise ValuesError(
                gettext("This is not possible from the state “%(state)s”.")
                % {"state": State(sub.state).label}
            )
        write_state(
            sub,
            target,
            action=action,
            acting_user=acting_user,
            reason=reason,
            keep_reason=not reason_required,
        )
    return sub


def _bounded_reason(reason: str) -> str:
    reason = reason.strip()
    if len(reason) > MAX_REASON:
        raise ValuesError(
            gettext("The reason is longer than %(n)s characters.")
            % {"n": format_number(MAX_REASON)}
        )
    return reason


def submit(unit: Unit, period: int, cset: CriteriaSet, *, acting_user: User) -> Submission:
    """The commune sends its period for review: draft/returned -> submitted."""
    return _transition(
        unit, period, cset, allowed=permissions.can_enter_values,
        sources=(State.DRAFT, State.RETURNED), target=State.SUBMITTED,
        action="values.submit", acting_user=acting_user,
    )  # fmt: skip


def approve(unit: Unit, period: int, cset: CriteriaSet, *, acting_user: User) -> Submission:
    """The province office approves: submitted -> approved (locked)."""
    return _transition(
        unit, period, cset, allowed=permissions.can_approve, sources=(State.SUBMITTED,),
        target=State.APPROVED, action="values.approve", acting_user=acting_user,
    )  # fmt: skip


def return_submission(
    unit: Unit, period: int, cset: CriteriaSet, *, reason: str, acting_user: User
) -> Submission:
    """The province office sends a submission back with a reason: submitted -> returned."""
    return _transition(
        unit, period, cset, allowed=permissions.can_approve, sources=(State.SUBMITTED,),
        target=State.RETURNED, action="values.return", acting_user=acting_user, reason=reason,
        reason_required=True,
    )  # fmt: skip


def reopen(
    unit: Unit, period: int, cset: CriteriaSet, *, reason: str, acting_user: User
) -> Submission:
    """The province office reopens an approved period with a reason: approved -> returned."""
    return _transition(
        unit, period, cset, allowed=permissions.can_reopen, sources=(State.APPROVED,),
        target=State.RETURNED, action="values.reopen", acting_user=acting_user, reason=reason,
        reason_required=True,
    )  # fmt: skip


# ------------------------------------------------------------------------------------ declared


def declare_status(
    unit: Unit,
    period: int,
    cset: CriteriaSet,
    criterion: int,
    status: str,
    *,
    acting_user: User,
) -> Declaration:
    """Declare a criterion met / basically met / not met ("" withdraws the declaration).
    The commune declares while its period is open; the appraiser and the province office
    until it is approved."""
    _check_unit(unit, period)
    if status not in (*DeclaredStatus.values, ""):
        raise ValuesError(gettext("Unknown status: %(status)s.") % {"status": status})
    if criterion not in {c.number for c in cset.criteria}:
        raise ValuesError(
            gettext("Criteria set %(set)s has no criterion %(n)s.")
            % {"set": cset.id, "n": criterion}
        )
    commune = permissions.can_enter_values(acting_user, unit)
    reviewer = permissions.can_verify(acting_user, unit) or permissions.can_approve(
        acting_user, unit
    )
    if not commune and not reviewer:
        raise NotAllowed(gettext("You are not allowed to declare a criterion's status."))
    with transaction.atomic():
        known = lock_periods([unit.pk], period)[unit.pk]
        why = _set_locked(known, cset.id, period, commune_side=not reviewer)
        if why:
            raise Locked(why)
        decl, _ = Declaration.objects.select_for_update().get_or_create(
            unit=unit, period=period, set_id=cset.id, criterion=criterion
        )
        if decl.status == status:
            return decl
        write_declaration(decl, status, acting_user=acting_user)
    return decl


# ------------------------------------------------------------------------------------ evidence


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
    _check_unit(unit, period)
    limit = files.max_evidence_bytes()
    size = upload.size or 0
    name = files.clean_name(upload.name or "")
    if size > limit:
        raise InvalidEntry(files.too_large(size, limit).about(name, get_language()))
    if size == 0:
        raise InvalidEntry(files.empty().about(name, get_language()))
    data = b"".join(upload.chunks())
    try:
        kind = files.identify(data)
    except files.Refused as refused:
        raise InvalidEntry(refused.about(name, get_language())) from refused
    content_type, suffix = files.TYPES[kind]
    with transaction.atomic():
        _may_touch_value(acting_user, unit, period, measure)
        value, _ = Value.objects.get_or_create(unit=unit, measure=measure, period=period)
        evidence = Evidence(
            value=value,
            original_name=files.download_name(name, content_type),
            content_type=content_type,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
            description=description.strip()[:500],
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
        )
        evidence.file.save(f"evidence{suffix}", ContentFile(data), save=False)
        try:  # the file is on disk now: remove it again if the row cannot be written
            evidence.save()
            record(
                action="values.add_evidence",
                object_type=VALUE_OBJECT,
                object_id=value.pk,
                after={
                    "evidence": evidence.pk, "name": evidence.original_name,
                    "content_type": content_type, "size": evidence.size,
                    "sha256": evidence.sha256, "measure": measure, "period": period,
                },
                acting_user=acting_user,
            )  # fmt: skip
        except Exception:
            evidence.file.delete(save=False)
            raise
    return evidence


def add_comment(unit: Unit, measure: str, period: int, text: str, *, acting_user: User) -> Comment:
    """A remark on a value by anyone who works on it (commune, appraiser, province office)."""
    measure_of(measure)
    _check_unit(unit, period)
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
        record(
            action="values.add_comment",
            object_type=VALUE_OBJECT,
            object_id=value.pk,
            after={"comment": comment.pk, "text": text, "measure": measure, "period": period},
            acting_user=acting_user,
        )
    return comment


# ------------------------------------------------------------------------------------ history

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


# ------------------------------------------------------------------------------------ past record

HISTORY_OBJECT = "values.history"
_K = TypeVar("_K")
_T = TypeVar("_T")
MAX_PROBLEMS_SHOWN = 20


@dataclass(frozen=True)
class PastValue:
    """A value of a historical record as it stood from `at` (timezone-aware) on."""

    unit: Unit
    measure: str
    period: int
    entry: Entry
    at: dt.datetime


@dataclass(frozen=True)
class PastDeclaration:
    """A criterion status declared under `set_id`, holding from `at` on ("" withdraws it)."""

    unit: Unit
    period: int
    set_id: str
    criterion: int
    status: str
    at: dt.datetime


@dataclass(frozen=True)
class PastApproval:
    """A unit's period approved (locked) under `set_id` at `at`."""

    unit: Unit
    period: int
    set_id: str
    at: dt.datetime


@dataclass(frozen=True)
class HistoryLoad:
    values: int  # Value rows written
    declarations: int  # Declaration rows written
    approvals: int  # Submission rows written (approved)
    audit_rows: int  # every audit row written, the summary row included
    audit_id: int  # the summary row


class HistoryRefused(ValuesError):
    """A historical record that cannot be loaded: every problem found, nothing written."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        shown = "\n".join(f"- {p}" for p in problems[:MAX_PROBLEMS_SHOWN])
        more = len(problems) - MAX_PROBLEMS_SHOWN
        tail = f"\n- … và {format_number(more)} lỗi khác." if more > 0 else ""
        super().__init__(
            f"Không nạp được lịch sử số liệu, chưa ghi gì ({format_number(len(problems))} "
            f"lỗi):\n{shown}{tail}\n(The historical record was refused; nothing was written.)"
        )


def _when(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%H:%M %d/%m/%Y")


def _unit_problem(unit: Unit, period: int) -> str | None:
    try:
        _check_unit(unit, period)
    except ValuesError as exc:
        return f"{unit} năm {period}: {exc}"
    return None


def _history(
    items: Iterable[tuple[_K, dt.datetime, _T]], empty: _T, what: Callable[[_K], str]
) -> tuple[dict[_K, list[tuple[dt.datetime, _T]]], list[str]]:
    """key -> [(at, content), ...] in time order, an entry equal to the one before it dropped
    (no change, no version, as `save_value` does); two contents at one moment are a problem."""
    raw: dict[_K, list[tuple[dt.datetime, _T]]] = {}
    for key, at, content in items:
        raw.setdefault(key, []).append((at, content))
    out: dict[_K, list[tuple[dt.datetime, _T]]] = {}
    problems = []
    for key, entries in raw.items():
        entries.sort(key=lambda e: e[0])
        kept: list[tuple[dt.datetime, _T]] = []
        for at, content in entries:
            if kept and kept[-1][0] == at and kept[-1][1] != content:
                problems.append(f"{what(key)}: hai giá trị khác nhau cùng lúc {_when(at)}.")
            elif (kept[-1][1] if kept else empty) != content:
                kept.append((at, content))
        if kept:
            out[key] = kept
    return out, problems


def load_history(
    sets: Sequence[CriteriaSet],
    values: Iterable[PastValue] = (),
    declarations: Iterable[PastDeclaration] = (),
    approvals: Iterable[PastApproval] = (),
    *,
    reason: str,
    actor: str = "",
    acting_user: User | None = None,
    stages: Sequence[str] = (Stage.CLAIMED, Stage.VERIFIED),
) -> HistoryLoad:
    """Load a record kept before ntm (or simulated): values, declarations and approvals, each
    with the moment it holds from, into units and periods that hold nothing yet.

    `sets` are the criteria sets the record was kept under (bundled or not): a value's measure
    must be one a set covering its period reads (or weighs it by), a declaration's and an
    approval's set one of them. A record kept before ntm has one entry per value, written to
    every stage in `stages`. Every audit row carries `after["at"]`, the moment it holds from,
    so the record answers "as of" any date (`ntm.results.record`); the rows are bulk-
    written in one transaction with one summary row. Results are not refreshed: the cache key
    moves with the new rows, so a read recomputes them. Raises `HistoryRefused` listing every
    problem (nothing written); with `acting_user`, the user must approve for every unit.
    """
    if acting_user is None and not actor:
        raise MissingActorError
    values, declarations, approvals = list(values), list(declarations), list(approvals)
    by_id = {s.id: s for s in sets}
    problems: list[str] = []
    if len(by_id) != len(sets):
        problems.append("Một bộ tiêu chí được nêu hai lần. (A set is given twice.)")
    if not stages:
        problems.append("Cần ít nhất một giai đoạn. (No stage.)")
    problems += [
        f"Giai đoạn không hợp lệ: {s}. (Unknown stage.)" for s in stages if s not in Stage.values
    ]
    catalogue = load_measures()
    reads: dict[str, set[str]] = {}
    for s in sets:
        keys = {cond.measure for c in s.criteria for i in c.indicators for cond in i.conditions}
        weights = {catalogue[k].weight_measure for k in keys if k in catalogue}
        reads[s.id] = keys | {w for w in weights if w is not None}

    def covering(period: int) -> list[str]:
        return [s.id for s in sets if s.period.start_year <= period <= s.period.end_year]

    checked: dict[tuple[int, int], str | None] = {}

    def unit_ok(unit: Unit, period: int) -> bool:
        key = (unit.pk, period)
        if key not in checked:
            checked[key] = _unit_problem(unit, period)
            if checked[key]:
                problems.append(str(checked[key]))
        return checked[key] is None

    def aware(at: dt.datetime, what: str) -> bool:
        if timezone.is_naive(at):
            problems.append(f"{what}: thời điểm {at} thiếu múi giờ. (Naive datetime.)")
        return timezone.is_aware(at)

    units = {v.unit.pk: v.unit for v in values}
    units |= {d.unit.pk: d.unit for d in declarations}
    units |= {a.unit.pk: a.unit for a in approvals}
    name = {pk: str(u) for pk, u in units.items()}

    good_values: list[tuple[tuple[int, str, int], dt.datetime, dict[str, Any]]] = []
    for v in values:
        what = f"{name[v.unit.pk]}, {v.measure}, năm {v.period}"
        if not unit_ok(v.unit, v.period) or not aware(v.at, what):
            continue
        if v.measure not in catalogue:
            problems.append(f"{what}: không có mã đo lường “{v.measure}”. (Unknown measure.)")
            continue
        if not any(v.measure in reads[s] for s in covering(v.period)):
            ids = ", ".join(covering(v.period)) or "không có bộ nào"
            problems.append(
                f"{what}: bộ tiêu chí của năm này ({ids}) không đọc chỉ tiêu này. "
                "(No set of the period reads this measure.)"
            )
            continue
        try:
            entry = check_entry(catalogue[v.measure], v.entry)
        except InvalidEntry as exc:
            problems.append(f"{what}: {exc}")
            continue
        good_values.append(((v.unit.pk, v.measure, v.period), v.at, entry.as_dict()))

    good_decls: list[tuple[tuple[int, int, str, int], dt.datetime, str]] = []
    for d in declarations:
        what = f"{name[d.unit.pk]}, tiêu chí {d.criterion}, năm {d.period}, bộ {d.set_id}"
        cset = by_id.get(d.set_id)
        if cset is None:
            problems.append(f"{what}: bộ tiêu chí không có trong lần nạp. (Unknown set.)")
        elif d.criterion not in {c.number for c in cset.criteria}:
            problems.append(f"{what}: bộ tiêu chí không có tiêu chí này. (No such criterion.)")
        elif d.status not in (*DeclaredStatus.values, ""):
            problems.append(f"{what}: trạng thái không hợp lệ “{d.status}”. (Unknown status.)")
        elif d.set_id not in covering(d.period):
            problems.append(f"{what}: năm nằm ngoài giai đoạn của bộ. (Year outside the set.)")
        elif unit_ok(d.unit, d.period) and aware(d.at, what):
            good_decls.append(((d.unit.pk, d.period, d.set_id, d.criterion), d.at, d.status))

    approved: dict[tuple[int, int, str], dt.datetime] = {}
    for a in approvals:
        what = f"{name[a.unit.pk]}, năm {a.period}, bộ {a.set_id}"
        cset = by_id.get(a.set_id)
        if cset is None:
            problems.append(f"{what}: bộ tiêu chí không có trong lần nạp. (Unknown set.)")
        elif a.set_id not in covering(a.period):
            problems.append(f"{what}: năm nằm ngoài giai đoạn của bộ. (Year outside the set.)")
        elif (a.unit.pk, a.period, a.set_id) in approved:
            problems.append(f"{what}: được duyệt hai lần. (Approved twice.)")
        elif unit_ok(a.unit, a.period) and aware(a.at, what):
            approved[(a.unit.pk, a.period, a.set_id)] = a.at

    histories, found = _history(
        good_values, Entry().as_dict(), lambda k: f"{name[k[0]]}, {k[1]}, năm {k[2]}"
    )
    problems += found
    declared, found = _history(
        good_decls, "", lambda k: f"{name[k[0]]}, tiêu chí {k[3]}, năm {k[1]}, bộ {k[2]}"
    )
    problems += found
    # An approved period is locked: nothing of it may change after its approval.
    last: dict[tuple[int, int], list[tuple[str, str | None, dt.datetime]]] = {}
    for (u, measure, p), h in histories.items():
        last.setdefault((u, p), []).append((measure, None, h[-1][0]))
    for (u, p, set_id, c), statuses in declared.items():
        last.setdefault((u, p), []).append((f"tiêu chí {c}", set_id, statuses[-1][0]))
    for (unit, period, set_id), at in approved.items():
        late = [
            what for what, of_set, when in last.get((unit, period), [])
            if when > at and (of_set == set_id if of_set else what in reads[set_id])
        ]  # fmt: skip
        if late:
            problems.append(
                f"{name[unit]}, năm {period}, bộ {set_id}: {', '.join(late)} thay đổi sau khi "
                f"được duyệt lúc {_when(at)}. (Changed after its approval.)"
            )
    if acting_user is not None:
        problems += [
            f"{u}: bạn không có quyền duyệt số liệu của đơn vị này. (Not allowed.)"
            for u in units.values()
            if not permissions.can_approve(acting_user, u)
        ]

    with transaction.atomic():
        periods = {(u, p) for u, _, p in histories} | {(u, p) for u, p, _, _ in declared}
        periods |= {(u, p) for u, p, _ in approved}
        _lock_units(u for u, _ in periods)  # nothing may be written there while we check
        problems += _holding(periods, name)
        if problems:
            raise HistoryRefused(problems)
        return _write_history(
            histories, declared, approved, stages, sorted(by_id),
            reason=reason, actor=actor, acting_user=acting_user,
        )  # fmt: skip


def _holding(periods: set[tuple[int, int]], name: dict[int, str]) -> list[str]:
    """A problem for every (unit, period) of the load that already holds something."""
    if not periods:
        return []
    unit_ids = {u for u, _ in periods}
    years = {p for _, p in periods}
    held: set[tuple[int, int]] = set()
    for rows in (
        Value.objects.filter(unit_id__in=unit_ids, period__in=years),
        Declaration.objects.filter(unit_id__in=unit_ids, period__in=years),
        Submission.objects.filter(unit_id__in=unit_ids, period__in=years),
    ):
        held |= set(rows.values_list("unit_id", "period").distinct()) & periods
    return [
        f"{name[u]} năm {p} đã có số liệu: lịch sử chỉ được nạp vào năm còn trống. "
        "(This unit and period already hold values.)"
        for u, p in sorted(held)
    ]


def _write_history(
    values: dict[tuple[int, str, int], list[tuple[dt.datetime, dict[str, Any]]]],
    declared: dict[tuple[int, int, str, int], list[tuple[dt.datetime, str]]],
    approved: dict[tuple[int, int, str], dt.datetime],
    stages: Sequence[str],
    sets: list[str],
    *,
    reason: str,
    actor: str,
    acting_user: User | None,
) -> HistoryLoad:
    summary = record(
        action="values.load_history",
        object_type=HISTORY_OBJECT,
        after={
            "values": len(values),
            "declarations": len(declared),
            "approvals": len(approved),
            "units": len({k[0] for k in (*values, *declared, *approved)}),
            "periods": sorted({k[-1] for k in values} | {k[1] for k in (*declared, *approved)}),
            "sets": sets,
            "stages": list(stages),
        },
        acting_user=acting_user,
        actor=actor,
        reason=reason,
    )
    rows, decls, subs, audit_rows = write_past(values, declared, approved, stages, summary=summary)
    return HistoryLoad(
        values=len(rows),
        declarations=len(decls),
        approvals=len(subs),
        audit_rows=audit_rows + 1,
        audit_id=summary.pk,
    )


# ------------------------------------------------------------------------------------ provenance


def mark_simulated(
    province: Unit,
    *,
    note: str,
    record_sets: Sequence[CriteriaSet] = (),
    actor: str = "",
    acting_user: User | None = None,
) -> SimulatedData:
    """Record that a province's values are simulated (the demo loader calls this), so that
    every page of it says "dữ liệu mô phỏng", with the sets its record was kept under that
    are not bundled (read back by `ntm.results`)."""
    if province.kind != UnitKind.PROVINCE:
        raise ValuesError(gettext("Only a province can be marked as holding simulated data."))
    sets = [s.model_dump(mode="json") for s in record_sets]
    with transaction.atomic():
        row, created = SimulatedData.objects.get_or_create(
            province=province,
            defaults={"note": note, "marked_at": timezone.now(), "record_sets": sets},
        )
        if created:
            record(
                action="values.mark_simulated",
                object_type="units.unit",
                object_id=province.pk,
                after={"simulated": True, "note": note, "record_sets": [s.id for s in record_sets]},
                acting_user=acting_user,
                actor=actor,
            )
    return row
