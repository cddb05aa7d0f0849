"""The central view: every province side by side for one period, as recorded."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl
from django.db.models import Q
from django.utils import timezone

from ntm.criteria.schema import CriteriaSet
from ntm.decisions.queries import with_decisions_by_province
from ntm.recognition.models import Tier
from ntm.results import cache as rcache
from ntm.results import recognition, record
from ntm.results.counts import with_counts
from ntm.results.evaluation import Evaluated, evaluated, set_fingerprint
from ntm.results.provenance import simulated_codes
from ntm.results.province import DefaultPeriod, set_for_year
from ntm.results.query import check_as_of, parse_sort
from ntm.results.scope import UnitRef, period_day
from ntm.results.sets import sets_for, years_with_sets
from ntm.units.models import Unit, UnitKind
from ntm.values.models import PeriodStamp


@dataclass(frozen=True)
class ProvinceRow:
    province: UnitRef
    communes: int
    evaluated: int
    meeting: int
    total_met: int
    simulated: bool
    approved: int = 0  # communes whose period is approved under the set (as of `as_of`)
    held_back: int = 0  # communes with data left out as not approved (`approved_only`)
    recognised: int = 0  # communes holding a recognition at the set's tier for the year

    @property
    def percent(self) -> Fraction | None:
        """Share at the standard; None without any result (no data is never 0 %)."""
        return None if self.evaluated == 0 else Fraction(100 * self.meeting, self.communes)

    @property
    def average(self) -> Fraction | None:
        return None if self.evaluated == 0 else Fraction(self.total_met, self.evaluated)


@dataclass(frozen=True)
class CentralView:
    period: int
    cset: CriteriaSet
    sets: tuple[CriteriaSet, ...]
    periods: tuple[int, ...]
    rows: tuple[ProvinceRow, ...]
    sort: str
    descending: bool
    as_of: dt.date | None = None
    approved_only: bool = False
    defaulted: DefaultPeriod = DefaultPeriod.ASKED

    @property
    def in_scope(self) -> int:
        return sum(r.communes for r in self.rows)

    @property
    def approved(self) -> int:
        return sum(r.approved for r in self.rows)

    @property
    def held_back(self) -> int:
        return sum(r.held_back for r in self.rows)


def _sort_key(key: str) -> Any:
    def by(row: ProvinceRow) -> Any:
        name = (row.province.name_key, row.province.id)
        match key:
            case "code":
                return (row.province.code or "", row.province.id)
            case "communes":
                return (row.communes, *name)
            case "meeting":
                return (row.meeting, *name)
            case "recognised":
                return (row.recognised, *name)
            case "percent":
                return (row.percent is not None, row.percent or 0, *name)
            case "average":
                return (row.average is not None, row.average or 0, *name)
            case "approved":
                return (row.approved, *name)
        return name

    return by


def _communes(day: dt.date) -> tuple[list[Unit], list[Unit]]:
    provinces = list(Unit.objects.valid_on(day).filter(kind=UnitKind.PROVINCE).order_by("pk"))
    communes = list(
        Unit.objects.valid_on(day)
        .filter(kind=UnitKind.COMMUNE)
        .filter(Q(parent__in=provinces) | Q(parent__parent__in=provinces))
        .select_related("parent__parent")
        .order_by("pk")
    )
    return provinces, communes


def _evaluated(
    communes: list[Unit],
    province_of: dict[int, int | None],
    sets: dict[int | None, CriteriaSet],
    period: int,
    cset: CriteriaSet,
    at: dt.datetime | None,
) -> list[Evaluated]:
    """The communes' results, each under the set its province reads the year with: the
    provinces without a decision in force together under `cset`, each other by itself."""
    groups: dict[int | None, list[Unit]] = {}
    for u in communes:
        prov = province_of[u.pk]
        groups.setdefault(prov if prov in sets else None, []).append(u)
    return [
        evaluated(units, period, cset if prov is None else sets[prov], at=at)
        for prov, units in groups.items()
    ]


def _rows(
    period: int,
    cset: CriteriaSet,
    by_code: dict[str, CriteriaSet],
    as_of: dt.date | None,
    approved_only: bool,
) -> tuple[ProvinceRow, ...]:
    """Each province's counts for the year, in no particular order; a province with
    decisions in force (`by_code`) counted under its own reading of the set."""
    at = None if as_of is None else record.moment(as_of)
    provinces, communes = _communes(period_day(period))
    by_pk = {p.pk: p for p in provinces}
    approved = record.approved_units([u.pk for u in communes], period, cset.id, at=at)
    province_of = {
        u.pk: (u.parent_id if u.parent_id in by_pk else u.parent.parent_id if u.parent else None)
        for u in communes
    }
    sets: dict[int | None, CriteriaSet] = {
        p.pk: by_code[p.code] for p in provinces if p.code in by_code
    }
    results = _evaluated(communes, province_of, sets, period, cset, at)
    with_data: set[str] = set().union(*(r.with_data for r in results))
    # Count-only records (one query) of the communes without per-criterion results.
    records = record.counts_frame([u.pk for u in communes], period, cset.id, at=at)
    records = records.filter(~pl.col("unit").is_in(sorted(with_data)))
    alone = set(records.get_column("unit").to_list())
    holding = with_data | alone
    kept = {k for k in alone if not approved_only or int(k) in approved}
    counts: dict[int, Counter[str]] = {p.pk: Counter() for p in provinces}
    for pk, prov in province_of.items():
        if prov not in counts:
            continue
        c = counts[prov]
        c["communes"] += 1
        c["approved"] += pk in approved
        c["held_back"] += approved_only and str(pk) in holding and pk not in approved
    for found in results:
        # Each group's own count-only communes join its results.
        ev = found.evaluation
        mine = set() if ev is None else set(ev.communes.get_column("unit").to_list())
        counted = with_counts(found, found.counted(), records, kept & mine)
        if counted is None:
            continue
        frame = counted.communes.select("unit", "met", "meets_set")
        for unit, met, meets in frame.iter_rows():
            prov = province_of.get(int(unit))
            if prov in counts and (not approved_only or int(unit) in approved):
                c = counts[prov]
                c["evaluated"] += 1
                c["meeting"] += int(bool(meets))
                c["total_met"] += int(met)
    # Recognitions at the set's tier held for the year (one query), apart from meeting it.
    tier = recognition.TIER_OF_SET.get(cset.tier, Tier.NTM)
    for pk, tiers in recognition.held(list(province_of), period, as_of=as_of).items():
        prov = province_of.get(pk)
        if prov in counts and tier in tiers:
            counts[prov]["recognised"] += 1
    simulated = simulated_codes()
    return tuple(
        ProvinceRow(
            province=UnitRef.of(p),
            communes=counts[p.pk]["communes"],
            evaluated=counts[p.pk]["evaluated"],
            meeting=counts[p.pk]["meeting"],
            total_met=counts[p.pk]["total_met"],
            simulated=bool(p.code) and p.code in simulated,
            approved=counts[p.pk]["approved"],
            held_back=counts[p.pk]["held_back"],
            recognised=counts[p.pk]["recognised"],
        )
        for p in provinces
    )


def central_view(
    *,
    period: int | None = None,
    set_id: str | None = None,
    sort: str | None = None,
    as_of: dt.date | None = None,
    approved_only: bool = False,
) -> CentralView:
    """Every province side by side for one period. `as_of` and `approved_only` as on the
    province overview. Without a period, the latest year with data that had begun by
    `as_of`. The number of queries does not grow with the provinces."""
    key, descending = parse_sort(sort)
    stamped = PeriodStamp.objects.order_by().values_list("period", flat=True).distinct()
    years = years_with_sets(stamped)
    if as_of is not None:
        # Years that had not begun at `as_of` had no record yet.
        years = [y for y in years if y <= as_of.year]
    defaulted = DefaultPeriod.ASKED
    if period is None:
        period = years[-1] if years else (as_of or timezone.localdate()).year
        defaulted = DefaultPeriod.LATEST_WITH_DATA if years else DefaultPeriod.THIS_YEAR
    check_as_of(as_of, period)
    cset = set_for_year(period, set_id, ())
    at = None if as_of is None else record.moment(as_of)
    # Each province's decisions in force on the assessment date, from one query.
    by_code = with_decisions_by_province(cset, period_day(period))
    # Cached whole under the year's stamps (any write to that year's record moves them), the
    # units' stamp, the provenance rows and the sets the provinces read the year with (a new
    # decision moves them); sorting is done on the cached rows.
    name = rcache.key(
        "central",
        period,
        set_fingerprint(cset),
        sorted((code, set_fingerprint(s)) for code, s in by_code.items()),
        at,
        approved_only,
        timezone.localdate(),
        rcache.units_stamp(),
        record.period_stamp_summary(period),
        sorted(simulated_codes()),
        recognition.recognition_stamp(),
    )
    rows = list(rcache.remember(name, lambda: _rows(period, cset, by_code, as_of, approved_only)))
    rows.sort(key=_sort_key(key), reverse=descending)
    return CentralView(
        period=period,
        cset=cset,
        sets=tuple(sets_for(period)),
        periods=tuple(years),
        rows=tuple(rows),
        sort=key,
        descending=descending,
        as_of=as_of,
        approved_only=approved_only,
        defaulted=defaulted,
    )
