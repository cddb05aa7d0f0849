"""Property tests (hypothesis) on random data for the small hand-built set."""

from __future__ import annotations

from typing import Any

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from ntm.criteria.schema import NUMERIC_OPS
from ntm.evaluation import evaluate, evaluate_counts
from ntm.evaluation.reference import evaluate_reference
from ntm.evaluation.tests.helpers import MEASURES, UNITS, overlay, small_set, values_frame

SET = small_set()
YEARS = [2020, 2021, 2022]
UNIT_CODES = UNITS.get_column("unit").to_list()
# Each measure of the small set is read by exactly one condition.
OP_OF = {c.measure: c.op for cr in SET.criteria for i in cr.indicators for c in i.conditions}
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _value(kind: str) -> st.SearchStrategy[tuple[float | None, float | None, float | None]]:
    if kind == "share":
        return st.tuples(
            st.none(),
            st.one_of(st.none(), st.integers(0, 120).map(float)),
            st.one_of(st.none(), st.just(0.0), st.integers(1, 100).map(float)),
        )
    if kind == "yesno":
        return st.tuples(st.sampled_from([0.0, 1.0, 1.0, 0.5, None]), st.none(), st.none())
    if kind == "count":
        return st.tuples(st.sampled_from([0.0, 0.0, 1.0, 3.0, -1.0, None]), st.none(), st.none())
    return st.tuples(
        st.one_of(st.none(), st.floats(0, 100), st.sampled_from([36.0, 41.0, 45.0, float("nan")])),
        st.none(),
        st.none(),
    )


@st.composite
def datasets(draw: st.DrawFn) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for unit in UNIT_CODES:
        for year in YEARS:
            for key, measure in MEASURES.items():
                stages = draw(
                    st.sampled_from(
                        [(), ("claimed",), ("claimed",), ("verified",), ("claimed", "verified")]
                    )
                )
                for stage in stages:
                    value, num, den = draw(_value(measure.kind))
                    rows.append(
                        {
                            "unit": unit,
                            "measure": key,
                            "period": year,
                            "value": value,
                            "numerator": num,
                            "denominator": den,
                            "stage": stage,
                            "not_applicable": draw(st.sampled_from([False] * 9 + [True])),
                        }
                    )
    return draw(st.permutations(rows))


@st.composite
def declarations(draw: st.DrawFn) -> pl.DataFrame:
    keys = draw(
        st.lists(
            st.tuples(st.sampled_from(UNIT_CODES), st.sampled_from(YEARS), st.integers(1, 7)),
            unique=True,
            max_size=8,
        )
    )
    statuses = [draw(st.sampled_from(["met", "not_met", "basically_met"])) for _ in keys]
    return pl.DataFrame(
        {
            "unit": [k[0] for k in keys],
            "period": [k[1] for k in keys],
            "criterion": [k[2] for k in keys],
            "status": statuses,
        },
        schema={"unit": pl.String, "period": pl.Int32, "criterion": pl.Int32, "status": pl.String},
    )


def plain(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Enum).cast(pl.String))


def _eval(rows: list[dict[str, Any]], **kw: Any) -> Any:
    return evaluate(
        SET, UNITS, values_frame(rows), years=YEARS, measures=MEASURES, check_period=False, **kw
    )


@SETTINGS
@given(datasets(), declarations(), declarations(), st.booleans())
def test_engine_equals_reference(
    rows: list[dict[str, Any]], declared: pl.DataFrame, decided: pl.DataFrame, with_overlay: bool
) -> None:
    kw: dict[str, Any] = {
        "years": YEARS,
        "measures": MEASURES,
        "check_period": False,
        "declared": declared,
        "decided": decided,
        "overlays": [overlay("20", 91.5)] if with_overlay else [],
    }
    values = values_frame(rows)
    ev = evaluate(SET, UNITS, values, **kw)
    ref = evaluate_reference(SET, UNITS, values, **kw)
    for name in ("indicators", "criteria", "communes"):
        assert_frame_equal(plain(getattr(ev, name)), getattr(ref, name))
    assert_frame_equal(evaluate_counts(SET, UNITS, values, **kw), ev.communes)
    assert ev.labels == ref.labels


@SETTINGS
@given(datasets(), declarations(), declarations())
def test_a_declaration_never_changes_a_criterion_the_values_decide(
    rows: list[dict[str, Any]], declared: pl.DataFrame, decided: pl.DataFrame
) -> None:
    keys = ["unit", "period", "criterion"]
    alone = plain(_eval(rows).criteria).select(*keys, alone="status")
    both = plain(_eval(rows, declared=declared, decided=decided).criteria).join(alone, on=keys)
    assert both.height == alone.height
    by_values = pl.col("computed_status").is_in(["met", "not_met", "not_applicable"])
    undecided = both.filter(pl.col("decided_status").is_null())
    # Where the values decide, only the province's decision changes the status.
    kept = undecided.filter(by_values)
    assert (kept["status"] == kept["alone"]).all()
    assert (kept["source"] == "computed").all()
    differs = kept["declared_status"].is_not_null() & (kept["declared_status"] != kept["alone"])
    assert (kept["conflict"] == differs).all()
    # Elsewhere a declaration counts as declared.
    filled = undecided.filter(~by_values & pl.col("declared_status").is_not_null())
    assert (filled["status"] == filled["declared_status"]).all()
    assert (filled["source"] == "declared").all()
    assert not undecided.filter(~by_values)["conflict"].any()
    # A province decision always stands.
    overridden = both.filter(pl.col("decided_status").is_not_null())
    assert (overridden["status"] == overridden["decided_status"]).all()
    assert (overridden["source"] == "province").all()


def _move(row: dict[str, Any], step: float) -> dict[str, Any]:
    """The row moved by `step` > 0 in the direction its condition calls good."""
    op = OP_OF[row["measure"]]
    kind = MEASURES[row["measure"]].kind
    row = dict(row)
    if op == "yes":
        row["value"] = 1.0 if row["value"] == 0.0 else row["value"]
    elif op == "none":
        if row["value"] is not None and row["value"] > 0:
            row["value"] = max(row["value"] - step, 0.0)
    else:
        field = "numerator" if kind == "share" else "value"
        if row[field] is not None:
            row[field] = row[field] + (step if op == ">=" else -step)
    return row


@SETTINGS
@given(datasets(), st.data())
def test_moving_a_value_in_the_good_direction_never_turns_met_into_not_met(
    rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    movable = [k for k in MEASURES if OP_OF[k] != "=="]
    unit = data.draw(st.sampled_from(UNIT_CODES))
    year = data.draw(st.sampled_from(YEARS))
    measure = data.draw(st.sampled_from(movable))
    step = data.draw(st.floats(1e-6, 50))
    moved = [
        _move(r, step) if (r["unit"], r["period"], r["measure"]) == (unit, year, measure) else r
        for r in rows
    ]
    before, after = _eval(rows), _eval(moved)
    for frame, column in (
        ("indicators", "status"),
        ("indicators", "indicator_status"),
        ("criteria", "computed_status"),
    ):
        b = getattr(before, frame).get_column(column).cast(pl.String)
        a = getattr(after, frame).get_column(column).cast(pl.String)
        assert not ((b == "met") & (a == "not_met")).any()
    assert (after.communes["met"] >= before.communes["met"]).all()


@SETTINGS
@given(datasets(), st.data())
def test_adding_data_never_turns_a_computed_result_into_missing(
    rows: list[dict[str, Any]], data: st.DataObject
) -> None:
    keys = sorted({(r["unit"], r["measure"], r["period"]) for r in rows})
    dropped = set(data.draw(st.lists(st.sampled_from(keys), unique=True))) if keys else set()
    fewer = [r for r in rows if (r["unit"], r["measure"], r["period"]) not in dropped]
    less, more = _eval(fewer), _eval(rows)
    missing = ["missing_data", "missing_threshold"]
    for frame, column in (
        ("indicators", "status"),
        ("indicators", "indicator_status"),
        ("criteria", "computed_status"),
    ):
        b = getattr(less, frame).get_column(column).cast(pl.String)
        a = getattr(more, frame).get_column(column).cast(pl.String)
        assert not (b.is_in(["met", "not_met"]) & a.is_in(missing)).any()


@SETTINGS
@given(datasets(), st.booleans())
def test_every_met_or_not_met_row_is_explained(
    rows: list[dict[str, Any]], with_overlay: bool
) -> None:
    ev = _eval(rows, overlays=[overlay()] if with_overlay else [])
    judged = plain(ev.indicators).filter(pl.col("status").is_in(["met", "not_met"]))
    assert judged.get_column("value").null_count() == 0
    assert judged.get_column("stage").null_count() == 0
    assert judged.get_column("set_version").null_count() == 0
    assert judged.get_column("basis").null_count() == 0
    numeric = judged.filter(pl.col("op").is_in(list(NUMERIC_OPS)))
    for column in ("threshold", "column", "gap", "threshold_status"):
        assert numeric.get_column(column).null_count() == 0
    # The gap's sign agrees with the status.
    assert (numeric.filter(pl.col("status") == "met").get_column("gap") >= 0).all()
    assert (numeric.filter(pl.col("status") == "not_met").get_column("gap") < 0).all()
