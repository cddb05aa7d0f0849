"""Dates as Vietnamese write them: 30/06/2020 (read also as 2020-06-30)."""

from __future__ import annotations

import datetime as dt

_READ = ("%d/%m/%Y", "%Y-%m-%d")


def parse_date(text: str) -> dt.date:
    """dd/mm/yyyy or yyyy-mm-dd; anything else, an impossible date (31/02/2025) included, is
    refused with a Vietnamese message (`ValueError`)."""
    text = text.strip()
    for fmt in _READ:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd)")


def format_date(day: dt.date | None) -> str:
    """30/06/2020; None is "—"."""
    return day.strftime("%d/%m/%Y") if day else "—"


def format_datetime(moment: dt.datetime, *, time_first: bool = False) -> str:
    """30/06/2020 17:05 in a table; "17:05 30/06/2020" (`time_first`) in a sentence saying
    when something happened. The caller gives the moment in the time zone to show it in."""
    return moment.strftime("%H:%M %d/%m/%Y" if time_first else "%d/%m/%Y %H:%M")
