from __future__ import annotations

from ntm.criteria import bounds


def test_a_refused_share_shows_its_parts_in_full() -> None:
    # Six significant digits wrote 1234567,5 as "1,23457e+06".
    problem = bounds.share_problem(1234567.5, 1_000_000.0)
    assert problem is not None and "(1.234.567,5 > 1.000.000)" in problem.vi
    problem = bounds.share_problem(0.0002, 0.0001)
    assert problem is not None and "(0,0002 > 0,0001)" in problem.vi
