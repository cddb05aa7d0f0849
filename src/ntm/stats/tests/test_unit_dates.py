from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from ntm.stats.unit_dates import Span, latest_common_day, missing_on

JAN = dt.date(2025, 1, 1)
DEC = dt.date(2025, 12, 31)
REFORM_END = dt.date(2025, 6, 30)
# A pre-reform commune ending on 30/06/2025; a commune in force throughout; a code reused by a
# new commune from 01/07/2025 after an older unit of the same code ended on 30/06/2025.
VALIDITY: dict[str, list[Span]] = {
    "05998": [(None, REFORM_END)],
    "06001": [(None, None)],
    "06004": [(None, REFORM_END), (dt.date(2025, 7, 1), None)],
}


def test_end_of_year_when_every_code_is_in_force() -> None:
    assert latest_common_day(VALIDITY, ["06001", "06004"], JAN, DEC) == DEC
    assert missing_on(VALIDITY, ["06001", "06004"], DEC) == []


def test_falls_back_to_the_last_day_the_codes_were_in_force() -> None:
    codes = ["06001", "05998", "06004"]
    assert missing_on(VALIDITY, codes, DEC) == ["05998"]
    assert latest_common_day(VALIDITY, codes, JAN, DEC) == REFORM_END


def test_no_common_day() -> None:
    validity = VALIDITY | {"07000": [(dt.date(2025, 7, 1), None)]}
    assert latest_common_day(validity, ["05998", "07000"], JAN, DEC) is None
    # An unknown code is never in force.
    assert latest_common_day(VALIDITY, ["06001", "99999"], JAN, DEC) is None
    # Nothing before the year counts.
    next_year = (dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    assert latest_common_day(VALIDITY, ["05998"], *next_year) is None


DAYS = st.integers(0, 364).map(lambda n: JAN + dt.timedelta(days=n))


@st.composite
def spans(draw: st.DrawFn) -> list[Span]:
    out: list[Span] = []
    for _ in range(draw(st.integers(0, 3))):
        a, b = sorted((draw(DAYS), draw(DAYS)))
        out.append((draw(st.none() | st.just(a)), draw(st.none() | st.just(b))))
    return out


@settings(max_examples=60, deadline=None)
@given(validity=st.dictionaries(st.sampled_from("abcde"), spans(), min_size=1))
def test_latest_common_day_equals_a_day_by_day_search(validity: dict[str, list[Span]]) -> None:
    codes = list(validity)
    expected = next(
        (
            day
            for n in range(364, -1, -1)
            if not missing_on(validity, codes, day := JAN + dt.timedelta(days=n))
        ),
        None,
    )
    assert latest_common_day(validity, codes, JAN, DEC) == expected
