"""Reading the figures a published text states."""

from __future__ import annotations

import datetime as dt
from fractions import Fraction

import pytest

from ntm.reports.claims import Written, claims

pytestmark = pytest.mark.pure

TEXT = (
    "Tính đến 30/06/2020, toàn tỉnh có 49/181 xã đạt chuẩn nông thôn mới (27,1 %). "
    "Đến hết năm 2020, có 65/181 xã được công nhận đạt chuẩn (35,91 %), đạt 12,5 tiêu chí/xã, "
    "tăng 9,93 tiêu chí/xã so với năm 2011; 165/181 xã đạt tiêu chí số 19."
)


def test_the_claims_of_a_text_and_their_dates() -> None:
    found = claims(TEXT, dt.date(2021, 1, 1))
    assert [(c.kind, c.number.text, c.day) for c in found] == [
        ("meeting", "49", dt.date(2020, 6, 30)),
        ("share", "27,1", dt.date(2020, 6, 30)),
        ("recognised", "65", dt.date(2020, 12, 31)),
        ("share", "35,91", dt.date(2020, 12, 31)),
        ("average", "12,5", dt.date(2020, 12, 31)),
        ("change", "9,93", dt.date(2020, 12, 31)),
        ("criterion", "165", dt.date(2020, 12, 31)),
    ]
    assert found[-1].criterion == 19 and found[-1].of == 181
    assert found[5].since == 2011
    assert found[3].after == "recognised"


def test_numbers_as_written() -> None:
    assert Written("3.324").value == 3324
    assert (Written("27,1").value, Written("27,1").decimals) == (Fraction(271, 10), 1)


def test_a_text_without_a_date_speaks_of_the_day_given() -> None:
    (c,) = claims("có 3 xã được công nhận trên 10/20 xã", dt.date(2020, 12, 31))[:1]
    assert (c.kind, c.day) == ("meeting", dt.date(2020, 12, 31))
