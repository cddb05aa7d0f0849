from __future__ import annotations

import math
from decimal import ROUND_DOWN, ROUND_HALF_UP, Context, Decimal
from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from ntm.vn.numbers import (
    Mode,
    PercentStyle,
    format_measured,
    format_number,
    format_percent,
    format_signed,
    percent,
)


def test_langson_published_shares() -> None:
    # 49/181 communes on 30/06/2020 and 65/181 at the end of 2020 (langson_timeseries.csv).
    assert percent(49, 181) == Fraction(4900, 181)
    assert format_percent(49, 181) == "27,07 %"
    assert format_percent(49, 181, PercentStyle(decimals=2, mode="truncate")) == "27,07 %"
    assert format_percent(49, 181, PercentStyle(decimals=1, mode="truncate")) == "27,0 %"
    assert format_percent(49, 181, PercentStyle(decimals=1)) == "27,1 %"
    assert format_percent(65, 181) == "35,91 %"


def test_no_denominator() -> None:
    assert percent(3, 0) is None
    assert format_percent(3, 0) == "—"
    assert format_number(None) == "—"


def test_numbers() -> None:
    assert format_number(3324) == "3.324"
    assert format_number(10035) == "10.035"
    assert format_number(-1234567) == "-1.234.567"
    assert format_number(Fraction(25, 2), 1) == "12,5"
    assert format_number(Fraction(2, 3), 2) == "0,67"
    assert format_number(Fraction(2, 3), 2, "truncate") == "0,66"
    assert format_number(12.50, 2, strip_zeros=True) == "12,5"


def test_signed() -> None:
    assert format_signed(Fraction(993, 100)) == "+9,93"
    assert format_signed(-1.2) == "-1,2"
    assert format_signed(0) == "0"
    # 65/181 - 49/181 in percentage points.
    assert format_signed(percent(65, 181) - percent(49, 181)) == "+8,84"  # type: ignore[operator]


def test_numbers_beyond_decimal_precision() -> None:
    # 29 digits and more: Decimal's default context (28 digits) could not quantize them.
    assert format_number(1e28) == "10.000.000.000.000.000.000.000.000.000"
    assert format_number(-1e28, 2) == "-10.000.000.000.000.000.000.000.000.000,00"
    assert format_number(1e300) == "1" + ".000" * 100
    assert format_number(Fraction(10**40 + 1, 3), 1) == "3" + ".333" * 13 + ",7"
    assert format_number(Decimal("1E+30")) == "1" + ".000" * 10


def test_rounding_as_written() -> None:
    assert format_number(2.675, 2) == "2,68"  # the float as written, not 2,67499…
    assert format_number(2.675, 2, "truncate") == "2,67"
    assert format_number(-2.5) == "-3"  # half away from zero
    assert format_number(-0.4) == "0"
    assert format_number(0.001, 2) == "0,00"


def test_not_finite() -> None:
    assert format_number(math.inf) == "∞"
    assert format_number(-math.inf, 2) == "-∞"
    assert format_number(math.nan) == "NaN"
    assert format_number(Decimal("NaN")) == "NaN"
    assert format_number(Decimal("-Infinity")) == "-∞"
    assert format_signed(math.inf) == "+∞"
    assert format_signed(math.nan) == "NaN"


def _read_back(text: str) -> Decimal:
    return Decimal(text.replace(".", "").replace(",", "."))


@given(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=0, max_value=6),
    st.sampled_from(["round", "truncate"]),
)
def test_any_finite_float(x: float, decimals: int, mode: Mode) -> None:
    text = format_number(x, decimals, mode)
    whole, _, frac = text.lstrip("-").partition(",")
    assert len(frac) == decimals
    assert all(len(g) == 3 for g in whole.split(".")[1:]) and 1 <= len(whole.split(".")[0]) <= 3
    # The same figure as Decimal arithmetic given all the precision it needs.
    wide = Context(prec=400)
    expected = Decimal(repr(x)).quantize(
        Decimal(1).scaleb(-decimals),
        rounding=ROUND_DOWN if mode == "truncate" else ROUND_HALF_UP,
        context=wide,
    )
    assert _read_back(text) == expected
    assert text.startswith("-") == (expected < 0)


def test_a_measured_value_has_at_most_two_decimals_and_no_trailing_zeros() -> None:
    assert format_measured(45.5) == "45,5"
    assert format_measured(12.0) == "12"
    assert format_measured(1234.5678) == "1.234,57"
    assert format_measured(12.999) == "13"
    assert format_measured(None) == "—"
    assert format_measured(math.inf) == "∞"
