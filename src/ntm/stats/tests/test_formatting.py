from __future__ import annotations

from fractions import Fraction

from ntm.stats.formatting import (
    PercentStyle,
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
