"""Count-only records in the read layer (`ntm.stats.counts`): a unit whose period holds only
the number of criteria it met counts in the averages, the bands and "at the standard", never
per criterion, and is shown as *chỉ có số tiêu chí đạt*.

Where a unit has both per-criterion results (some entry, declaration or province decision)
and a count record, the per-criterion results win and the count record is not read: the
record that explains itself stands over the bare number.

The records are read in one query per period (`Source.counts_frame`); a count write stamps
the unit's period (`ntm.values.record.write_count`), so every cache keyed by the stamps moves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence

import polars as pl

from ntm.evaluation import Evaluation
from ntm.results.evaluation import Evaluated
from ntm.results.record import STORED, Source
from ntm.stats.counts import with_count_only


def count_only_records(
    unit_ids: Sequence[int],
    period: int,
    set_id: str,
    found: Evaluated,
    *,
    at: dt.datetime | None = None,
    source: Source = STORED,
) -> pl.DataFrame:
    """The count records (at `at`) of the units without per-criterion results in `found`."""
    counts = source.counts_frame(unit_ids, period, set_id, at=at)
    return counts.filter(~pl.col("unit").is_in(sorted(found.with_data)))


def with_counts(
    found: Evaluated, counted: Evaluation | None, counts: pl.DataFrame, kept: Collection[str]
) -> Evaluation | None:
    """`counted` (the results counted from `found`) with the rows of the count records of the
    units `kept` (e.g. the approved ones) added to its `communes` frame."""
    counts = counts.filter(pl.col("unit").is_in(sorted(kept)))
    if counts.is_empty():
        return counted
    base = counted if counted is not None else found.evaluation
    if base is None:  # no unit at all: no count record either
        return counted
    return Evaluation(
        set_id=base.set_id,
        labels=base.labels,
        indicators=base.indicators if counted is not None else base.indicators.clear(),
        criteria=base.criteria if counted is not None else base.criteria.clear(),
        communes=with_count_only(
            base.communes if counted is not None else base.communes.clear(), counts
        ),
    )
