"""Unit tests of the engine on a small hand-built set (see helpers.small_set)."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from ntm.criteria.loader import load_set
from ntm.criteria.resolve import NotInPeriod
from ntm.criteria.schema import CriteriaSet, RevocationRule
from ntm.evaluation import Evaluation, evaluate, evaluate_counts
from ntm.evaluation.reference import evaluate_reference
from ntm.evaluation.semantics import revocation_rule_reached
from ntm.evaluation.tests.helpers import (
    MEASURES,
    UNITS,
    good_rows,
    overlay,
    small_set,
    values_frame,
)

SET = small_set()


def run(values: pl.DataFrame, **kw: Any) -> Evaluation:
    kw.setdefault("years", [2020])
    kw.setdefault("measures", MEASURES)
    ev = evaluate(kw.pop("cset", SET), kw.pop("units", UNITS), values, **kw)
    return ev


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Enum).cast(pl.String))


def row(
    ev: Evaluation, unit: str, indicator: str, condition: int = 0, year: int = 2020
) -> dict[str, Any]:
    found = plain(ev.indicators).filter(
        (pl.col("unit") == unit)
        & (pl.col("indicator") == indicator)
        & (pl.col("condition") == condition)
        & (pl.col("period") == year)
    )
    assert found.height == 1
    return found.row(0, named=True)


def crit(ev: Evaluation, unit: str, number: int, year: int = 2020) -> dict[str, Any]:
    found = plain(ev.criteria).filter(
        (pl.col("unit") == unit) & (pl.col("criterion") == number) & (pl.col("period") == year)
    )
    assert found.height == 1
    return found.row(0, named=True)


def commune(ev: Evaluation, unit: str, year: int = 2020) -> dict[str, Any]:
    return ev.communes.filter((pl.col("unit") == unit) & (pl.col("period") == year)).row(
        0, named=True
    )


def test_all_good_values_meet_every_criterion_with_indicators() -> None:
    ev = run(values_frame(good_rows("D", 2020)))
    statuses = {n: crit(ev, "D", n)["status"] for n in range(1, 8)}
    assert statuses == {
        1: "met",
        2: "met",
        3: "met",
        4: "met",
        5: "met",
        6: "met",
        7: "missing_threshold",
    }
    c = commune(ev, "D")
    assert (c["met"], c["missing"], c["total"], c["meets_set"]) == (6, 1, 7, False)


def test_frames_have_one_row_per_key_and_the_contract_columns() -> None:
    ev = run(values_frame(good_rows("A", 2020)), years=[2020, 2021])
    assert ev.indicators.height == 4 * 2 * 8  # units x years x conditions
    assert ev.criteria.height == 4 * 2 * 7
    assert ev.communes.height == 4 * 2
    assert ev.indicators.columns == [
        "unit",
        "period",
        "criterion",
        "indicator",
        "condition",
        "measure",
        "op",
        "value",
        "numerator",
        "denominator",
        "stage",
        "threshold",
        "threshold_status",
        "column",
        "basis",
        "set_version",
        "status",
        "gap",
        "indicator_status",
    ]
    assert ev.criteria.columns == [
        "unit",
        "period",
        "criterion",
        "computed_status",
        "declared_status",
        "decided_status",
        "status",
        "source",
        "conflict",
    ]
    assert ev.communes.columns == [
        "unit",
        "period",
        "met",
        "basically_met",
        "not_met",
        "missing",
        "not_applicable",
        "total",
        "meets_set",
        "failing_share",
        "revocation_risk",
        "revocation_possible",
        "failing_key_criteria",
    ]
    assert ev.labels == {2020: "test-set@v1", 2021: "test-set@v1"}
    assert ev.set_id == "test-set"


def test_absent_value_is_missing_data_never_a_fail() -> None:
    ev = run(values_frame(good_rows("D", 2020, water=None)))
    r = row(ev, "D", "2.1")
    assert (r["status"], r["value"], r["stage"], r["threshold"]) == ("missing_data", None, None, 90)
    assert crit(ev, "D", 2)["status"] == "missing_data"
    c = commune(ev, "D")
    assert (c["not_met"], c["missing"]) == (0, 2)


def test_missing_threshold_when_no_column_has_a_value() -> None:
    # Income has thresholds for 2020 and 2021 only; 2022 has none in any column.
    ev = run(values_frame(good_rows("D", 2022)), years=[2022])
    r = row(ev, "D", "3", year=2022)
    assert (r["status"], r["threshold"], r["threshold_status"]) == (
        "missing_threshold",
        None,
        "missing",
    )
    assert r["value"] == 50.0 and r["gap"] is None
    assert crit(ev, "D", 3, 2022)["status"] == "missing_threshold"


def test_missing_data_outranks_missing_threshold() -> None:
    ev = run(values_frame(good_rows("D", 2022, income=None)), years=[2022])
    assert row(ev, "D", "3", year=2022)["status"] == "missing_data"


def test_year_dependent_thresholds_use_the_assessment_year() -> None:
    rows = good_rows("D", 2020, income=(43.0, None, None))
    rows += good_rows("D", 2021, income=(43.0, None, None))
    ev = run(values_frame(rows), years=[2020, 2021])
    r20, r21 = row(ev, "D", "3", year=2020), row(ev, "D", "3", year=2021)
    assert (r20["threshold"], r20["status"], r20["gap"]) == (41, "met", 2.0)
    assert (r21["threshold"], r21["status"], r21["gap"]) == (45, "not_met", -2.0)


def test_share_is_a_percentage_of_numerator_over_denominator() -> None:
    ev = run(values_frame(good_rows("D", 2020, water=(None, 45.0, 50.0))))
    r = row(ev, "D", "2.1")
    assert (r["value"], r["numerator"], r["denominator"], r["status"]) == (90.0, 45, 50, "met")
    assert r["gap"] == 0.0


@pytest.mark.parametrize("den", [0.0, None])
def test_share_without_denominator_is_missing_data(den: float | None) -> None:
    ev = run(values_frame(good_rows("D", 2020, water=(None, 5.0, den))))
    assert row(ev, "D", "2.1")["status"] == "missing_data"


def test_share_ignores_the_value_column() -> None:
    ev = run(values_frame(good_rows("D", 2020, water=(99.0, None, None))))
    assert row(ev, "D", "2.1")["status"] == "missing_data"


def test_boundary_value_equal_to_a_decimal_threshold_is_met() -> None:
    # Unit B (ĐBSH): road_paved >= 21.8; 100 * 218 / 1000 is 21.8 up to the last bit.
    at = run(values_frame(good_rows("B", 2020, road_paved=(None, 218.0, 1000.0))))
    r = row(at, "B", "2.2", 1)
    assert (r["threshold"], r["column"], r["status"], r["gap"]) == (21.8, "DBSH", "met", 0.0)
    below = run(values_frame(good_rows("B", 2020, road_paved=(None, 2179.0, 10000.0))))
    r = row(below, "B", "2.2", 1)
    assert r["status"] == "not_met" and r["gap"] == pytest.approx(-0.01)


def test_compound_indicator_needs_both_conditions() -> None:
    ev = run(values_frame(good_rows("D", 2020, road_hard=(None, 9.0, 10.0))))
    first, second = row(ev, "D", "2.2", 0), row(ev, "D", "2.2", 1)
    assert (first["status"], second["status"]) == ("not_met", "met")
    assert first["indicator_status"] == second["indicator_status"] == "not_met"
    assert first["gap"] == pytest.approx(-10.0)  # "==": minus the distance
    assert crit(ev, "D", 2)["status"] == "not_met"


def test_compound_indicator_missing_one_part_is_missing_data() -> None:
    ev = run(values_frame(good_rows("D", 2020, road_paved=None)))
    assert row(ev, "D", "2.2", 0)["indicator_status"] == "missing_data"


@pytest.mark.parametrize(
    ("num", "status", "gap"),
    [(5.0, "met", 0.0), (4.0, "met", 1.0), (5.01, "not_met", -0.01), (12.0, "not_met", -7.0)],
)
def test_ceiling(num: float, status: str, gap: float) -> None:
    ev = run(values_frame(good_rows("D", 2020, poverty=(None, num, 100.0))))
    r = row(ev, "D", "4")
    assert (r["op"], r["status"]) == ("<=", status)
    assert r["gap"] == pytest.approx(gap)


@pytest.mark.parametrize(
    ("count", "status"), [(0.0, "met"), (1.0, "not_met"), (0.5, "not_met"), (-1.0, "missing_data")]
)
def test_none_present(count: float, status: str) -> None:
    ev = run(values_frame(good_rows("D", 2020, temp_houses=(count, None, None))))
    r = row(ev, "D", "5")
    assert (r["status"], r["threshold"], r["gap"], r["column"]) == (status, None, None, None)


@pytest.mark.parametrize(
    ("value", "status"),
    [(1.0, "met"), (0.0, "not_met"), (0.5, "missing_data"), (None, "missing_data")],
)
def test_yes_no(value: float | None, status: str) -> None:
    ev = run(values_frame(good_rows("D", 2020, plan_ok=(value, None, None))))
    r = row(ev, "D", "1.1")
    assert (r["status"], r["threshold"], r["gap"]) == (status, None, None)
    assert r["threshold_status"] == "verified"  # the law's "Đạt" cell is confirmed


def test_nan_is_missing_data() -> None:
    ev = run(values_frame(good_rows("D", 2020, income=(float("nan"), None, None))))
    assert row(ev, "D", "3")["status"] == "missing_data"


def _with_na(rows: list[dict[str, Any]], measure: str) -> list[dict[str, Any]]:
    return [{**r, "not_applicable": r["measure"] == measure} for r in rows]


def test_not_applicable_only_where_the_indicator_allows_it() -> None:
    ev = run(
        values_frame(
            _with_na(good_rows("D", 2020, sport_grounds=(None, None, None)), "sport_grounds")
        )
    )
    assert row(ev, "D", "6")["status"] == "not_applicable"
    assert crit(ev, "D", 6)["status"] == "not_applicable"
    c = commune(ev, "D")
    assert (c["met"], c["not_applicable"], c["not_met"], c["missing"]) == (5, 1, 0, 1)
    assert c["meets_set"] is False  # criterion 7 has no threshold

    # Income is not "(nếu có)": a not-applicable row there carries no usable value.
    ev = run(values_frame(_with_na(good_rows("D", 2020), "income")))
    r = row(ev, "D", "3")
    assert (r["status"], r["value"]) == ("missing_data", 50.0)


def test_a_criterion_not_applicable_does_not_block_the_set() -> None:
    cset = small_set()
    data = cset.model_dump()
    data["criteria"] = data["criteria"][:6]  # drop 7, which has no indicators
    data["bands"] = [{"label_vi": "0-6", "label_en": "0-6", "min": 0, "max": 6}]
    cset = CriteriaSet.model_validate(data)
    rows = _with_na(good_rows("D", 2020, sport_grounds=(None, None, None)), "sport_grounds")
    ev = run(values_frame(rows), cset=cset)
    c = commune(ev, "D")
    assert (c["met"], c["not_applicable"], c["total"], c["meets_set"]) == (5, 1, 6, True)
    assert c["failing_share"] == 0.0
    # Not applicable is not met: one failing criterion still blocks the set.
    rows = _with_na(good_rows("D", 2020, income=(1.0, None, None)), "sport_grounds")
    c = commune(run(values_frame(rows), cset=cset), "D")
    assert (c["met"], c["not_applicable"], c["not_met"], c["meets_set"]) == (4, 1, 1, False)


def test_not_applicable_and_met_combine_to_met() -> None:
    cset = small_set()
    data = cset.model_dump()
    data["criteria"][5]["indicators"].append(
        {
            "code": "6.2",
            "name_vi": "Sân phụ",
            "conditions": [
                {
                    "measure": "income",
                    "op": ">=",
                    "thresholds": {"national": {"value": 1, "status": "verified"}},
                }
            ],
        }
    )
    cset = CriteriaSet.model_validate(data)
    rows = _with_na(good_rows("D", 2020), "sport_grounds")
    ev = run(values_frame(rows), cset=cset)
    assert crit(ev, "D", 6)["status"] == "met"


def test_region_column_then_national_fallback_for_missing_cells() -> None:
    ev = run(values_frame(good_rows("B", 2020) + good_rows("A", 2020)), overlays=[])
    # B is ĐBSH, whose water cell is missing: the national value is used and said so.
    r = row(ev, "B", "2.1")
    assert (r["threshold"], r["column"]) == (90, "national")
    # A is TDMNPB: its own column.
    r = row(ev, "A", "2.1")
    assert (r["threshold"], r["column"], r["basis"]) == (80, "TDMNPB", "1/QĐ-TEST")


def test_flag_override_sends_the_commune_to_the_mountain_column() -> None:
    ev = run(values_frame(good_rows("C", 2020, poverty=(None, 8.0, 100.0))))
    r = row(ev, "C", "4")  # C is ĐBSH but special-difficulty -> TDMNPB (10, unverified)
    assert (r["column"], r["threshold"], r["threshold_status"], r["status"]) == (
        "TDMNPB",
        10,
        "unverified",
        "met",
    )


def test_missing_flag_columns_count_as_false() -> None:
    units = UNITS.drop("special_difficulty")
    ev = run(values_frame(good_rows("C", 2020)), units=units)
    assert row(ev, "C", "4")["column"] == "national"


def test_overlay_wins_over_the_national_value_for_its_province_only() -> None:
    rows = good_rows("A", 2020, water=(None, 93.0, 100.0))
    rows += good_rows("C", 2020, water=(None, 93.0, 100.0))
    rows += good_rows("B", 2020, poverty=(None, 4.0, 100.0))
    ev = run(values_frame(rows), overlays=[overlay("20", 95.0)])
    a = row(ev, "A", "2.1")
    assert (a["column"], a["threshold"], a["status"], a["basis"], a["set_version"]) == (
        "province",
        95,
        "not_met",
        "9/QĐ-UBND-20",
        "test-set@v1+ov-20",
    )
    c = row(ev, "C", "2.1")  # province 01: no overlay, TDMNPB via the flag
    assert (c["column"], c["threshold"], c["status"], c["set_version"]) == (
        "TDMNPB",
        80,
        "met",
        "test-set@v1",
    )
    # The overlay also fills the ĐBSH poverty cell (3 %) for its province.
    b = row(ev, "B", "4")
    assert (b["column"], b["threshold"], b["status"]) == ("DBSH", 3, "not_met")


def test_verified_value_is_preferred_and_reported() -> None:
    rows = good_rows("D", 2020, income=(30.0, None, None))
    rows += good_rows("D", 2020, stage="verified", income=(50.0, None, None))[4:5]
    ev = run(values_frame(rows))
    r = row(ev, "D", "3")
    assert (r["value"], r["stage"], r["status"]) == (50.0, "verified", "met")
    assert row(ev, "D", "1.1")["stage"] == "claimed"


def criterion_rows(unit: str, period: int, statuses: dict[int, str]) -> pl.DataFrame:
    """Criterion-level statuses (declared or decided) of one unit and year."""
    return pl.DataFrame(
        {
            "unit": [unit] * len(statuses),
            "period": [period] * len(statuses),
            "criterion": list(statuses),
            "status": list(statuses.values()),
        },
        schema={"unit": pl.String, "period": pl.Int32, "criterion": pl.Int32, "status": pl.String},
    )


def test_a_declaration_never_overrides_a_computed_result_and_a_difference_is_flagged() -> None:
    # Criterion 3 fails on its value (income 10 < 20); 1 and 2 are met; 4's value is missing.
    rows = good_rows("D", 2020, income=(10.0, None, None), poverty=None)
    declared = criterion_rows("D", 2020, {3: "met", 1: "met", 2: "basically_met", 4: "met"})
    ev = run(values_frame(rows), declared=declared)
    c3, c1, c2, c4 = (crit(ev, "D", n) for n in (3, 1, 2, 4))
    assert (
        c3["computed_status"],
        c3["declared_status"],
        c3["status"],
        c3["source"],
        c3["conflict"],
    ) == ("not_met", "met", "not_met", "computed", True)
    assert (c1["status"], c1["source"], c1["conflict"]) == ("met", "computed", False)
    assert (c2["status"], c2["source"], c2["conflict"]) == ("met", "computed", True)
    # The values do not decide criterion 4: the declaration counts, and differs from nothing.
    assert (c4["computed_status"], c4["status"], c4["source"], c4["conflict"]) == (
        "missing_data",
        "met",
        "declared",
        False,
    )
    c5 = crit(ev, "D", 5)
    assert (c5["declared_status"], c5["source"], c5["conflict"]) == (None, "computed", False)
    c = commune(ev, "D")
    # 1, 2, 4 (declared), 5, 6 met; 3 not met; 7 has no indicator and no declaration.
    assert (c["met"], c["basically_met"], c["not_met"], c["missing"]) == (5, 0, 1, 1)


def test_a_province_decision_stands_over_the_computed_result_and_the_declaration() -> None:
    rows = good_rows("D", 2020, income=(10.0, None, None))
    declared = criterion_rows("D", 2020, {3: "met", 7: "met"})
    decided = criterion_rows("D", 2020, {3: "met", 1: "basically_met", 7: "not_met"})
    ev = run(values_frame(rows), declared=declared, decided=decided)
    c3, c1, c7 = (crit(ev, "D", n) for n in (3, 1, 7))
    assert (
        c3["computed_status"],
        c3["declared_status"],
        c3["decided_status"],
        c3["status"],
        c3["source"],
        c3["conflict"],
    ) == ("not_met", "met", "met", "met", "province", True)
    assert (c1["status"], c1["source"], c1["conflict"]) == ("basically_met", "province", False)
    assert (c7["declared_status"], c7["status"], c7["source"]) == ("met", "not_met", "province")
    c = commune(ev, "D")
    assert (c["met"], c["basically_met"], c["not_met"]) == (5, 1, 1)
    assert_frame_equal(
        evaluate_counts(
            SET,
            UNITS,
            values_frame(rows),
            years=[2020],
            measures=MEASURES,
            declared=declared,
            decided=decided,
        ),
        ev.communes,
    )


def test_a_decision_is_checked_like_a_declaration() -> None:
    decided = criterion_rows("D", 2020, {3: "missing_data"})
    with pytest.raises(ValueError, match="decided: trạng thái không hợp lệ"):
        run(values_frame(good_rows("D", 2020)), decided=decided)
    with pytest.raises(ValueError, match="decided: tiêu chí không có"):
        run(values_frame(good_rows("D", 2020)), decided=criterion_rows("D", 2020, {99: "met"}))


def test_criterion_without_indicators_can_only_be_declared() -> None:
    declared = pl.DataFrame({"unit": ["D"], "period": [2020], "criterion": [7], "status": ["met"]})
    ev = run(values_frame(good_rows("D", 2020)), declared=declared)
    assert commune(ev, "D")["meets_set"] is True


def yes_set(n: int, keys: list[int]) -> CriteriaSet:
    """n criteria of one yes/no indicator each."""
    return small_set(
        criteria=[
            {
                "number": k,
                "name_vi": f"TC {k}",
                "indicators": [
                    {
                        "code": f"{k}",
                        "name_vi": "x",
                        "conditions": [{"measure": "plan_ok", "op": "yes"}],
                    }
                ],
            }
            for k in range(1, n + 1)
        ],
        revocation={"legal_basis": "18/2022/QĐ-TTg", "key_criteria": keys},
        bands=[{"label_vi": "all", "label_en": "all", "min": 0, "max": n}],
    )


def _failing(
    n: int,
    failing: list[int],
    declared_basic: list[int] | None = None,
    unknown: list[int] | None = None,
) -> dict[str, Any]:
    cset = yes_set(n, keys=[1])
    declared = pl.DataFrame(
        {
            "unit": ["D"] * n,
            "period": [2020] * n,
            "criterion": list(range(1, n + 1)),
            "status": [
                "basically_met"
                if k in (declared_basic or [])
                else "not_met"
                if k in failing
                else "met"
                for k in range(1, n + 1)
            ],
        }
    )
    # An undeclared criterion without values has no result (missing data).
    declared = declared.filter(~pl.col("criterion").is_in(unknown or []))
    ev = run(values_frame([]), cset=cset, declared=declared)
    return commune(ev, "D")


@pytest.mark.parametrize(
    ("failing", "unknown", "risk", "possible"),
    [
        ([2, 3], [], False, False),  # 20 %, all known: safe
        ([2, 3], [1], False, True),  # 20 % known; with the key criterion unknown, 30 % + key
        ([2, 3], [4], False, False),  # at worst 30 % without the key: safe all the same
        ([2, 3], [4, 5, 6], False, True),  # at worst 50 %
        ([1, 2, 3], [4], True, True),  # at risk whatever the unknown criterion is
    ],
)
def test_unknown_criteria_make_revocation_possible_not_safe(
    failing: list[int], unknown: list[int], risk: bool, possible: bool
) -> None:
    c = _failing(10, failing, unknown=unknown)
    assert c["missing"] == len(unknown)
    assert (c["revocation_risk"], c["revocation_possible"]) == (risk, possible)


@pytest.mark.parametrize(
    ("n", "failing", "risk"),
    [
        (10, [2, 3], False),  # 20 %
        (10, [2, 3, 4], False),  # exactly 30 %, no key criterion
        (10, [1, 2, 3], True),  # exactly 30 % with the key criterion
        (20, [2, 3, 4, 5, 6], False),  # 25 % with... no key
        (20, [1, 3, 4, 5, 6], False),  # 25 % with the key: under the band
        (19, [1, 2, 3, 4, 5, 6, 7, 8, 9], True),  # 47,4 %: just under 50 %, key fails
        (19, [2, 3, 4, 5, 6, 7, 8, 9, 10], False),  # 47,4 % without the key
        (10, [2, 3, 4, 5, 6], True),  # exactly 50 %, no key needed
        (10, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], True),
    ],
)
def test_revocation_boundaries(n: int, failing: list[int], risk: bool) -> None:
    c = _failing(n, failing)
    assert c["revocation_risk"] is risk
    assert c["failing_share"] == pytest.approx(len(failing) / n)
    assert c["failing_key_criteria"] == ([1] if 1 in failing else [])


def test_basically_met_key_criterion_counts_as_failing_for_revocation() -> None:
    c = _failing(10, [2, 3], declared_basic=[1])
    assert (c["revocation_risk"], c["failing_key_criteria"], c["basically_met"]) == (True, [1], 1)


def test_no_revocation_rule_gives_null_risk() -> None:
    ev = run(values_frame(good_rows("D", 2020)), cset=small_set(revocation=None))
    assert commune(ev, "D")["revocation_risk"] is None


def test_counts_equal_the_communes_frame_and_the_reference() -> None:
    rows = good_rows("A", 2020) + good_rows("B", 2021, income=(1.0, None, None))
    declared = pl.DataFrame({"unit": ["C"], "period": [2020], "criterion": [7], "status": ["met"]})
    kw: dict[str, Any] = {
        "years": [2020, 2021],
        "measures": MEASURES,
        "declared": declared,
        "overlays": [overlay()],
    }
    values = values_frame(rows)
    ev = evaluate(SET, UNITS, values, **kw)
    assert_frame_equal(evaluate_counts(SET, UNITS, values, **kw), ev.communes)
    ref = evaluate_reference(SET, UNITS, values, **kw)
    for name in ("indicators", "criteria", "communes"):
        assert_frame_equal(plain(getattr(ev, name)), getattr(ref, name))


def test_enum_and_string_keys_give_the_same_result() -> None:
    values = values_frame(good_rows("A", 2020) + good_rows("C", 2020, stage="verified"))
    as_enum = values.with_columns(
        pl.col("unit").cast(pl.Enum(["Z", "C", "A"])),
        pl.col("measure").cast(pl.Enum([*sorted(MEASURES), "other"])),
        pl.col("stage").cast(pl.Enum(["claimed", "verified"])),
    )
    assert_frame_equal(run(as_enum).indicators, run(values).indicators)


def test_default_years_are_the_periods_in_the_values() -> None:
    ev = evaluate(SET, UNITS, values_frame(good_rows("A", 2021)), measures=MEASURES)
    assert ev.communes.get_column("period").unique().to_list() == [2021]


def test_other_measures_and_years_in_values_are_ignored() -> None:
    rows = [
        *good_rows("D", 2020),
        {"unit": "D", "measure": "unrelated", "period": 2020, "value": 1.0},
        {"unit": "ZZ", "measure": "unrelated", "period": 2020, "value": 1.0},
        {"unit": "D", "measure": "income", "period": 2019, "value": 1.0},
    ]
    ev = run(values_frame(rows))
    assert commune(ev, "D")["met"] == 6


def test_empty_values() -> None:
    ev = run(values_frame([]))
    assert ev.indicators.height == 4 * 8
    assert set(ev.indicators.get_column("status").to_list()) == {"missing_data"}
    ev = evaluate(SET, UNITS, values_frame([]), measures=MEASURES)
    assert (ev.indicators.height, ev.criteria.height, ev.communes.height) == (0, 0, 0)


def test_year_outside_the_period() -> None:
    with pytest.raises(NotInPeriod, match="2019"):
        run(values_frame([]), years=[2019])
    ev = run(values_frame(good_rows("D", 2019)), years=[2019], check_period=False)
    assert row(ev, "D", "3", year=2019)["status"] == "missing_threshold"


# ------------------------------------------------------------------------------ bad input


def test_unknown_unit_in_values() -> None:
    with pytest.raises(ValueError, match=r"units not in units.*'X'"):
        run(values_frame(good_rows("X", 2020)))


def test_duplicate_rows_in_values() -> None:
    rows = good_rows("D", 2020)
    with pytest.raises(ValueError, match="more than one row"):
        run(values_frame(rows + rows[:1]))
    shuffled = values_frame(rows + rows[:1]).reverse()
    with pytest.raises(ValueError, match="more than one row"):
        run(shuffled)


def test_bad_stage() -> None:
    rows = good_rows("D", 2020, stage="approved")
    with pytest.raises(ValueError, match="approved"):
        run(values_frame(rows))


def test_duplicate_units() -> None:
    with pytest.raises(ValueError, match=r"duplicate unit codes\): \['A'\]"):
        run(values_frame([]), units=pl.concat([UNITS, UNITS.head(1)]))


def test_missing_value_columns() -> None:
    with pytest.raises(ValueError, match="missing columns"):
        run(pl.DataFrame({"unit": ["A"], "period": [2020]}))


@pytest.mark.parametrize(
    ("declared", "message"),
    [
        ({"unit": ["D"], "period": [2020], "criterion": [1], "status": ["đạt"]}, "đạt"),
        ({"unit": ["D"], "period": [2020], "criterion": [99], "status": ["met"]}, "99"),
        ({"unit": ["Q"], "period": [2020], "criterion": [1], "status": ["met"]}, "Q"),
        (
            {
                "unit": ["D", "D"],
                "period": [2020, 2020],
                "criterion": [1, 1],
                "status": ["met", "not_met"],
            },
            "more than one row",
        ),
    ],
)
def test_bad_declarations(declared: dict[str, list[Any]], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        run(values_frame([]), declared=pl.DataFrame(declared))


def test_unknown_measure_in_the_set() -> None:
    with pytest.raises(ValueError, match="not in the catalogue"):
        run(values_frame([]), measures={k: v for k, v in MEASURES.items() if k != "income"})


# The QĐ 18/2022 rule at its boundaries, and the engine agreeing with it for 19 and 10 criteria.
RULE_19 = load_set("vn-ntm-xa-2021-2025").revocation
# The 2026–2030 set (10 criteria) has no encoded rule: a test rule of the same shares.
RULE_10 = RevocationRule(legal_basis="TEST", key_criteria=[1])


def reached(rule: RevocationRule | None, share: float, key: bool) -> bool:
    assert rule is not None
    return revocation_rule_reached(
        share,
        key,
        partial_share_from=rule.partial_share_from,
        partial_share_to=rule.partial_share_to,
        full_share=rule.full_share,
    )


@pytest.mark.parametrize("rule", [RULE_19, RULE_10], ids=["19 criteria", "10 criteria"])
@pytest.mark.parametrize(
    ("share", "key", "expected"),
    [
        (0.299, True, False),  # 29,9 %: under the band, key or not
        (0.299, False, False),
        (0.30, True, True),  # 30 %: in the band, with a key criterion
        (0.30, False, False),
        (0.499, True, True),  # 49,9 %: still in the band
        (0.499, False, False),
        (0.50, True, True),  # 50 %: revoked whatever fails
        (0.50, False, True),
        (3 / 10, True, True),  # 3 of 10 is exactly 30 % despite binary floats
        (5 / 10, False, True),
        (6 / 19, True, True),  # 31,6 %
        (9 / 19, False, False),  # 47,4 % without a key criterion
    ],
)
def test_the_rule_at_its_boundaries(
    rule: RevocationRule, share: float, key: bool, expected: bool
) -> None:
    assert reached(rule, share, key) is expected


@settings(max_examples=40, deadline=None)
@given(
    n=st.sampled_from([10, 19]),
    data=st.data(),
)
def test_the_engine_applies_the_same_rule(n: int, data: st.DataObject) -> None:
    failing = data.draw(st.sets(st.integers(1, n)))
    found = _failing(n, sorted(failing))
    # The engine's test sets take criterion 1 as the key criterion.
    expected = reached(RULE_10, len(failing) / n, 1 in failing)
    assert found["revocation_risk"] is expected
