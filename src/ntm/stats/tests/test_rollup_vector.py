"""The vectorised roll-up equals the straightforward one (`reference_rollup`) it replaced."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm.criteria.schema import Band
from ntm.evaluation.semantics import STATUSES
from ntm.stats import rollup
from ntm.stats.bands import make_bands
from ntm.stats.tests import reference_rollup as reference

YEARS = (2018, 2019, 2020, 2021)
UNITS = tuple(f"c{i}" for i in range(7))
CHILDREN = ("d1", "d2", "d3", None)


@st.composite
def scopes(draw: st.DrawFn) -> pl.DataFrame:
    """Per-period rows (as recorded) or one scope for every period (re-based); units may
    repeat (the first row counts), be wards or null, or lie in no child."""
    per_period = draw(st.booleans())
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from(YEARS),
                st.sampled_from((*UNITS, None)),
                st.sampled_from(("commune", "commune", "ward")),
                st.sampled_from(CHILDREN),
                st.sampled_from(("Huyện A", "Huyện B", None)),
                st.sampled_from(("Xã Một", "Xã Hai", None)),
            ),
            max_size=20,
        )
    )
    frame = pl.DataFrame(
        rows,
        schema={
            "period": pl.Int32,
            "unit": pl.String,
            "kind": pl.String,
            "child_unit": pl.String,
            "child_name": pl.String,
            "name": pl.String,
        },
        orient="row",
    )
    dropped = draw(st.sets(st.sampled_from(("child_name", "name"))))
    return frame.drop(*dropped, *([] if per_period else ["period"]))


def _flags(draw: st.DrawFn, n: int) -> list[bool | None]:
    return draw(st.lists(st.sampled_from((True, True, False, None)), min_size=n, max_size=n))


@st.composite
def results(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The engine's communes and criteria frames, with optional `comparable` and
    `from_unit`; criteria also for communes without a communes row."""
    keys = sorted(draw(st.sets(st.tuples(st.sampled_from((*UNITS, "x9")), st.sampled_from(YEARS)))))
    n = len(keys)
    # The engine's types (period Int32, met UInt32, status Enum) and plainer ones.
    communes = pl.DataFrame(
        {
            "unit": [u for u, _ in keys],
            "period": [p for _, p in keys],
            "met": draw(st.lists(st.integers(0, 19), min_size=n, max_size=n)),
            "meets_set": draw(st.lists(st.booleans(), min_size=n, max_size=n)),
        },
        schema={
            "unit": pl.String,
            "period": draw(st.sampled_from((pl.Int32, pl.Int64))),
            "met": draw(st.sampled_from((pl.UInt32, pl.Int64))),
            "meets_set": pl.Boolean,
        },
    )
    if draw(st.booleans()):
        communes = communes.with_columns(pl.Series("comparable", _flags(draw, n), pl.Boolean))
    if draw(st.booleans()):
        olds = draw(st.lists(st.sampled_from(("o1", "o2", None)), min_size=n, max_size=n))
        communes = communes.with_columns(pl.Series("from_unit", olds, pl.String))
    evaluated = draw(st.sets(st.sampled_from((*UNITS, "x9"))))
    rows = [
        (u, p, k, draw(st.sampled_from(STATUSES)))
        for u in sorted(evaluated)
        for p in YEARS
        if draw(st.booleans())
        for k in range(1, draw(st.integers(1, 4)))
    ]
    status_type: pl.DataType = draw(
        st.sampled_from((pl.String(), pl.Enum([s.value for s in STATUSES])))
    )
    criteria = pl.DataFrame(
        rows,
        schema={
            "unit": pl.String,
            "period": pl.Int32,
            "criterion": pl.Int32,
            "status": status_type,
        },
        orient="row",
    )
    if draw(st.booleans()):
        criteria = criteria.with_columns(
            pl.Series("comparable", _flags(draw, criteria.height), pl.Boolean)
        )
    return communes, criteria


@st.composite
def band_lists(draw: st.DrawFn) -> list[Band]:
    """Bands with gaps and overlaps, or none."""
    spans = draw(st.lists(st.tuples(st.integers(0, 19), st.integers(0, 19)), max_size=4))
    return [
        Band(label_vi=f"{a}–{b}", label_en=f"{a}–{b}", min=min(a, b), max=max(a, b))
        for a, b in spans
    ]


@st.composite
def recognition_frames(draw: st.DrawFn) -> pl.DataFrame | None:
    if draw(st.booleans()):
        return None
    rows = draw(
        st.lists(
            st.tuples(
                st.sampled_from((*UNITS, "x9")),
                st.one_of(st.none(), st.integers(2016, 2022)),
                st.sampled_from(("standard", "advanced")),
            ),
            max_size=8,
        )
    )
    return pl.DataFrame(
        [
            (u, p, t, f"{i}/QĐ-UBND", None if p is None else dt.date(p, 12, 1))
            for i, (u, p, t) in enumerate(rows)
        ],
        schema={
            "unit": pl.String,
            "period": pl.Int32,
            "tier": pl.String,
            "decision_no": pl.String,
            "decision_date": pl.Date,
        },
        orient="row",
    )


@settings(max_examples=200, deadline=None)
@given(
    scope=scopes(),
    frames=results(),
    bands=band_lists(),
    recognitions=recognition_frames(),
    period=st.sampled_from(YEARS),
    baseline=st.one_of(st.none(), st.sampled_from((2010, *YEARS))),
)
def test_statistics_equals_reference(
    scope: pl.DataFrame,
    frames: tuple[pl.DataFrame, pl.DataFrame],
    bands: list[Band],
    recognitions: pl.DataFrame | None,
    period: int,
    baseline: int | None,
) -> None:
    communes, criteria = frames
    kw: dict[str, Any] = {
        "period": period,
        "tier": "standard",
        "parent": "p",
        "bands": bands,
        "recognitions": recognitions,
        "baseline": baseline,
        "basis": "rebased:2025-07-01",
        "parent_name": "Tỉnh",
    }
    got = rollup.statistics(scope, communes, criteria, **kw)
    assert got == reference.statistics(scope, communes, criteria, **kw)


@settings(max_examples=100, deadline=None)
@given(
    scope=scopes(),
    frames=results(),
    bands=band_lists(),
    by_period=st.dictionaries(st.sampled_from(YEARS), band_lists(), max_size=3),
    recognitions=recognition_frames(),
    periods=st.sets(st.sampled_from(YEARS)),
    baseline=st.one_of(st.none(), st.sampled_from(YEARS)),
)
def test_roll_up_of_several_periods_equals_reference(
    scope: pl.DataFrame,
    frames: tuple[pl.DataFrame, pl.DataFrame],
    bands: list[Band],
    by_period: dict[int, list[Band]],
    recognitions: pl.DataFrame | None,
    periods: set[int],
    baseline: int | None,
) -> None:
    communes, criteria = frames
    kw: dict[str, Any] = {
        "tier": "standard",
        "recognitions": recognitions,
        "baseline": baseline,
        "basis": "as_recorded",
    }
    table = rollup.roll_up(
        scope, communes, criteria, periods=periods, bands=bands, bands_by_period=by_period, **kw
    )
    assert table.periods == tuple(sorted(periods))
    for period in periods:
        expected = reference.statistics(
            scope, communes, criteria, period=period, bands=by_period.get(period, bands), **kw
        )
        assert table.statistics(period) == expected
        assert table.figures(period) == expected.total.figures


def test_per_period_bands_and_empty_frames() -> None:
    scope = pl.DataFrame(
        {"unit": ["a", "b"], "kind": ["commune"] * 2, "child_unit": ["d1", None]},
    )
    communes = pl.DataFrame(
        {"unit": ["a", "b", "a"], "period": [2015, 2015, 2016], "met": [12, 19, 17]},
        schema_overrides={"period": pl.Int32},
    ).with_columns((pl.col("met") == 19).alias("meets_set"))
    criteria = pl.DataFrame(
        schema={"unit": pl.String, "period": pl.Int32, "criterion": pl.Int32, "status": pl.String}
    )
    old, new = make_bands((19, 10, 0), 19), make_bands((17, 0), 17)
    table = rollup.roll_up(
        scope,
        communes,
        criteria,
        periods=[2016, 2015],
        tier="standard",
        bands_by_period={2015: old, 2016: new},
    )
    assert [(b.band.min, b.count) for b in table.figures(2015).bands] == [(19, 1), (10, 1), (0, 0)]
    assert [(b.band.min, b.count) for b in table.figures(2016).bands] == [(17, 1), (0, 0)]
    stats = table.statistics(2016)
    assert stats.total.previous is not None
    assert (stats.total.previous.against, stats.total.previous.meeting) == (2015, -1)
    assert [c.unit for c in stats.children] == ["d1"]
    # The year before a period is counted for its change, but is not one of the periods.
    assert table.figures(2014).communes == 2
    with pytest.raises(KeyError):
        table.statistics(2014)
    assert rollup.roll_up(scope, communes, criteria, periods=[], tier="standard").periods == ()
    empty = rollup.statistics(
        scope.clear(), communes.clear(), criteria, period=2016, tier="standard"
    )
    assert empty == reference.statistics(
        scope.clear(), communes.clear(), criteria, period=2016, tier="standard"
    )
