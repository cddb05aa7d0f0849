"""Properties of crosswalk composition (pure Polars, no database)."""

from __future__ import annotations

import math

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from ntm.units.queries import CROSSWALK_SCHEMA, compose


@st.composite
def crosswalks(draw: st.DrawFn, n_old: int, n_new: int, prefix: str, target: str) -> pl.DataFrame:
    rows = []
    for i in range(n_old):
        targets = draw(
            st.lists(st.integers(0, n_new - 1), min_size=1, max_size=min(3, n_new), unique=True)
        )
        raw = [draw(st.integers(1, 100)) for _ in targets]
        rows += [
            (f"{prefix}{i}", f"{target}{j}", r / sum(raw))
            for j, r in zip(targets, raw, strict=True)
        ]
    return pl.DataFrame(rows, schema=CROSSWALK_SCHEMA, orient="row")


@st.composite
def chains(draw: st.DrawFn) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, int]]:
    n1, n2, n3 = (draw(st.integers(1, 12)) for _ in range(3))
    first = draw(crosswalks(n1, n2, "a", "b"))
    second = draw(crosswalks(n2, n3, "b", "c"))
    counts = {f"a{i}": draw(st.integers(0, 1000)) for i in range(n1)}
    return first, second, counts


def rebase(counts: dict[str, float], cw: pl.DataFrame) -> dict[str, float]:
    out: dict[str, float] = {}
    for old, new, weight in cw.iter_rows():
        out[new] = out.get(new, 0.0) + counts.get(old, 0.0) * weight
    return out


@settings(max_examples=60, deadline=None)
@given(chains())
def test_composition_keeps_weights_and_totals(
    chain: tuple[pl.DataFrame, pl.DataFrame, dict[str, int]],
) -> None:
    first, second, counts = chain
    both = compose(first, second)
    assert both.schema == pl.Schema(CROSSWALK_SCHEMA)
    for total in both.group_by("old_unit").agg(pl.col("weight").sum())["weight"]:
        assert math.isclose(total, 1.0, rel_tol=1e-9)
    once = rebase(dict(counts.items()), both)
    twice = rebase(rebase(dict(counts.items()), first), second)
    assert math.isclose(sum(once.values()), sum(counts.values()), abs_tol=1e-6)
    for key in once.keys() | twice.keys():
        assert math.isclose(once.get(key, 0.0), twice.get(key, 0.0), abs_tol=1e-6)


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_without_splits_composition_is_function_composition(data: st.DataObject) -> None:
    n1, n2, n3 = (data.draw(st.integers(1, 10)) for _ in range(3))
    f = {f"a{i}": f"b{data.draw(st.integers(0, n2 - 1))}" for i in range(n1)}
    g = {f"b{j}": f"c{data.draw(st.integers(0, n3 - 1))}" for j in range(n2)}

    def frame(mapping: dict[str, str]) -> pl.DataFrame:
        rows = [(k, v, 1.0) for k, v in mapping.items()]
        return pl.DataFrame(rows, schema=CROSSWALK_SCHEMA, orient="row")

    both = compose(frame(f), frame(g))
    assert {o: n for o, n, _ in both.iter_rows()} == {k: g[v] for k, v in f.items()}
    assert both["weight"].to_list() == [1.0] * n1
