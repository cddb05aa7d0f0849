"""Count-only records in the roll-up: they count in the average, the bands and "at the
standard", and in no per-criterion count."""

from __future__ import annotations

from fractions import Fraction

import polars as pl

from ntm.stats.counts import COUNT_ONLY, COUNTS_SCHEMA, with_count_only
from ntm.stats.rollup import statistics


def test_count_only_rows_count_everywhere_but_per_criterion() -> None:
    # c1 evaluated per criterion (2 criteria, both met); c2, c3 known by their count only.
    communes = pl.DataFrame(
        {"unit": ["c1"], "period": [2013], "met": [2], "total": [2], "meets_set": [True]},
        schema_overrides={"period": pl.Int32, "met": pl.UInt32, "total": pl.UInt32},
    )
    criteria = pl.DataFrame(
        {"unit": ["c1", "c1"], "period": [2013, 2013], "criterion": [1, 2], "status": ["met"] * 2},
        schema_overrides={"period": pl.Int32, "criterion": pl.Int32},
    )
    counts = pl.DataFrame(
        {"unit": ["c2", "c3"], "period": [2013, 2013], "met": [2, 1], "total": [2, 2]},
        schema=COUNTS_SCHEMA,
    )
    both = with_count_only(communes, counts)
    assert both.select("unit", COUNT_ONLY, "meets_set").rows() == [
        ("c1", False, True),
        ("c2", True, True),
        ("c3", True, False),
    ]
    assert both.get_column("revocation_possible").to_list()[1:] == [None, None]
    scope = pl.DataFrame(
        {"unit": ["c1", "c2", "c3"], "kind": ["commune"] * 3, "child_unit": [None] * 3},
        schema={"unit": pl.String, "kind": pl.String, "child_unit": pl.String},
    )
    f = statistics(scope, both, criteria, period=2013, tier="standard").total.figures
    assert (f.communes, f.evaluated, f.meeting) == (3, 3, 2)
    assert f.average_met == Fraction(5, 3)
    assert [c.met for c in f.criteria] == [1, 1]  # c1 only
    assert f.communes_missing == 0


def test_no_count_leaves_the_frame_as_it_is() -> None:
    communes = pl.DataFrame({"unit": ["c1"], "met": [1]})
    assert with_count_only(communes, pl.DataFrame(schema=COUNTS_SCHEMA)) is communes
