"""The recognition life cycle as services (design decisions 6 and 7): one atomic function per
step, the acting user as a keyword argument, a `RecognitionStep` and an audit row per move.

    propose (commune officer, or the province office)  -> proposed
    complete_dossier (the same)                         -> dossier complete
    verify (appraiser of the province)                  -> verified
    appraise (province office: the council's vote)      -> appraised, or not approved
    recognise (province office, one decision, several)  -> recognised
    revoke (province office, a decision)                -> revoked
    end_by_merger (a change of units)                   -> ended
    acknowledge (province office, after a merger)       -> a new case, acknowledged
    record_recognised (province office: a decision taken before ntm held the case)

Recognising checks the four conditions of QĐ 18/2022 (Art. 4) on a `Checklist`: the set met
in the year of the standard (the engine's result, which the caller reads through
`ntm.results.recognition`), the residents' satisfaction at or above the configured level, no
outstanding construction debt, security and order not "complex". A condition not shown to hold
— unknown included — refuses the decision unless the province office overrides it with a
written reason, which the case and the audit row keep.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy

from ntm.accounts import permissions
from ntm.audit.services import record as audit
from ntm.recognition.models import (
    HELD,
    OPEN,
    TIERS_BY_KIND,
    DecisionKind,
    Recognition,
    RecognitionDecision,
    RecognitionScan,
    RecognitionStep,
    Status,
    Tier,
)
from ntm.units.models import EventKind, Unit, UnitEvent, UnitKind
from ntm.values import files
from ntm.vn.dates import format_date

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile

OBJECT = "recognition"
DECISION_OBJECT = "recognition.decision"
MAX_TEXT = 300


class RecognitionError(ValueError):
    """Refused: nothing was written. `problems` holds every reason, each for a person."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


def required_satisfaction() -> Decimal:
    """The residents' satisfaction (%) a recognition requires (`NTM_SATISFACTION_MIN_PERCENT`)."""
    return Decimal(str(settings.NTM_SATISFACTION_MIN_PERCENT))


# The conditions of QĐ 18/2022, Art. 4, in the order the decision lists them.
CONDITIONS: tuple[tuple[str, Any], ...] = (  # (key, lazy label)
    ("set_met", gettext_lazy("The criteria set is fully met in the year of the standard")),
    ("satisfaction", gettext_lazy("Residents' satisfaction at or above the required level")),
    ("no_debt", gettext_lazy("No outstanding construction debt from the programme")),
    ("security", gettext_lazy("Security and order are not “complex”")),
)


@dataclass(frozen=True)
class Checklist:
    """The conditions of a recognition as they stand (None: not known)."""

    set_met: bool | None
    satisfaction: Decimal | None
    required_satisfaction: Decimal
    debt_outstanding: bool | None
    security_complex: bool | None

    def known(self) -> dict[str, bool | None]:
        """Each condition: True (holds), False (does not) or None (not known), for a page."""
        return {
            "set_met": self.set_met,
            "satisfaction": None
            if self.satisfaction is None
            else self.satisfaction >= self.required_satisfaction,
            "no_debt": None if self.debt_outstanding is None else not self.debt_outstanding,
            "security": None if self.security_complex is None else not self.security_complex,
        }

    def holds(self) -> dict[str, bool]:
        """Each condition: shown to hold (an unknown one does not)."""
        return {key: state is True for key, state in self.known().items()}

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Checklist:
        """The checklist as `as_record` kept it when the decision was taken."""

        def decimal(key: str) -> Decimal | None:
            return None if record.get(key) is None else Decimal(str(record[key]))

        return cls(
            set_met=record.get("set_met"),
            satisfaction=decimal("satisfaction"),
            required_satisfaction=decimal("required_satisfaction") or required_satisfaction(),
            debt_outstanding=record.get("debt_outstanding"),
            security_complex=record.get("security_complex"),
        )

    def unmet(self) -> list[str]:
        """The conditions not shown to hold, for a person."""
        holds = self.holds()
        return [str(label) for key, label in CONDITIONS if not holds[key]]

    def as_record(self) -> dict[str, Any]:
        return {
            "set_met": self.set_met,
            "satisfaction": None if self.satisfaction is None else str(self.satisfaction),
            "required_satisfaction": str(self.required_satisfaction),
            "debt_outstanding": self.debt_outstanding,
            "security_complex": self.security_complex,
            "holds": self.holds(),
        }


@dataclass(frozen=True)
class DecisionBasis:
    """A recognition, revocation or acknowledgement decision as it names itself."""

    number: str
    date_signed: dt.date | None
    issuer: str
    signer: str = ""
    simulated: bool = False  # a number made up for the demo, labelled wherever it shows


def _snapshot(case: Recognition) -> dict[str, Any]:
    return {
        "unit": case.unit_id,
        "tier": case.tier,
        "year": case.year,
        "status": case.status,
        "decision": case.decision_id,
        "revocation": case.revocation_id,
        "ended_on": None if case.ended_on is None else case.ended_on.isoformat(),
    }


def _move(
    case: Recognition,
    status: Status,
    *,
    acting_user: User | None,
    actor: str = "",
    note: str = "",
    reason: str = "",
    legal_basis: str = "",
    fields: Mapping[str, Any] | None = None,
) -> Recognition:
    """Set the case's status (and `fields`), with its step and audit row."""
    before = _snapshot(case) if case.pk else None
    case.status = status
    for name, value in (fields or {}).items():
        setattr(case, name, value)
    try:
        with transaction.atomic():  # a savepoint: the constraint's refusal leaves nothing
            case.save()
    except IntegrityError as e:
        raise RecognitionError(
            [gettext("This unit already has a case or a recognition at this tier.")]
        ) from e
    row = audit(
        action=f"recognition.{status}",
        object_type=OBJECT,
        object_id=case.pk,
        before=before,
        after=_snapshot(case),
        acting_user=acting_user,
        actor=actor,
        reason=reason,
        legal_basis=legal_basis,
    )
    RecognitionStep.objects.create(
        recognition=case,
        status=status,
        at=row.created_at,
        acting_user=acting_user,
        actor=actor,
        note=note or reason,
        audit=row,
    )
    return case


def _locked(case: Recognition) -> Recognition:
    """The case re-read under a row lock: two offices moving one case take turns."""
    return Recognition.objects.select_for_update().select_related("unit").get(pk=case.pk)


def _expect(case: Recognition, *statuses: Status) -> None:
    if case.status not in statuses:
        raise RecognitionError(
            [
                gettext("This step is not possible: the case is “%(status)s”.")
                % {"status": case.get_status_display()}
            ]
        )


def _tier_problems(unit: Unit, tier: str) -> list[str]:
    allowed = TIERS_BY_KIND.get(unit.kind, ())
    if tier not in allowed:
        return [
            gettext("A %(kind)s cannot be recognised at this tier.")
            % {"kind": unit.get_kind_display()}
        ]
    return []


def _province(unit: Unit) -> Unit:
    node: Unit | None = unit
    while node is not None and node.kind != UnitKind.PROVINCE:
        node = node.parent
    if node is None:
        raise RecognitionError([gettext("The unit lies under no province.")])
    return node


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise RecognitionError([gettext("You may not take this step for this unit.")])


def propose(unit: Unit, tier: str, year: int, *, acting_user: User, note: str = "") -> Recognition:
    """A unit proposes itself (its officers, or the province office for it) for a tier."""
    _refuse_unless(permissions.can_propose_recognition(acting_user, unit))
    problems = _tier_problems(unit, tier)
    if not unit.is_valid_on(dt.date(year, 12, 31)) and not unit.is_valid_on(dt.date(year, 1, 1)):
        problems.append(gettext("The unit did not exist in the year of the standard."))
    if problems:
        raise RecognitionError(problems)
    with transaction.atomic():
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one case at a time
        if Recognition.objects.filter(unit=unit, tier=tier, status__in=[*OPEN, *HELD]).exists():
            raise RecognitionError(
                [gettext("This unit already has a case or a recognition at this tier.")]
            )
        case = Recognition(unit=unit, tier=tier, year=year, created_at=timezone.now())
        return _move(case, Status.PROPOSED, acting_user=acting_user, note=note)


def complete_dossier(
    case: Recognition,
    *,
    satisfaction: Decimal,
    debt_outstanding: bool,
    security_complex: bool,
    acting_user: User,
) -> Recognition:
    """The dossier is complete: the survey's satisfaction (%), and the commune's statements on
    construction debt and security and order."""
    if not Decimal(0) <= satisfaction <= Decimal(100):
        raise RecognitionError([gettext("The satisfaction rate is a percentage, 0 to 100.")])
    with transaction.atomic():
        case = _locked(case)
        _refuse_unless(permissions.can_propose_recognition(acting_user, case.unit))
        _expect(case, Status.PROPOSED, Status.DOSSIER_COMPLETE)
        return _move(
            case,
            Status.DOSSIER_COMPLETE,
            acting_user=acting_user,
            fields={
                "satisfaction": satisfaction,
                "debt_outstanding": debt_outstanding,
                "security_complex": security_complex,
            },
        )


def verify(case: Recognition, *, acting_user: User, note: str = "") -> Recognition:
    """The dossier and the field checked (thẩm tra) by the province's appraiser."""
    with transaction.atomic():
        case = _locked(case)
        _refuse_unless(permissions.can_verify(acting_user, case.unit))
        _expect(case, Status.DOSSIER_COMPLETE)
        return _move(case, Status.VERIFIED, acting_user=acting_user, note=note)


def appraise(
    case: Recognition, *, votes_for: int, votes_total: int, acting_user: User, note: str = ""
) -> Recognition:
    """The province council's appraisal (thẩm định) and its vote: approved on a majority of
    the votes cast, else the case ends "not approved"."""
    if votes_total <= 0 or not 0 <= votes_for <= votes_total:
        raise RecognitionError([gettext("The vote needs its votes in favour and the votes cast.")])
    with transaction.atomic():
        case = _locked(case)
        _refuse_unless(permissions.can_approve(acting_user, case.unit))
        _expect(case, Status.VERIFIED)
        status = Status.APPRAISED if 2 * votes_for > votes_total else Status.NOT_APPROVED
        return _move(
            case,
            status,
            acting_user=acting_user,
            note=note,
            fields={"votes_for": votes_for, "votes_total": votes_total},
        )


def checklist_of(case: Recognition, set_met: bool | None) -> Checklist:
    """The case's conditions, with the engine's result for the set (`set_met`)."""
    return Checklist(
        set_met=set_met,
        satisfaction=case.satisfaction,
        required_satisfaction=required_satisfaction(),
        debt_outstanding=case.debt_outstanding,
        security_complex=case.security_complex,
    )


def basis_problems(basis: DecisionBasis) -> list[str]:
    problems = []
    if not basis.number.strip():
        problems.append(gettext("The decision needs its number."))
    if basis.date_signed is None:
        problems.append(gettext("The decision needs the date it was signed."))
    if not basis.issuer.strip():
        problems.append(gettext("The decision needs the body that issued it."))
    if any(len(t) > MAX_TEXT for t in (basis.number, basis.issuer, basis.signer)):
        problems.append(gettext("The decision's number, issuer or signer is too long."))
    return problems


def _decision(
    province: Unit,
    kind: DecisionKind,
    basis: DecisionBasis,
    acting_user: User | None,
    actor: str = "",
) -> RecognitionDecision:
    """The decision's row: one decision may cover several units, so a decision already
    recorded with this number and date is the same act (its kind must agree)."""
    assert basis.date_signed is not None  # checked by basis_problems
    found = RecognitionDecision.objects.filter(
        province=province, number=basis.number.strip(), date_signed=basis.date_signed
    ).first()
    if found is not None:
        if found.kind != kind:
            raise RecognitionError(
                [
                    gettext("Decision %(number)s is already recorded as another kind of act.")
                    % {"number": found.number}
                ]
            )
        return found
    row = RecognitionDecision.objects.create(
        province=province,
        kind=kind,
        number=basis.number.strip(),
        date_signed=basis.date_signed,
        signer=basis.signer.strip(),
        issuer=basis.issuer.strip(),
        recorded_at=timezone.now(),
        simulated=basis.simulated,
    )
    audit(
        action="recognition.decision",
        object_type=DECISION_OBJECT,
        object_id=row.pk,
        after={"kind": kind, "number": row.number, "date_signed": row.date_signed.isoformat()},
        acting_user=acting_user,
        actor=actor,
        legal_basis=legal_text(basis),
    )
    return row


def legal_text(basis: DecisionBasis) -> str:
    date = "" if basis.date_signed is None else format_date(basis.date_signed)
    return f"{basis.number} {date} {basis.issuer}".strip()


def _cases_of_one_decision(
    cases: Sequence[Recognition], acting_user: User, *statuses: Status
) -> list[Recognition]:
    """The cases one decision names, locked (in one order), of one province, each the
    province office's to decide and in one of `statuses`."""
    locked = [_locked(c) for c in sorted(cases, key=lambda c: c.pk)]
    if len({_province(c.unit).pk for c in locked}) != 1:
        raise RecognitionError([gettext("One decision covers units of one province.")])
    for case in locked:
        _refuse_unless(permissions.can_approve(acting_user, case.unit))
        _expect(case, *statuses)
    return locked


def recognise(
    cases: Sequence[Recognition],
    basis: DecisionBasis,
    *,
    set_met: Mapping[int, bool | None],
    acting_user: User,
    override_reason: str = "",
) -> RecognitionDecision:
    """Recognise the appraised cases by one decision. `set_met` holds, per case id, the
    engine's result for the set in the year of the standard. A case whose conditions do not
    all hold is refused, unless `override_reason` says in writing why the office decides
    anyway; all the cases are recognised, or none."""
    problems = basis_problems(basis)
    if not cases:
        problems.append(gettext("The decision names no unit."))
    if problems:
        raise RecognitionError(problems)
    with transaction.atomic():
        locked = _cases_of_one_decision(cases, acting_user, Status.APPRAISED)
        for case in locked:
            if basis.date_signed is not None and basis.date_signed.year < case.year:
                problems.append(
                    gettext("%(unit)s: a decision cannot precede the year of the standard.")
                    % {"unit": case.unit.name}
                )
            unmet = checklist_of(case, set_met.get(case.pk)).unmet()
            if unmet and not override_reason.strip():
                problems.append(
                    gettext("%(unit)s: conditions not shown to hold: %(conditions)s.")
                    % {"unit": case.unit.name, "conditions": "; ".join(unmet)}
                )
        if problems:
            raise RecognitionError(problems)
        decision = _decision(
            _province(locked[0].unit), DecisionKind.RECOGNITION, basis, acting_user
        )
        for case in locked:
            checklist = checklist_of(case, set_met.get(case.pk))
            overridden = bool(checklist.unmet())
            _move(
                case,
                Status.RECOGNISED,
                acting_user=acting_user,
                reason=override_reason.strip() if overridden else "",
                legal_basis=legal_text(basis),
                fields={
                    "decision": decision,
                    "checklist": checklist.as_record(),
                    "override_reason": override_reason.strip() if overridden else "",
                },
            )
        return decision


def record_recognised(
    unit: Unit,
    tier: str,
    year: int,
    basis: DecisionBasis,
    *,
    acting_user: User | None,
    actor: str = "",
    note: str = "",
) -> Recognition:
    """A recognition decided before ntm held the case (a list, the press, an archive): the
    decision is recorded as it was taken, without the steps before it. A person must be
    the province office; without one, `actor` names the loading program (the demo)."""
    if acting_user is not None or not actor:
        _refuse_unless(acting_user is not None and permissions.can_approve(acting_user, unit))
    problems = _tier_problems(unit, tier) + basis_problems(basis)
    if problems:
        raise RecognitionError(problems)
    with transaction.atomic():
        decision = _decision(_province(unit), DecisionKind.RECOGNITION, basis, acting_user, actor)
        case = Recognition(unit=unit, tier=tier, year=year, created_at=timezone.now())
        return _move(
            case,
            Status.RECOGNISED,
            acting_user=acting_user,
            actor=actor,
            note=note,
            legal_basis=legal_text(basis),
            fields={"decision": decision, "note": note},
        )


def revoke(
    cases: Sequence[Recognition], basis: DecisionBasis, *, reason: str, acting_user: User
) -> RecognitionDecision:
    """Revoke recognitions in force by one decision, with the reason."""
    problems = basis_problems(basis)
    if not reason.strip():
        problems.append(gettext("A revocation needs its reason."))
    if not cases:
        problems.append(gettext("The decision names no unit."))
    if problems:
        raise RecognitionError(problems)
    with transaction.atomic():
        locked = _cases_of_one_decision(cases, acting_user, *HELD)
        decision = _decision(_province(locked[0].unit), DecisionKind.REVOCATION, basis, acting_user)
        for case in locked:
            _move(
                case,
                Status.REVOKED,
                acting_user=acting_user,
                reason=reason.strip(),
                legal_basis=legal_text(basis),
                fields={"revocation": decision},
            )
        return decision


# The changes of units after which a unit's recognition no longer holds.
ENDING = (EventKind.MERGE, EventKind.SPLIT, EventKind.DISSOLVE, EventKind.RECLASSIFY)


def end_by_merger(event: UnitEvent, *, acting_user: User | None = None, actor: str = "") -> int:
    """End, on the event's date, every recognition in force of a unit the event replaced (a
    merged commune does not inherit recognition, see `acknowledge`; a commune become a ward
    leaves the commune set). A rename or a transfer to another district ends nothing.
    Returns how many."""
    if event.kind not in ENDING:
        return 0
    old = [link.old_unit_id for link in event.links.all() if link.old_unit_id is not None]
    ended = 0
    with transaction.atomic():
        for case in Recognition.objects.select_for_update().filter(
            unit_id__in=old, status__in=list(HELD)
        ):
            _move(
                case,
                Status.ENDED,
                acting_user=acting_user,
                actor=actor,
                legal_basis=event.legal_basis,
                fields={"ended_on": event.date, "ended_by": event},
            )
            ended += 1
    return ended


def end_with_event(
    sender: object,
    *,
    event: UnitEvent,
    acting_user: User | None = None,
    actor: str = "",
    **kwargs: object,
) -> None:
    """`end_by_merger` for a change of units as it is recorded (`ntm.units.signals`)."""
    end_by_merger(event, acting_user=acting_user, actor=actor)


@dataclass(frozen=True)
class Acknowledgeable:
    """A tier every unit merged (wholly or in part) into a unit on `day` held until then."""

    tier: Tier
    day: dt.date
    events: tuple[UnitEvent, ...]  # the changes of that day that formed the unit
    predecessors: tuple[Recognition, ...]


def acknowledgeable(unit: Unit) -> list[Acknowledgeable]:
    """The tiers the unit may be acknowledged at: those that every unit merged into it held
    until the merger (2023–2025 practice), each with the predecessors' recognitions. The
    changes of one day count together (a merger and the part of a split commune recorded as
    two events); a unit formed in part from a unit without the tier has none of it."""
    by_day: dict[dt.date, tuple[set[UnitEvent], set[Unit]]] = {}
    links = unit.predecessor_links.select_related("event", "old_unit").filter(
        old_unit__isnull=False
    )
    for link in links:
        events, olds = by_day.setdefault(link.event.date, (set(), set()))
        events.add(link.event)
        if link.old_unit is not None:
            olds.add(link.old_unit)
    out = []
    for day, (events, olds) in sorted(by_day.items()):
        eve = day - dt.timedelta(days=1)
        for tier in TIERS_BY_KIND.get(unit.kind, ()):
            held = [_held_on(u, tier, eve) for u in sorted(olds, key=lambda u: u.pk)]
            if all(h is not None for h in held):
                out.append(
                    Acknowledgeable(
                        Tier(tier),
                        day,
                        tuple(sorted(events, key=lambda e: e.pk)),
                        tuple(h for h in held if h is not None),
                    )
                )
    return out


def _held_on(unit: Unit, tier: str, day: dt.date) -> Recognition | None:
    """The unit's recognition at the tier in force on `day`."""
    for case in Recognition.objects.filter(unit=unit, tier=tier).select_related(
        "decision", "revocation"
    ):
        if in_force_on(case, day):
            return case
    return None


def in_force_on(case: Recognition, day: dt.date) -> bool:
    """Was the recognition in force on `day`: decided by then, neither revoked nor ended."""
    decided = case.decision.date_signed if case.decision is not None else None
    if case.status not in (*HELD, Status.REVOKED, Status.ENDED) or decided is None:
        return False
    if decided > day:
        return False
    if case.revocation is not None and case.revocation.date_signed <= day:
        return False
    return case.ended_on is None or case.ended_on > day


def acknowledge(
    unit: Unit, tier: str, basis: DecisionBasis, *, acting_user: User, note: str = ""
) -> Recognition:
    """Acknowledge a merged unit at a tier that every predecessor held (`acknowledgeable`),
    by a decision; the case names the predecessors' recognitions. Never done silently: the
    province office takes this step."""
    _refuse_unless(permissions.can_approve(acting_user, unit))
    problems = basis_problems(basis)
    offered = [a for a in acknowledgeable(unit) if a.tier == tier]
    if not offered:
        problems.append(
            gettext("Not every unit merged into %(unit)s held this tier until the merger.")
            % {"unit": unit.name}
        )
    if problems:
        raise RecognitionError(problems)
    with transaction.atomic():
        decision = _decision(_province(unit), DecisionKind.ACKNOWLEDGEMENT, basis, acting_user)
        latest = offered[-1]
        case = Recognition(
            unit=unit,
            tier=tier,
            year=latest.day.year,
            created_at=timezone.now(),
        )
        case = _move(
            case,
            Status.ACKNOWLEDGED,
            acting_user=acting_user,
            note=note,
            legal_basis=legal_text(basis),
            fields={"decision": decision, "note": note},
        )
        case.predecessors.set(latest.predecessors)
        return case


def attach_scan(
    decision: RecognitionDecision, upload: UploadedFile[bytes], *, acting_user: User
) -> RecognitionScan:
    """Store the scanned decision as its evidence, after the checks of a value's evidence
    (size, type read from the bytes, name): the province office of the decision's province
    only; refused with the reason, nothing written."""
    _refuse_unless(permissions.can_approve(acting_user, decision.province))
    try:
        ok = files.checked(upload)
    except files.NotTaken as exc:
        raise RecognitionError([str(exc)]) from exc
    with transaction.atomic():
        row = audit(
            action="recognition.attach_scan",
            object_type=DECISION_OBJECT,
            object_id=decision.pk,
            after=ok.facts(),
            acting_user=acting_user,
            legal_basis=f"{decision.number} {format_date(decision.date_signed)}",
        )
        scan = RecognitionScan(
            decision=decision,
            **ok.facts(),
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
            audit=row,
        )
        files.save_with_file(scan, scan.file, ok, "scan")
    return scan
