"""Watch lists: close to the standard, and the revocation rule with unknown criteria."""

from __future__ import annotations

from typing import Any

import polars as pl

from ntm.stats.watch import close_to_standard, district_watch, revocation_watch, slipping


def _communes(rows: list[dict[str, Any]]) -> pl.DataFrame:
    base = {"failing_key_criteria": [], "revocation_risk": False, "revocation_possible": False}
    return pl.DataFrame([{**base, **r} for r in rows])


def _criteria(statuses: dict[str, list[str]]) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"unit": u, "criterion": n, "status": s}
            for u, row in statuses.items()
            for n, s in enumerate(row, start=1)
        ]
    )


def test_unknown_criteria_are_listed_as_cannot_be_ruled_out() -> None:
    communes = _communes(
        [
            {
                "unit": "A",
                "met": 7,
                "total": 10,
                "meets_set": False,
                "failing_share": 0.3,
                "failing_key_criteria": [1],
                "revocation_risk": True,
                "revocation_possible": True,
            },
            {
                "unit": "B",
                "met": 7,
                "total": 10,
                "meets_set": False,
                "failing_share": 0.2,
                "revocation_possible": True,
            },
            {"unit": "C", "met": 8, "total": 10, "meets_set": False, "failing_share": 0.2},
            {"unit": "D", "met": 10, "total": 10, "meets_set": True, "failing_share": 0.0},
        ]
    )
    criteria = _criteria(
        {
            "A": ["not_met", "not_met", "not_met"] + ["met"] * 7,
            "B": ["missing_data", "not_met", "not_met"] + ["met"] * 7,
            "C": ["met", "not_met", "not_met"] + ["met"] * 7,
            "D": ["met"] * 10,
        }
    )
    watched = revocation_watch(communes, criteria)
    assert [(r.unit, r.certain, r.unknown) for r in watched] == [
        ("A", True, ()),
        ("B", False, (1,)),
    ]
    assert watched[0].key_criteria == (1,) and watched[1].failing_share == 0.2


def test_no_rule_no_watch_list() -> None:
    communes = _communes(
        [{"unit": "A", "met": 1, "total": 2, "meets_set": False, "failing_share": 0.5}]
    ).drop("revocation_possible")
    assert revocation_watch(communes, _criteria({"A": ["met", "not_met"]})) == []


def test_close_to_standard_lists_what_is_short_fewest_first() -> None:
    communes = _communes(
        [
            {"unit": "A", "met": 8, "total": 10, "meets_set": False, "failing_share": 0.2},
            {"unit": "B", "met": 9, "total": 10, "meets_set": False, "failing_share": 0.0},
            {"unit": "C", "met": 7, "total": 10, "meets_set": False, "failing_share": 0.3},
            {"unit": "D", "met": 10, "total": 10, "meets_set": True, "failing_share": 0.0},
        ]
    )
    criteria = _criteria(
        {
            "A": ["not_met", "missing_data"] + ["met"] * 8,
            "B": ["missing_threshold"] + ["met"] * 9,
            "C": ["not_met"] * 3 + ["met"] * 7,
            "D": ["met"] * 10,
        }
    )
    indicators = pl.DataFrame(
        [
            {
                "unit": "A",
                "criterion": 1,
                "indicator": "1.1",
                "condition": 0,
                "status": "not_met",
                "value": 40.0,
                "threshold": 45.0,
                "op": ">=",
                "gap": -5.0,
            },
            {
                "unit": "A",
                "criterion": 1,
                "indicator": "1.2",
                "condition": 0,
                "status": "met",
                "value": 1.0,
                "threshold": None,
                "op": "yes",
                "gap": None,
            },
        ]
    )
    close = close_to_standard(communes, criteria, indicators)
    assert [(c.unit, c.short) for c in close] == [("B", 1), ("A", 2)]
    a = close[1]
    assert a.criteria == ((1, "not_met"), (2, "missing_data"))
    assert [(f.indicator, f.gap) for f in a.shortfalls] == [("1.1", -5.0)]


def test_re_based_units_that_do_not_transfer_are_not_listed() -> None:
    communes = _communes(
        [
            {
                "unit": "A",
                "met": 9,
                "total": 10,
                "meets_set": False,
                "failing_share": 0.5,
                "revocation_risk": True,
                "revocation_possible": True,
                "comparable": False,
            }
        ]
    )
    criteria = _criteria({"A": ["not_met"] + ["met"] * 9})
    empty = pl.DataFrame(schema={"unit": pl.String, "criterion": pl.Int64, "status": pl.String})
    assert revocation_watch(communes, criteria) == []
    assert close_to_standard(communes, criteria, empty) == []


def _indicator(unit: str, criterion: int, value: float, threshold: float) -> dict[str, Any]:
    return {
        "unit": unit,
        "criterion": criterion,
        "indicator": f"{criterion}.1",
        "condition": 0,
        "status": "not_met",
        "value": value,
        "threshold": threshold,
        "op": ">=",
        "gap": value - threshold,
    }


def test_the_watch_names_the_failing_criteria_and_the_values_behind_them() -> None:
    communes = _communes(
        [
            {
                "unit": "A",
                "met": 6,
                "total": 10,
                "meets_set": False,
                "not_met": 3,
                "basically_met": 1,
                "failing_share": 0.4,
                "failing_key_criteria": [1],
                "revocation_risk": True,
                "revocation_possible": True,
            },
        ]
    )
    criteria = _criteria({"A": ["not_met", "not_met", "basically_met", "not_met"] + ["met"] * 6})
    indicators = pl.DataFrame([_indicator("A", 1, 30.0, 45.0), _indicator("A", 2, 1.0, 2.0)])
    [risk] = revocation_watch(communes, criteria, indicators)
    assert risk.failing == ((1, "not_met"), (2, "not_met"), (3, "basically_met"), (4, "not_met"))
    assert [(f.criterion, f.value, f.gap) for f in risk.shortfalls] == [
        (1, 30.0, -15.0),
        (2, 1.0, -1.0),
    ]


def test_slipping_lists_lost_criteria_short_of_the_rule() -> None:
    communes = _communes(
        [
            # Lost two criteria (20 %), nothing unknown: slipping.
            {
                "unit": "A",
                "met": 8,
                "total": 10,
                "meets_set": False,
                "not_met": 2,
                "basically_met": 0,
                "failing_share": 0.2,
            },
            # Lost one, basically met: slipping too (never counted as met).
            {
                "unit": "B",
                "met": 9,
                "total": 10,
                "meets_set": False,
                "not_met": 0,
                "basically_met": 1,
                "failing_share": 0.1,
            },
            # Could be reached once its unknown criteria are known: on the watch, not here.
            {
                "unit": "C",
                "met": 7,
                "total": 10,
                "meets_set": False,
                "not_met": 2,
                "basically_met": 0,
                "failing_share": 0.2,
                "revocation_possible": True,
            },
            # Nothing lost, only missing data: not slipping.
            {
                "unit": "D",
                "met": 9,
                "total": 10,
                "meets_set": False,
                "not_met": 0,
                "basically_met": 0,
                "failing_share": 0.0,
            },
            {
                "unit": "E",
                "met": 10,
                "total": 10,
                "meets_set": True,
                "not_met": 0,
                "basically_met": 0,
                "failing_share": 0.0,
            },
        ]
    )
    criteria = _criteria(
        {
            "A": ["not_met", "not_met"] + ["met"] * 8,
            "B": ["basically_met"] + ["met"] * 9,
            "C": ["not_met", "not_met", "missing_data"] + ["met"] * 7,
            "D": ["missing_data"] + ["met"] * 9,
            "E": ["met"] * 10,
        }
    )
    indicators = pl.DataFrame([_indicator("A", 1, 3.0, 4.0)])
    found = slipping(communes, criteria, indicators)
    assert [(s.unit, s.failing) for s in found] == [
        ("A", ((1, "not_met"), (2, "not_met"))),
        ("B", ((1, "basically_met"),)),
    ]
    assert [f.gap for f in found[0].shortfalls] == [-1.0]


def test_the_district_rule_at_30_percent_of_its_communes() -> None:
    rows = [
        ("D29", 100, 29, 0),  # 29 %: not reached
        ("D30", 10, 3, 0),  # 3 of 10 revoked: exactly 30 %, reached
        ("D-soon", 10, 1, 2),  # 1 revoked, 2 the commune rule reaches: 30 % once revoked
        ("D0", 0, 0, 0),  # no commune left (all became wards): nothing to count
    ]
    found = district_watch(rows)
    assert [(r.district, r.certain) for r in found] == [("D30", True), ("D-soon", False)]
    assert found[0].share == 0.3
