"""The country's figures for a year: the central view's provinces added up. Only the
provinces holding a result for the year (*reporting*) are counted, so that a national
figure never reads a province without data as a province of communes below the standard."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction

from ntm.results.central import CentralView, ProvinceRow, central_view


@dataclass(frozen=True)
class CountryFigures:
    view: CentralView
    reporting: tuple[ProvinceRow, ...]  # provinces with a result, highest share first

    @property
    def period(self) -> int:
        return self.view.period

    @property
    def provinces(self) -> int:
        """The provinces in force in the period."""
        return len(self.view.rows)

    @property
    def communes(self) -> int:
        return sum(r.communes for r in self.reporting)

    @property
    def evaluated(self) -> int:
        return sum(r.evaluated for r in self.reporting)

    @property
    def meeting(self) -> int:
        return sum(r.meeting for r in self.reporting)

    @property
    def recognised(self) -> int:
        return sum(r.recognised for r in self.reporting)

    @property
    def average(self) -> Fraction | None:
        evaluated = self.evaluated
        return (
            None
            if evaluated == 0
            else Fraction(sum(r.total_met for r in self.reporting), evaluated)
        )

    @property
    def simulated(self) -> bool:
        return any(r.simulated for r in self.reporting)


@dataclass(frozen=True)
class CountryChange:
    """The country's figures of one year minus those of an earlier one (each on its own
    reporting provinces)."""

    period: int
    against: int
    meeting: int
    average_met: Fraction | None


def country_figures(
    period: int, *, as_of: dt.date | None = None, approved_only: bool = False
) -> CountryFigures:
    """The provinces' figures for `period` as recorded (`central_view`), as of `as_of`."""
    view = central_view(period=period, as_of=as_of, approved_only=approved_only)
    rows = [r for r in view.rows if r.evaluated > 0]
    rows.sort(key=lambda r: (-(r.percent or 0), r.province.name_key, r.province.id))
    return CountryFigures(view, tuple(rows))


def change(now: CountryFigures, then: CountryFigures) -> CountryChange:
    average = None if now.average is None or then.average is None else now.average - then.average
    return CountryChange(now.period, then.period, now.meeting - then.meeting, average)
