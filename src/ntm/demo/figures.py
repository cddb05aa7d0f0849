"""The demo province's published figures, through the province dashboard's own code.

Mid-2020 (30/06/2020) is the province overview read as of that day
(`ntm.results.province.province_overview(as_of=...)`), against 2011 under the demo's
2010–2015 set (not bundled: the provenance row gives it, as for the page); the
previous year and the baseline are then read as they stood at their end. "61 of 207 on the
units before the mergers" is the 2019 record on the 207 communes of 31/12/2019, read as of
30/06/2020 (the previous year of the mid-2020 view).
"""

from __future__ import annotations

import datetime as dt

from ntm.criteria.schema import CriteriaSet
from ntm.demo.loader import DAY_MID_2020
from ntm.results.periods import recorded_results
from ntm.results.province import ProvinceOverview, period_roll_up, province_overview
from ntm.results.record import moment
from ntm.stats.rollup import AS_RECORDED, Statistics
from ntm.units.models import Unit

MID_2020_BASELINE = 2011


def mid_2020_overview(province: Unit, *, approved_only: bool = False) -> ProvinceOverview:
    """The province overview of 2020 as of 30/06/2020, against 2011: what the page shows
    for `?period=2020&baseline=2011&as_of=30/06/2020`."""
    return province_overview(
        province,
        period=2020,
        baseline=MID_2020_BASELINE,
        as_of=DAY_MID_2020,
        approved_only=approved_only,
    )


def province_statistics(
    province: Unit, period: int, cset: CriteriaSet, *, as_of: dt.date | None = None
) -> Statistics:
    """The dashboard's statistics of one period on its own communes, as the record stood at
    `as_of`."""
    res = recorded_results(province, period, cset, at=None if as_of is None else moment(as_of))
    table = period_roll_up({period: res}, [period], None, province, cset.tier, AS_RECORDED)
    return table.statistics(period)
