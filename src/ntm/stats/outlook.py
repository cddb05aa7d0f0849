"""A commune's outlook: when it would reach the standard at its own recorded pace.

The pace is the criteria it gained a year between its first and its latest recorded year
under the same criteria set (criterion numbers mean other things in another set); the
projection assumes that pace goes on, and says nothing when the commune has fewer than two
years or has not gained at all.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction


@dataclass(frozen=True)
class Outlook:
    short: int  # criteria still to meet
    first_year: int | None  # the years the pace is measured between
    last_year: int | None
    pace: float | None  # criteria gained a year (None: fewer than two years recorded)
    year: int | None  # the year it would reach the standard at that pace (None: it would not)


def outlook(points: Sequence[tuple[int, int]], total: int) -> Outlook:
    """From (year, criteria met) points of one set with `total` criteria."""
    ordered = sorted(points)
    if not ordered:
        return Outlook(total, None, None, None, None)
    (first, met_first), (last, met_last) = ordered[0], ordered[-1]
    short = max(total - met_last, 0)
    if last == first:
        return Outlook(short, None, last, None, None)
    exact = Fraction(met_last - met_first, last - first)  # exact: no year lost to rounding
    pace = float(exact)
    if short == 0:
        return Outlook(0, first, last, pace, last)
    year = last + math.ceil(short / exact) if exact > 0 else None
    return Outlook(short, first, last, pace, year)
