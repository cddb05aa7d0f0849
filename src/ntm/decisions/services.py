"""Recording a province's decisions on a criteria set (design decision 7: one atomic function
per action, the acting user as a keyword argument, an audit row with before and after).

Every way in — the overlay file, the gap workbook, the page's cell form, the command — ends in
`record_decision`: all its cells are written or none, every refused cell is reported with its
reason, and a cell is never changed in place (a new `CellVersion` row).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.audit.services import record as audit
from ntm.criteria.loader import (
    CriteriaError,
    bundled_set_ids,
    cell_problems,
    load_set,
    parse_overlay,
    parse_set,
)
from ntm.criteria.schema import CellChange, CriteriaSet, LegalBasis
from ntm.decisions.models import (
    CellVersion,
    Decision,
    DecisionScan,
    SetDecision,
    SetDecisionKind,
    cell_key,
)
from ntm.units.models import Unit
from ntm.values import files
from ntm.vn.dates import format_date

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import UploadedFile

MAX_NUMBER = 200
MAX_ISSUER = 300
MAX_TITLE = 500
MAX_NOTE = 500
MAX_SET_ID = 100  # SetDecision.set_id


class DecisionError(ValueError):
    """Refused: nothing was written. `problems` holds every reason, each for a person."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


class NotAllowed(DecisionError):
    def __init__(self) -> None:
        super().__init__(
            [gettext("Only the province's coordination office may record its decisions.")]
        )


@dataclass(frozen=True)
class Basis:
    """The legal basis of a decision: what the province's act says of itself."""

    number: str
    date_signed: dt.date | None
    issuer: str
    title: str = ""

    @classmethod
    def of(cls, lb: LegalBasis) -> Basis:
        """The legal basis a criteria file gives itself."""
        return cls(lb.number, lb.date_signed, lb.issuer or "", lb.title_vi or "")


@dataclass(frozen=True)
class Recorded:
    decision: Decision
    written: int
    unchanged: int


def _basis_problems(basis: Basis) -> list[str]:
    problems = []
    if not basis.number.strip():
        problems.append(gettext("The legal basis needs the decision's number."))
    if basis.date_signed is None:
        problems.append(gettext("The legal basis needs the date the decision was signed."))
    if not basis.issuer.strip():
        problems.append(gettext("The legal basis needs the body that issued the decision."))
    limits = ((basis.number, MAX_NUMBER), (basis.issuer, MAX_ISSUER), (basis.title, MAX_TITLE))
    if any(len(text) > limit for text, limit in limits):
        problems.append(gettext("The legal basis is too long."))
    return problems


def _snapshot(row: CellVersion | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {
        "cell": row.cell,
        "version": row.version,
        "value": row.value,
        "status": row.status,
        "effective_from": row.effective_from.isoformat(),
        "decision": row.decision_id,
    }


def _decision(province: Unit, basis: Basis, now: dt.datetime) -> Decision:
    """The province's decision of that number and date, recorded now if it is new. Call
    inside the service's transaction, with the basis checked."""
    assert basis.date_signed is not None  # checked with the basis
    decision, created = Decision.objects.get_or_create(
        province=province,
        number=basis.number.strip(),
        date_signed=basis.date_signed,
        defaults={"issuer": basis.issuer.strip(), "title": basis.title, "recorded_at": now},
    )
    if not created and decision.issuer != basis.issuer.strip():
        raise DecisionError(
            [
                gettext("Decision %(number)s is already recorded as issued by %(issuer)s.")
                % {"number": decision.number, "issuer": decision.issuer}
            ]
        )
    return decision


def _basis_text(decision: Decision) -> str:
    return f"{decision.number} ({format_date(decision.date_signed)})"


def record_decision(
    province: Unit,
    set_id: str,
    basis: Basis,
    cells: Sequence[CellChange],
    *,
    effective_from: dt.date | None,
    acting_user: User,
) -> Recorded:
    """Record `cells` of the province's overlay of `set_id`, set by the decision `basis` and in
    force from `effective_from` (default: the day it was signed). A cell equal to its latest
    version is left as it is."""
    if not permissions.can_decide_criteria(acting_user, province):
        raise NotAllowed
    problems = _basis_problems(basis)
    if set_id not in bundled_set_ids() or load_set(set_id).level != "commune":
        raise DecisionError([gettext("Unknown criteria set: %(set)s.") % {"set": set_id}])
    if not cells:
        problems.append(gettext("The decision sets no threshold cell."))
    problems += cell_problems(load_set(set_id), cells)
    keys = [cell_key(c.indicator, c.condition, c.column, c.year) for c in cells]
    problems += [
        gettext("cells[%(i)s]: the same cell is given twice.") % {"i": i}
        for i, k in enumerate(keys)
        if k in keys[:i]
    ]
    problems += [
        gettext("cells[%(i)s]: the note is too long.") % {"i": i}
        for i, c in enumerate(cells)
        if len(c.note or "") > MAX_NOTE
    ]
    if problems:
        raise DecisionError(problems)
    assert basis.date_signed is not None  # checked above
    start = effective_from or basis.date_signed
    now = timezone.now()
    with transaction.atomic():
        decision = _decision(province, basis, now)
        versions = CellVersion.objects.select_for_update().filter(
            province=province, set_id=set_id, cell__in=keys
        )
        latest: dict[str, CellVersion] = {}
        for row in versions.order_by("cell", "version"):
            latest[row.cell] = row
        changed = []
        for key, change in zip(keys, cells, strict=True):
            prev = latest.get(key)
            if prev is not None and (
                prev.value,
                prev.status,
                prev.note,
                prev.decision_id,
                prev.effective_from,
            ) == (change.value, change.status, change.note or "", decision.pk, start):
                continue
            changed.append((key, change, prev))
        if not changed:
            return Recorded(decision, 0, len(cells))
        log = audit(
            action="decisions.record",
            object_type="decisions.Decision",
            object_id=decision.pk,
            before=[_snapshot(prev) for _, _, prev in changed],
            after={
                "set": set_id,
                "effective_from": start.isoformat(),
                "cells": [
                    {"cell": key, "value": c.value, "status": c.status} for key, c, _ in changed
                ],
            },
            acting_user=acting_user,
            legal_basis=_basis_text(decision),
        )
        CellVersion.objects.bulk_create(
            CellVersion(
                decision=decision,
                province=province,
                set_id=set_id,
                cell=key,
                indicator=c.indicator,
                condition=c.condition,
                column=c.column,
                year=c.year,
                value=c.value,
                status=c.status,
                note=c.note or "",
                effective_from=start,
                version=(prev.version if prev is not None else 0) + 1,
                recorded_at=now,
                acting_user=acting_user,
                audit=log,
            )
            for key, c, prev in changed
        )
    return Recorded(decision, len(changed), len(cells) - len(changed))


def import_overlay(
    province: Unit,
    text: str,
    name: str,
    *,
    effective_from: dt.date | None = None,
    acting_user: User,
) -> Recorded:
    """An overlay file (`ntm.criteria` YAML) recorded as the province's decision: its legal
    basis, its cells, in force from `effective_from`, else the file's `effective_from`, else
    the day it was signed."""
    if not permissions.can_decide_criteria(acting_user, province):
        raise NotAllowed
    try:
        overlay = parse_overlay(text, name)
    except CriteriaError as exc:
        raise DecisionError(exc.problems) from None
    if overlay.province_code != province.code:
        raise DecisionError(
            [
                gettext("%(file)s: the file is for province %(code)s, not %(name)s.")
                % {"file": name, "code": overlay.province_code, "name": province.name}
            ]
        )
    return record_decision(
        province,
        overlay.extends,
        Basis.of(overlay.legal_basis),
        overlay.cells,
        effective_from=effective_from or overlay.legal_basis.effective_from,
        acting_user=acting_user,
    )


def attach_scan(
    decision: Decision, upload: UploadedFile[bytes], *, acting_user: User
) -> DecisionScan:
    """Store the scanned decision as its evidence, after the checks of a value's evidence
    (size, type read from the bytes, name); refused with the reason, nothing written."""
    if not permissions.can_decide_criteria(acting_user, decision.province):
        raise NotAllowed
    try:
        upload_ok = files.checked(upload)
    except files.NotTaken as exc:
        raise DecisionError([str(exc)]) from exc
    with transaction.atomic():
        log = audit(
            action="decisions.attach_scan",
            object_type="decisions.Decision",
            object_id=decision.pk,
            after=upload_ok.facts(),
            acting_user=acting_user,
            legal_basis=_basis_text(decision),
        )
        scan = DecisionScan(
            decision=decision,
            **upload_ok.facts(),
            uploaded_by=acting_user,
            uploaded_at=timezone.now(),
            audit=log,
        )
        files.save_with_file(scan, scan.file, upload_ok, "scan")
    return scan


def _set_decision(
    province: Unit,
    kind: SetDecisionKind,
    set_id: str,
    basis: Basis,
    *,
    successor_from: dt.date | None = None,
    text: str = "",
    acting_user: User,
) -> Recorded:
    """A new version of the province's `kind` decision on `set_id` (the basis checked), left
    as it is when the latest version says the same by the same decision."""
    now = timezone.now()
    with transaction.atomic():
        decision = _decision(province, basis, now)
        latest = (
            SetDecision.objects.select_for_update()
            .filter(province=province, kind=kind, set_id=set_id)
            .order_by("-version")
            .first()
        )
        if latest is not None and (
            latest.decision_id,
            latest.successor_from,
            latest.text,
        ) == (decision.pk, successor_from, text):
            return Recorded(decision, 0, 1)
        log = audit(
            action=f"decisions.{kind}",
            object_type="decisions.Decision",
            object_id=decision.pk,
            before=None
            if latest is None
            else {
                "version": latest.version,
                "decision": latest.decision_id,
                "successor_from": latest.successor_from and latest.successor_from.isoformat(),
                "sha256": hashlib.sha256(latest.text.encode()).hexdigest(),
            },
            after={
                "set": set_id,
                "successor_from": successor_from and successor_from.isoformat(),
                "sha256": hashlib.sha256(text.encode()).hexdigest(),
            },
            acting_user=acting_user,
            legal_basis=_basis_text(decision),
        )
        SetDecision.objects.create(
            decision=decision,
            province=province,
            kind=kind,
            set_id=set_id,
            successor_from=successor_from,
            text=text,
            version=(latest.version if latest is not None else 0) + 1,
            recorded_at=now,
            acting_user=acting_user,
            audit=log,
        )
    return Recorded(decision, 1, 0)


def record_transition(
    province: Unit,
    set_id: str,
    basis: Basis,
    successor_from: dt.date | None,
    *,
    acting_user: User,
) -> Recorded:
    """The province's own transition rule: in the province, the successor of the national set
    `set_id` takes effect on `successor_from` (the set judging until the day before). Not
    before the national date, and within the successor's period."""
    if not permissions.can_decide_criteria(acting_user, province):
        raise NotAllowed
    problems = _basis_problems(basis)
    succession = load_set(set_id).succeeded_by if set_id in bundled_set_ids() else None
    if succession is None:
        problems.append(
            gettext("The criteria set %(set)s has no national successor.") % {"set": set_id}
        )
    elif successor_from is None:
        problems.append(gettext("The date the successor takes effect in the province is needed."))
    elif successor_from < succession.effective_from:
        problems.append(
            gettext(
                "The successor cannot take effect in the province before it does nationally "
                "(%(day)s)."
            )
            % {"day": format_date(succession.effective_from)}
        )
    elif successor_from.year > load_set(succession.set).period.end_year:
        problems.append(
            gettext("The successor's period ends in %(year)s.")
            % {"year": load_set(succession.set).period.end_year}
        )
    if problems:
        raise DecisionError(problems)
    return _set_decision(
        province,
        SetDecisionKind.TRANSITION,
        set_id,
        basis,
        successor_from=successor_from,
        acting_user=acting_user,
    )


def import_province_set(
    province: Unit, text: str, name: str, *, acting_user: User
) -> tuple[Recorded, CriteriaSet]:
    """A whole criteria set of the province (its advanced or model set) from its YAML, valid
    for the criteria loader, recorded under the set's own legal basis; its id may not be a
    national set's."""
    if not permissions.can_decide_criteria(acting_user, province):
        raise NotAllowed
    try:
        cset = parse_set(text, name)
    except CriteriaError as exc:
        raise DecisionError(exc.problems) from None
    basis = Basis.of(cset.legal_basis)
    problems = _basis_problems(basis)
    if cset.id in bundled_set_ids():
        problems.append(
            gettext(
                "%(file)s: the id %(set)s is a national set's; give the province's set its own."
            )
            % {"file": name, "set": cset.id}
        )
    if len(cset.id) > MAX_SET_ID:
        problems.append(gettext("%(file)s: the set's id is too long.") % {"file": name})
    if cset.level != "commune":
        problems.append(gettext("%(file)s: only a commune set can be recorded.") % {"file": name})
    if problems:
        raise DecisionError(problems)
    done = _set_decision(
        province, SetDecisionKind.WHOLE_SET, cset.id, basis, text=text, acting_user=acting_user
    )
    return done, cset
