"""A province's targets for a year and how far it has come: read models for the province
page, the API and reports, measured on the same results and recognition records as every
other figure."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _
from pydantic.dataclasses import dataclass as read_model

from ntm.recognition.models import HELD, Recognition, Status, Target, TargetGroup, TargetKind
from ntm.results.periods import PeriodResults
from ntm.units.models import Unit
from ntm.vn.dates import format_date

NO_MEMBERS = _("No commune in scope is marked as one of the %(group)s.")
NO_RESULTS = _("No commune of the group has results for the year.")


@read_model(frozen=True)
class TargetProgress:
    kind: str
    label: str  # what the target counts, in the reader's language
    tier: str
    tier_label: str
    group: str
    group_label: str
    value: float
    value_max: float | None  # a range: "11,5–12"
    as_share: bool  # value (and actual) in % of the communes
    basis: str  # the plan: number, date, issuer
    actual: float | None  # None: it cannot be measured (see `unmeasured`)
    reached: bool | None
    unmeasured: str = ""  # why there is no actual figure
    note: str = ""


def _group_members(units: Iterable[Unit], group: str) -> list[Unit]:
    if group == TargetGroup.BORDER:
        return [u for u in units if u.border]
    if group == TargetGroup.SPECIAL_DIFFICULTY:
        return [u for u in units if u.special_difficulty]
    return list(units)


def progress(
    targets: Iterable[Target],
    current: PeriodResults,
    held_by: dict[int, frozenset[str]],
    new_recognitions: dict[str, int],
) -> list[TargetProgress]:
    """Each target of the period against its results (`current`), the recognitions held at the
    end of the year (`held_by`) and the communes newly recognised in the year per tier."""
    units = list(current.units.values())
    ev = current.evaluation
    met = (
        {}
        if ev is None
        else {str(k): int(m) for k, m in ev.communes.select("unit", "met").iter_rows()}
    )
    out = []
    for t in targets:
        actual: float | None = None
        unmeasured = ""
        if t.kind == TargetKind.NEW_RECOGNITIONS:
            actual = float(new_recognitions.get(t.tier, 0))
        elif t.kind == TargetKind.RECOGNISED:
            count = sum(1 for u in units if t.tier in held_by.get(u.pk, frozenset()))
            actual = float(count)
            if t.as_share:
                actual = 100.0 * count / len(units) if units else None
        else:
            members = _group_members(units, t.group)
            known = [met[str(u.pk)] for u in members if str(u.pk) in met]
            if not members:
                unmeasured = str(NO_MEMBERS) % {"group": str(TargetGroup(t.group).label).lower()}
            elif not known:
                unmeasured = str(NO_RESULTS)
            elif t.kind == TargetKind.MIN_CRITERIA:
                actual = float(min(known))
            else:
                actual = sum(known) / len(known)
        out.append(
            TargetProgress(
                kind=t.kind,
                label=str(TargetKind(t.kind).label),
                tier=t.tier,
                tier_label=str(t.get_tier_display()),
                group=t.group,
                group_label=str(TargetGroup(t.group).label),
                value=float(t.value),
                value_max=None if t.value_max is None else float(t.value_max),
                as_share=t.as_share,
                basis=f"{t.basis_number} {format_date(t.basis_date)} {t.basis_issuer}",
                actual=actual,
                # Every kind is reached at its value (a range at its low end): a count or an
                # average at least that, the fewest criteria of any commune at least that.
                reached=None if actual is None else actual >= float(t.value),
                unmeasured=unmeasured,
                note=t.note,
            )
        )
    return out


def new_recognitions(unit_ids: Iterable[int], year: int) -> dict[str, int]:
    """tier -> the units recognised for that year of the standard (decided, whatever became
    of the recognition since)."""
    rows = Recognition.objects.filter(
        unit_id__in=list(unit_ids),
        year=year,
        status__in=[*HELD, Status.REVOKED, Status.ENDED],
        decision__isnull=False,
    ).values_list("tier", flat=True)
    counts: dict[str, int] = {}
    for tier in rows:
        counts[str(tier)] = counts.get(str(tier), 0) + 1
    return counts


def targets_of(province: Unit, year: int) -> list[Target]:
    return list(Target.objects.filter(province=province, year=year))
