"""One period's results on one geography: as recorded, or re-based onto another date's units.

- As recorded: the period counted on the communes in force on its reference day
  (`scope.period_day`), as offices published it.
- Re-based (design decision 12): the period's values carried onto the communes of another
  date with each measure's combine rule (`ntm.stats.rebase`), then evaluated again; pass/fail
  never transfers. A new commune whose values could not all be carried (yes/no across a
  merger, a part without data) is "not comparable", never failing. Declarations carry only
  onto unchanged territory.

Both read the record at a moment (`at`, None: now) and may count approved communes only.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import polars as pl

from ntm.criteria.loader import load_measures
from ntm.criteria.schema import CriteriaSet
from ntm.evaluation import Evaluation, evaluate
from ntm.results.counts import count_only_records, with_counts
from ntm.results.evaluation import evaluated, only, units_frame
from ntm.results.record import STORED, Source
from ntm.results.scope import communes_on, period_day, pk_crosswalk
from ntm.stats.rebase import rebase_values, transfer_results
from ntm.units.models import Unit, UnitKind

SCOPE_SCHEMA: dict[str, Any] = {
    "unit": pl.String,
    "kind": pl.String,
    "child_unit": pl.String,
    "child_name": pl.String,
    "name": pl.String,
}


@dataclass(frozen=True)
class PeriodResults:
    """One period's results on one geography: `units` are the communes in scope (by unit
    key), `scope` their frame for `ntm.stats.rollup`, `evaluation` the engine's frames of the
    communes counted (None when none is); re-based, its `communes`/`criteria` carry
    `comparable`. `approved` counts the communes in scope whose period is approved; `at` is
    the moment the record was read (None: now); `with_data` counts the communes in scope
    holding some value or declaration (or only a count-only record, `ntm.results.counts`),
    `held_back` those of them left out as not approved."""

    period: int
    cset: CriteriaSet
    units: dict[str, Unit]
    scope: pl.DataFrame
    evaluation: Evaluation | None
    approved: int = 0
    at: dt.datetime | None = None
    approved_only: bool = False
    with_data: int = 0
    held_back: int = 0
    # The units counted from a count-only record (as recorded only: none carries onto
    # re-based units).
    count_only: frozenset[str] = frozenset()

    @property
    def unapproved(self) -> int:
        return len(self.units) - self.approved


def _district(unit: Unit) -> tuple[str | None, str | None]:
    parent = unit.parent
    if parent is not None and parent.kind == UnitKind.DISTRICT:
        return str(parent.pk), parent.name
    return None, None


def scope_frame(units: Sequence[Unit], period: int | None = None) -> pl.DataFrame:
    """The scope frame of `ntm.stats.rollup`: each commune with its district and name."""
    rows = [(str(u.pk), u.kind, *_district(u), u.name) for u in units]
    frame = pl.DataFrame(rows, schema=SCOPE_SCHEMA, orient="row")
    if period is not None:
        frame = frame.with_columns(pl.lit(period, pl.Int32).alias("period"))
    return frame


def recorded_results(
    province: Unit,
    period: int,
    cset: CriteriaSet,
    *,
    at: dt.datetime | None = None,
    approved_only: bool = False,
    source: Source = STORED,
) -> PeriodResults:
    """The period on the communes in force on its reference day, as the record stood at
    `at`; with `approved_only`, approved communes only."""
    communes = communes_on(province, period_day(period))
    ids = [u.pk for u in communes]
    approved = source.approved_units(ids, period, cset.id, at=at)
    found = evaluated(communes, period, cset, at=at, source=source)
    counted = {k for k in found.with_data if not approved_only or int(k) in approved}
    # Count-only records (`ntm.results.counts`): units without per-criterion results.
    counts = count_only_records(ids, period, cset.id, found, at=at, source=source)
    alone = set(counts.get_column("unit").to_list())
    kept = {k for k in alone if not approved_only or int(k) in approved}
    holding = len(found.with_data) + len(alone)
    return PeriodResults(
        period=period,
        cset=cset,
        units={str(u.pk): u for u in communes},
        scope=scope_frame(communes, period),
        evaluation=with_counts(found, only(found.evaluation, counted), counts, kept),
        approved=len(approved),
        at=at,
        approved_only=approved_only,
        with_data=holding,
        held_back=holding - len(counted) - len(kept),
        count_only=frozenset(kept),
    )


def rebased_results(
    province: Unit,
    period: int,
    cset: CriteriaSet,
    onto: dt.date,
    *,
    at: dt.datetime | None = None,
    approved_only: bool = False,
    source: Source = STORED,
) -> PeriodResults:
    """The period's values (as they stood at `at`) carried onto the communes of `onto` and
    evaluated again. A new commune is approved when every old commune carried into it that
    holds data is; with `approved_only` the others have no result."""
    day = min(period_day(period), onto)
    old_ids = [u.pk for u in communes_on(province, day)]
    return _rebase(province, period, cset, onto, day, old_ids, at, approved_only, source)


def _rebase(
    province: Unit,
    period: int,
    cset: CriteriaSet,
    onto: dt.date,
    day: dt.date,
    old_ids: list[int],
    at: dt.datetime | None,
    approved_only: bool,
    source: Source,
) -> PeriodResults:
    new_communes = communes_on(province, onto)
    units = {str(u.pk): u for u in new_communes}
    scope = scope_frame(new_communes)
    holding = sorted(source.units_with_data(old_ids, period, cset.id, at=at))

    def empty(approved: int = 0, held_back: int = 0) -> PeriodResults:
        return PeriodResults(
            period, cset, units, scope, None, approved, at, approved_only, 0, held_back
        )

    if not holding or not new_communes:
        return empty()
    walk = pk_crosswalk(province, day, onto)
    approved_old = {str(pk) for pk in source.approved_units(holding, period, cset.id, at=at)}
    parts = walk.filter(pl.col("old_unit").is_in([str(i) for i in holding]))
    approved_new = {
        str(new)
        for new, olds in parts.group_by("new_unit").agg("old_unit").iter_rows()
        if new in units and all(o in approved_old for o in olds)
    }
    values = source.values_frame(holding, period, at=at)
    rebased = rebase_values(
        values.filter(pl.col("unit").is_in(walk.get_column("old_unit").implode())),
        walk,
        load_measures(),
        date=onto,
    )
    keys = list(units)
    in_scope = rebased.values.filter(pl.col("unit").is_in(keys))

    def carried(frame: pl.DataFrame) -> pl.DataFrame:
        moved = transfer_results(frame, walk)
        if moved.height:
            moved = moved.filter(pl.col("comparable") & pl.col("unit").is_in(keys))
        return moved.select("unit", "period", "criterion", "status")

    declared = carried(source.declared_frame(holding, period, cset.id, at=at))
    decided = carried(source.decided_frame(holding, period, cset.id, at=at))
    # Values carry only when every part of the new unit had them (see ntm.stats.rebase);
    # declarations and decisions only onto unchanged territory, so they are comparable as
    # they stand.
    comparable = (
        pl.concat(
            [
                in_scope.select(
                    "unit", (pl.col("comparable") & (pl.col("missing_parts") == 0)).alias("ok")
                ),
                declared.select("unit", pl.lit(True).alias("ok")),
                decided.select("unit", pl.lit(True).alias("ok")),
            ]
        )
        .group_by("unit")
        .agg(pl.col("ok").all().alias("comparable"))
    )
    with_data = comparable.height
    held_back = 0
    if approved_only:
        kept = comparable.filter(pl.col("unit").is_in(list(approved_new)))
        held_back, comparable = comparable.height - kept.height, kept
    if comparable.height == 0:
        return empty(len(approved_new), held_back)
    target_keys = sorted(comparable.get_column("unit").to_list(), key=int)
    ev = evaluate(
        cset,
        units_frame([units[k] for k in target_keys], period),
        rebased.for_engine().filter(pl.col("unit").is_in(target_keys)),
        years=[period],
        declared=declared.filter(pl.col("unit").is_in(target_keys)),
        decided=decided.filter(pl.col("unit").is_in(target_keys)),
        measures=load_measures(),
    )

    def mark(frame: pl.DataFrame) -> pl.DataFrame:
        return frame.join(comparable, on="unit", how="left").with_columns(
            pl.col("comparable").fill_null(False)
        )

    return PeriodResults(
        period=period,
        cset=cset,
        units=units,
        scope=scope,
        evaluation=Evaluation(
            set_id=ev.set_id,
            labels=ev.labels,
            indicators=ev.indicators,
            criteria=mark(ev.criteria),
            communes=mark(ev.communes),
        ),
        approved=len(approved_new),
        at=at,
        approved_only=approved_only,
        with_data=with_data,
        held_back=held_back,
    )
