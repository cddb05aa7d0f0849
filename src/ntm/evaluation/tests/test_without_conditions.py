"""Sets whose criteria have no conditions (all of them, or some): declarations decide.

The bundled 2026-2030 set has ten criteria and no indicators yet (the thresholds of
QĐ 51/2025/QĐ-TTg are not encoded); the advanced 2021-2025 set has indicators for a few of its
19 criteria. Both must evaluate: the criteria without conditions are missing_threshold when
computed, and a declaration decides their status.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from ntm.criteria.loader import load_measures, load_set
from ntm.criteria.resolve import resolve
from ntm.criteria.schema import NUMERIC_OPS, CriteriaSet
from ntm.evaluation import Evaluation, evaluate, evaluate_counts
from ntm.evaluation.engine import INDICATOR_COLUMNS
from ntm.evaluation.reference import CRITERIA_SCHEMA, INDICATOR_SCHEMA, evaluate_reference
from ntm.evaluation.tests.helpers import MEASURES, UNITS, good_rows, small_set, values_frame


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Enum).cast(pl.String))


def run_all(cset: CriteriaSet, units: pl.DataFrame, values: pl.DataFrame, **kw: Any) -> Evaluation:
    """evaluate, checked against evaluate_counts and the reference evaluator."""
    ev = evaluate(cset, units, values, **kw)
    assert_frame_equal(evaluate_counts(cset, units, values, **kw), ev.communes)
    ref = evaluate_reference(cset, units, values, **kw)
    for name in ("indicators", "criteria", "communes"):
        assert_frame_equal(plain(getattr(ev, name)), getattr(ref, name))
    assert ev.indicators.columns == list(INDICATOR_COLUMNS)
    assert plain(ev.indicators).schema == pl.Schema(INDICATOR_SCHEMA)
    assert plain(ev.criteria).schema == pl.Schema(CRITERIA_SCHEMA)
    return ev


def declarations(rows: dict[str, dict[int, str]], period: int) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {"unit": unit, "period": period, "criterion": number, "status": status}
            for unit, by_criterion in rows.items()
            for number, status in by_criterion.items()
        ],
        schema={"unit": pl.String, "period": pl.Int32, "criterion": pl.Int32, "status": pl.String},
    )


def counts(ev: Evaluation, unit: str) -> tuple[int, int, int, int, int, bool]:
    c = ev.communes.filter(pl.col("unit") == unit).row(0, named=True)
    return (
        c["met"],
        c["basically_met"],
        c["not_met"],
        c["missing"],
        c["total"],
        c["meets_set"],
    )


NO_VALUES = values_frame([])

# ------------------------------------------------------------------- the 2026-2030 set

SET_2026 = load_set("vn-ntm-xa-2026-2030")
UNITS_2026 = pl.DataFrame(
    {"unit": ["A", "B", "C"], "commune_group": ["group_1", "group_2", None]},
    schema_overrides={"commune_group": pl.String},
)


def test_2026_set_without_any_indicator_is_decided_by_declarations() -> None:
    numbers = sorted(c.number for c in SET_2026.criteria)
    assert len(numbers) == 10
    assert all(not c.indicators for c in SET_2026.criteria)
    declared = declarations(
        {
            "A": dict.fromkeys(numbers, "met"),
            "B": {1: "met", 2: "basically_met", 3: "not_met"},
        },
        2026,
    )
    ev = run_all(SET_2026, UNITS_2026, NO_VALUES, years=[2026], declared=declared)

    assert ev.indicators.height == 0
    crit = plain(ev.criteria)
    assert crit.height == 3 * 10
    assert set(crit.get_column("computed_status")) == {"missing_threshold"}
    a = crit.filter(pl.col("unit") == "A")
    assert set(a.get_column("status")) == {"met"}
    assert set(a.get_column("source")) == {"declared"}
    b = crit.filter(pl.col("unit") == "B").sort("criterion")
    assert b.get_column("status").to_list()[:4] == [
        "met",
        "basically_met",
        "not_met",
        "missing_threshold",
    ]
    assert b.get_column("source").to_list()[:4] == ["declared"] * 3 + ["computed"]

    assert counts(ev, "A") == (10, 0, 0, 0, 10, True)
    assert counts(ev, "B") == (1, 1, 1, 7, 10, False)
    assert counts(ev, "C") == (0, 0, 0, 10, 10, False)


def test_2026_set_without_declarations_is_all_missing() -> None:
    # Values for measures the set does not use are ignored, never an error.
    values = values_frame(good_rows("A", 2026))
    ev = run_all(SET_2026, UNITS_2026, values, years=[2026, 2027], measures=MEASURES)
    assert ev.indicators.height == 0
    assert ev.communes.height == 3 * 2
    assert set(ev.communes.get_column("missing")) == {10}
    assert not ev.communes.get_column("meets_set").any()


# ------------------------------------------------------------------- the advanced set

SET_ADVANCED = load_set("vn-ntm-xa-nang-cao-2021-2025")
UNITS_ADVANCED = pl.DataFrame(
    {"unit": ["A", "B"], "province": ["01", "02"], "region": ["DBSH", "TDMNPB"]}
)


def _advanced_values(unit: str, period: int, good: bool) -> list[dict[str, Any]]:
    """Values for every measure of the set: all met, or (good=False) all not met."""
    catalogue = load_measures()
    rows = []
    for criterion in SET_ADVANCED.criteria:
        for ind in criterion.indicators:
            for cond in ind.conditions:
                row: dict[str, Any] = {"unit": unit, "measure": cond.measure, "period": period}
                if cond.op == "yes":
                    row["value"] = 1.0 if good else 0.0
                elif catalogue[cond.measure].kind == "share":
                    high = (cond.op == ">=") == good
                    row |= {"numerator": 100.0 if high else 0.0, "denominator": 100.0}
                else:
                    raise AssertionError(f"unexpected measure {cond.measure}")
                rows.append(row)
    return rows


def _judged(column: str) -> list[int]:
    """Criteria with conditions whose every threshold cell in `column` has a value."""
    rs = resolve(SET_ADVANCED, 2024, ())
    return sorted(
        c.number
        for c in SET_ADVANCED.criteria
        if c.indicators
        and all(
            cond.op not in NUMERIC_OPS or rs.lookup(ind.code, k, column)[1].value is not None
            for ind in c.indicators
            for k, cond in enumerate(ind.conditions)
        )
    )


def test_advanced_set_with_values_for_some_criteria_and_declarations_for_the_rest() -> None:
    with_conditions = sorted(c.number for c in SET_ADVANCED.criteria if c.indicators)
    without = sorted(c.number for c in SET_ADVANCED.criteria if not c.indicators)
    assert with_conditions and without and len(with_conditions) + len(without) == 19
    judged_a, judged_b = _judged("DBSH"), _judged("TDMNPB")
    assert judged_a and judged_b
    values = values_frame(_advanced_values("A", 2024, True) + _advanced_values("B", 2024, False))
    # A declares every criterion the values cannot decide; B two of those without conditions.
    undecided_a = [n for n in range(1, 20) if n not in judged_a]
    declared = declarations(
        {"A": dict.fromkeys(undecided_a, "met"), "B": dict.fromkeys(without[:2], "basically_met")},
        2024,
    )
    ev = run_all(SET_ADVANCED, UNITS_ADVANCED, values, years=[2024], declared=declared)

    n_conditions = sum(len(i.conditions) for c in SET_ADVANCED.criteria for i in c.indicators)
    assert ev.indicators.height == 2 * n_conditions
    crit = plain(ev.criteria)
    a = crit.filter(pl.col("unit") == "A")
    assert set(a.get_column("status")) == {"met"}
    computed_a = dict(zip(a["criterion"], a["computed_status"], strict=True))
    assert {computed_a[n] for n in judged_a} == {"met"}
    assert {computed_a[n] for n in undecided_a} == {"missing_threshold"}
    source_a = dict(zip(a["criterion"], a["source"], strict=True))
    assert {source_a[n] for n in judged_a} == {"computed"}
    assert {source_a[n] for n in undecided_a} == {"declared"}
    assert counts(ev, "A") == (19, 0, 0, 0, 19, True)
    # B fails every criterion it can be judged on and declares two others basically met.
    nb = len(judged_b)
    assert counts(ev, "B") == (0, 2, nb, 19 - nb - 2, 19, False)
    risk = ev.communes.filter(pl.col("unit") == "B").row(0, named=True)["revocation_risk"]
    assert risk is not None


# ------------------------------------------------------------------- the 2010-2015 set

SET_2010 = load_set("vn-ntm-xa-2010-2015")


def test_2010_known_rows_can_fail_a_criterion_but_never_meet_it() -> None:
    # Only 4 of the 39 indicators of QĐ 491 are known: a criterion whose known rows are all
    # met is still short of its unknown ones (missing_threshold); one failing row fails it.
    units = pl.DataFrame({"unit": ["A", "B"], "region": ["TDMNPB", "TDMNPB"]})
    rows = []
    for unit, share in (("A", 100.0), ("B", 10.0)):
        for measure in (
            "transport_village_roads_share",
            "transport_field_roads_hardened_share",
            "households_regular_safe_electricity_share",
            "schools_national_standard_share",
        ):
            rows.append(
                {
                    "unit": unit,
                    "measure": measure,
                    "period": 2012,
                    "numerator": share,
                    "denominator": 100.0,
                }
            )
    declared = declarations({"A": {2: "met"}}, 2012)
    ev = run_all(SET_2010, units, values_frame(rows), years=[2012], declared=declared)

    crit = plain(ev.criteria).sort("unit", "criterion")
    computed = {
        (u, k): s for u, k, s in crit.select("unit", "criterion", "computed_status").iter_rows()
    }
    assert {computed[("A", k)] for k in (2, 4, 5)} == {"missing_threshold"}
    assert {computed[("B", k)] for k in (2, 4, 5)} == {"not_met"}
    assert {s for (u, k), s in computed.items() if k not in (2, 4, 5)} == {"missing_threshold"}
    # A declaration decides where the computation cannot.
    a2 = crit.filter((pl.col("unit") == "A") & (pl.col("criterion") == 2)).row(0, named=True)
    assert (a2["status"], a2["source"]) == ("met", "declared")
    assert counts(ev, "A") == (1, 0, 0, 18, 19, False)
    assert counts(ev, "B") == (0, 0, 3, 16, 19, False)


# ------------------------------------------------------------------- hand-built sets


def _no_indicator_set(n: int) -> CriteriaSet:
    return small_set(
        criteria=[{"number": k, "name_vi": f"TC {k}"} for k in range(1, n + 1)],
        revocation={"legal_basis": "18/2022/QĐ-TTg", "key_criteria": [2]},
        bands=[{"label_vi": "tất cả", "label_en": "all", "min": 0, "max": n}],
    )


@pytest.mark.parametrize("years", [[2020], [2020, 2021, 2022], []])
def test_hand_built_set_without_conditions(years: list[int]) -> None:
    cset = _no_indicator_set(4)
    declared = declarations(
        {"A": {1: "met", 2: "met", 3: "met", 4: "met"}, "B": {2: "not_met", 3: "basically_met"}},
        2020,
    )
    ev = run_all(cset, UNITS, NO_VALUES, years=years, declared=declared, measures=MEASURES)
    assert ev.indicators.height == 0
    assert ev.communes.height == UNITS.height * len(years)
    if 2020 in years:
        assert counts(ev, "A") == (4, 0, 0, 0, 4, True)
        assert counts(ev, "B") == (0, 1, 1, 2, 4, False)
        b = ev.communes.filter((pl.col("unit") == "B") & (pl.col("period") == 2020)).row(
            0, named=True
        )
        assert b["failing_key_criteria"] == [2]
        assert b["revocation_risk"] is True


def test_hand_built_set_with_some_criteria_without_conditions() -> None:
    # small_set's criterion 7 has no indicators; drop 5 and 6's too.
    base = small_set()
    raw = base.model_dump()
    for criterion in raw["criteria"]:
        if criterion["number"] in (5, 6):
            criterion["indicators"] = []
    cset = CriteriaSet.model_validate(raw)
    values = values_frame(good_rows("A", 2020) + good_rows("B", 2020, income=(1.0, None, None)))
    declared = declarations({"A": {5: "met", 6: "met", 7: "met"}, "B": {5: "not_met"}}, 2020)
    ev = run_all(cset, UNITS, values, years=[2020], declared=declared, measures=MEASURES)
    assert counts(ev, "A") == (7, 0, 0, 0, 7, True)
    # B: income fails (3); 2 misses a DBSH threshold; 5 declared not met; 6, 7 undeclared.
    met, basic, not_met, missing, total, meets = counts(ev, "B")
    assert (not_met, basic, total, meets) == (2, 0, 7, False)
    assert met + missing == 5
