"""Reading the stored record, live or as it stood at a moment (design decision 11).

Every read is one indexed query over version rows (`ntm.values.models.EntryVersion`,
`DeclarationVersion`, `ProvinceDecisionVersion`, `CountVersion`, `SubmissionVersion`): the
version of each entry, declaration, decision, count or state that held at the moment is the
one with effective_at <= moment < superseded_at (or without successor); the live record is
the versions without successor. Its cost grows with the units and periods asked for, never with
the length of their history or of the audit log, which is not read.

Frames name units by primary key as text (GSO codes are reused over time).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Protocol

import polars as pl
from django.db import connection
from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from ntm.evaluation import VALUES_SCHEMA
from ntm.stats.counts import COUNTS_SCHEMA
from ntm.values.models import (
    CountVersion,
    DeclarationVersion,
    EntryVersion,
    PeriodStamp,
    ProvinceDecisionVersion,
    State,
    SubmissionVersion,
)

DECLARED_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "period": pl.Int32(),
    "criterion": pl.Int32(),
    "status": pl.String(),
}
# The province's decisions: the declared schema and the written reason.
DECIDED_SCHEMA: dict[str, pl.DataType] = {**DECLARED_SCHEMA, "reason": pl.String()}


def moment(as_of: dt.datetime | dt.date) -> dt.datetime:
    """A moment to read the record at: a date means the end of that day (local time)."""
    if isinstance(as_of, dt.datetime):
        if timezone.is_naive(as_of):
            raise ValueError("as_of must be timezone-aware")
        return as_of
    end = dt.datetime.combine(as_of, dt.time.max)
    return timezone.make_aware(end, timezone.get_current_timezone())


def held_at(at: dt.datetime | None) -> Q:
    """The versions that held at `at` (None: those that hold now)."""
    if at is None:
        return Q(superseded_at__isnull=True)
    return Q(effective_at__lte=at) & (Q(superseded_at__isnull=True) | Q(superseded_at__gt=at))


def entries_held_at(query: QuerySet[Any], at: dt.datetime | None) -> QuerySet[Any]:
    """`query` (over `EntryVersion`, its columns chosen) restricted to the versions that held
    at `at`. Read as two index ranges of (period, unit, superseded_at, effective_at): the
    versions still holding, and those superseded after `at`; the versions that had ended by
    `at`, which grow with the history, are never visited."""
    if at is None:
        return query.filter(superseded_at__isnull=True)
    return query.filter(superseded_at__isnull=True, effective_at__lte=at).union(
        query.filter(superseded_at__gt=at, effective_at__lte=at), all=True
    )


def _non_empty() -> Q:
    return Q(not_applicable=True) | Q(number__isnull=False) | Q(numerator__isnull=False)


def _rows(query: QuerySet[Any]) -> list[tuple[Any, ...]]:
    """The query's rows straight from the database cursor: a year of a province's values is
    tens of thousands of rows, which Django's row building would take several times as long
    to hand over."""
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def values_frame(
    unit_ids: Sequence[int], period: int, *, at: dt.datetime | None = None
) -> pl.DataFrame:
    """Both stages of every value of these units and period, one row per stage that holds an
    entry at `at` (`VALUES_SCHEMA`, the engine's input)."""
    query = entries_held_at(
        EntryVersion.objects.filter(unit_id__in=list(unit_ids), period=period)
        .filter(_non_empty())
        .order_by()
        .values_list(
            "unit_id", "measure", "number", "numerator", "denominator", "not_applicable", "stage"
        ),
        at,
    )
    columns = ["unit", "measure", "value", "numerator", "denominator", "not_applicable", "stage"]
    frame = pl.DataFrame(_rows(query), schema=columns, orient="row")
    return frame.select(
        pl.col("unit").cast(pl.String),
        "measure",
        pl.lit(period, pl.Int32).alias("period"),
        *(pl.col(c).cast(pl.Float64) for c in ("value", "numerator", "denominator")),
        pl.col("not_applicable").cast(pl.Boolean),
        "stage",
    ).cast(VALUES_SCHEMA)  # type: ignore[arg-type]


def _criterion_frame(
    model: type[DeclarationVersion] | type[ProvinceDecisionVersion],
    fields: Sequence[str],
    unit_ids: Sequence[int],
    period: int,
    set_id: str,
    at: dt.datetime | None,
) -> pl.DataFrame:
    query = (
        model.objects.filter(unit_id__in=list(unit_ids), period=period, set_id=set_id)
        .filter(held_at(at))
        .exclude(status="")
        .order_by()
        .values_list("unit_id", "criterion", *fields)
    )
    frame = pl.DataFrame(_rows(query), schema=["unit", "criterion", *fields], orient="row")
    return frame.select(
        pl.col("unit").cast(pl.String),
        pl.lit(period, pl.Int32).alias("period"),
        pl.col("criterion").cast(pl.Int32),
        *(pl.col(f).cast(pl.String) for f in fields),
    )


def declared_frame(
    unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
) -> pl.DataFrame:
    """The criteria declared met / basically met / not met under the set at `at`."""
    return _criterion_frame(DeclarationVersion, ["status"], unit_ids, period, set_id, at)


def decided_frame(
    unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
) -> pl.DataFrame:
    """The province office's decisions on criteria under the set at `at`, with their reasons
    (`DECIDED_SCHEMA`)."""
    fields = ["status", "reason"]
    return _criterion_frame(ProvinceDecisionVersion, fields, unit_ids, period, set_id, at)


def counts_frame(
    unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
) -> pl.DataFrame:
    """The count-only records of these units under the set at `at`: how many of its criteria
    each met (`ntm.stats.counts.COUNTS_SCHEMA`); one query for every unit of the period."""
    if not unit_ids:
        return pl.DataFrame(schema=COUNTS_SCHEMA)
    query = (
        CountVersion.objects.filter(unit_id__in=list(unit_ids), period=period, set_id=set_id)
        .filter(held_at(at))
        .exclude(met__isnull=True)
        .order_by()
        .values_list("unit_id", "met", "total")
    )
    frame = pl.DataFrame(_rows(query), schema=["unit", "met", "total"], orient="row")
    return frame.select(
        pl.col("unit").cast(pl.String), pl.lit(period).alias("period"), "met", "total"
    ).cast(COUNTS_SCHEMA)  # type: ignore[arg-type]


def states(
    unit_ids: Iterable[int], period: int, set_id: str, *, at: dt.datetime | None = None
) -> dict[int, str]:
    """unit -> the state of its period under the set at `at` (units without one: draft)."""
    rows = (
        SubmissionVersion.objects.filter(unit_id__in=list(unit_ids), period=period, set_id=set_id)
        .filter(held_at(at))
        .order_by()
        .values_list("unit_id", "state")
    )
    return dict(rows)


def approved_units(
    unit_ids: Iterable[int], period: int, set_id: str, *, at: dt.datetime | None = None
) -> set[int]:
    """The units whose period is approved under the set at `at`."""
    return {u for u, s in states(unit_ids, period, set_id, at=at).items() if s == State.APPROVED}


def units_with_data(
    unit_ids: Iterable[int], period: int, set_id: str, *, at: dt.datetime | None = None
) -> set[int]:
    """The units holding some entry for the period, or a criterion declared or decided under
    the set, at `at`."""
    ids = list(unit_ids)
    found = set(
        entries_held_at(
            EntryVersion.objects.filter(unit_id__in=ids, period=period)
            .filter(_non_empty())
            .order_by()
            .values_list("unit_id", flat=True),
            at,
        )
    )
    for model in (DeclarationVersion, ProvinceDecisionVersion):
        found |= set(
            model.objects.filter(unit_id__in=ids, period=period, set_id=set_id)
            .filter(held_at(at))
            .exclude(status="")
            .order_by()
            .values_list("unit_id", flat=True)
            .distinct()
        )
    return found


def periods_with_data(unit_ids: Iterable[int]) -> list[int]:
    """The years in which any of these units holds or held something in the record."""
    return sorted(
        set(
            PeriodStamp.objects.filter(unit_id__in=list(unit_ids))
            .order_by()
            .values_list("period", flat=True)
            .distinct()
        )
    )


def latest_approved_period(unit_ids: Iterable[int]) -> int | None:
    """The latest year in which one of these units' period is approved now."""
    found = (
        SubmissionVersion.objects.filter(
            unit_id__in=list(unit_ids), state=State.APPROVED, superseded_at__isnull=True
        )
        .order_by("-period")
        .values_list("period", flat=True)
        .first()
    )
    return None if found is None else int(found)


def stamp_summaries(unit_ids: Iterable[int], periods: Iterable[int]) -> dict[int, tuple[int, int]]:
    """Per period, a summary of these units' stamps that moves with any write to them (one
    query): a write stamps its unit's period with a new audit row, taken under the unit's lock
    after the last writer's commit, so each stamp only grows — and so does the sum, whatever
    commits first. A period nobody wrote is absent."""
    rows = (
        PeriodStamp.objects.filter(unit_id__in=list(unit_ids), period__in=list(periods))
        .order_by()
        .values("period")
        .annotate(n=Count("id"), total=Sum("audit_id"))
        .values_list("period", "n", "total")
    )
    return {int(p): (int(n), int(total)) for p, n, total in rows}


def period_stamp_summary(period: int) -> tuple[int, int]:
    """`stamp_summaries` of every unit for one period (the whole country's record of a year)."""
    found = (
        PeriodStamp.objects.filter(period=period)
        .order_by()
        .aggregate(n=Count("id"), total=Sum("audit_id"))
    )
    return int(found["n"] or 0), int(found["total"] or 0)


def stamps(unit_ids: Iterable[int], periods: Iterable[int]) -> dict[tuple[int, int], int]:
    """(unit, period) -> the audit row of its last change in the record (absent: none)."""
    rows = (
        PeriodStamp.objects.filter(unit_id__in=list(unit_ids), period__in=list(periods))
        .order_by()
        .values_list("unit_id", "period", "audit_id")
    )
    return {(u, p): a for u, p, a in rows}


class Source(Protocol):
    """Where a figure's record comes from: the database (`STORED`), or frames read from files
    (`ntm.results.files`). `cached`: whether results read from it may be cached under its
    stamps (the database's move with every write; files have none)."""

    cached: bool

    def values_frame(
        self, unit_ids: Sequence[int], period: int, *, at: dt.datetime | None = None
    ) -> pl.DataFrame: ...

    def declared_frame(
        self, unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> pl.DataFrame: ...

    def decided_frame(
        self, unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> pl.DataFrame: ...

    def counts_frame(
        self, unit_ids: Sequence[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> pl.DataFrame: ...

    def approved_units(
        self, unit_ids: Iterable[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> set[int]: ...

    def units_with_data(
        self, unit_ids: Iterable[int], period: int, set_id: str, *, at: dt.datetime | None = None
    ) -> set[int]: ...

    def periods_with_data(self, unit_ids: Iterable[int]) -> list[int]: ...

    def latest_approved_period(self, unit_ids: Iterable[int]) -> int | None: ...

    def stamps(
        self, unit_ids: Iterable[int], periods: Iterable[int]
    ) -> dict[tuple[int, int], int]: ...

    def stamp_summaries(
        self, unit_ids: Iterable[int], periods: Iterable[int]
    ) -> dict[int, tuple[int, int]]: ...


class _Stored:
    """The record in the database (this module's functions)."""

    cached = True
    values_frame = staticmethod(values_frame)
    declared_frame = staticmethod(declared_frame)
    decided_frame = staticmethod(decided_frame)
    counts_frame = staticmethod(counts_frame)
    approved_units = staticmethod(approved_units)
    units_with_data = staticmethod(units_with_data)
    periods_with_data = staticmethod(periods_with_data)
    latest_approved_period = staticmethod(latest_approved_period)
    stamps = staticmethod(stamps)
    stamp_summaries = staticmethod(stamp_summaries)


STORED: Source = _Stored()
