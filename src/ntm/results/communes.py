"""The commune table of a province (or of one of its districts of the time) for a year: each
commune with its district, the criteria it meets, its status and whether it holds the set's
recognition, filtered and sorted in Vietnamese order (`ntm.vn.collation`).

Its figures are the province overview's (`ntm.results.province`): the same year, set, moment
and approval; the criteria statuses behind the "criterion not met" filter are read from the
same cached year results as the overview. Counted as recorded: each year on its own communes,
each under the district it lay in that year.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

import polars as pl
from django.utils.translation import gettext as _
from pydantic.dataclasses import dataclass as read_model

from ntm.evaluation.semantics import Status
from ntm.results import cache as rcache
from ntm.results import recognition
from ntm.results.periods import PeriodResults, recorded_results
from ntm.results.province import (
    NamedCriterion,
    ProvinceOverview,
    moment_of,
    period_key,
    province_overview,
)
from ntm.results.query import ChoiceError
from ntm.results.record import STORED
from ntm.results.scope import UnitRef, all_communes
from ntm.units.models import Unit, UnitKind
from ntm.vn.collation import sort_key


class RowStatus(StrEnum):
    """Where a commune stands against the whole set (in this order)."""

    MEETS = "meets"  # đạt chuẩn: meets every criterion
    CLOSE = "close"  # gần đạt: short of the standard by at most 2 criteria
    BELOW = "below"  # chưa đạt
    NO_RESULT = "no_result"  # no data, or held back as not approved


# The status filter also asks for the communes holding the set's recognition (or not).
RECOGNISED = "recognised"
NOT_RECOGNISED = "not_recognised"
STATUS_FILTERS = (*RowStatus, RECOGNISED, NOT_RECOGNISED)
SORTS = ("name", "district", "met", "status")
_STATUS_ORDER = {s: i for i, s in enumerate(RowStatus)}


@read_model(frozen=True)
class CommuneRow:
    unit: UnitRef
    district: UnitRef | None  # the district it lay in that year (None from 01/07/2025)
    met: int | None  # None: no result
    total: int
    status: RowStatus
    recognised: bool  # holds a recognition of the set's tier for the year
    count_only: bool  # only the number of criteria met is known
    not_met: tuple[int, ...]  # the criteria whose status is "not met"


@dataclass(frozen=True)
class TableFilters:
    district: int | None = None
    status: str | None = None  # a RowStatus, RECOGNISED or NOT_RECOGNISED
    met_min: int | None = None
    met_max: int | None = None
    not_met: int | None = None  # a criterion number
    sort: str = "name"
    descending: bool = False


@dataclass(frozen=True)
class CommuneTable:
    overview: ProvinceOverview  # the year, set and moment, as the province page reads them
    filters: TableFilters
    districts: tuple[UnitRef, ...]  # the districts of the year's communes, in Vietnamese order
    criteria: tuple[NamedCriterion, ...]
    rows: tuple[CommuneRow, ...]  # filtered and sorted
    in_scope: int  # communes of the province (or district) before the filters

    @property
    def district(self) -> UnitRef | None:
        return next((d for d in self.districts if d.id == self.filters.district), None)


def _number(text: str | None, name: str) -> int | None:
    if text is None or text.strip() == "":
        return None
    if not text.strip().isdigit():
        raise ChoiceError(
            _("%(name)s must be a whole number, not “%(text)s”.")
            % {"name": name, "text": text.strip()[:20]}
        )
    return int(text)


def parse_filters(query: Mapping[str, str], *, district: int | None = None) -> TableFilters:
    """The table's filters and sort from a query string (`ChoiceError` when malformed); a
    district page fixes `district`."""
    status = query.get("status") or None
    if status is not None and status not in STATUS_FILTERS:
        raise ChoiceError(_("Unknown commune status: “%(text)s”.") % {"text": status[:30]})
    sort = (query.get("sort") or "name").strip()
    key = sort.removeprefix("-")
    if key not in SORTS:
        raise ChoiceError(
            _("Cannot sort by “%(key)s”; use one of %(keys)s.")
            % {"key": key[:30], "keys": ", ".join(SORTS)}
        )
    met_min = _number(query.get("met_min"), _("The fewest criteria met"))
    met_max = _number(query.get("met_max"), _("The most criteria met"))
    if met_min is not None and met_max is not None and met_min > met_max:
        raise ChoiceError(
            _("The fewest criteria met (%(low)s) cannot be more than the most (%(high)s).")
            % {"low": met_min, "high": met_max}
        )
    return TableFilters(
        district=district
        if district is not None
        else _number(query.get("district"), _("The district")),
        status=status,
        met_min=met_min,
        met_max=met_max,
        not_met=_number(query.get("not_met"), _("The criterion")),
        sort=key,
        descending=sort.startswith("-"),
    )


def _current(province: Unit, o: ProvinceOverview) -> PeriodResults:
    """The year's results the overview read (the same cache entry)."""
    at = moment_of(o.period, o.as_of, o.period)

    def compute() -> PeriodResults:
        return recorded_results(province, o.period, o.cset, at=at, approved_only=o.approved_only)

    ids = [u.pk for u in all_communes(province)]
    stamp = (STORED.stamp_summaries(ids, [o.period]).get(o.period), rcache.units_stamp())
    name = period_key(province, o.period, o.cset, None, at, o.approved_only, stamp)
    return rcache.remember(name, compute)


def _not_met(res: PeriodResults) -> dict[str, tuple[int, ...]]:
    if res.evaluation is None:
        return {}
    frame = (
        res.evaluation.criteria.filter(pl.col("status") == Status.NOT_MET)
        .group_by("unit")
        .agg(pl.col("criterion").sort())
    )
    return {str(u): tuple(int(c) for c in cs) for u, cs in frame.iter_rows()}


def _district_of(unit: Unit) -> UnitRef | None:
    parent = unit.parent
    if parent is not None and parent.kind == UnitKind.DISTRICT:
        return UnitRef.of(parent)
    return None


def _rows(province: Unit, o: ProvinceOverview) -> list[CommuneRow]:
    res = _current(province, o)
    close = {c.unit.id for c in o.close}
    held = recognition.held([u.pk for u in res.units.values()], o.period, as_of=o.as_of)
    failing = _not_met(res)
    rows = []
    for p in o.points:
        unit = res.units[str(p.unit.id)]
        if p.met is None:
            status = RowStatus.NO_RESULT
        elif p.meets_set:
            status = RowStatus.MEETS
        else:
            status = RowStatus.CLOSE if p.unit.id in close else RowStatus.BELOW
        rows.append(
            CommuneRow(
                unit=p.unit,
                district=_district_of(unit),
                met=p.met,
                total=p.total,
                status=status,
                recognised=o.cset.tier in held.get(p.unit.id, frozenset()),
                count_only=p.count_only,
                not_met=failing.get(str(p.unit.id), ()),
            )
        )
    return rows


def _keep(row: CommuneRow, f: TableFilters) -> bool:
    """Whether a row of the district's (or province's) communes passes the other filters."""
    if f.status == RECOGNISED:
        if not row.recognised:
            return False
    elif f.status == NOT_RECOGNISED:
        if row.recognised:
            return False
    elif f.status is not None and row.status != f.status:
        return False
    if (f.met_min is not None or f.met_max is not None) and row.met is None:
        return False
    if f.met_min is not None and row.met is not None and row.met < f.met_min:
        return False
    if f.met_max is not None and row.met is not None and row.met > f.met_max:
        return False
    return f.not_met is None or f.not_met in row.not_met


def _sorted(rows: list[CommuneRow], f: TableFilters) -> list[CommuneRow]:
    def name(r: CommuneRow) -> tuple[tuple[tuple[int, ...], str], int]:
        return sort_key(r.unit.name), r.unit.id

    # Stable sorts: the name first, then the asked key over it (a row without a result
    # goes last whichever way the figures are sorted).
    out = sorted(rows, key=name, reverse=f.descending and f.sort == "name")
    if f.sort == "district":
        out.sort(
            key=lambda r: sort_key(r.district.name if r.district else ""), reverse=f.descending
        )
    elif f.sort == "met":
        out.sort(key=lambda r: -1 if r.met is None else r.met, reverse=f.descending)
        out.sort(key=lambda r: r.met is None)
    elif f.sort == "status":
        out.sort(key=lambda r: _STATUS_ORDER[r.status], reverse=f.descending)
    return out


def commune_table(
    province: Unit,
    filters: TableFilters,
    *,
    period: int | None = None,
    set_id: str | None = None,
    language: str = "vi",
    as_of: dt.date | None = None,
    approved_only: bool = False,
) -> CommuneTable:
    """The province's communes for a year (`ChoiceError` for an impossible choice, or for a
    district or criterion that the year does not have)."""
    o = province_overview(
        province,
        period=period,
        set_id=set_id,
        language=language,
        as_of=as_of,
        approved_only=approved_only,
    )
    rows = _rows(province, o)
    districts = {r.district.id: r.district for r in rows if r.district is not None}
    if filters.district is not None and filters.district not in districts:
        raise ChoiceError(
            _("That district had no commune in %(year)s; choose another year.") % {"year": o.period}
        )
    numbers = {c.number for c in o.cset.criteria}
    if filters.not_met is not None and filters.not_met not in numbers:
        raise ChoiceError(_("The criteria set has no criterion %(n)s.") % {"n": filters.not_met})
    if filters.district is not None:
        rows = [r for r in rows if r.district is not None and r.district.id == filters.district]
    return CommuneTable(
        overview=o,
        filters=filters,
        districts=tuple(sorted(districts.values(), key=lambda d: sort_key(d.name))),
        criteria=tuple(
            NamedCriterion(c.number, o.criterion_names[c.number]) for c in o.cset.criteria
        ),
        rows=tuple(_sorted([r for r in rows if _keep(r, filters)], filters)),
        in_scope=len(rows),
    )
