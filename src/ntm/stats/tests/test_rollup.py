from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from fractions import Fraction

import polars as pl
import pytest

from ntm.stats.bands import parse_bands
from ntm.stats.jsonable import jsonable
from ntm.stats.rollup import recognised_in, statistics


def _results(rows: Sequence[tuple[str, int, int]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(unit, period, criteria met) -> engine-shaped communes and criteria frames (19 criteria;
    the first `met` are met, the rest not met)."""
    communes = pl.DataFrame(
        {
            "unit": [u for u, _, _ in rows],
            "period": [p for _, p, _ in rows],
            "met": [m for _, _, m in rows],
            "meets_set": [m == 19 for _, _, m in rows],
        },
        schema_overrides={"period": pl.Int32, "met": pl.Int32},
    )
    criteria = pl.DataFrame(
        [
            {"unit": u, "period": p, "criterion": k, "status": "met" if k <= m else "not_met"}
            for u, p, m in rows
            for k in range(1, 20)
        ],
        schema_overrides={"period": pl.Int32, "criterion": pl.Int32},
    )
    return communes, criteria


# Two districts; ward "w1" is outside the commune set; "c4" exists only from 2020.
SCOPE = pl.DataFrame(
    {
        "period": [2016] * 4 + [2019] * 4 + [2020] * 5,
        "unit": ["c1", "c2", "c3", "w1"] * 2 + ["c1", "c2", "c3", "c4", "w1"],
        "kind": ["commune", "commune", "commune", "ward"] * 2
        + ["commune", "commune", "commune", "commune", "ward"],
        "child_unit": ["d1", "d1", "d2", "d2"] * 2 + ["d1", "d1", "d2", "d2", "d2"],
        "child_name": ["Huyện A", "Huyện A", "Huyện B", "Huyện B"] * 2
        + ["Huyện A", "Huyện A", "Huyện B", "Huyện B", "Huyện B"],
    },
    schema_overrides={"period": pl.Int32},
)
COMMUNES, CRITERIA = _results(
    [
        ("c1", 2016, 12),
        ("c2", 2016, 6),
        ("c3", 2016, 3),
        ("w1", 2016, 19),
        ("c1", 2019, 19),
        ("c2", 2019, 14),
        ("c3", 2019, 9),
        ("c1", 2020, 19),
        ("c2", 2020, 19),
        ("c3", 2020, 16),
        ("c4", 2020, 8),
        ("w1", 2020, 19),
    ]
)
RECOGNITIONS = pl.DataFrame(
    {
        "unit": ["c1", "c2", "w1", "c3"],
        "period": [2019, 2020, 2018, 2020],
        "tier": ["standard", "standard", "standard", "advanced"],
        "decision_no": ["101/QĐ-UBND", "55/QĐ-UBND", "9/QĐ-UBND", "77/QĐ-UBND"],
        "decision_date": [
            dt.date(2019, 12, 20),
            dt.date(2020, 11, 2),
            dt.date(2018, 5, 1),
            dt.date(2020, 12, 1),
        ],
    },
    schema_overrides={"period": pl.Int32},
)


def test_headline_as_recorded() -> None:
    stats = statistics(
        SCOPE,
        COMMUNES,
        CRITERIA,
        period=2020,
        tier="standard",
        parent="20",
        recognitions=RECOGNITIONS,
        baseline=2016,
    )
    assert (stats.parent, stats.period, stats.tier, stats.basis) == (
        "20",
        2020,
        "standard",
        "as_recorded",
    )
    f = stats.total.figures
    # Communes only: the ward is outside the denominator.
    assert (f.communes, f.evaluated, f.not_evaluated, f.meeting) == (4, 4, 0, 2)
    assert f.meeting_percent == Fraction(50)
    assert f.average_met == Fraction(19 + 19 + 16 + 8, 4)
    assert (f.recognised, f.recognised_in_period) == (2, 1)
    assert f.recognised_percent == Fraction(50)
    assert f.met_by_criterion[1] == 4
    assert f.met_by_criterion[17] == 2
    assert [(b.band.min, b.count) for b in f.bands] == [(19, 2), (15, 1), (10, 0), (5, 1), (0, 0)]


def test_changes_against_previous_and_baseline() -> None:
    stats = statistics(
        SCOPE,
        COMMUNES,
        CRITERIA,
        period=2020,
        tier="standard",
        recognitions=RECOGNITIONS,
        baseline=2016,
    )
    prev = stats.total.previous
    assert prev is not None
    assert (prev.against, prev.communes, prev.meeting) == (2019, 1, 1)
    assert prev.meeting_points == Fraction(50) - Fraction(100, 3)
    assert prev.average_met == Fraction(62, 4) - Fraction(42, 3)
    assert prev.recognised == 1
    base = stats.total.baseline
    assert base is not None
    assert (base.against, base.meeting, base.recognised) == (2016, 2, 2)
    assert base.average_met == Fraction(62, 4) - Fraction(21, 3)


def test_no_previous_period_gives_no_change() -> None:
    stats = statistics(SCOPE, COMMUNES, CRITERIA, period=2016, tier="standard", baseline=2010)
    assert stats.total.previous is None
    assert stats.total.baseline is None
    assert stats.total.figures.recognised is None


def test_a_period_without_results_gives_no_change() -> None:
    """No data is never zero: a period without any result changes by nothing against
    another, nor does another against it."""
    communes = COMMUNES.filter(pl.col("period") != 2019)
    stats = statistics(SCOPE, communes, CRITERIA, period=2019, tier="standard", baseline=2016)
    assert (stats.total.previous, stats.total.baseline) == (None, None)
    assert stats.total.figures.evaluated == 0


def test_by_child_unit() -> None:
    stats = statistics(SCOPE, COMMUNES, CRITERIA, period=2020, tier="standard", baseline=2016)
    children = {c.unit: c for c in stats.children}
    assert [(c.unit, c.name) for c in stats.children] == [("d1", "Huyện A"), ("d2", "Huyện B")]
    a, b = children["d1"].figures, children["d2"].figures
    assert (a.communes, a.meeting, a.meeting_percent) == (2, 2, Fraction(100))
    assert (b.communes, b.meeting, b.average_met) == (2, 0, Fraction(12))
    change_b = children["d2"].previous
    assert change_b is not None
    assert (change_b.communes, change_b.meeting, change_b.average_met) == (1, 0, Fraction(3))


def test_not_evaluated_communes_count_in_scope() -> None:
    communes = COMMUNES.filter(pl.col("unit") != "c4")
    f = statistics(SCOPE, communes, CRITERIA, period=2020, tier="standard").total.figures
    assert (f.communes, f.evaluated, f.not_evaluated, f.meeting) == (4, 3, 1, 2)
    assert f.average_met == Fraction(54, 3)


def test_configured_bands() -> None:
    bands = parse_bands("19,15,10,8,0", 19)
    f = statistics(SCOPE, COMMUNES, CRITERIA, period=2020, tier="standard", bands=bands)
    assert [(b.band.label_vi, b.count) for b in f.total.figures.bands] == [
        ("19 tiêu chí", 2),
        ("15–18 tiêu chí", 1),
        ("10–14 tiêu chí", 0),
        ("8–9 tiêu chí", 1),
        ("Dưới 8 tiêu chí", 0),
    ]


def test_recognised_list() -> None:
    listed = recognised_in(SCOPE, RECOGNITIONS, period=2020, tier="standard")
    assert listed.select("unit", "decision_no", "child_unit").rows() == [("c2", "55/QĐ-UBND", "d1")]


def test_json_and_bad_input() -> None:
    stats = statistics(SCOPE, COMMUNES, CRITERIA, period=2020, tier="standard", baseline=2016)
    d = jsonable(stats)
    assert list(d) == ["parent", "period", "tier", "basis", "total", "children", "parent_name"]
    assert list(d["total"]) == ["unit", "name", "figures", "change_previous", "change_baseline"]
    figures = d["total"]["figures"]
    # The derived figures are written beside the counts they come from.
    assert figures["not_evaluated"] == stats.total.figures.not_evaluated
    assert figures["meeting_percent"] == {"exact": "50/1", "value": 50.0}
    average = stats.total.figures.average_met
    assert average is not None
    assert figures["average_met"] == {
        "exact": f"{average.numerator}/{average.denominator}",
        "value": float(average),
    }
    assert figures["recognised_percent"] is None
    assert d["total"]["change_baseline"]["meeting"] == 2
    assert d["total"]["change_baseline"]["meeting_points"]["exact"].endswith("/1")
    assert d["children"][0]["unit"] == "d1"
    with pytest.raises(ValueError, match="scope"):
        statistics(SCOPE.drop("kind"), COMMUNES, CRITERIA, period=2020, tier="standard")
    with pytest.raises(ValueError, match="recognitions"):
        statistics(
            SCOPE,
            COMMUNES,
            CRITERIA,
            period=2020,
            tier="standard",
            recognitions=RECOGNITIONS.drop("decision_no"),
        )


def test_scope_without_children_or_names() -> None:
    flat = SCOPE.drop("child_name").with_columns(pl.lit(None, dtype=pl.String).alias("child_unit"))
    stats = statistics(flat, COMMUNES, CRITERIA, period=2020, tier="standard")
    assert stats.children == ()
    assert stats.total.figures.meeting == 2
    named = statistics(SCOPE.drop("child_name"), COMMUNES, CRITERIA, period=2020, tier="standard")
    assert [(c.unit, c.name) for c in named.children] == [("d1", "d1"), ("d2", "d2")]
