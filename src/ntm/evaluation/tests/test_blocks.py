"""The block path: values laid out as a database export (one block per unit and year, every
measure once, in one order) are read without scattering, for the counts and the explained
evaluation alike, and give exactly what the general path and the reference give. Anything else
must take the general path."""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from ntm.evaluation import evaluate, evaluate_counts
from ntm.evaluation.engine import _block_layout, _plan
from ntm.evaluation.reference import evaluate_reference
from ntm.evaluation.tests.helpers import MEASURES, UNITS, overlay, small_set, values_frame
from ntm.evaluation.tests.test_properties import _value

SET = small_set()
YEARS = [2020, 2021]
UNIT_CODES = UNITS.get_column("unit").to_list()
KW: dict[str, Any] = {"years": YEARS, "measures": MEASURES, "check_period": False}


def _row(
    unit: str, year: int, key: str, triple: tuple[Any, Any, Any], **extra: Any
) -> dict[str, Any]:
    value, num, den = triple
    return {
        "unit": unit,
        "measure": key,
        "period": year,
        "value": value,
        "numerator": num,
        "denominator": den,
        "not_applicable": False,
        "stage": "claimed",
    } | extra


@st.composite
def block_layouts(draw: st.DrawFn) -> pl.DataFrame:
    """Every (unit, year) once, in any block order; every measure once per block, one order."""
    # The set's own order (each explained row's parts read straight from the input) or any.
    keys = list(MEASURES)
    if draw(st.booleans()):
        keys = draw(st.permutations(keys))
    blocks = [(u, y) for u in UNIT_CODES for y in YEARS]
    if draw(st.booleans()):
        blocks = draw(st.permutations(blocks))
    rows = [
        _row(
            unit,
            year,
            key,
            draw(_value(MEASURES[key].kind)),
            stage=draw(st.sampled_from(["claimed", "verified"])),
            not_applicable=draw(st.sampled_from([False] * 9 + [True])),
        )
        for unit, year in blocks
        for key in keys
    ]
    frame = values_frame(rows)
    if draw(st.booleans()):
        frame = frame.with_columns(
            pl.col("unit").cast(pl.Enum(["Z", *reversed(UNIT_CODES)])),
            pl.col("measure").cast(pl.Enum([*sorted(MEASURES), "other"])),
            pl.col("stage").cast(pl.Enum(["claimed", "verified"])),
        )
    return frame


def _plain(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.with_columns(pl.col(pl.Enum).cast(pl.String))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block_layouts(), st.booleans())
def test_block_layout_evaluation_equals_the_reference(
    values: pl.DataFrame, with_overlay: bool
) -> None:
    kw = KW | {"overlays": [overlay("20", 91.5)] if with_overlay else []}
    plan = _plan(SET, UNITS, YEARS, kw["overlays"], False, MEASURES)
    assert _block_layout(plan, values) is not None  # the fast path is taken
    _check(values, **kw)


def _check(values: pl.DataFrame, **kw: Any) -> None:
    """Counts, the explained evaluation and the reference agree on these values."""
    kw = KW | kw
    ev = evaluate(SET, UNITS, values, **kw)
    ref = evaluate_reference(SET, UNITS, _plain(values), **kw)
    for name in ("indicators", "criteria", "communes"):
        assert_frame_equal(_plain(getattr(ev, name)), getattr(ref, name))
    assert_frame_equal(evaluate_counts(SET, UNITS, values, **kw), ev.communes)


def _blocks(**replace: Any) -> list[dict[str, Any]]:
    good = {
        "plan_ok": (1.0, None, None),
        "water": (None, 95.0, 100.0),
        "road_hard": (None, 10.0, 10.0),
        "road_paved": (None, 8.0, 10.0),
        "income": (50.0, None, None),
        "poverty": (None, 2.0, 100.0),
        "temp_houses": (0.0, None, None),
        "sport_grounds": (2.0, None, None),
    }
    return [
        _row(u, y, k, replace.get(k, triple))
        for u in UNIT_CODES
        for y in YEARS
        for k, triple in good.items()
    ]


def _general_equals_block(rows: list[dict[str, Any]]) -> bool:
    """Whether the block path takes these rows; the counts must be right either way."""
    values = values_frame(rows)
    plan = _plan(SET, UNITS, YEARS, (), False, MEASURES)
    _check(values)
    return _block_layout(plan, values) is not None


def test_nan_and_zero_denominators_in_blocks_are_missing_data() -> None:
    rows = _blocks(income=(float("nan"), None, None), water=(None, 5.0, 0.0))
    assert _general_equals_block(rows)
    counts = evaluate_counts(SET, UNITS, values_frame(rows), **KW)
    assert counts.get_column("missing").to_list() == [3] * len(UNIT_CODES) * len(YEARS)


def test_block_parts_are_shown_as_the_general_path_shows_them() -> None:
    # A share's own `value` is not read; NaN parts are shown as null; verified is reported.
    rows = _blocks(
        water=(42.0, 95.0, 100.0),
        road_hard=(None, float("nan"), 10.0),
        road_paved=(None, 8.0, float("nan")),
    )
    rows = [{**r, "stage": "verified"} if r["measure"] == "income" else r for r in rows]
    assert _general_equals_block(rows)
    ev = evaluate(SET, UNITS, values_frame(rows), **KW)
    water = _plain(ev.indicators).filter(pl.col("measure") == "water").row(0, named=True)
    assert (water["value"], water["numerator"], water["stage"]) == (95.0, 95.0, "claimed")
    income = _plain(ev.indicators).filter(pl.col("measure") == "income").row(0, named=True)
    assert income["stage"] == "verified"
    paved = _plain(ev.indicators).filter(pl.col("measure") == "road_paved").row(0, named=True)
    assert (paved["value"], paved["denominator"], paved["status"]) == (None, None, "missing_data")


def test_layouts_that_are_not_blocks_take_the_general_path() -> None:
    rows = _blocks()
    assert _general_equals_block(rows)
    # One value missing.
    assert not _general_equals_block(rows[1:])
    # A verified value beside the claimed one (the block is one row longer).
    assert not _general_equals_block([*rows, {**rows[3], "stage": "verified"}])
    # The same number of rows, but one key twice and another absent.
    assert not _general_equals_block([*rows[:-1], {**rows[-2], "stage": "verified"}])
    # Another measure order in one block.
    swapped = [*rows]
    swapped[0], swapped[1] = swapped[1], swapped[0]
    assert not _general_equals_block(swapped)
    # A measure the set does not read in place of one it does.
    assert not _general_equals_block([{**rows[0], "measure": "unrelated"}, *rows[1:]])
    # Another year in place of one assessed.
    assert not _general_equals_block([{**rows[0], "period": 2019}, *rows[1:]])
    # A unit and a year mixed within a block.
    assert not _general_equals_block([{**rows[0], "unit": "B", "stage": "verified"}, *rows[1:]])


@pytest.mark.parametrize("enum", [False, True])
@pytest.mark.parametrize("at", ["first block, last row", "middle block, first row", "last row"])
def test_the_block_check_sees_an_odd_row_wherever_it_is(at: str, enum: bool) -> None:
    # The check compares each row with its neighbour or with the row a block before it, so
    # an odd row at a block's edge, or in the last block, must be seen as well.
    rows = _blocks()
    width = len(MEASURES)
    i = {"first block, last row": width - 1, "middle block, first row": 2 * width}.get(
        at, len(rows) - 1
    )
    j = i - 1 if i % width else i + 1  # a neighbour in the same block
    swapped = [*rows]
    swapped[i], swapped[j] = swapped[j], swapped[i]
    other_unit = "B" if rows[i]["unit"] == "A" else "A"
    for odd in (
        [*rows[:i], {**rows[i], "unit": other_unit, "stage": "verified"}, *rows[i + 1 :]],
        [*rows[:i], {**rows[i], "period": 2019}, *rows[i + 1 :]],
        swapped,
    ):
        values = values_frame(odd)
        if enum:
            values = values.with_columns(
                pl.col("unit").cast(pl.Enum(UNIT_CODES)),
                pl.col("measure").cast(pl.Enum(list(MEASURES))),
            )
        plan = _plan(SET, UNITS, YEARS, (), False, MEASURES)
        assert _block_layout(plan, values) is None
        _check(values)


def test_blocks_in_several_chunks_take_the_block_path() -> None:
    values = values_frame(_blocks())
    half = values.height // 2
    chunked = pl.concat([values.head(half), values.tail(values.height - half)], rechunk=False)
    assert chunked.n_chunks() == 2
    plan = _plan(SET, UNITS, YEARS, (), False, MEASURES)
    assert _block_layout(plan, chunked) is not None
    _check(chunked)


def test_errors_in_a_block_layout_are_reported() -> None:
    rows = _blocks()
    with pytest.raises(ValueError, match="units not in units"):
        evaluate_counts(
            SET,
            UNITS,
            values_frame([{**r, "unit": "Q"} if r["unit"] == "A" else r for r in rows]),
            **KW,
        )
    with pytest.raises(ValueError, match="stage must be claimed/verified"):
        evaluate_counts(SET, UNITS, values_frame([{**rows[0], "stage": "draft"}, *rows[1:]]), **KW)


def test_blocks_without_the_optional_columns() -> None:
    full = values_frame(_blocks())
    plan = _plan(SET, UNITS, YEARS, (), False, MEASURES)
    for drop in (["numerator", "denominator"], ["value"], ["not_applicable", "stage"]):
        values = full.drop(drop)
        assert _block_layout(plan, values) is not None
        _check(values)
    # Without `value`: the four criteria of plain values lack data, 7 lacks thresholds.
    missing = evaluate_counts(SET, UNITS, full.drop("value"), **KW).get_column("missing")
    assert missing.unique().to_list() == [5]
