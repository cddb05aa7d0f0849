"""Statistics of a parent unit for a period and tier, and the same by child unit.

Pure: the caller passes the units in scope as a frame, so no database is needed.

scope: `unit` (str), `kind` (str: only "commune" rows count), `child_unit` (str|null: the
child of the parent the unit lies in, e.g. its district before 2025), optional `child_name`,
optional `name` (the unit's own name, for listings), optional `period` (i32: the units valid
in that period; without it one scope serves every period, as for figures re-based onto one
date's units).

communes / criteria: the engine's frames (several periods allowed). A `comparable` column
(bool) in `communes` marks results that could not be carried onto re-based units
(see `ntm.stats.rebase.transfer_results`); those communes count as "not comparable". A
`from_unit` column names the old unit whose result a re-based commune kept because its
territory is unchanged; those are listed in `Figures.unchanged_territory`.

recognitions (optional): `unit`, `period` (i32: year of the standard), `tier`,
`decision_no`, `decision_date`. A commune counts as recognised in period P when it has a
recognition of the tier for a period <= P. Revocations are not in this frame yet.

The figures of every geography (the parent and each child) in every period needed are
computed together, by a few group-bys over the scope stacked once per geography
(`statistics_by_period`; `statistics` is its one-period case). The straightforward version,
one small query per figure, is kept as the tests' reference
(`ntm/stats/tests/reference_rollup.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import polars as pl

from ntm.criteria.schema import Band
from ntm.stats.bands import DEFAULT_BANDS
from ntm.stats.summary import (
    STATUSES,
    BandCount,
    CriterionCounts,
    fraction_dict,
    require_columns,
    require_criteria,
)

AS_RECORDED = "as_recorded"
_RECOGNITION_COLUMNS = ("unit", "period", "tier", "decision_no", "decision_date")
_MISSING = ("missing_data", "missing_threshold")
# The geography a stacked scope row counts for: null for the parent, else its child unit.
_GEO = "geography"
_KEY = (_GEO, "period")
# (child unit or None for the parent, period)
_Key = tuple[Any, int]


@dataclass(frozen=True)
class Carried:
    """A re-based commune that kept the result of the one old unit it is (unchanged
    territory)."""

    unit: str
    from_unit: str
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"unit": self.unit, "from_unit": self.from_unit, "name": self.name}


@dataclass(frozen=True)
class Figures:
    """The figures of one geography in one period.

    `communes` is Y (communes in scope), `meeting` X. `evaluated` communes have a comparable
    result; `not_comparable` ones had a result that could not be carried onto re-based units;
    the rest of Y has no result at all (`not_evaluated`). `unchanged_territory` lists the
    evaluated communes whose result was carried onto re-based units unchanged.
    """

    period: int
    communes: int
    evaluated: int
    not_comparable: int
    meeting: int
    total_met: int
    criteria: tuple[CriterionCounts, ...]
    bands: tuple[BandCount, ...]
    unbanded: int
    communes_missing: int
    recognised: int | None
    recognised_in_period: int | None
    unchanged_territory: tuple[Carried, ...] = ()

    @property
    def not_evaluated(self) -> int:
        return self.communes - self.evaluated - self.not_comparable

    @property
    def meeting_percent(self) -> Fraction | None:
        return _share(self.meeting, self.communes)

    @property
    def recognised_percent(self) -> Fraction | None:
        return None if self.recognised is None else _share(self.recognised, self.communes)

    @property
    def average_met(self) -> Fraction | None:
        """Criteria met per evaluated commune (basically met does not count)."""
        return None if self.evaluated == 0 else Fraction(self.total_met, self.evaluated)

    @property
    def met_by_criterion(self) -> dict[int, int]:
        return {c.criterion: c.met for c in self.criteria}

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "communes": self.communes,
            "evaluated": self.evaluated,
            "not_evaluated": self.not_evaluated,
            "not_comparable": self.not_comparable,
            "meeting": self.meeting,
            "meeting_percent": fraction_dict(self.meeting_percent),
            "recognised": self.recognised,
            "recognised_in_period": self.recognised_in_period,
            "recognised_percent": fraction_dict(self.recognised_percent),
            "average_met": fraction_dict(self.average_met),
            "criteria": [c.to_dict() for c in self.criteria],
            "bands": [b.to_dict() for b in self.bands],
            "unbanded": self.unbanded,
            "communes_missing": self.communes_missing,
            "unchanged_territory": [c.to_dict() for c in self.unchanged_territory],
        }


@dataclass(frozen=True)
class Change:
    """Figures of `period` minus those of `against` (percentages in percentage points)."""

    period: int
    against: int
    communes: int
    meeting: int
    meeting_points: Fraction | None
    average_met: Fraction | None
    recognised: int | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "period": self.period,
            "against": self.against,
            "communes": self.communes,
            "meeting": self.meeting,
            "meeting_points": fraction_dict(self.meeting_points),
            "average_met": fraction_dict(self.average_met),
            "recognised": self.recognised,
        }


@dataclass(frozen=True)
class Geography:
    """One geography (the parent, or one child unit) with its changes."""

    unit: str | None
    name: str | None
    figures: Figures
    previous: Change | None
    baseline: Change | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "name": self.name,
            "figures": self.figures.to_dict(),
            "change_previous": None if self.previous is None else self.previous.to_dict(),
            "change_baseline": None if self.baseline is None else self.baseline.to_dict(),
        }


@dataclass(frozen=True)
class Statistics:
    """Issue 3's statistics for a parent unit, period and tier.

    `basis` is "as_recorded" or "rebased:<YYYY-MM-DD>"; every figure of a re-based statistic
    is on the units of that date, and pass/fail figures count only comparable results
    (see `Figures.not_comparable`).
    """

    parent: str | None
    period: int
    tier: str
    basis: str
    total: Geography
    children: tuple[Geography, ...]
    parent_name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "parent": self.parent,
            "parent_name": self.parent_name,
            "period": self.period,
            "tier": self.tier,
            "basis": self.basis,
            "total": self.total.to_dict(),
            "children": [c.to_dict() for c in self.children],
        }


def _share(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(100 * part, whole)


def _communes_in_scope(scope: pl.DataFrame, period: int) -> pl.DataFrame:
    rows = scope.filter(pl.col("kind") == "commune")
    if "period" in rows.columns:
        rows = rows.filter(pl.col("period") == period)
    return rows.unique("unit", keep="first", maintain_order=True)


def change(now: Figures, then: Figures) -> Change:
    """How `now` differs from `then`."""
    points = (
        None
        if now.meeting_percent is None or then.meeting_percent is None
        else now.meeting_percent - then.meeting_percent
    )
    average = (
        None
        if now.average_met is None or then.average_met is None
        else now.average_met - then.average_met
    )
    recognised = (
        None
        if now.recognised is None or then.recognised is None
        else now.recognised - then.recognised
    )
    return Change(
        period=now.period,
        against=then.period,
        communes=now.communes - then.communes,
        meeting=now.meeting - then.meeting,
        meeting_points=points,
        average_met=average,
        recognised=recognised,
    )


def _scope_units(scope: pl.DataFrame, years: Sequence[int]) -> pl.LazyFrame:
    """The communes of the scope in each year, one row per (period, unit): the first, as
    `_communes_in_scope` keeps it."""
    rows = scope.lazy().filter(pl.col("kind") == "commune")
    child_name = pl.col("child_name" if "child_name" in scope.columns else "child_unit")
    name = pl.col("name") if "name" in scope.columns else pl.lit(None, pl.String)
    columns = ("unit", "child_unit", child_name.alias("child_name"), name.alias("name"))
    if "period" in scope.columns:
        return (
            rows.select(pl.col("period").cast(pl.Int32), *columns)
            .filter(pl.col("period").is_in(years))
            .unique(["period", "unit"], keep="first", maintain_order=True)
        )
    one = rows.select(*columns).unique("unit", keep="first", maintain_order=True)
    return pl.concat([one.with_columns(pl.lit(y, pl.Int32).alias("period")) for y in years])


def _counts(frame: pl.DataFrame) -> dict[_Key, int]:
    """(geography, period, count) rows as a dict."""
    return {(geo, period): int(n) for geo, period, n in frame.iter_rows()}


@dataclass(frozen=True)
class _Aggregates:
    """Every figure of every (geography, period) pair; a pair absent from a dict counts 0."""

    communes: dict[_Key, int]
    results: dict[_Key, tuple[int, int, int, int]]  # evaluated, not_comparable, meeting, met
    criteria: dict[_Key, tuple[CriterionCounts, ...]]
    bands: dict[_Key, dict[int, int]]  # band's position -> communes in it
    banded: dict[_Key, int]
    missing: dict[_Key, int]
    recognised: dict[_Key, int] | None
    recognised_now: dict[_Key, int] | None
    carried: dict[_Key, tuple[Carried, ...]]
    children: dict[int, list[tuple[Any, Any]]]  # period -> (child unit, its name), sorted

    def figures(self, geo: Any, period: int, bands: Sequence[Band]) -> Figures:
        key = (geo, period)
        evaluated, not_comparable, meeting, total_met = self.results.get(key, (0, 0, 0, 0))
        counted = self.bands.get(key, {})
        return Figures(
            period=period,
            communes=self.communes.get(key, 0),
            evaluated=evaluated,
            not_comparable=not_comparable,
            meeting=meeting,
            total_met=total_met,
            criteria=self.criteria.get(key, ()),
            bands=tuple(BandCount(b, counted.get(i, 0)) for i, b in enumerate(bands)),
            unbanded=evaluated - self.banded.get(key, 0),
            communes_missing=self.missing.get(key, 0),
            recognised=None if self.recognised is None else self.recognised.get(key, 0),
            recognised_in_period=(
                None if self.recognised_now is None else self.recognised_now.get(key, 0)
            ),
            unchanged_territory=self.carried.get(key, ()),
        )


def _aggregate(
    scope: pl.DataFrame,
    communes: pl.DataFrame,
    criteria: pl.DataFrame,
    *,
    periods: Sequence[int],
    years: Sequence[int],
    tier: str,
    bands_of: Mapping[int, Sequence[Band]],
    recognitions: pl.DataFrame | None,
) -> _Aggregates:
    """The figures of every geography in every one of `years` (children of `periods`);
    `criteria` holds comparable rows only."""
    units = _scope_units(scope, years)
    # The scope stacked once for the parent (geography null) and once by child unit.
    geo = pl.concat(
        [
            units.with_columns(pl.lit(None, scope.schema["child_unit"]).alias(_GEO)),
            units.filter(pl.col("child_unit").is_not_null()).with_columns(
                pl.col("child_unit").alias(_GEO)
            ),
        ]
    )
    ok = pl.col("comparable") if "comparable" in communes.columns else pl.lit(True)
    carrying = "from_unit" in communes.columns
    results = communes.lazy().select(
        "unit",
        pl.col("period").cast(pl.Int32),
        "met",
        "meets_set",
        ok.alias("ok"),
        *(["from_unit"] if carrying else []),
    )
    # Inner join: a commune's result counts once per row, as the semi join of the reference.
    joined = geo.join(results, on=["period", "unit"], how="inner")
    evaluated = joined.filter(pl.col("ok"))
    per_geo = joined.group_by(_KEY).agg(
        pl.col("ok").sum().alias("evaluated"),
        (~pl.col("ok")).sum().alias("not_comparable"),
        pl.col("meets_set").filter(pl.col("ok")).cast(pl.Int64).sum().alias("meeting"),
        pl.col("met").filter(pl.col("ok")).cast(pl.Int64).sum().alias("total_met"),
    )
    crit = criteria.lazy().select("unit", pl.col("period").cast(pl.Int32), "criterion", "status")
    in_geo = geo.select(*_KEY, "unit").join(
        crit.join(evaluated.select("unit", "period").unique(), on=["unit", "period"], how="semi"),
        on=["period", "unit"],
    )
    per_criterion = (
        in_geo.group_by(*_KEY, "criterion")
        .agg(*[(pl.col("status") == s).sum().alias(s) for s in STATUSES])
        .sort("criterion")
    )
    missing = (
        in_geo.filter(pl.col("status").is_in(_MISSING))
        .group_by(_KEY)
        .agg(pl.col("unit").n_unique())
    )
    # Bands are inclusive ranges of criteria met, per period; a commune in none is unbanded.
    spans = [(y, i, b.min, b.max) for y in years for i, b in enumerate(bands_of[y])]
    band_table = pl.LazyFrame(
        spans,
        schema={"period": pl.Int32, "band": pl.Int64, "min": pl.Int64, "max": pl.Int64},
        orient="row",
    )
    in_band = (
        evaluated.group_by(*_KEY, "met")
        .agg(pl.len().alias("n"))
        .join(band_table, on="period")
        .filter(pl.col("met").is_between(pl.col("min"), pl.col("max")))
    )
    queries = [
        geo.group_by(_KEY).len(),
        per_geo,
        per_criterion,
        missing,
        in_band.group_by(*_KEY, "band").agg(pl.col("n").sum()),
        in_band.unique([*_KEY, "met"]).group_by(_KEY).agg(pl.col("n").sum()),
        units.filter(pl.col("period").is_in(periods) & pl.col("child_unit").is_not_null())
        .unique(["period", "child_unit"], keep="first", maintain_order=True)
        .select("period", "child_unit", "child_name")
        .sort("child_unit", maintain_order=True),
    ]
    if carrying:
        queries.append(
            evaluated.filter(pl.col("from_unit").is_not_null())
            .select(*_KEY, "unit", "from_unit", "name")
            .sort("unit", maintain_order=True)
        )
    if recognitions is not None:
        held = (
            recognitions.lazy()
            .filter(pl.col("tier") == tier)
            .select("unit", pl.col("period").cast(pl.Int32))
        )
        first = held.group_by("unit").agg(pl.col("period").min().alias("first"))
        queries += [
            geo.join(first, on="unit")
            .filter(pl.col("first") <= pl.col("period"))
            .group_by(_KEY)
            .len(),
            geo.join(held.unique(), on=["unit", "period"], how="semi").group_by(_KEY).len(),
        ]
    found = iter(pl.collect_all(queries))
    count_of, per_geo_f, per_criterion_f, missing_f, bands_f, banded_f, children_f = (
        next(found) for _ in range(7)
    )
    carried: dict[_Key, list[Carried]] = defaultdict(list)
    if carrying:
        for g, period, unit, old, name in next(found).iter_rows():
            carried[(g, period)].append(Carried(unit, old, name))
    recognised = recognised_now = None
    if recognitions is not None:
        recognised, recognised_now = _counts(next(found)), _counts(next(found))
    criteria_of: dict[_Key, list[CriterionCounts]] = defaultdict(list)
    for g, period, number, *by_status in per_criterion_f.iter_rows():
        criteria_of[(g, period)].append(
            CriterionCounts(int(number), **dict(zip(STATUSES, by_status, strict=True)))
        )
    band_counts: dict[_Key, dict[int, int]] = defaultdict(dict)
    for g, period, band, n in bands_f.iter_rows():
        band_counts[(g, period)][band] = n
    children: dict[int, list[tuple[Any, Any]]] = defaultdict(list)
    for period, code, name in children_f.iter_rows():
        children[period].append((code, name))
    return _Aggregates(
        communes=_counts(count_of),
        results={(g, p): (e, n, m, t) for g, p, e, n, m, t in per_geo_f.iter_rows()},
        criteria={k: tuple(v) for k, v in criteria_of.items()},
        bands=band_counts,
        banded=_counts(banded_f),
        missing=_counts(missing_f),
        recognised=recognised,
        recognised_now=recognised_now,
        carried={k: tuple(v) for k, v in carried.items()},
        children=children,
    )


def statistics_by_period(
    scope: pl.DataFrame,
    communes: pl.DataFrame,
    criteria: pl.DataFrame,
    *,
    periods: Iterable[int],
    tier: str,
    parent: str | None = None,
    bands: Sequence[Band] = DEFAULT_BANDS,
    bands_by_period: Mapping[int, Sequence[Band]] | None = None,
    recognitions: pl.DataFrame | None = None,
    baseline: int | None = None,
    basis: str = AS_RECORDED,
    parent_name: str | None = None,
) -> dict[int, Statistics]:
    """`statistics` of each of `periods` (by period, ascending), all computed in one pass:
    for a trend, or a period with its previous year and baseline. Each period's figures are
    banded by `bands_by_period[period]` when given (sets differ between periods), else by
    `bands`."""
    require_columns(scope, ("unit", "kind", "child_unit"), "scope")
    require_columns(communes, ("unit", "period", "met", "meets_set"), "communes")
    if recognitions is not None:
        require_columns(recognitions, _RECOGNITION_COLUMNS, "recognitions")
    if "comparable" in criteria.columns:
        criteria = criteria.filter(pl.col("comparable"))
    require_criteria(criteria)
    wanted = sorted(set(periods))
    if not wanted:
        return {}
    years = sorted({*wanted, *(p - 1 for p in wanted), *([] if baseline is None else [baseline])})
    chosen = bands_by_period or {}
    bands_of = {y: chosen.get(y, bands) for y in years}
    table = _aggregate(
        scope,
        communes,
        criteria,
        periods=wanted,
        years=years,
        tier=tier,
        bands_of=bands_of,
        recognitions=recognitions,
    )
    figures: dict[_Key, Figures] = {}

    def figures_of(geo: Any, year: int) -> Figures:
        key = (geo, year)
        if key not in figures:
            figures[key] = table.figures(geo, year, bands_of[year])
        return figures[key]

    def geography(unit: Any, name: Any, geo: Any, period: int) -> Geography:
        now = figures_of(geo, period)

        def against(year: int | None) -> Change | None:
            if year is None:
                return None
            then = figures_of(geo, year)
            return None if then.evaluated == 0 else change(now, then)

        return Geography(unit, name, now, against(period - 1), against(baseline))

    return {
        p: Statistics(
            parent=parent,
            period=p,
            tier=tier,
            basis=basis,
            total=geography(parent, parent_name, None, p),
            children=tuple(
                geography(code, name, code, p) for code, name in table.children.get(p, [])
            ),
            parent_name=parent_name,
        )
        for p in wanted
    }


def statistics(
    scope: pl.DataFrame,
    communes: pl.DataFrame,
    criteria: pl.DataFrame,
    *,
    period: int,
    tier: str,
    parent: str | None = None,
    bands: Sequence[Band] = DEFAULT_BANDS,
    recognitions: pl.DataFrame | None = None,
    baseline: int | None = None,
    basis: str = AS_RECORDED,
    parent_name: str | None = None,
) -> Statistics:
    """Figures of the scope in `period`, against `period - 1` and `baseline`, and by child.

    A comparison period with no evaluated commune in scope gives no change (None) rather
    than a change against zero. As recorded, each period counts on its own units (scope rows
    of that period), as offices published them.
    """
    return statistics_by_period(
        scope,
        communes,
        criteria,
        periods=(period,),
        tier=tier,
        parent=parent,
        bands=bands,
        recognitions=recognitions,
        baseline=baseline,
        basis=basis,
        parent_name=parent_name,
    )[period]


def recognised_in(
    scope: pl.DataFrame, recognitions: pl.DataFrame, *, period: int, tier: str
) -> pl.DataFrame:
    """Communes of the scope recognised for `period` at `tier`, with decision numbers."""
    require_columns(recognitions, _RECOGNITION_COLUMNS, "recognitions")
    units = _communes_in_scope(scope, period)
    return (
        recognitions.filter((pl.col("tier") == tier) & (pl.col("period") == period))
        .join(units.select("unit", "child_unit"), on="unit", how="inner")
        .sort("decision_date", "unit")
    )
