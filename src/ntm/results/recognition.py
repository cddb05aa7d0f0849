"""Recognition in the figures: which units hold a recognition for a period, and the two
counts an office keeps apart — *đạt chuẩn* (meets the set, from the engine) and *được công nhận*
(holds a decision) — with the units where they differ. Also what the recognition services need
from the engine: whether a unit met its tier's set in the year of the standard."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl
from django.db.models import Max, Q
from pydantic.dataclasses import dataclass as read_model

from ntm.recognition.models import HELD, Recognition, RecognitionStep, Status, Target, Tier
from ntm.results.scope import UnitRef
from ntm.units.models import Unit

# The criteria set's tier (`ntm.criteria.schema.Tier`) a recognition tier is judged by.
SET_TIER = {
    Tier.NTM: "standard",
    Tier.ADVANCED: "advanced",
    Tier.MODEL: "model",
    Tier.MODERN: "modern",
}
TIER_OF_SET = {v: k for k, v in SET_TIER.items()}


def recognition_stamp() -> tuple[int | None, int | None]:
    """Moves with every step of every case (each move writes a step) and every target set:
    figures that count recognitions or show targets carry it in their cache key."""
    return (
        RecognitionStep.objects.aggregate(m=Max("id"))["m"],
        Target.objects.aggregate(m=Max("id"))["m"],
    )


def held(
    unit_ids: Iterable[int], period: int, *, as_of: dt.date | None = None
) -> dict[int, frozenset[str]]:
    """unit -> the tiers it holds for `period`: recognised for that year of the standard or an
    earlier one, neither revoked nor ended by the end of the year; with `as_of`, only what
    had been decided by then (a later revocation or end not yet known)."""
    end = dt.date(period, 12, 31)
    known = end if as_of is None else min(end, as_of)
    rows = Recognition.objects.filter(
        unit_id__in=list(unit_ids),
        year__lte=period,
        status__in=[*HELD, Status.REVOKED, Status.ENDED],
    )
    if as_of is not None:
        rows = rows.filter(decision__date_signed__lte=as_of)
    rows = rows.exclude(Q(revocation__date_signed__lte=known) | Q(ended_on__lte=known))
    out: dict[int, set[str]] = {}
    for unit_id, tier in rows.values_list("unit_id", "tier"):
        out.setdefault(int(unit_id), set()).add(str(tier))
    return {u: frozenset(t) for u, t in out.items()}


@read_model(frozen=True)
class TierCount:
    tier: str
    label: str
    units: int


@read_model(frozen=True)
class RecognitionFigures:
    """The communes in scope recognised at the set's tier, beside those meeting the set."""

    tier: str  # the recognition tier of the period's set
    recognised: int
    in_scope: int
    by_tier: tuple[TierCount, ...]
    # Meets the set on the engine's results, without a recognition at its tier.
    meeting_unrecognised: tuple[UnitRef, ...]
    # Recognised at the tier, evaluated, and not meeting the set.
    recognised_not_meeting: tuple[UnitRef, ...]


def figures(
    units: dict[str, Unit],
    communes: pl.DataFrame | None,
    held_by: dict[int, frozenset[str]],
    set_tier: str,
) -> RecognitionFigures:
    """The recognition figures of the units in scope (`units`: key -> unit), with the engine's
    commune frame of the period (None: no result)."""
    tier = TIER_OF_SET.get(set_tier, Tier.NTM)
    holding = {k for k, u in units.items() if tier in held_by.get(u.pk, frozenset())}
    meeting: set[str] = set()
    evaluated: set[str] = set()
    if communes is not None:
        rows = communes.select("unit", "meets_set")
        if "comparable" in communes.columns:
            rows = communes.filter(pl.col("comparable")).select("unit", "meets_set")
        for key, meets in rows.iter_rows():
            evaluated.add(str(key))
            if meets:
                meeting.add(str(key))

    def refs(keys: set[str]) -> tuple[UnitRef, ...]:
        return tuple(
            sorted((UnitRef.of(units[k]) for k in keys if k in units), key=lambda r: r.name_key)
        )

    counts = [
        TierCount(
            t.value,
            str(t.label),
            sum(1 for u in units.values() if t.value in held_by.get(u.pk, frozenset())),
        )
        for t in Tier
    ]
    return RecognitionFigures(
        tier=tier.value,
        recognised=len(holding),
        in_scope=len(units),
        by_tier=tuple(c for c in counts if c.units),
        meeting_unrecognised=refs(meeting - holding),
        recognised_not_meeting=refs((holding & evaluated) - meeting),
    )


def revoked(unit_ids: Iterable[int], period: int, *, as_of: dt.date | None = None) -> set[int]:
    """The units whose recognition (any tier) was revoked by the end of the year (or by
    `as_of`, if earlier)."""
    end = dt.date(period, 12, 31)
    known = end if as_of is None else min(end, as_of)
    return set(
        Recognition.objects.filter(
            unit_id__in=list(unit_ids),
            status=Status.REVOKED,
            revocation__date_signed__lte=known,
        ).values_list("unit_id", flat=True)
    )


@read_model(frozen=True)
class RecognitionRow:
    """One decided recognition of a unit in scope, as a register lists it."""

    unit: UnitRef
    tier: str  # the tier's label
    year: int  # the year of the standard
    status: str  # the status's label
    decision: str  # "<number> (<dd/mm/yyyy>)"
    issuer: str
    revocation: str  # the revoking decision, "" when none


def register(
    unit_ids: Iterable[int], *, as_of: dt.date | None = None
) -> tuple[RecognitionRow, ...]:
    """The recognitions of the units decided (by `as_of`), newest standard year first; a
    revocation signed after `as_of` is not yet known."""
    rows = (
        Recognition.objects.filter(unit_id__in=list(unit_ids), decision__isnull=False)
        .select_related("unit", "decision", "revocation")
        .order_by("-year", "unit__name_key", "tier")
    )
    if as_of is not None:
        rows = rows.filter(decision__date_signed__lte=as_of)
    out = []
    for r in rows:
        decision = r.decision
        assert decision is not None  # filtered above
        gone = r.revocation
        status = Status(r.status)
        if as_of is not None and (
            (gone is not None and gone.date_signed > as_of)
            or (r.ended_on is not None and r.ended_on > as_of)
        ):
            # Revoked or ended after `as_of`: still held then.
            gone, status = None, Status.RECOGNISED
        out.append(
            RecognitionRow(
                unit=UnitRef.of(r.unit),
                tier=str(Tier(r.tier).label),
                year=r.year,
                status=str(status.label),
                decision=str(decision),
                issuer=decision.issuer,
                revocation="" if gone is None else str(gone),
            )
        )
    return tuple(out)


@read_model(frozen=True)
class Decided:
    """A unit recognised for a year of the standard, with the decision that says so."""

    unit: UnitRef
    tier: str
    year: int
    decision: str  # its number
    signed: dt.date


def decided(
    unit_ids: Iterable[int], years: tuple[int, int], *, as_of: dt.date | None = None
) -> tuple[Decided, ...]:
    """The recognitions of the units for the years of the standard `years` (first, last),
    decided by `as_of` (whatever became of them since), by year, decision and name."""
    rows = Recognition.objects.filter(
        unit_id__in=list(unit_ids),
        year__range=years,
        status__in=[*HELD, Status.REVOKED, Status.ENDED],
        decision__isnull=False,
    ).select_related("unit", "decision")
    if as_of is not None:
        rows = rows.filter(decision__date_signed__lte=as_of)
    found = [
        Decided(
            UnitRef.of(r.unit),
            str(r.tier),
            r.year,
            r.decision.number,  # type: ignore[union-attr]
            r.decision.date_signed,  # type: ignore[union-attr]
        )
        for r in rows
    ]
    return tuple(sorted(found, key=lambda d: (d.year, d.signed, d.decision, d.unit.name_key)))
