"""The province overview: every figure of a province's page, its map and its API statistics.

A period is a year; its communes are those in force on its reference day. As recorded, each
year is counted on its own units; re-based, every year is carried onto the units of one date
(the province's reference date unless another is given) — see `ntm.results.periods`.

As of a date: the chosen period's record as it stood at the end of that day; every other year
(previous year, baseline, trend) as it stood at the end of that year, or at the as-of date if
that comes first; years that had not begun are left out. Approvals are read at the same
moments. With `approved_only`, a commune whose period is not approved has no result: it is
counted as held back, never as failing.

The whole overview is cached under the stamps of every commune the province ever had and the
units' stamp (`ntm.results.cache`): a write to one of its communes, or a unit event, gives
another key; other provinces' overviews stay cached.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import polars as pl
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic.dataclasses import dataclass as read_model

from ntm.criteria.schema import CriteriaSet, Criterion
from ntm.evaluation import semantics
from ntm.recognition.models import Target
from ntm.results import cache as rcache
from ntm.results import districts as district_criteria
from ntm.results import recognition, record, targets
from ntm.results.evaluation import set_fingerprint
from ntm.results.periods import PeriodResults, rebased_results, recorded_results
from ntm.results.provenance import is_simulated
from ntm.results.query import ChoiceError, Geography, check_as_of, check_baseline
from ntm.results.recognition import RecognitionFigures
from ntm.results.record import STORED, Source
from ntm.results.scope import UnitRef, all_communes, reference_day
from ntm.results.sets import (
    choose_set,
    province_sets,
    set_of_tier,
    sets_for,
    with_province_decisions,
    with_province_decisions_each,
    years_with_sets,
)
from ntm.results.targets import TargetProgress
from ntm.stats import watch
from ntm.stats.rebase import basis_label
from ntm.stats.rollup import Figures, RollUp, Statistics, roll_up
from ntm.units.models import Unit, UnitKind


class DefaultPeriod(StrEnum):
    """Why a page shows the year it shows when none was asked for."""

    ASKED = ""  # the year was asked for
    LATEST_APPROVED = "latest_approved"  # the latest year with approved values
    LATEST_WITH_DATA = "latest_with_data"  # none approved: the latest year with any value
    THIS_YEAR = "this_year"  # nothing recorded yet


# What the API and `ntm stats --json` write (`ntm.stats.jsonable`) is a pydantic dataclass
# (`read_model`): its fields are the JSON and its schema the API's.


@read_model(frozen=True)
class Shortfall:
    """One indicator condition a commune does not meet (or lacks data for)."""

    criterion: int
    criterion_name: str
    indicator: str
    indicator_name: str
    status: str
    value: float | None
    threshold: float | None
    op: str
    gap: float | None  # < 0: how far on the wrong side


@read_model(frozen=True)
class ShortCriterion:
    """A criterion a commune close to the standard does not meet, and its status."""

    criterion: int
    name: str
    status: str


@read_model(frozen=True)
class CloseCommune:
    unit: UnitRef
    met: int
    total: int
    short: int
    criteria: tuple[ShortCriterion, ...]  # each criterion short
    shortfalls: tuple[Shortfall, ...]
    count_only: bool = False  # only the number of criteria met is known (no criterion short)


@read_model(frozen=True)
class NamedCriterion:
    number: int
    name: str


@read_model(frozen=True)
class RiskCommune:
    unit: UnitRef
    met: int
    total: int
    failing_share: float
    key_criteria: tuple[NamedCriterion, ...]  # key criteria known to fail
    certain: bool  # False: "cannot be ruled out" — it depends on criteria without a result
    unknown_criteria: tuple[NamedCriterion, ...]  # the criteria without a result
    failing: tuple[ShortCriterion, ...] = ()  # each criterion known to fail
    shortfalls: tuple[Shortfall, ...] = ()  # the values behind them


@read_model(frozen=True)
class DistrictRiskRow:
    """A recognised district the QĐ 18/2022 district rule reaches — ≥ 30 % of its communes
    revoked, or its own criteria (30 % to under 50 % not met with a key criterion, or 50 % and
    more) — or would once the communes the commune rule reaches are revoked, or cannot be
    ruled out while its own criteria are not all recorded."""

    district: UnitRef
    communes: int
    revoked: int
    reached: int
    certain: bool
    by_communes: bool = False  # the revoked and reached communes make 30 %
    # The district set its own criteria are read under; "" where none covers the year and
    # tier: that branch is not checked.
    criteria_set: str = ""
    criteria_total: int = 0
    failing_share: float = 0.0  # of its criteria recorded not met or basically met
    failing_criteria: tuple[NamedCriterion, ...] = ()
    key_criteria: tuple[NamedCriterion, ...] = ()  # key criteria among them
    unknown_criteria: tuple[NamedCriterion, ...] = ()  # criteria without a recorded status
    by_criteria: bool = False  # its own criteria as recorded reach the rule


@read_model(frozen=True)
class SlippingCommune:
    """A recognised commune that lost criteria without the revocation rule reaching it
    (*đang tụt hạng*)."""

    unit: UnitRef
    met: int
    total: int
    failing: tuple[ShortCriterion, ...]
    shortfalls: tuple[Shortfall, ...]


@read_model(frozen=True)
class TrendPoint:
    period: int
    set_id: str
    figures: Figures
    approved: int = 0  # communes in scope whose period is approved
    as_of: dt.date | None = None  # the day at whose end the year was read (None: live)


@dataclass(frozen=True)
class MapPoint:
    unit: UnitRef
    met: int | None  # None: no result (no data, or not comparable)
    total: int
    meets_set: bool
    count_only: bool = False  # only the number of criteria met is known


# The QĐ 18/2022 rule watches the communes holding a recognition at the set's tier
# (`ntm.results.recognition.held`), never every evaluated commune.
REVOCATION_SCOPE = "recognised_communes"


@dataclass(frozen=True)
class ProvinceOverview:
    province: Unit
    period: int
    baseline: int | None
    cset: CriteriaSet
    sets: tuple[CriteriaSet, ...]  # the sets one may switch to for this period
    geography: Geography
    basis: str
    onto: dt.date | None
    periods: tuple[int, ...]  # the years one may choose: with a record and a set
    statistics: Statistics
    trend: tuple[TrendPoint, ...]
    close: tuple[CloseCommune, ...]
    at_risk: tuple[RiskCommune, ...]
    points: tuple[MapPoint, ...]
    simulated: bool
    criterion_names: dict[int, str] = field(default_factory=dict)
    as_of: dt.date | None = None
    approved_only: bool = False
    approved: int = 0  # communes in scope whose period is approved (as of `as_of`)
    in_scope: int = 0
    with_data: int = 0  # communes in scope holding some value, declaration or count record
    held_back: int = 0  # communes with data left out as not approved (`approved_only`)
    defaulted: DefaultPeriod = DefaultPeriod.ASKED
    revocation_scope: str = REVOCATION_SCOPE
    # Declarations differing from the computed result: not yet decided by the province office,
    # and decided (`ntm.results.disagreements` lists them).
    disagreements_open: int = 0
    disagreements_decided: int = 0
    recognition: RecognitionFigures | None = None
    slipping: tuple[SlippingCommune, ...] = ()
    targets: tuple[TargetProgress, ...] = ()
    district_risk: tuple[DistrictRiskRow, ...] = ()
    # Communes counted from a count-only record (*chỉ có số tiêu chí đạt*): in the average,
    # the bands and "at the standard", never per criterion (`ntm.results.counts`).
    count_only: int = 0

    @property
    def figures(self) -> Figures:
        return self.statistics.total.figures

    @property
    def unapproved(self) -> int:
        return self.in_scope - self.approved

    @property
    def has_data(self) -> bool:
        """Some commune in scope holds data for the period: without any, every figure is
        "no data" (—), never zero."""
        return self.with_data > 0

    @property
    def comparable(self) -> bool:
        """False when data exist but no result could be carried onto the re-based units."""
        f = self.figures
        return f.evaluated > 0 or f.not_comparable == 0

    @property
    def without_data(self) -> int:
        """Communes without a result that had no data (not those held back as unapproved)."""
        return self.figures.not_evaluated - self.held_back


def criterion_name(criterion: Criterion, language: str = "vi") -> str:
    if language == "en" and criterion.name_en:
        return criterion.name_en
    return criterion.name_vi


def indicator_names(cset: CriteriaSet, language: str) -> dict[str, str]:
    return {
        ind.code: (ind.name_en if language == "en" and ind.name_en else ind.name_vi)
        for c in cset.criteria
        for ind in c.indicators
    }


class _Names:
    """A set's criterion and indicator names in one language, for the watch lists."""

    def __init__(self, cset: CriteriaSet, language: str) -> None:
        self.criteria = {c.number: criterion_name(c, language) for c in cset.criteria}
        self.indicators = indicator_names(cset, language)

    def short(self, statuses: Iterable[tuple[int, str]]) -> tuple[ShortCriterion, ...]:
        return tuple(ShortCriterion(n, self.criteria.get(n, ""), s) for n, s in statuses)

    def shortfalls(self, found: Iterable[watch.Shortfall]) -> tuple[Shortfall, ...]:
        return tuple(
            Shortfall(
                criterion=f.criterion,
                criterion_name=self.criteria.get(f.criterion, ""),
                indicator=f.indicator,
                indicator_name=self.indicators.get(f.indicator, ""),
                status=f.status,
                value=f.value,
                threshold=f.threshold,
                op=f.op,
                gap=f.gap,
            )
            for f in found
        )


def _close_communes(res: PeriodResults, language: str) -> list[CloseCommune]:
    ev = res.evaluation
    if ev is None:
        return []
    names = _Names(res.cset, language)
    alone = res.count_only
    out = [
        CloseCommune(
            unit=UnitRef.of(res.units[c.unit]),
            met=c.met,
            total=c.total,
            short=c.short,
            criteria=names.short(c.criteria),
            shortfalls=names.shortfalls(c.shortfalls),
            count_only=c.unit in alone,
        )
        for c in watch.close_to_standard(ev.communes, ev.criteria, ev.indicators)
    ]
    return sorted(out, key=lambda c: (c.short, -c.met, c.unit.name_key, c.unit.id))


def _at_risk(res: PeriodResults, language: str, watched: set[str]) -> list[RiskCommune]:
    """The revocation watch over the `watched` units (those holding a recognition)."""
    ev = res.evaluation
    if ev is None or not watched:
        return []
    names = _Names(res.cset, language)
    communes = ev.communes.filter(pl.col("unit").is_in(list(watched)))
    out = [
        RiskCommune(
            unit=UnitRef.of(res.units[r.unit]),
            met=r.met,
            total=r.total,
            failing_share=r.failing_share,
            key_criteria=tuple(
                NamedCriterion(k, names.criteria.get(k, "")) for k in r.key_criteria
            ),
            certain=r.certain,
            unknown_criteria=tuple(NamedCriterion(k, names.criteria.get(k, "")) for k in r.unknown),
            failing=names.short(r.failing),
            shortfalls=names.shortfalls(r.shortfalls),
        )
        for r in watch.revocation_watch(communes, ev.criteria, ev.indicators)
    ]
    return sorted(out, key=lambda r: (not r.certain, -r.failing_share, r.unit.name_key, r.unit.id))


def _slipping(res: PeriodResults, language: str, watched: set[str]) -> list[SlippingCommune]:
    """Recognised communes (`watched`) that lost criteria short of the revocation rule."""
    ev = res.evaluation
    if ev is None or not watched:
        return []
    names = _Names(res.cset, language)
    communes = ev.communes.filter(pl.col("unit").is_in(list(watched)))
    out = [
        SlippingCommune(
            unit=UnitRef.of(res.units[s.unit]),
            met=s.met,
            total=s.total,
            failing=names.short(s.failing),
            shortfalls=names.shortfalls(s.shortfalls),
        )
        for s in watch.slipping(communes, ev.criteria, ev.indicators)
    ]
    return sorted(out, key=lambda s: (-len(s.failing), s.met, s.unit.name_key, s.unit.id))


@dataclass(frozen=True)
class _Recognitions:
    """What the overview reads of the recognition records for the period's communes: a save
    of values changes none of it, so it is cached under the recognition and units stamps."""

    held_by: dict[int, frozenset[str]]  # commune -> tiers held
    # Recognised districts of the communes -> (the district, its communes, those revoked).
    districts: dict[int, tuple[Unit, frozenset[int], frozenset[int]]]
    district_tiers: dict[int, frozenset[str]]  # recognised district -> tiers held
    targets: tuple[Target, ...]
    new_recognitions: dict[str, int]  # tier -> communes recognised for the year


def _recognitions(
    province: Unit, period: int, units: Iterable[Unit], as_of: dt.date | None
) -> _Recognitions:
    communes = list(units)
    held_by = recognition.held([u.pk for u in communes], period, as_of=as_of)
    # Districts existed until 30/06/2025; afterwards there is none to watch.
    districts: dict[int, Unit] = {}
    members: dict[int, list[int]] = {}
    for u in communes:
        parent = u.parent
        if parent is not None and parent.kind == UnitKind.DISTRICT:
            districts[parent.pk] = parent
            members.setdefault(parent.pk, []).append(u.pk)
    watched = {}
    held: dict[int, frozenset[str]] = {}
    if districts:
        held = recognition.held(districts, period, as_of=as_of)
        recognised = [d for d in districts if held.get(d)]
        gone = recognition.revoked([u for d in recognised for u in members[d]], period, as_of=as_of)
        watched = {
            d: (districts[d], frozenset(members[d]), frozenset(gone & set(members[d])))
            for d in recognised
        }
    found = tuple(targets.targets_of(province, period))
    new = targets.new_recognitions([u.pk for u in all_communes(province)], period) if found else {}
    tiers = {d: held[d] for d in watched}
    return _Recognitions(held_by, watched, tiers, found, new)


def _in_district(unit: Unit) -> bool:
    return unit.parent is not None and unit.parent.kind == UnitKind.DISTRICT


def _district_risk(
    reads: _Recognitions,
    at_risk: Sequence[RiskCommune],
    period: int,
    as_of: dt.date | None,
    language: str,
    source: Source,
) -> list[DistrictRiskRow]:
    """The district rule over the recognised districts of the period's communes: the share of
    their communes revoked, and their own criteria as the province office recorded them (read
    here, not with the recognitions: a recording moves the district's stamp, not theirs)."""
    districts = reads.districts
    reached = {r.unit.id for r in at_risk if r.certain}
    rows = [
        (str(d), len(members), len(gone), len(reached & members - gone))
        for d, (_unit, members, gone) in districts.items()
    ]
    own = district_criteria.own_criteria(
        [unit for unit, _m, _g in districts.values()],
        period,
        reads.district_tiers,
        as_of=as_of,
        source=source,
    )

    def named(cset: CriteriaSet, numbers: Iterable[int]) -> tuple[NamedCriterion, ...]:
        names = {c.number: criterion_name(c, language) for c in cset.criteria}
        return tuple(NamedCriterion(n, names.get(n, "")) for n in numbers)

    out = []
    for r in watch.district_watch(rows, criteria={str(k): v for k, (_s, v) in own.items()}):
        c = r.criteria
        cset = own[int(r.district)][0] if c is not None else None
        out.append(
            DistrictRiskRow(
                UnitRef.of(districts[int(r.district)][0]),
                r.communes,
                r.revoked,
                r.reached,
                r.certain,
                by_communes=r.by_communes,
                criteria_set="" if cset is None else cset.id,
                criteria_total=0 if c is None else c.total,
                failing_share=0.0 if c is None else c.failing_share,
                failing_criteria=() if c is None or cset is None else named(cset, c.failing),
                key_criteria=() if c is None or cset is None else named(cset, c.key_failing),
                unknown_criteria=() if c is None or cset is None else named(cset, c.unknown),
                by_criteria=c is not None and c.reached,
            )
        )
    return out


def _disagreements(res: PeriodResults) -> tuple[int, int]:
    """(open, decided) disagreements among the period's results."""
    if res.evaluation is None:
        return 0, 0
    found = res.evaluation.criteria.filter(pl.col("conflict"))
    decided = found.filter(pl.col("source") == semantics.Source.PROVINCE).height
    return found.height - decided, decided


def _points(res: PeriodResults) -> list[MapPoint]:
    total = len(res.cset.criteria)
    met: dict[str, tuple[int, bool]] = {}
    if res.evaluation is not None:
        frame = watch.comparable(res.evaluation.communes)
        met = {
            str(u): (int(m), bool(s))
            for u, m, s in frame.select("unit", "met", "meets_set").iter_rows()
        }
    out = []
    for key, unit in res.units.items():
        got = met.get(key)
        out.append(
            MapPoint(
                unit=UnitRef.of(unit),
                met=None if got is None else got[0],
                total=total,
                meets_set=False if got is None else got[1],
                count_only=key in res.count_only,
            )
        )
    return sorted(out, key=lambda p: (p.unit.name_key, p.unit.id))


def _frames(results: Sequence[PeriodResults]) -> tuple[pl.DataFrame, pl.DataFrame]:
    evs = [r.evaluation for r in results if r.evaluation is not None]
    if not evs:
        empty_c = pl.DataFrame(
            schema={"unit": pl.String, "period": pl.Int32, "met": pl.Int64, "meets_set": pl.Boolean}
        )
        empty_k = pl.DataFrame(
            schema={
                "unit": pl.String,
                "period": pl.Int32,
                "criterion": pl.Int32,
                "status": pl.String,
            }
        )
        return empty_c, empty_k
    communes = pl.concat([e.communes for e in evs], how="diagonal_relaxed")
    criteria = pl.concat([e.criteria for e in evs], how="diagonal_relaxed")
    return communes, criteria


def period_roll_up(
    results: dict[int, PeriodResults],
    periods: Sequence[int],
    baseline: int | None,
    province: Unit,
    tier: str,
    basis: str,
) -> RollUp:
    """`ntm.stats.rollup.roll_up` of the province for `periods`, against the year before
    and `baseline` when their results are in `results`, each year banded by its own set:
    `.statistics(period)`, and `.figures(year)` for a trend, from one pass."""
    needed = {*periods, *(p - 1 for p in periods), *([] if baseline is None else [baseline])}
    wanted = [results[y] for y in sorted(needed) if y in results]
    communes, criteria = _frames(wanted)
    scope = pl.concat([r.scope for r in wanted], how="diagonal_relaxed").unique(maintain_order=True)
    return roll_up(
        scope,
        communes,
        criteria,
        periods=periods,
        tier=tier,
        parent=str(province.pk),
        parent_name=province.name,
        bands_by_period={r.period: r.cset.bands for r in wanted},
        baseline=baseline,
        basis=basis,
    )


def read_day(year: int, as_of: dt.date | None, period: int) -> dt.date | None:
    """The day at whose end a year's record is read: the chosen period at `as_of`, any other
    year at its end (or at `as_of` if that comes first); None without `as_of` (live)."""
    if as_of is None:
        return None
    return as_of if year == period else min(as_of, dt.date(year, 12, 31))


def moment_of(year: int, as_of: dt.date | None, period: int) -> dt.datetime | None:
    day = read_day(year, as_of, period)
    return None if day is None else record.moment(day)


def default_period(
    unit_ids: Sequence[int],
    years: Sequence[int],
    extra: Sequence[CriteriaSet],
    source: Source = STORED,
) -> tuple[int, DefaultPeriod]:
    """The year a page opens on, and why: the latest with approved values — one commune's
    drafts for a new year do not turn the landing page into "0/61" — else the latest with
    any value, else this year."""
    approved = source.latest_approved_period(unit_ids)
    if approved is not None and sets_for(approved, extra):
        return approved, DefaultPeriod.LATEST_APPROVED
    if years:
        return years[-1], DefaultPeriod.LATEST_WITH_DATA
    return timezone.localdate().year, DefaultPeriod.THIS_YEAR


def set_for_year(
    period: int, set_id: str | None, extra: Sequence[CriteriaSet], *, strict: bool = False
) -> CriteriaSet:
    """The set to read the year with (`sets.choose_set`); with `strict`, a set asked for that
    does not apply to the year is an error instead of giving way (the API's choice: a program
    asked for that set)."""
    found = choose_set(period, set_id, extra)
    if found is None:
        raise ChoiceError(_("No commune criteria set applies to %(year)s.") % {"year": period})
    if strict and set_id and found.id != set_id:
        raise ChoiceError(
            _("Criteria set “%(set)s” does not apply to %(year)s.")
            % {"set": set_id, "year": period}
        )
    return found


def province_overview(
    province: Unit,
    *,
    period: int | None = None,
    baseline: int | None = None,
    set_id: str | None = None,
    geography: Geography = Geography.AS_RECORDED,
    language: str = "vi",
    onto: dt.date | None = None,
    as_of: dt.date | None = None,
    approved_only: bool = False,
    strict_set: bool = False,
    source: Source = STORED,
) -> ProvinceOverview:
    """Everything the province page shows. Raises `ChoiceError` for an impossible choice;
    a set that does not apply to the year gives way to the year's own (unless
    `strict_set`)."""
    extra = province_sets(province)
    ids = [u.pk for u in all_communes(province)]
    years = years_with_sets(source.periods_with_data(ids), extra)
    defaulted = DefaultPeriod.ASKED
    if period is None:
        period, defaulted = default_period(ids, years, extra, source)
    check_baseline(baseline, period)
    check_as_of(as_of, period)
    if as_of is not None:
        # Years that had not begun at `as_of` had no record yet.
        years = [y for y in years if y <= as_of.year]
    cset = with_province_decisions(
        set_for_year(period, set_id, extra, strict=strict_set), province, period
    )
    target = (onto or reference_day(province)) if geography == Geography.REBASED else None
    asked = sorted({*years, period, period - 1, *([baseline] if baseline else [])})
    # Files read by `ntm stats --from-json` are not the province's stored record.
    simulated = is_simulated(province) if source.cached else False
    # Each year's stamps (one query): the overview's key moves with a write to any year it
    # reads, a year's own results only with a write to that year.
    stamps = source.stamp_summaries(ids, asked)
    units = rcache.units_stamp() if source.cached else None
    marks = recognition.recognition_stamp() if source.cached else None
    # The districts' own criteria (the district rule) are recorded on the districts.
    districts = sorted(
        {u.parent.pk for u in all_communes(province) if u.parent and _in_district(u)}
    )

    def overview() -> ProvinceOverview:
        return _overview(
            province,
            period,
            baseline,
            cset,
            extra,
            geography,
            target,
            language,
            as_of,
            approved_only,
            years,
            defaulted,
            simulated,
            source,
            {y: (stamps.get(y), units) for y in asked},
            (units, marks),
        )

    if not source.cached:
        return overview()
    name = rcache.key(
        "province",
        province.pk,
        period,
        baseline,
        set_fingerprint(cset),
        [set_fingerprint(s) for s in extra],
        geography,
        target,
        as_of,
        approved_only,
        language,
        defaulted,
        years,
        simulated,
        timezone.localdate(),
        sorted(stamps.items()),
        sorted(source.stamp_summaries(districts, [period]).items()),
        units,
        marks,
    )
    return rcache.remember(name, overview)


def period_key(
    province: Unit,
    year: int,
    cset: CriteriaSet,
    target: dt.date | None,
    at: dt.datetime | None,
    approved_only: bool,
    stamp: object,
) -> str:
    """The cache key of one year's `PeriodResults` as the overview reads them (the commune
    table reads the same entry: `ntm.results.communes`)."""
    return rcache.key(
        "period", province.pk, year, set_fingerprint(cset), target, at, approved_only, stamp
    )


def _overview(
    province: Unit,
    period: int,
    baseline: int | None,
    cset: CriteriaSet,
    extra: Sequence[CriteriaSet],
    geography: Geography,
    target: dt.date | None,
    language: str,
    as_of: dt.date | None,
    approved_only: bool,
    years: list[int],
    defaulted: DefaultPeriod,
    simulated: bool,
    source: Source,
    stamps: dict[int, object],
    marks: tuple[object, object],
) -> ProvinceOverview:
    """`province_overview` computed; `stamps` holds what each year's record and units read
    stand at, to cache each year's results by themselves: after a save only its year is read
    again; `marks` what the units and the recognition records stand at, to cache the
    recognitions read."""
    basis = basis_label(target)

    keys: dict[int, str] = {}  # each year's results in the cache

    def results_of(year: int, chosen: CriteriaSet) -> PeriodResults:
        at = moment_of(year, as_of, period)

        def compute() -> PeriodResults:
            if target is None:
                return recorded_results(
                    province, year, chosen, at=at, approved_only=approved_only, source=source
                )
            return rebased_results(
                province, year, chosen, target, at=at, approved_only=approved_only, source=source
            )

        if not source.cached:
            return compute()
        name = period_key(province, year, chosen, target, at, approved_only, stamps[year])
        keys[year] = name
        return rcache.remember(name, compute)

    results: dict[int, PeriodResults] = {period: results_of(period, cset)}
    others = [
        (found, year)
        for year in sorted({*years, period - 1, *([baseline] if baseline else [])})
        if year != period and (found := set_of_tier(year, cset.tier, extra)) is not None
    ]
    decided = with_province_decisions_each(others, province)
    for (_national, year), chosen in zip(others, decided, strict=True):
        results[year] = results_of(year, chosen)

    shown = [y for y in years if y in results and results[y].evaluation is not None]
    table = period_roll_up(results, [period], baseline, province, cset.tier, basis)
    stats = table.statistics(period)
    together = {period, period - 1, baseline}

    def figures(year: int) -> Figures:
        """A trend year's figures: counted by itself (a year's counts read only its own
        results), cached with its results, so a save recounts only its own year."""
        if year in together:
            return table.figures(year)

        def count() -> Figures:
            alone = {year: results[year]}
            return period_roll_up(alone, [year], None, province, cset.tier, basis).figures(year)

        if year not in keys:  # a record that is not cached
            return count()
        return rcache.remember(rcache.key("figures", keys[year], cset.tier, basis), count)

    trend = [
        TrendPoint(
            y, results[y].cset.id, figures(y), results[y].approved, read_day(y, as_of, period)
        )
        for y in shown
    ]
    current = results[period]
    disagreements_open, disagreements_decided = _disagreements(current)

    def read_recognitions() -> _Recognitions:
        return _recognitions(province, period, current.units.values(), as_of)

    if source.cached:
        reads = rcache.remember(
            rcache.key(
                "recognitions",
                province.pk,
                period,
                as_of,
                sorted(u.pk for u in current.units.values()),
                marks,
            ),
            read_recognitions,
        )
    else:
        reads = read_recognitions()
    held_by = reads.held_by
    recognised = recognition.figures(
        current.units,
        None if current.evaluation is None else current.evaluation.communes,
        held_by,
        cset.tier,
    )
    tier = recognised.tier
    watched = {k for k, u in current.units.items() if tier in held_by.get(u.pk, frozenset())}
    at_risk = tuple(_at_risk(current, language, watched))
    return ProvinceOverview(
        province=province,
        period=period,
        baseline=baseline,
        cset=cset,
        sets=tuple(sets_for(period, extra)),
        geography=geography,
        basis=basis,
        onto=target,
        periods=tuple(years),
        statistics=stats,
        trend=tuple(trend),
        close=tuple(_close_communes(current, language)),
        at_risk=at_risk,
        points=tuple(_points(current)),
        simulated=simulated,
        criterion_names={c.number: criterion_name(c, language) for c in cset.criteria},
        as_of=as_of,
        approved_only=approved_only,
        approved=current.approved,
        in_scope=len(current.units),
        with_data=current.with_data,
        held_back=current.held_back,
        defaulted=defaulted,
        disagreements_open=disagreements_open,
        disagreements_decided=disagreements_decided,
        recognition=recognised,
        slipping=tuple(_slipping(current, language, watched)),
        targets=tuple(targets.progress(reads.targets, current, held_by, reads.new_recognitions)),
        district_risk=tuple(_district_risk(reads, at_risk, period, as_of, language, source)),
        count_only=len(current.count_only),
    )
