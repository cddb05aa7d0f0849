"""On which date's units a year's results sit.

Results of year Y are normally on the units in force on 31/12/Y. They are not when the units
changed during Y and the evaluation used the earlier ones (2025 results on the pre-reform
communes that ended on 30/06/2025): then the latest day of Y on which every unit code of the
results was in force is the date to use.

`validity` maps a unit code to the spans (valid_from, valid_to) of its versions; both ends are
inclusive and None means open (as in `ntm.units`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

Span = tuple[dt.date | None, dt.date | None]


def _covers(span: Span, day: dt.date) -> bool:
    start, end = span
    return (start is None or start <= day) and (end is None or day <= end)


def missing_on(
    validity: Mapping[str, Sequence[Span]], codes: Iterable[str], day: dt.date
) -> list[str]:
    """The codes with no version in force on `day`, sorted."""
    return sorted(
        {code for code in codes if not any(_covers(s, day) for s in validity.get(code, ()))}
    )


def latest_common_day(
    validity: Mapping[str, Sequence[Span]], codes: Iterable[str], first: dt.date, last: dt.date
) -> dt.date | None:
    """The latest day in [first, last] on which every code has a version in force; None when
    there is none."""
    wanted = set(codes)
    # The last day of an intersection of unions of closed spans is `last` or a span's end.
    candidates = {last} | {
        end
        for code in wanted
        for _, end in validity.get(code, ())
        if end is not None and first <= end <= last
    }
    for day in sorted(candidates, reverse=True):
        if not missing_on(validity, wanted, day):
            return day
    return None
