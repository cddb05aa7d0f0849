"""Every commune of a province overview with its criteria and indicator conditions: the
communes × criteria table a report file writes, read at the overview's own choices (period,
set, units, as-of, approved only), so each row agrees with the page's figures."""

from __future__ import annotations

import polars as pl
from pydantic.dataclasses import dataclass as read_model

from ntm.evaluation import Evaluation
from ntm.results.commune import CriterionRow, conditions
from ntm.results.periods import PeriodResults, rebased_results, recorded_results
from ntm.results.province import ProvinceOverview, moment_of
from ntm.results.scope import UnitRef


@read_model(frozen=True)
class CommuneResult:
    unit: UnitRef
    met: int | None  # None: no result
    total: int
    meets_set: bool
    count_only: bool
    criteria: tuple[CriterionRow, ...]  # empty without a result or for a count-only record


def _period_results(o: ProvinceOverview) -> PeriodResults:
    at = moment_of(o.period, o.as_of, o.period)
    if o.onto is None:
        return recorded_results(o.province, o.period, o.cset, at=at, approved_only=o.approved_only)
    return rebased_results(
        o.province, o.period, o.cset, o.onto, at=at, approved_only=o.approved_only
    )


def _by_unit(frame: pl.DataFrame) -> dict[str, pl.DataFrame]:
    return {str(k[0]): part for k, part in frame.partition_by("unit", as_dict=True).items()}


def commune_results(o: ProvinceOverview, language: str = "vi") -> tuple[CommuneResult, ...]:
    """The communes of the overview's map, in its order, each with its criterion rows."""
    ev = _period_results(o).evaluation
    frames: tuple[dict[str, pl.DataFrame], ...] = ({}, {}, {})
    if ev is not None:
        frames = (_by_unit(ev.indicators), _by_unit(ev.criteria), _by_unit(ev.communes))
    out = []
    for p in o.points:
        key = str(p.unit.id)
        rows: tuple[CriterionRow, ...] = ()
        if ev is not None and p.met is not None and not p.count_only and key in frames[1]:
            one = Evaluation(
                ev.set_id,
                ev.labels,
                frames[0].get(key, ev.indicators.clear()),
                frames[1][key],
                frames[2].get(key, ev.communes.clear()),
            )
            rows = tuple(conditions(one, o.cset, language))
        out.append(CommuneResult(p.unit, p.met, p.total, p.meets_set, p.count_only, rows))
    return tuple(out)
