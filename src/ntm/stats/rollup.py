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

`roll_up` counts every geography (the parent and each child) in every period a caller needs
at once -- the period shown, its previous year, its baseline, the years of a trend -- and
builds the figures asked for; `statistics` is its one-period case. The straightforward
version, one small query per figure, is kept as the tests' reference
(`ntm/stats/tests/reference_rollup.py`).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import fields
from fractions import Fraction
from typing import Annotated, Any, NamedTuple

import numpy as np
import numpy.typing as npt
import polars as pl
from pydantic import Field, computed_field
from pydantic.dataclasses import dataclass

from ntm.criteria.schema import Band
from ntm.evaluation.semantics import STATUSES, UNKNOWN_STATUSES
from ntm.stats.bands import DEFAULT_BANDS
from ntm.stats.jsonable import Exact
from ntm.stats.summary import BandCount, CriterionCounts, require_columns, require_criteria

AS_RECORDED = "as_recorded"
_RECOGNITION_COLUMNS = ("unit", "period", "tier", "decision_no", "decision_date")
# The statuses in the order of CriterionCounts' fields, so counts pass positionally.
_COUNTED = tuple(f.name for f in fields(CriterionCounts) if f.name != "criterion")
assert set(_COUNTED) == set(STATUSES)
_MISSING = tuple(_COUNTED.index(s) for s in UNKNOWN_STATUSES)
_NEVER = np.iinfo(np.int64).max  # the period of a row without one


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def not_evaluated(self) -> int:
        return self.communes - self.evaluated - self.not_comparable

    @computed_field  # type: ignore[prop-decorator]
    @property
    def meeting_percent(self) -> Exact | None:
        return _share(self.meeting, self.communes)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def recognised_percent(self) -> Exact | None:
        return None if self.recognised is None else _share(self.recognised, self.communes)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def average_met(self) -> Exact | None:
        """Criteria met per evaluated commune (basically met does not count)."""
        return None if self.evaluated == 0 else Fraction(self.total_met, self.evaluated)

    @property
    def met_by_criterion(self) -> dict[int, int]:
        return {c.criterion: c.met for c in self.criteria}


@dataclass(frozen=True)
class Change:
    """Figures of `period` minus those of `against` (percentages in percentage points)."""

    period: int
    against: int
    communes: int
    meeting: int
    meeting_points: Exact | None
    average_met: Exact | None
    recognised: int | None


@dataclass(frozen=True)
class Geography:
    """One geography (the parent, or one child unit) with its changes."""

    unit: str | None
    name: str | None
    figures: Figures
    # Named in JSON as ever, beside the figures they compare.
    previous: Annotated[Change | None, Field(serialization_alias="change_previous")]
    baseline: Annotated[Change | None, Field(serialization_alias="change_baseline")]


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


def _share(part: int, whole: int) -> Fraction | None:
    return None if whole == 0 else Fraction(100 * part, whole)


def _communes_in_scope(scope: pl.DataFrame, period: int) -> pl.DataFrame:
    rows = scope.filter(pl.col("kind") == "commune")
    if "period" in rows.columns:
        rows = rows.filter(pl.col("period") == period)
    return rows.unique("unit", keep="first", maintain_order=True)


def _change(
    now: Figures,
    period: int,
    communes: int,
    meeting: int,
    evaluated: int,
    total_met: int,
    recognised: int | None,
) -> Change:
    """How `now` differs from the figures of `period` with these counts (a roll-up has the
    counts without building those figures)."""
    then_percent = _share(meeting, communes)
    now_percent = now.meeting_percent
    then_average = None if evaluated == 0 else Fraction(total_met, evaluated)
    now_average = now.average_met
    return Change(
        period=now.period,
        against=period,
        communes=now.communes - communes,
        meeting=now.meeting - meeting,
        meeting_points=(
            None if now_percent is None or then_percent is None else now_percent - then_percent
        ),
        average_met=(
            None if now_average is None or then_average is None else now_average - then_average
        ),
        recognised=None
        if now.recognised is None or recognised is None
        else now.recognised - recognised,
    )


def _scope_units(scope: pl.DataFrame, years: Sequence[int]) -> pl.DataFrame:
    """The communes of the scope in each of `years`, one row per (period, unit): the first,
    as `_communes_in_scope` keeps it, in the scope's order. `child` numbers the child units
    1, 2, ... in their sort order (0: in no child)."""
    rows = scope.lazy().filter(pl.col("kind") == "commune")
    child_name = pl.col("child_name" if "child_name" in scope.columns else "child_unit")
    name = pl.col("name") if "name" in scope.columns else pl.lit(None, pl.String)
    columns = ("unit", "child_unit", child_name.alias("child_name"), name.alias("name"))
    if "period" in scope.columns:
        units = (
            rows.select(pl.col("period").cast(pl.Int32), *columns)
            .filter(pl.col("period").is_in(years))
            .unique(["period", "unit"], keep="first", maintain_order=True)
        )
    else:
        units = pl.LazyFrame({"period": years}, schema={"period": pl.Int32}).join(
            rows.select(*columns).unique("unit", keep="first", maintain_order=True),
            how="cross",
            maintain_order="left_right",
        )
    child = pl.col("child_unit").rank("dense").fill_null(0).cast(pl.Int64).alias("child")
    return units.with_columns(child).collect()


_Ints = npt.NDArray[np.int64]
_Flags = npt.NDArray[np.bool_]


def _numbers(frame: pl.DataFrame, column: str) -> _Ints:
    return frame.get_column(column).to_numpy().astype(np.int64)


def _flags(frame: pl.DataFrame, column: str) -> _Flags:
    return frame.get_column(column).to_numpy().astype(np.bool_)


class _Units:
    """The communes of the scope in each year (`_scope_units`), numbered by row, and the row
    a row of another frame falls on: an index lookup rather than a join, since the frames are
    small and each Polars query costs a fixed fraction of a millisecond."""

    def __init__(self, scope: pl.DataFrame, years: Sequence[int]) -> None:
        self.frame = _scope_units(scope, years)
        self.height = self.frame.height
        self.years = np.asarray(years, dtype=np.int64)
        self._type = pl.Enum(self.frame.get_column("unit").cast(pl.String).drop_nulls().unique())
        self.year = np.searchsorted(self.years, _numbers(self.frame, "period"))
        self.child = _numbers(self.frame, "child")
        self.width = int(self.child.max(initial=0)) + 1
        self.cell = self.year * self.width + self.child  # (year, child) as one number
        self.code_of = _numbers(self.frame.select(self.code()), "code")
        known = self.code_of >= 0
        self._row = np.full((len(years), self.distinct), -1, dtype=np.int64)
        self._row[self.year[known], self.code_of[known]] = np.flatnonzero(known)

    @property
    def distinct(self) -> int:
        """How many units the scope has (numbered by `code`)."""
        return len(self._type.categories)

    def code(self) -> pl.Expr:
        """A frame's `unit` numbered among the scope's units; -1 when not one (or null)."""
        unit = pl.col("unit").cast(pl.String).cast(self._type, strict=False)
        return unit.to_physical().cast(pl.Int64).fill_null(-1).alias("code")

    def period(self) -> pl.Expr:
        """A frame's `period`; a null one as `_NEVER`, a year never found."""
        return pl.col("period").cast(pl.Int32).cast(pl.Int64).fill_null(_NEVER)

    def rows(self, frame: pl.DataFrame) -> _Ints:
        """The row of each (`code`, `period`) of a frame, -1 where the scope has none."""
        code, period = _numbers(frame, "code"), _numbers(frame, "period")
        found = np.full(len(code), -1, dtype=np.int64)
        if not len(self.years):
            return found
        at = np.minimum(np.searchsorted(self.years, period), len(self.years) - 1)
        known = (code >= 0) & (self.years[at] == period)
        found[known] = self._row[at[known], code[known]]
        return found

    def flag(self, rows: _Ints) -> _Flags:
        """The rows (indices) as a mask."""
        out = np.zeros(self.height, dtype=np.bool_)
        out[rows] = True
        return out

    def count(self, rows: _Ints | _Flags, weights: _Ints | None = None) -> _Ints:
        """Rows (indices or a mask; each counts 1, or its weight) summed by (year,
        geography): by child unit, and the parent's as their sum at geography 0 (which held
        the communes in no child): a commune lies in one child unit a year."""
        found = np.bincount(self.cell[rows], weights, len(self.years) * self.width)
        out = found.astype(np.int64).reshape(len(self.years), self.width)
        out[:, 0] = out.sum(axis=1)
        return out


class _Counts(NamedTuple):
    """The counts of one geography in one year."""

    communes: int
    evaluated: int
    not_comparable: int
    meeting: int
    total_met: int
    missing: int
    banded: int
    recognised: int
    recognised_now: int


class RollUp:
    """The counts of every geography in every year a roll-up needs, made by `roll_up`;
    `Figures` and `Statistics` are built from them on request.

    Counts are nested lists by year (position in `years`) and geography: 0 the parent, 1, 2,
    ... its child units in their sort order.
    """

    def __init__(
        self,
        *,
        periods: tuple[int, ...],
        years: Sequence[int],
        tier: str,
        parent: str | None,
        basis: str,
        parent_name: str | None,
        baseline: int | None,
        bands_of: Mapping[int, Sequence[Band]],
        recognitions: bool,
        counts: list[list[_Counts]],
        bands: list[list[list[int]]],
        criteria: tuple[list[int], list[list[list[list[int]]]]],
        carried: Mapping[tuple[int, int], tuple[Carried, ...]],
        units: _Units,
    ) -> None:
        self.periods = periods
        self._years = list(years)
        self._index = {year: i for i, year in enumerate(years)}
        self._tier, self._parent, self._basis, self._parent_name = tier, parent, basis, parent_name
        self._baseline = baseline
        self._bands_of = bands_of
        self._recognitions = recognitions
        self._counts = counts
        self._bands = bands  # by year, geography and band
        self._criterion_numbers, self._criteria = criteria  # by year, geography, criterion
        self._carried = carried
        self._units = units
        self._made: dict[tuple[int, int], Figures] = {}

    def figures(self, period: int) -> Figures:
        """The parent's figures in `period` (one of `periods`, their previous years or the
        baseline)."""
        return self._figures(self._index[period], 0)

    def statistics(self, period: int) -> Statistics:
        """`statistics(..., period=period)` with this roll-up's arguments."""
        if period not in self.periods:
            raise KeyError(period)
        at = self._index[period]
        base = None if self._baseline is None else self._index[self._baseline]

        def geography(unit: Any, name: Any, geo: int) -> Geography:
            now = self._figures(at, geo)
            previous = self._change(now, self._index[period - 1], geo)
            baseline = None if base is None else self._change(now, base, geo)
            return Geography(unit, name, now, previous, baseline)

        return Statistics(
            parent=self._parent,
            period=period,
            tier=self._tier,
            basis=self._basis,
            total=geography(self._parent, self._parent_name, 0),
            children=tuple(
                geography(code, name, g) for g, code, name in _children(self._units, at)
            ),
            parent_name=self._parent_name,
        )

    def _change(self, now: Figures, at: int, geo: int) -> Change | None:
        """`now` against the year at position `at`: None when either has no evaluated commune
        (never a change from or to zero)."""
        then = self._counts[at][geo]
        if then.evaluated == 0 or now.evaluated == 0:
            return None
        return _change(
            now,
            self._years[at],
            then.communes,
            then.meeting,
            then.evaluated,
            then.total_met,
            then.recognised if self._recognitions else None,
        )

    def _figures(self, at: int, geo: int) -> Figures:
        """The figures of a geography in the year at position `at` of `years`."""
        found = self._made.get((at, geo))
        if found is not None:
            return found
        counts = self._counts[at][geo]
        period = self._years[at]
        made = Figures(
            period=period,
            communes=counts.communes,
            evaluated=counts.evaluated,
            not_comparable=counts.not_comparable,
            meeting=counts.meeting,
            total_met=counts.total_met,
            criteria=tuple(
                CriterionCounts(number, *by_status)
                for number, by_status in zip(
                    self._criterion_numbers, self._criteria[at][geo], strict=True
                )
                if any(by_status)
            ),
            bands=tuple(
                BandCount(b, n)
                for b, n in zip(self._bands_of[period], self._bands[at][geo], strict=True)
            ),
            unbanded=counts.evaluated - counts.banded,
            communes_missing=counts.missing,
            recognised=counts.recognised if self._recognitions else None,
            recognised_in_period=counts.recognised_now if self._recognitions else None,
            unchanged_territory=self._carried.get((at, geo), ()),
        )
        self._made[(at, geo)] = made
        return made


def roll_up(
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
) -> RollUp:
    """Everything `statistics` needs for each of `periods`, counted in one pass: for a period
    with its previous year and baseline and the years of its trend. Then
    `.statistics(period)` equals `statistics(..., period=period)` with the same arguments,
    and `.figures(period)` is its total's figures. Each period's figures are banded by
    `bands_by_period[period]` when given (sets differ between periods), else by `bands`."""
    require_columns(scope, ("unit", "kind", "child_unit"), "scope")
    require_columns(communes, ("unit", "period", "met", "meets_set"), "communes")
    if recognitions is not None:
        require_columns(recognitions, _RECOGNITION_COLUMNS, "recognitions")
    if "comparable" in criteria.columns:
        criteria = criteria.filter(pl.col("comparable"))
    require_criteria(criteria)
    wanted = tuple(sorted(set(periods)))
    years = sorted({*wanted, *(p - 1 for p in wanted), *([] if baseline is None else [baseline])})
    chosen = bands_by_period or {}
    bands_of = {y: chosen.get(y, bands) for y in years}
    units = _Units(scope, years)

    ok = pl.col("comparable") if "comparable" in communes.columns else pl.lit(True)
    met = pl.col("met").cast(pl.Int64)
    results = communes.select(
        units.code(),
        units.period(),
        ok.fill_null(False).alias("evaluated"),
        (~ok).fill_null(False).alias("not_comparable"),
        (ok & pl.col("meets_set")).fill_null(False).alias("meeting"),
        met.fill_null(0).alias("met"),
        (ok & met.is_not_null()).fill_null(False).alias("has_met"),
        *(["from_unit"] if "from_unit" in communes.columns else []),
    )
    # Every result row counts, as the reference's semi join keeps each.
    row = units.rows(results)
    mine = row >= 0
    at, evaluated = row[mine], _flags(results, "evaluated")[mine]
    has_met, met_of = _flags(results, "has_met")[mine], _numbers(results, "met")[mine]

    statuses = criteria.select(
        units.code(),
        units.period(),
        "criterion",
        pl.col("status").cast(pl.String).cast(pl.Enum(_COUNTED)).to_physical().alias("status"),
    )
    # Criteria count for communes in scope with an evaluated result (a semi join).
    on = units.rows(statuses)
    kept = on >= 0
    kept[kept] = units.flag(at[evaluated])[on[kept]]
    on, status = on[kept], _numbers(statuses, "status")[kept]

    recognised = np.zeros((2, units.height), dtype=np.bool_)
    if recognitions is not None:
        held = recognitions.filter(pl.col("tier") == tier).select(units.code(), units.period())
        code = _numbers(held, "code")
        # Recognised in a period when recognised for any period up to it.
        first = np.full(units.distinct, _NEVER)
        np.minimum.at(first, code[code >= 0], _numbers(held, "period")[code >= 0])
        ours = units.code_of >= 0
        recognised[0, ours] = first[units.code_of[ours]] <= units.years[units.year[ours]]
        in_period = units.rows(held)
        recognised[1] = units.flag(in_period[in_period >= 0])

    banded, band_counts = _band_counts(
        units, [bands_of[y] for y in years], at[has_met], met_of[has_met]
    )
    counts = np.stack(
        [
            units.count(np.arange(units.height)),
            units.count(at[evaluated]),
            units.count(at[_flags(results, "not_comparable")[mine]]),
            units.count(at[_flags(results, "meeting")[mine]]),
            units.count(at, met_of * evaluated),
            units.count(units.flag(on[np.isin(status, _MISSING)])),
            banded,
            units.count(recognised[0]),
            units.count(recognised[1]),
        ],
        axis=-1,
    )
    # Criteria by (year, geography, criterion, status), criteria in number order.
    numbers, criterion = np.unique(_numbers(statuses, "criterion")[kept], return_inverse=True)
    shape = (len(years), units.width, len(numbers), len(_COUNTED))
    cells = (units.cell[on] * len(numbers) + criterion) * len(_COUNTED) + status
    by_status = np.bincount(cells, minlength=int(np.prod(shape))).reshape(shape)
    by_status[:, 0] = by_status.sum(axis=1)
    return RollUp(
        periods=wanted,
        years=years,
        tier=tier,
        parent=parent,
        basis=basis,
        parent_name=parent_name,
        baseline=baseline,
        bands_of=bands_of,
        recognitions=recognitions is not None,
        counts=[[_Counts(*cell) for cell in year] for year in counts.tolist()],
        bands=band_counts,
        criteria=(numbers.tolist(), by_status.tolist()),
        carried=_carried(units, results, row),
        units=units,
    )


def _band_counts(
    units: _Units, bands: Sequence[Sequence[Band]], at: _Ints, met: _Ints
) -> tuple[_Ints, list[list[list[int]]]]:
    """Communes in any band and in each band, by (year, geography), of the results on rows
    `at` with `met` criteria met. Bands are inclusive ranges and differ by year."""
    banded = np.zeros(len(at), dtype=np.bool_)
    counts: list[list[list[int]]] = []
    for year, spans in enumerate(bands):
        in_year = units.year[at] == year
        by_band = np.zeros((units.width, len(spans)), dtype=np.int64)
        for i, band in enumerate(spans):
            hit = in_year & (met >= band.min) & (met <= band.max)
            by_band[:, i] = units.count(at[hit])[year]
            banded |= hit
        counts.append(by_band.tolist())
    return units.count(at[banded]), counts


def _carried(
    units: _Units, results: pl.DataFrame, row: _Ints
) -> dict[tuple[int, int], tuple[Carried, ...]]:
    """`Figures.unchanged_territory` by (year, geography), each sorted by unit: the evaluated
    results (on scope rows `row`) that name a `from_unit`."""
    if "from_unit" not in results.columns:
        return {}
    unit = units.frame.get_column("unit").to_list()
    name = units.frame.get_column("name").to_list()
    olds = results.get_column("from_unit").to_list()
    evaluated = _flags(results, "evaluated")
    found: dict[tuple[int, int], list[Carried]] = defaultdict(list)
    for r, old, counted in zip(row.tolist(), olds, evaluated, strict=True):
        if r >= 0 and counted and old is not None:
            one = Carried(unit[r], old, name[r])
            year, child = int(units.year[r]), int(units.child[r])
            found[(year, 0)].append(one)
            if child:
                found[(year, child)].append(one)
    return {key: tuple(sorted(rows, key=lambda c: c.unit)) for key, rows in found.items()}


def _children(units: _Units, year: int) -> list[tuple[int, Any, Any]]:
    """(geography, child unit, its name) of each child unit with a commune in the year at
    position `year`, in sort order; its name is that of its first commune's row."""
    rows = np.flatnonzero((units.year == year) & (units.child > 0))
    found, first = np.unique(units.child[rows], return_index=True)
    codes = units.frame.get_column("child_unit").gather(rows[first]).to_list()
    names = units.frame.get_column("child_name").gather(rows[first]).to_list()
    return list(zip(found.tolist(), codes, names, strict=True))


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

    A comparison where either period has no evaluated commune in scope gives no change
    (None) rather than a change against zero. As recorded, each period counts on its own
    units (scope rows of that period), as offices published them.
    """
    return roll_up(
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
    ).statistics(period)


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
