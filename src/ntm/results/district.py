"""A district of the time (districts existed until 30/06/2025) as its province's overview
counts it: the district's row of the district table (figures, change since the previous year
and the baseline), its communes in the period's scope, those holding a recognition, and the
slipping ones. Read from the province overview, so a district's figures are the numbers of
its row on the province page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from ntm.recognition.models import Tier
from ntm.results import recognition
from ntm.results.province import ProvinceOverview, SlippingCommune, province_overview
from ntm.results.query import ChoiceError, Geography
from ntm.results.scope import UnitRef, communes_on, period_day
from ntm.stats.rollup import Figures
from ntm.stats.rollup import Geography as Row
from ntm.units.models import Unit, UnitKind
from ntm.vn.dates import format_date


@dataclass(frozen=True)
class DistrictOverview:
    district: Unit
    overview: ProvinceOverview  # its province's, whose district table holds `row`
    row: Row
    communes: tuple[UnitRef, ...]  # its communes in the period's scope
    recognised: int  # of them, holding a recognition at the set's tier for the period

    @property
    def figures(self) -> Figures:
        return self.row.figures

    @property
    def slipping(self) -> tuple[SlippingCommune, ...]:
        mine = {c.id for c in self.communes}
        return tuple(s for s in self.overview.slipping if s.unit.id in mine)


def province_of(district: Unit) -> Unit:
    """The province the district lay in; ChoiceError for a unit that is not a district."""
    parent = district.parent
    if district.kind != UnitKind.DISTRICT or parent is None or parent.kind != UnitKind.PROVINCE:
        raise ChoiceError(_("%(unit)s is not a district.") % {"unit": district.name})
    return parent


def district_overview(
    district: Unit,
    *,
    period: int,
    baseline: int | None = None,
    onto: dt.date | None = None,
    as_of: dt.date | None = None,
    approved_only: bool = False,
    language: str = "vi",
) -> DistrictOverview:
    """The district in its province's overview of `period` (as recorded, or re-based `onto`
    the units of a date); ChoiceError when the district is not among the units the period is
    counted on."""
    province = province_of(district)
    o = province_overview(
        province,
        period=period,
        baseline=baseline,
        geography=Geography.AS_RECORDED if onto is None else Geography.REBASED,
        onto=onto,
        as_of=as_of,
        approved_only=approved_only,
        language=language,
    )
    day = o.onto or period_day(period)
    row = next((g for g in o.statistics.children if g.unit == str(district.pk)), None)
    if row is None:
        raise ChoiceError(
            _("%(district)s is not among the units %(year)s is counted on (those of %(day)s).")
            % {"district": district.name, "year": period, "day": format_date(day)}
        )
    communes = tuple(
        UnitRef.of(u) for u in communes_on(province, day) if u.parent_id == district.pk
    )
    tier = recognition.TIER_OF_SET.get(o.cset.tier, Tier.NTM)
    held = recognition.held([c.id for c in communes], period, as_of=as_of)
    recognised = sum(1 for tiers in held.values() if tier in tiers)
    return DistrictOverview(district, o, row, communes, recognised)
