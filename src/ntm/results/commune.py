"""The commune view: its criteria and indicator conditions for a period, and its history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from django.utils import timezone
from pydantic.dataclasses import dataclass as read_model

from ntm.criteria.schema import CriteriaSet
from ntm.evaluation import Evaluation
from ntm.evaluation.semantics import Source, Status
from ntm.recognition.models import Recognition, Tier
from ntm.results import record
from ntm.results.counts import count_only_records, with_counts
from ntm.results.evaluation import compute, evaluated
from ntm.results.provenance import simulated_province_of
from ntm.results.province import (
    DefaultPeriod,
    criterion_name,
    indicator_names,
    moment_of,
    set_for_year,
)
from ntm.results.query import check_as_of
from ntm.results.recognition import SET_TIER
from ntm.results.sets import (
    province_sets,
    set_of_tier,
    sets_for,
    threshold_source,
    with_province_decisions,
    years_with_sets,
)
from ntm.stats.counts import COUNT_ONLY
from ntm.stats.outlook import Outlook, outlook
from ntm.units.models import Unit, UnitKind


# The API writes these rows as they are (`read_model`: a pydantic dataclass).
@read_model(frozen=True)
class ConditionRow:
    indicator: str
    indicator_name: str
    condition: int
    measure: str
    op: str
    value: float | None
    numerator: float | None
    denominator: float | None
    threshold: float | None
    threshold_status: str
    column: str
    stage: str | None
    status: str
    gap: float | None
    basis: str
    threshold_source: str | None  # the province's decision the threshold comes from (number, date)


@read_model(frozen=True)
class CriterionRow:
    number: int
    name: str
    status: str
    computed_status: str
    declared_status: str | None
    conflict: bool  # declared differs from a result the values decide
    conditions: tuple[ConditionRow, ...]
    source: str = Source.COMPUTED  # where `status` comes from (`semantics.Source`)
    decision_reason: str = ""  # the province's written reason when `source` is its decision


@dataclass(frozen=True)
class HistoryTable:
    set_id: str
    set_name: str
    years: tuple[int, ...]
    rows: tuple[tuple[int, str, tuple[str | None, ...]], ...]  # criterion, name, status per year
    # Per year, "met/total" where the year holds only a count-only record, else None; and
    # the number met.
    counts: tuple[str | None, ...] = ()
    counts_met: tuple[int | None, ...] = ()

    @property
    def count_only(self) -> bool:
        return any(c is not None for c in self.counts)


@dataclass(frozen=True)
class CommuneView:
    unit: Unit
    period: int
    cset: CriteriaSet
    sets: tuple[CriteriaSet, ...]
    periods: tuple[int, ...]
    label: str
    has_data: bool
    met: int
    total: int
    meets_set: bool
    revocation_risk: bool | None
    criteria: tuple[CriterionRow, ...]
    history: tuple[HistoryTable, ...]
    simulated: bool
    approved: bool = False  # the period is approved under the set (as of `as_of`)
    as_of: dt.date | None = None
    approved_only: bool = False
    defaulted: DefaultPeriod = DefaultPeriod.ASKED
    # Not at the standard: when it would be at its recorded pace (`ntm.stats.outlook`).
    outlook: Outlook | None = None
    # Only the number of criteria met is recorded (*chỉ có số tiêu chí đạt*): `met` and
    # `meets_set` come from it and no criterion has a status of its own.
    count_only: bool = False

    @property
    def held_back(self) -> bool:
        """Results withheld because only approved periods are counted."""
        return self.approved_only and not self.approved


def province_of(unit: Unit) -> Unit | None:
    """The province above a unit (its parents loaded)."""
    node: Unit | None = unit
    while node is not None and node.kind != UnitKind.PROVINCE:
        node = node.parent
    return node


def _with_parents(unit: Unit) -> Unit:
    return Unit.objects.select_related("parent__parent").get(pk=unit.pk)


def conditions(ev: Evaluation | None, cset: CriteriaSet, language: str) -> list[CriterionRow]:
    """Each criterion of the set with its status and indicator conditions (missing data when
    the engine has no row for it)."""
    names = indicator_names(cset, language)
    indicators = ev.indicators if ev is not None else pl.DataFrame(schema={"criterion": pl.Int32})
    crit = {int(r["criterion"]): r for r in ev.criteria.iter_rows(named=True)} if ev else {}
    rows = []
    for c in cset.criteria:
        r = crit.get(c.number)
        conds = indicators.filter(pl.col("criterion") == c.number)
        if conds.height:
            conds = conds.sort("indicator", "condition")
        rows.append(
            CriterionRow(
                number=c.number,
                name=criterion_name(c, language),
                status=str(r["status"]) if r else Status.MISSING_DATA,
                computed_status=str(r["computed_status"]) if r else Status.MISSING_DATA,
                declared_status=r["declared_status"] if r else None,
                conflict=bool(r["conflict"]) if r else False,
                source=str(r["source"]) if r else Source.COMPUTED,
                decision_reason=str(r.get("decision_reason") or "") if r else "",
                conditions=tuple(
                    ConditionRow(
                        indicator=str(x["indicator"]),
                        indicator_name=names.get(str(x["indicator"]), ""),
                        condition=int(x["condition"]),
                        measure=str(x["measure"]),
                        op=str(x["op"]),
                        value=x["value"],
                        numerator=x["numerator"],
                        denominator=x["denominator"],
                        threshold=x["threshold"],
                        threshold_status=str(x["threshold_status"]),
                        column=str(x["column"] or ""),
                        stage=x["stage"],
                        status=str(x["status"]),
                        gap=x["gap"],
                        basis=str(x["basis"] or ""),
                        threshold_source=threshold_source(cset, str(x["basis"] or "")),
                    )
                    for x in conds.iter_rows(named=True)
                ),
            )
        )
    return rows


def decided_set(unit: Unit, period: int, cset: CriteriaSet) -> CriteriaSet:
    """`cset` as the commune's province reads the period (`sets.with_province_decisions`)."""
    return with_province_decisions(cset, province_of(_with_parents(unit)), period)


def unit_results(
    unit: Unit, period: int, cset: CriteriaSet, *, at: dt.datetime | None = None
) -> Evaluation:
    """One commune's results, with every threshold even before any entry (the entry grid
    shows them); cached as every figure is."""
    unit = _with_parents(unit)
    cset = decided_set(unit, period, cset)
    ev = evaluated([unit], period, cset, at=at).evaluation
    if ev is not None:
        return ev
    # Nothing recorded yet: the engine still gives every condition's threshold.
    found = compute([unit], period, cset, at=at)[str(unit.pk)]
    if found.frames is None:  # compute evaluates every unit it is given
        raise RuntimeError("no results for a single unit")
    return Evaluation(cset.id, {period: found.label}, *found.frames)


def commune_view(
    unit: Unit,
    *,
    period: int | None = None,
    set_id: str | None = None,
    language: str = "vi",
    as_of: dt.date | None = None,
    approved_only: bool = False,
    strict_set: bool = False,
) -> CommuneView:
    """The commune's criteria for a period (as of `as_of`; with `approved_only`, no result
    unless the period is approved), and its history (each year at its end, as on the
    province overview)."""
    unit = _with_parents(unit)
    province = province_of(unit)
    extra = province_sets(province)
    years = years_with_sets(record.periods_with_data([unit.pk]), extra)
    defaulted = DefaultPeriod.ASKED
    if period is None:
        approved = record.latest_approved_period([unit.pk])
        if approved is not None and sets_for(approved, extra):
            period, defaulted = approved, DefaultPeriod.LATEST_APPROVED
        elif years:
            period, defaulted = years[-1], DefaultPeriod.LATEST_WITH_DATA
        else:
            period, defaulted = timezone.localdate().year, DefaultPeriod.THIS_YEAR
    check_as_of(as_of, period)
    if as_of is not None:
        years = [y for y in years if y <= as_of.year]
    cset = with_province_decisions(
        set_for_year(period, set_id, extra, strict=strict_set), province, period
    )
    at = None if as_of is None else record.moment(as_of)
    approved = unit.pk in record.approved_units([unit.pk], period, cset.id, at=at)
    found = evaluated([unit], period, cset, at=at)
    shown = approved or not approved_only
    # Per-criterion results win over a count-only record (`ntm.results.counts`).
    alone = count_only_records([unit.pk], period, cset.id, found, at=at)
    has_data = str(unit.pk) in found.with_data or not alone.is_empty()
    kept = {str(unit.pk)} if shown else set()
    ev = with_counts(found, found.counted() if shown else None, alone, kept)
    summary = ev.communes.row(0, named=True) if ev is not None and ev.communes.height else None
    count_only = bool(summary and summary.get(COUNT_ONLY))
    history = commune_history(unit, years, cset.tier, extra, language, as_of=as_of, period=period)
    return CommuneView(
        unit=unit,
        period=period,
        cset=cset,
        sets=tuple(sets_for(period, extra)),
        periods=tuple(years),
        label=found.label,
        has_data=has_data,
        met=int(summary["met"]) if summary else 0,
        total=len(cset.criteria),
        meets_set=bool(summary["meets_set"]) if summary else False,
        revocation_risk=summary["revocation_risk"] if summary else None,
        criteria=tuple(conditions(None if count_only else ev, cset, language)),
        history=tuple(history),
        outlook=_outlook(history, cset, period) if summary and not summary["meets_set"] else None,
        simulated=simulated_province_of(unit),
        approved=approved,
        as_of=as_of,
        approved_only=approved_only,
        defaulted=defaulted,
        count_only=count_only,
    )


def _outlook(history: Sequence[HistoryTable], cset: CriteriaSet, period: int) -> Outlook | None:
    """The commune's projected year at the standard at its recorded pace under the period's
    set, from its years up to the period (`ntm.stats.outlook`)."""
    table = next((h for h in history if h.set_id == cset.id), None)
    if table is None:
        return None
    settled = {Status.MET, Status.NOT_APPLICABLE}
    points = []
    for i, year in enumerate(table.years):
        if year > period:
            continue
        count = table.counts_met[i] if table.counts_met else None
        if count is not None:
            points.append((year, count))
        elif any(statuses[i] is not None for _, _, statuses in table.rows):
            points.append((year, sum(statuses[i] in settled for _, _, statuses in table.rows)))
    return outlook(points, len(cset.criteria))


def commune_history(
    unit: Unit,
    years: Sequence[int],
    tier: str,
    extra: Sequence[CriteriaSet],
    language: str = "vi",
    *,
    as_of: dt.date | None = None,
    period: int,
) -> list[HistoryTable]:
    """Each criterion's status per year, one table per criteria set (criterion numbers mean
    different things in different sets); with `as_of`, each year read as `moment_of` says."""
    by_set: dict[str, tuple[CriteriaSet, dict[int, dict[int, str]]]] = {}
    counted: dict[int, tuple[int, int]] = {}  # year -> (met, total) of a count-only record
    for year in years:
        cset = set_of_tier(year, tier, extra)
        if cset is None:
            continue
        cset = with_province_decisions(cset, province_of(unit), year)
        at = moment_of(year, as_of, period)
        found = evaluated([unit], year, cset, at=at)
        ev = found.counted()
        statuses = (
            {}
            if ev is None
            else {int(c): str(s) for c, s in ev.criteria.select("criterion", "status").iter_rows()}
        )
        if ev is None:
            alone = count_only_records([unit.pk], year, cset.id, found, at=at)
            for met, total in alone.select("met", "total").iter_rows():
                counted[year] = (int(met), int(total))
        by_set.setdefault(cset.id, (cset, {}))[1][year] = statuses
    out = []
    for set_id, (cset, per_year) in by_set.items():
        ordered = tuple(sorted(per_year))
        out.append(
            HistoryTable(
                set_id=set_id,
                set_name=cset.name_en if language == "en" and cset.name_en else cset.name_vi,
                years=ordered,
                rows=tuple(
                    (
                        c.number,
                        criterion_name(c, language),
                        tuple(per_year[y].get(c.number) for y in ordered),
                    )
                    for c in cset.criteria
                ),
                counts=tuple(
                    f"{counted[y][0]}/{counted[y][1]}" if y in counted else None for y in ordered
                ),
                counts_met=tuple(counted[y][0] if y in counted else None for y in ordered),
            )
        )
    return out


def set_met(case: Recognition) -> bool | None:
    """The engine's verdict on the case's set in its year of the standard, with the province's
    decisions: True or False when the results settle it, None when they do not (no set of
    that tier for the year, missing data, or a unit the commune sets do not judge)."""
    tier = SET_TIER.get(Tier(case.tier))
    if case.unit.kind != UnitKind.COMMUNE or tier is None:
        return None
    cset = set_of_tier(case.year, tier)
    if cset is None:
        return None
    communes = unit_results(case.unit, case.year, cset).communes
    rows = communes.filter(pl.col("unit") == str(case.unit.pk)).to_dicts()
    if not rows or rows[0]["meets_set"] is None:
        return None
    if rows[0]["meets_set"]:
        return True
    # Not met on what is known, or only for want of data: the latter is unknown.
    return None if rows[0]["not_met"] == 0 and rows[0]["basically_met"] == 0 else False
