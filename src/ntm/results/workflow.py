"""The approval workflow as the offices read it: a period's completeness and the review
queue of a province.

Read live (a queue is the office's work list: it must show the submission made a second ago);
the queue is one query over the submissions of the province's communes on the period's
reference day, the completeness comes from the cached results of the commune.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from ntm.criteria.schema import CriteriaSet
from ntm.evaluation.completeness import Completeness
from ntm.evaluation.completeness import completeness as completeness_of
from ntm.results.commune import unit_results
from ntm.results.province import set_for_year
from ntm.results.query import ChoiceError
from ntm.results.record import periods_with_data
from ntm.results.scope import UnitRef, all_communes, communes_on, period_day
from ntm.results.sets import province_sets, sets_for, years_with_sets
from ntm.units.models import Unit, UnitKind
from ntm.values.models import State, Submission
from ntm.values.services.describe import display_name

# The order of the queue's groups: what waits for the offices first, what is done last.
STATES: tuple[str, ...] = (State.SUBMITTED, State.RETURNED, State.DRAFT, State.APPROVED)
# Years a queue may be asked for, around today: the programme's periods that have a set.
_YEARS_BACK = 10


def completeness(unit: Unit, period: int, cset: CriteriaSet) -> Completeness:
    """The commune's period under the set: criteria computed, declared, missing data or a
    threshold (what submit and approve show before they act)."""
    ev = unit_results(unit, period, cset)
    rows = ev.criteria.filter(pl.col("unit") == str(unit.pk))
    return completeness_of(rows, len(cset.criteria))


@dataclass(frozen=True)
class QueueRow:
    unit: UnitRef
    district: UnitRef | None
    state: str
    changed_at: dt.datetime | None
    changed_by: str
    reason: str  # of the last return or reopening


@dataclass(frozen=True)
class Queue:
    province: Unit
    period: int
    cset: CriteriaSet
    sets: tuple[CriteriaSet, ...]
    periods: tuple[int, ...]
    districts: tuple[UnitRef, ...]
    district: int | None  # the district filter, if any
    state: str | None  # the state filter, if any
    counts: dict[str, int]  # per state, over the district filter
    rows: tuple[QueueRow, ...]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _district(unit: Unit) -> Unit | None:
    parent = unit.parent
    return parent if parent is not None and parent.kind == UnitKind.DISTRICT else None


def queue_periods(province: Unit, commune_ids: list[int]) -> list[int]:
    """The years a queue may be shown for, latest first: this year and the recent ones that
    have a set, and every year with data in the province."""
    extra = province_sets(province)
    this_year = timezone.localdate().year
    recent = range(this_year, this_year - _YEARS_BACK, -1)
    recorded = periods_with_data(commune_ids)
    return sorted(years_with_sets({*recent, *recorded}, extra), reverse=True)


def queue(
    province: Unit,
    *,
    period: int | None = None,
    set_id: str | None = None,
    district: int | None = None,
    state: str | None = None,
) -> Queue:
    """The communes of a province for a period under a set, by approval state: submitted
    (waiting for the appraiser and the office), returned, not sent, approved; with counts
    per state, filtered by district and state. Raises `ChoiceError` for a year without a set,
    an unknown state or a district not of the province."""
    extra = province_sets(province)
    ids = [u.pk for u in all_communes(province)]
    periods = queue_periods(province, ids)
    if period is None:
        # The latest year with a submission waiting, else the latest year shown.
        waiting = Submission.objects.filter(unit_id__in=ids, state=State.SUBMITTED).aggregate(
            latest=Max("period")
        )["latest"]
        period = waiting or (periods[0] if periods else timezone.localdate().year)
    cset = set_for_year(period, set_id, extra)
    if state is not None and state not in STATES:
        raise ChoiceError(_("Unknown state “%(state)s”.") % {"state": state})
    communes = communes_on(province, period_day(period))
    districts = {d.pk: d for d in (_district(u) for u in communes) if d is not None}
    if district is not None and district not in districts:
        raise ChoiceError(
            _("That district is not one of the province's in %(year)s.") % {"year": period}
        )
    if district is not None:
        communes = [u for u in communes if (_district(u) or u).pk == district]
    found = {
        s.unit_id: s
        for s in Submission.objects.filter(
            unit_id__in=[u.pk for u in communes], period=period, set_id=cset.id
        ).select_related("changed_by")
    }
    rows = []
    for u in communes:
        s = found.get(u.pk)
        d = _district(u)
        rows.append(
            QueueRow(
                unit=UnitRef.of(u),
                district=UnitRef.of(d) if d is not None else None,
                state=s.state if s is not None else State.DRAFT,
                changed_at=s.changed_at if s is not None else None,
                changed_by=display_name(s.changed_by) if s and s.changed_by else "",
                reason=s.reason if s is not None else "",
            )
        )
    counts = {st: sum(r.state == st for r in rows) for st in STATES}
    shown = [r for r in rows if state is None or r.state == state]
    shown.sort(
        key=lambda r: (
            STATES.index(r.state),
            r.district.name_key if r.district else "",
            r.unit.name_key,
            r.unit.id,
        )
    )
    return Queue(
        province=province,
        period=period,
        cset=cset,
        sets=tuple(sets_for(period, extra)),
        periods=tuple(periods),
        districts=tuple(
            sorted((UnitRef.of(d) for d in districts.values()), key=lambda d: d.name_key)
        ),
        district=district,
        state=state,
        counts=counts,
        rows=tuple(shown),
    )
