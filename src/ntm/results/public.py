"""What the public pages show: approved data only, each simulated province marked.

The public pages read the same figures as the signed-in pages, always with `approved_only`
(a commune whose year is not approved has no result: a draft, however better, never shows).
Simulated provinces are shown, labelled from their provenance row (`ProvinceRow.simulated`,
`ProvinceOverview.simulated`), never as if official.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from ntm.results.central import CentralView, central_view
from ntm.results.province import ProvinceOverview, criterion_name, province_overview
from ntm.results.query import ChoiceError
from ntm.results.scope import UnitRef
from ntm.units.models import Unit


def national(*, period: int | None = None, set_id: str | None = None) -> CentralView:
    """Every province for the year, approved communes only."""
    return central_view(period=period, set_id=set_id, approved_only=True)


def province(
    unit: Unit, *, period: int | None = None, set_id: str | None = None, language: str = "vi"
) -> ProvinceOverview:
    """A province's figures, approved communes only."""
    return province_overview(
        unit, period=period, set_id=set_id, language=language, approved_only=True
    )


@dataclass(frozen=True)
class CriterionRow:
    """One province's communes meeting a criterion (approved communes only)."""

    province: UnitRef
    communes: int  # communes in scope
    evaluated: int  # communes with an approved result
    met: int
    simulated: bool


@dataclass(frozen=True)
class CriterionView:
    national: CentralView
    number: int
    name: str
    rows: tuple[CriterionRow, ...]


def criterion(
    number: int, *, period: int | None = None, set_id: str | None = None, language: str = "vi"
) -> CriterionView:
    """The communes meeting criterion `number` in each province for the year, as each
    province's own overview (approved only) counts them. Raises `ChoiceError` for a criterion
    the year's set does not have."""
    nat = national(period=period, set_id=set_id)
    names = {c.number: criterion_name(c, language) for c in nat.cset.criteria}
    if number not in names:
        raise ChoiceError(
            _("The criteria set %(set)s has no criterion %(n)s.")
            % {"set": nat.cset.id, "n": number}
        )
    units = {u.pk: u for u in Unit.objects.filter(pk__in=[r.province.id for r in nat.rows])}
    rows = []
    for r in nat.rows:
        o = province(units[r.province.id], period=nat.period, set_id=nat.cset.id, language=language)
        f = o.figures
        met = next((c.met for c in f.criteria if c.criterion == number), 0)
        rows.append(CriterionRow(r.province, r.communes, f.evaluated, met, r.simulated))
    return CriterionView(nat, number, names[number], tuple(rows))
