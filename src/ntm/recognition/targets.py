"""A province's targets for a year, recorded from its plan (one atomic service per action,
with an audit row; the progress is read through `ntm.results.targets`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from ntm.accounts import permissions
from ntm.audit.services import record as audit
from ntm.recognition.models import Target, TargetGroup, TargetKind, Tier
from ntm.recognition.services import DecisionBasis, RecognitionError, basis_problems, legal_text
from ntm.units.models import Unit, UnitKind

if TYPE_CHECKING:
    from django.contrib.auth.models import User

OBJECT = "recognition.target"


@dataclass(frozen=True)
class NewTarget:
    year: int
    kind: TargetKind
    value: Decimal
    tier: Tier = Tier.NTM
    group: TargetGroup = TargetGroup.ALL
    value_max: Decimal | None = None
    as_share: bool = False
    note: str = ""


def _problems(t: NewTarget) -> list[str]:
    problems = []
    if t.value < 0 or (t.value_max is not None and t.value_max < t.value):
        problems.append(gettext("A target's value is a number, its range from low to high."))
    if t.as_share and (t.value > 100 or (t.value_max or 0) > 100):
        problems.append(gettext("A share of communes is at most 100 %."))
    if (
        t.kind in (TargetKind.NEW_RECOGNITIONS, TargetKind.RECOGNISED)
        and t.group != TargetGroup.ALL
    ):
        problems.append(gettext("A recognition target counts all the province's communes."))
    if t.kind == TargetKind.NEW_RECOGNITIONS and t.as_share:
        problems.append(gettext("Communes newly recognised are counted, not a share."))
    return problems


def set_targets(
    province: Unit,
    basis: DecisionBasis,
    targets: list[NewTarget],
    *,
    acting_user: User | None,
    actor: str = "",
) -> list[Target]:
    """Record a plan's targets for the province (its office; without a person, `actor` names
    the loading program). All or nothing, every problem said."""
    if acting_user is not None or not actor:
        allowed = acting_user is not None and permissions.can_decide_criteria(acting_user, province)
        if not allowed:
            raise RecognitionError([gettext("You may not take this step for this unit.")])
    problems = basis_problems(basis)
    if province.kind != UnitKind.PROVINCE:
        problems.append(gettext("Targets are set by a province."))
    if not targets:
        problems.append(gettext("The plan sets no target."))
    for t in targets:
        problems += _problems(t)
    if problems:
        raise RecognitionError(problems)
    assert basis.date_signed is not None  # checked by basis_problems
    out = []
    with transaction.atomic():
        for t in targets:
            row = audit(
                action="recognition.target",
                object_type=OBJECT,
                object_id=province.pk,
                after={
                    "year": t.year,
                    "kind": t.kind,
                    "tier": t.tier,
                    "group": t.group,
                    "value": str(t.value),
                    "value_max": None if t.value_max is None else str(t.value_max),
                    "as_share": t.as_share,
                },
                acting_user=acting_user,
                actor=actor,
                legal_basis=legal_text(basis),
            )
            out.append(
                Target.objects.create(
                    province=province,
                    year=t.year,
                    kind=t.kind,
                    tier=t.tier,
                    group=t.group,
                    value=t.value,
                    value_max=t.value_max,
                    as_share=t.as_share,
                    basis_number=basis.number.strip(),
                    basis_date=basis.date_signed,
                    basis_issuer=basis.issuer.strip(),
                    note=t.note,
                    recorded_at=timezone.now(),
                    audit=row,
                )
            )
    return out
