"""The demo plan on made-up commune keys: the published figures, and the mergers' rule."""

from __future__ import annotations

import pytest

from ntm.demo import plan as p

OLD = [f"o{i:03}" for i in range(207)]
CONTINUING = OLD[:170]
NEW = [f"n{i:02}" for i in range(11)]
# The 37 communes that end with the mergers, shared out among the 11 new ones.
PREDECESSORS = {n: OLD[170 + 3 * i : 170 + 3 * i + 3] for i, n in enumerate(NEW)}


def full(plan: p.Plan, phase: str) -> set[str]:
    return {u for u, met in plan.met[phase].items() if len(met) == len(p.CRITERIA)}


def test_the_published_figures_and_the_mergers() -> None:
    # n00 was recognised in 2020 (at the standard by mid-2020): what it was made of must have
    # been at the standard at the end of 2019.
    plan = p.build_plan(OLD, OLD, CONTINUING + NEW, {"n00": 2020, "o005": 2015}, PREDECESSORS)
    assert (plan.meeting("2019"), plan.meeting(p.MID_2020), plan.meeting(p.END_2020)) == (
        61,
        49,
        65,
    )
    assert (plan.total(p.MID_2020), plan.total(p.END_2020), plan.total("2011")) == (
        2089,
        2263,
        532,
    )
    assert plan.meeting("2015") == 8 and "o005" in full(plan, "2015")
    mid, end_2019 = full(plan, p.MID_2020), full(plan, "2019")
    assert "n00" in mid and set(PREDECESSORS["n00"]) <= end_2019
    for new in NEW:
        if new in mid:
            assert set(PREDECESSORS[new]) <= end_2019
    # A continuing commune keeps its end-2019 standing until mid-2020.
    assert {u for u in CONTINUING if u in mid} == {u for u in CONTINUING if u in end_2019}
    assert sum(len(plan.met[p.END_2020][u] & {19}) for u in CONTINUING + NEW) == 165


def test_too_many_recognised_communes_for_2019_are_refused() -> None:
    recognised = {u: 2019 for u in OLD[:62]}
    with pytest.raises(p.PlanError, match="cannot carry 61 communes at the standard"):
        p.build_plan(OLD, OLD, CONTINUING + NEW, recognised, PREDECESSORS)
