"""A commune's projected year at the standard at its own recorded pace."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from ntm.stats.outlook import outlook


def test_at_its_pace_a_commune_reaches_the_standard_in_a_year() -> None:
    # 9 criteria in 2016, 15 in 2020: 1,5 a year; 4 short, so 3 more years: 2023.
    o = outlook([(2016, 9), (2018, 12), (2020, 15)], 19)
    assert (o.short, o.pace, o.first_year, o.last_year, o.year) == (4, 1.5, 2016, 2020, 2023)


def test_no_projection_without_a_pace() -> None:
    assert outlook([(2020, 15)], 19).year is None  # one year: no pace
    assert outlook([(2018, 15), (2020, 14)], 19).year is None  # losing ground
    assert outlook([], 19).short == 19
    done = outlook([(2019, 17), (2020, 19)], 19)
    assert (done.short, done.year) == (0, 2020)


@given(
    st.lists(
        st.tuples(st.integers(2011, 2030), st.integers(0, 19)),
        min_size=2,
        unique_by=lambda p: p[0],
    )
)
def test_the_projection_is_never_before_the_latest_year(points: list[tuple[int, int]]) -> None:
    o = outlook(points, 19)
    last = max(y for y, _ in points)
    assert o.year is None or o.year >= last
    if o.year is not None and o.short and o.pace:
        # At that pace, the commune has the criteria it lacks by then.
        assert o.pace * (o.year - last) >= o.short - 1e-9
