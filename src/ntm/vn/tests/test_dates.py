from __future__ import annotations

import datetime as dt

import pytest

from ntm.vn.dates import format_date, format_datetime, parse_date


def test_parse_date_reads_both_ways_of_writing() -> None:
    assert parse_date("30/06/2020") == parse_date(" 2020-06-30 ") == dt.date(2020, 6, 30)
    assert parse_date("1/7/2025") == dt.date(2025, 7, 1)


@pytest.mark.parametrize("text", ["31/02/2025", "2025-02-29", "30-06-2020", "06/30/2020", ""])
def test_parse_date_refuses_what_is_not_a_date(text: str) -> None:
    with pytest.raises(ValueError, match="Ngày không hợp lệ"):
        parse_date(text)


def test_dates_are_written_dd_mm_yyyy() -> None:
    assert format_date(dt.date(2020, 6, 30)) == "30/06/2020"
    assert format_date(None) == "—"
    moment = dt.datetime(2020, 6, 30, 17, 5)
    assert format_datetime(moment) == "30/06/2020 17:05"
    assert format_datetime(moment, time_first=True) == "17:05 30/06/2020"
