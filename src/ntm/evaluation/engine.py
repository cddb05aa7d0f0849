"""The vectorised evaluation engine: values x criteria set -> indicator, criterion, commune results.

How it is fast without looping over rows in Python:

* Keys are integer-encoded once: unit -> position in `units`, measure -> position among the
  measures the set uses, period -> position among the assessment years. String and Enum
  inputs are both accepted; Enum/Categorical keys are mapped through their (small) category
  list, so no string is hashed per row.
* Values are scattered into dense arrays indexed by (unit, year, measure). Every output row
  then reads its value by plain index arithmetic, and absent values are simply null.
* Thresholds are resolved once per (province overlay scope, commune column, year, condition)
  with `ResolvedSet.lookup` -- the same walk the reference evaluator does per row -- into a
  small table that rows index into.
* Both entry points first check (a few passes over integer codes) whether the values are laid
  out in (unit, year) blocks holding every measure once in one order, as a database export
  is; then each measure's column is a strided read and nothing is scattered. The explained
  rows then take their numerator, denominator and stage straight from the input columns when
  the blocks are in (unit, year) order and the measures in condition order, else by row
  arithmetic. Any other layout takes the general path above.
* Numeric comparisons use a bound per threshold cell with the tolerance folded in, computed
  once with the reference's float arithmetic.
* Statuses are computed on a wide frame (one row per unit and year, one column per condition),
  where each condition's comparison is a constant; criteria are row-wise maxima of their
  conditions. The long `indicators` and `criteria` frames are interleavings of those columns:
  the columns stacked, then read in row order by one gather.

Semantics (shared with `reference.py`, see `semantics.py`):

* A share's value is 100 * numerator / denominator; a zero or null denominator is missing data.
  Other measures use `value`; NaN counts as missing. A share's `value` column is not read.
* "verified" values are used where a row exists for both stages; the stage used is reported.
* A condition is not_applicable only when the row says so and the indicator may be not
  applicable ("nếu có"); a not-applicable row for any other indicator is missing_data, since
  it carries no usable value (never a pass, never a silent fail).
* Order of checks per condition: not_applicable, missing value (missing_data), a threshold
  that depends on the commune group of a commune without one (missing_group), missing
  threshold (missing_threshold), then the comparison with the tolerance of `semantics.REL_TOL`.
* yes/no: 1.0 met, 0.0 not met, anything else missing_data. "none": 0 met, more not met,
  a negative count missing_data.
* criteria: the province office's decision stands where there is one; else the computed
  status wherever the values decide the criterion (met, not met, not applicable), and a
  declaration differing from it is flagged `conflict`; else the declaration, else the computed
  status (missing data or threshold). `source` says which (`semantics.Source`).
* communes: `met` counts met criteria only; `not_applicable` counts criteria whose every
  indicator is not applicable; `meets_set` is true when every criterion is met or not
  applicable (met + not_applicable == total): a criterion that does not apply to a commune
  does not stand in its way. basically_met never counts as met.

Output types: `unit` is String, `period` and `criterion` Int32; columns with a closed
vocabulary (statuses, indicator, measure, op, stage, column, basis, set_version, source) are
`pl.Enum`, which compares with plain strings and with the members of `semantics.Status`,
`semantics.Stage` and `schema.Op` (`pl.col("status") == Status.MET`) and gives strings from
`to_list()`/`to_dicts()`; cast to `pl.String` before joining them with String columns.
Counts in `communes` are UInt32.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import polars as pl

from ntm.criteria.loader import load_measures
from ntm.criteria.resolve import ResolvedSet, resolve
from ntm.criteria.schema import (
    NO_GROUP,
    NUMERIC_OPS,
    PROVINCE,
    CriteriaSet,
    Measure,
    Op,
    Overlay,
)
from ntm.evaluation import semantics as S

_STATUS = pl.Enum(S.Status)
_CELL_STATUS = pl.Enum(list(S.CELL_STATUSES))
_STAGE = pl.Enum(S.Stage)
_SOURCE = pl.Enum(S.Source)


@dataclass(frozen=True)
class Evaluation:
    set_id: str
    labels: dict[int, str]  # year -> ResolvedSet.label (national; overlay labels are per row)
    indicators: pl.DataFrame
    criteria: pl.DataFrame
    communes: pl.DataFrame


@dataclass(frozen=True)
class _Cond:
    criterion: int
    indicator: str
    index: int  # position of the condition within its indicator
    measure: str
    op: Op
    may_na: bool


@dataclass
class _Plan:
    """Everything static about one evaluation: keys, conditions and the threshold table."""

    cset: CriteriaSet
    units: list[str]
    years: list[int]
    conds: list[_Cond]
    criteria: list[int]
    crit_conds: list[list[int]]  # criterion position -> condition positions
    measures: list[str]
    cond_measure: list[int]  # condition -> measure position
    share: list[bool]  # measure position -> is a share
    unit_group: pl.Series  # unit position -> threshold group (scope * ncol + column)
    n_groups: int
    ncol: int  # the commune columns: the set's, and NO_GROUP under a set by commune group
    # Threshold table, index ((group * Y) + year) * NC + condition.
    thr_value: list[float | None] = field(default_factory=list)
    thr_status: list[int | None] = field(default_factory=list)
    thr_column: list[int | None] = field(default_factory=list)
    thr_basis: list[int] = field(default_factory=list)
    column_names: list[str] = field(default_factory=list)
    no_group: int | None = None  # position of NO_GROUP in column_names, if the set has groups
    basis_names: list[str] = field(default_factory=list)
    # Label per (scope * Y + year).
    labels: list[int] = field(default_factory=list)
    label_names: list[str] = field(default_factory=list)
    national_labels: dict[int, str] = field(default_factory=dict)

    @property
    def nuy(self) -> int:
        return len(self.units) * len(self.years)


@dataclass
class _Dense:
    """Values laid out densely and measure-major: index measure * NUY + (unit * Y + year).

    The column of one measure is then a contiguous slice (no copy), and every explained row
    reads its value by index arithmetic; an absent value is simply null.
    """

    value: pl.Series  # f64, effective value (shares in percent), null when absent or unusable
    na: pl.Series | None  # bool: the row says not applicable; None when no row does
    # Explained rows only: the input row used per slot (null when absent), and those rows
    # (value, verified, numerator, denominator), so that parts are gathered, not scattered.
    row: pl.Series | None
    rows: pl.DataFrame | None

    def column(self, series: pl.Series, measure: int, nuy: int) -> pl.Series:
        return series.slice(measure * nuy, nuy)


# ---------------------------------------------------------------------------------- planning


def _conditions(cset: CriteriaSet) -> tuple[list[_Cond], list[int], list[list[int]]]:
    conds: list[_Cond] = []
    numbers: list[int] = []
    crit_conds: list[list[int]] = []
    for criterion in sorted(cset.criteria, key=lambda c: c.number):
        numbers.append(criterion.number)
        mine: list[int] = []
        for ind in criterion.indicators:
            for k, cond in enumerate(ind.conditions):
                mine.append(len(conds))
                conds.append(
                    _Cond(
                        criterion.number,
                        ind.code,
                        k,
                        cond.measure,
                        cond.op,
                        ind.may_be_not_applicable,
                    )
                )
        crit_conds.append(mine)
    return conds, numbers, crit_conds


def _flag_columns(cset: CriteriaSet) -> list[str]:
    return sorted({f for ov in cset.column_overrides for f in ov.flags})


def _check_units(units: pl.DataFrame) -> None:
    if "unit" not in units.columns:
        raise ValueError("units: thiếu cột 'unit' (missing column 'unit')")
    codes = units.get_column("unit")
    if codes.null_count():
        raise ValueError("units: cột 'unit' có ô trống (empty unit code)")
    if codes.n_unique() != units.height:
        dupes = codes.filter(codes.is_duplicated()).unique().sort().head(5).to_list()
        raise ValueError(f"units: mã đơn vị trùng lặp (duplicate unit codes): {dupes}")


def _unit_groups(
    cset: CriteriaSet,
    units: pl.DataFrame,
    probe: ResolvedSet,
    scopes: Mapping[str, int],
    columns: Mapping[str, int],
) -> pl.Series:
    """Threshold group per unit: (overlay scope, the commune's own column).

    The commune's column comes from `ResolvedSet.unit_column`, called once per distinct
    (region, group, flags) combination, not per unit.
    """
    flags = _flag_columns(cset)
    n = units.height
    frame = pl.DataFrame(
        {
            "region": _str_col(units, "region", n),
            "commune_group": _str_col(units, "commune_group", n),
            "province": _str_col(units, "province", n),
            **{
                f: (
                    units.get_column(f).cast(pl.Boolean).fill_null(False)
                    if f in units.columns
                    else pl.repeat(False, n, dtype=pl.Boolean, eager=True)
                )
                for f in flags
            },
        }
    )
    key = ["region", "commune_group", *flags]
    combos = frame.select(key).unique(maintain_order=True)
    col_idx = [
        columns[
            probe.unit_column(
                row[0], row[1], [f for f, on in zip(flags, row[2:], strict=True) if on]
            )
        ]
        for row in combos.iter_rows()
    ]
    combos = combos.with_columns(pl.Series("_col", col_idx, dtype=pl.UInt32))
    ncol = len(columns)
    out = frame.join(combos, on=key, how="left", nulls_equal=True, maintain_order="left").select(
        pl.col("province").replace_strict(scopes, default=0, return_dtype=pl.UInt32) * ncol
        + pl.col("_col")
    )
    return out.to_series().rename("group")


def _str_col(frame: pl.DataFrame, name: str, n: int) -> pl.Series:
    if name in frame.columns:
        return frame.get_column(name).cast(pl.String)
    return pl.repeat(None, n, dtype=pl.String, eager=True).rename(name)


def _plan(
    cset: CriteriaSet,
    units: pl.DataFrame,
    years: Sequence[int],
    overlays: Sequence[Overlay],
    check_period: bool,
    measures: Mapping[str, Measure] | None,
) -> _Plan:
    _check_units(units)
    catalogue = load_measures() if measures is None else measures
    conds, numbers, crit_conds = _conditions(cset)
    measure_keys = list(dict.fromkeys(c.measure for c in conds))
    unknown = [m for m in measure_keys if m not in catalogue]
    if unknown:
        raise ValueError(f"{cset.id}: measures not in the catalogue: {unknown}")
    share = [catalogue[m].kind == "share" for m in measure_keys]
    mpos = {m: i for i, m in enumerate(measure_keys)}

    by_province: dict[str, list[Overlay]] = {}
    for ov in overlays:
        by_province.setdefault(ov.province_code, []).append(ov)
    scope_overlays: list[tuple[Overlay, ...]] = [()] + [tuple(v) for v in by_province.values()]
    scopes = {p: i + 1 for i, p in enumerate(by_province)}
    column_codes = [c.code for c in cset.columns]
    if any(c.kind == "commune_group" for c in cset.columns):
        column_codes.append(NO_GROUP)
    columns = {c: i for i, c in enumerate(column_codes)}

    resolved = [
        [resolve(cset, y, ovs, check_period=check_period) for y in years] for ovs in scope_overlays
    ]
    plan = _Plan(
        cset=cset,
        units=units.get_column("unit").cast(pl.String).to_list(),
        years=list(years),
        conds=conds,
        criteria=numbers,
        crit_conds=crit_conds,
        measures=measure_keys,
        cond_measure=[mpos[c.measure] for c in conds],
        share=share,
        unit_group=pl.Series(dtype=pl.UInt32),
        n_groups=len(scope_overlays) * len(column_codes),
        ncol=len(column_codes),
        column_names=[*column_codes, PROVINCE],
        no_group=columns.get(NO_GROUP),
    )
    plan.national_labels = {y: rs.label for y, rs in zip(years, resolved[0], strict=True)}
    if years:
        plan.unit_group = _unit_groups(cset, units, resolved[0][0], scopes, columns)
    else:
        plan.unit_group = pl.repeat(0, units.height, dtype=pl.UInt32, eager=True)

    col_pos = {c: i for i, c in enumerate(plan.column_names)}
    basis_pos: dict[str, int] = {}
    label_pos: dict[str, int] = {}
    for per_year in resolved:
        for rs in per_year:
            plan.labels.append(label_pos.setdefault(rs.label, len(label_pos)))
    for per_year in resolved:
        # yes/none: how sure the law's "Đạt" / "Không" cell is; the same in every column.
        flat = [
            {
                i: S.CELL_STATUSES.index(rs.condition_status(c.indicator, c.index))
                for i, c in enumerate(conds)
                if c.op not in NUMERIC_OPS
            }
            for rs in per_year
        ]
        for column in column_codes:
            for rs, flat_status in zip(per_year, flat, strict=True):
                version_basis = rs.version.legal_basis.number
                for i, cond in enumerate(conds):
                    if cond.op in NUMERIC_OPS:
                        used, cell = rs.lookup(cond.indicator, cond.index, column)
                        plan.thr_value.append(cell.value)
                        plan.thr_status.append(S.CELL_STATUSES.index(cell.status))
                        plan.thr_column.append(col_pos[used])
                        basis = cell.basis
                    else:
                        plan.thr_value.append(None)
                        plan.thr_status.append(flat_status[i])
                        plan.thr_column.append(None)
                        basis = version_basis
                    plan.thr_basis.append(basis_pos.setdefault(basis, len(basis_pos)))
    plan.basis_names = list(basis_pos)
    plan.label_names = list(label_pos)
    return plan


# ---------------------------------------------------------------------------------- encoding


def _values_frame(values: pl.DataFrame) -> pl.DataFrame:
    missing = [c for c in ("unit", "measure", "period") if c not in values.columns]
    if missing:
        raise ValueError(f"values: thiếu cột {missing} (missing columns)")
    return values


def _key_expr(name: str, dtype: pl.DataType, keys: Sequence[str]) -> pl.Expr:
    """Positions of column `name`'s strings in `keys` (UInt32), null where absent."""
    pos = {k: i for i, k in enumerate(keys)}
    if isinstance(dtype, pl.Enum):
        # Map the (few) categories, then gather by the physical code: no per-row hashing.
        lut = pl.Series([pos.get(c) for c in dtype.categories.to_list()], dtype=pl.UInt32)
        return pl.lit(lut).gather(pl.col(name).to_physical())
    if dtype not in (pl.String, pl.Categorical):
        raise ValueError(f"cột '{name}' phải là chuỗi (must be text), not {dtype}")
    return pl.col(name).cast(pl.String).cast(pl.Enum(list(keys)), strict=False).to_physical()


def _encode_keys(series: pl.Series, keys: Sequence[str], what: str) -> pl.Series:
    frame = series.rename(what).to_frame()
    return frame.select(_key_expr(what, series.dtype, keys).cast(pl.UInt32)).to_series()


def _check_stages(values: pl.DataFrame) -> None:
    """Rejects any stage but claimed/verified (free for an Enum of those two)."""
    if "stage" not in values.columns:
        return
    stage = values.get_column("stage")
    dtype = stage.dtype
    if not (isinstance(dtype, pl.Enum) and set(dtype.categories.to_list()) <= set(S.Stage)):
        text = stage.cast(pl.String)
        bad = text.is_not_null() & ~text.is_in(list(S.Stage))
        if bad.any():
            raise ValueError(
                f"values: giai đoạn không hợp lệ (stage must be claimed/verified): "
                f"{text.filter(bad).unique().head(5).to_list()}"
            )


def _verified_expr(values: pl.DataFrame) -> pl.Expr:
    """True where the row is a verified value; rejects any stage but claimed/verified."""
    if "stage" not in values.columns:
        return pl.lit(False)
    _check_stages(values)
    return (pl.col("stage") == S.Stage.VERIFIED).fill_null(False)


def _strictly_increasing(keys: pl.Series) -> bool:
    if keys.len() < 2:
        return True
    return bool((keys.slice(1) > keys.slice(0, keys.len() - 1)).all())


def _distinct(keys: pl.Series, bound: int) -> bool:
    """Whether keys in [0, bound) are all different: mark each in a dense array and count."""
    marks = pl.zeros(bound, dtype=pl.UInt8, eager=True)
    marks.scatter(keys, pl.repeat(1, keys.len(), dtype=pl.UInt8, eager=True))
    return int(marks.sum()) == keys.len()


def _year_index(plan: _Plan, period: pl.Expr) -> pl.Expr:
    """Position of each period among the assessment years (UInt32), null for other years."""
    y0 = min(plan.years) if plan.years else 0
    span = (max(plan.years) - y0 + 1) if plan.years else 1
    position = dict(zip(plan.years, range(len(plan.years)), strict=True))
    ylut = pl.Series([position.get(y0 + i) for i in range(span)], dtype=pl.UInt32)
    rel = period.cast(pl.Int64) - y0
    return pl.when((rel >= 0) & (rel < span)).then(pl.lit(ylut).gather(rel.clip(0, span - 1)))


def _encode_values(plan: _Plan, values: pl.DataFrame, with_parts: bool) -> _Dense:
    """Scatter the values into dense arrays; checks unknown units, stages and duplicates.

    Verified values win: every row is written once, then the verified rows again on top.
    With `with_parts` the stage used, numerator and denominator are kept for explained rows.
    """
    values = _values_frame(values)
    ny, nm, nuy = len(plan.years), len(plan.measures), plan.nuy
    size = nuy * nm
    slot_type = pl.UInt32 if 2 * size < 2**32 else pl.Int64
    schema = values.schema

    yi = _year_index(plan, pl.col("period"))
    share = pl.lit(pl.Series(plan.share, dtype=pl.Boolean)).gather(pl.col("_mid"))
    na = (
        pl.col("not_applicable").cast(pl.Boolean).fill_null(False)
        if "not_applicable" in schema
        else pl.lit(False)
    )
    verified = _verified_expr(values)
    uy = pl.col("_uid") * ny + pl.col("_yi")
    parts = (
        {name: _raw(values, name).fill_nan(None) for name in ("numerator", "denominator")}
        if with_parts
        else {}
    )
    computed = (
        values.lazy()
        .with_columns(
            _uid=_key_expr("unit", schema["unit"], plan.units).cast(slot_type),
            _mid=_key_expr("measure", schema["measure"], plan.measures).cast(slot_type),
            _yi=yi.cast(slot_type),
        )
        .filter(pl.col("_mid").is_not_null() & pl.col("_yi").is_not_null())
        .select(
            slot=pl.col("_mid") * nuy + uy,
            # Key order of a unit-major export, stage last: to find duplicates cheaply.
            order=((uy * nm + pl.col("_mid")) * 2 + verified.cast(slot_type)),
            # NaN anywhere gives NaN here, and NaN is missing: one fill_nan at the end.
            value=_share_value(values, share).fill_nan(None),
            verified=verified,
            na=na,
            **parts,
        )
        .with_row_index("_row")
        .collect()
    )
    if computed.get_column("slot").null_count():
        known = set(plan.units)
        units = values.get_column("unit").cast(pl.String).unique().to_list()
        codes = sorted(u for u in units if u is not None and u not in known)[:5]
        raise ValueError(f"values: đơn vị không có trong danh sách (units not in units): {codes}")
    order = computed.get_column("order")
    if not _strictly_increasing(order) and not _distinct(order, 2 * size):
        raise ValueError(
            "values: có nhiều hơn một dòng cho cùng đơn vị, chỉ số, năm và giai đoạn "
            "(more than one row per unit, measure, period and stage)"
        )
    is_verified = computed.get_column("verified")
    n_verified = int(is_verified.sum())
    any_na = bool(computed.get_column("na").any())
    passes = [computed]
    if 0 < n_verified < computed.height:
        passes.append(computed.filter(is_verified))

    def dense(column: str, dtype: pl.DataType) -> pl.Series:
        out = pl.repeat(None, size, dtype=dtype, eager=True)
        for part in passes:
            out.scatter(part.get_column("slot"), part.get_column(column).cast(dtype))
        return out

    if not with_parts:
        return _Dense(
            value=dense("value", pl.Float64()),
            na=dense("na", pl.Boolean()) if any_na else None,
            row=None,
            rows=None,
        )
    # One scatter of the row index, then gathers (much cheaper than scattering every part).
    row = dense("_row", pl.UInt32())
    rows = computed.select("value", "verified", "na", "numerator", "denominator")
    return _Dense(
        value=rows.get_column("value").gather(row),
        na=rows.get_column("na").gather(row) if any_na else None,
        row=row,
        rows=rows,
    )


# ---------------------------------------------------------------------------------- block layout


def _block_keys(
    values: pl.DataFrame, name: str, keys: Sequence[str], width: int
) -> pl.Series | None:
    """Per block of `width` rows, the position in `keys` of column `name`'s one value there;
    None when some block holds more than one value. Unknown keys give null positions."""
    dtype = values.schema[name]
    if isinstance(dtype, pl.Enum):
        # Compare the physical codes; map only the one code per block.
        code = pl.col(name).to_physical()
        pos = {k: i for i, k in enumerate(keys)}
        lut: pl.Series | None = pl.Series(
            [pos.get(c) for c in dtype.categories.to_list()], dtype=pl.UInt32
        )
    else:
        code = _key_expr(name, dtype, keys)
        lut = None
    k = values.select(code.alias("k")).to_series()
    if k.null_count():
        return None
    first = _block_firsts(k, width)
    if first is None:
        return None
    first = first.cast(pl.UInt32)
    return lut.gather(first) if lut is not None else first


def _block_firsts(codes: pl.Series, width: int) -> pl.Series | None:
    """The value in each block of `width` rows (no nulls); None when a block holds two.

    Each row is compared with the one before it, except at the start of a block: contiguous
    numpy arrays (no copy when the column is one chunk), several times faster than Polars'
    array reductions over the same (blocks x width) shape."""
    flat = codes.to_numpy()
    same = flat[1:] == flat[:-1]
    same[width - 1 :: width] = True
    if not same.all():
        return None
    return pl.Series(flat[::width])


def _block_pattern(plan: _Plan, values: pl.DataFrame) -> list[int] | None:
    """Where each measure sits in every block, when each block lists every measure of the set
    once, in one and the same order; None otherwise."""
    nm = len(plan.measures)
    dtype = values.schema["measure"]
    if isinstance(dtype, pl.Enum):
        code = pl.col("measure").to_physical()
        pos = {k: i for i, k in enumerate(plan.measures)}
        keys = pl.Series([pos.get(c) for c in dtype.categories.to_list()], dtype=pl.UInt32)
    else:
        code = _key_expr("measure", dtype, plan.measures)
        keys = None
    head = values.head(nm).select(code.cast(pl.UInt32)).to_series()
    if head.null_count():
        return None
    order = keys.gather(head) if keys is not None else head
    if order.null_count() or order.n_unique() != nm:
        return None
    # Every block repeats the first one (`head`): each row equals the one a block before it.
    codes = values.select(code).to_series()
    if codes.null_count():
        return None
    flat = codes.to_numpy()
    if not (flat[nm:] == flat[:-nm]).all():
        return None
    where = [0] * nm
    for p, m in enumerate(order.to_list()):
        where[m] = p
    return where


@dataclass(frozen=True)
class _Blocks:
    """Where things are in values laid out in (unit, year) blocks (see `_block_layout`)."""

    where: list[int]  # measure position -> row within every block
    order: pl.Series | None  # (unit, year) -> its block; None when blocks are in that order

    def block_rows(self, plan: _Plan, uy: pl.Expr, measure: pl.Expr) -> pl.Expr:
        """The input row holding `measure` (a position) for `uy` (unit * Y + year)."""
        block = uy if self.order is None else pl.lit(self.order).gather(uy)
        return block * len(plan.measures) + pl.lit(pl.Series(self.where, dtype=pl.UInt32)).gather(
            measure
        )


def _block_layout(plan: _Plan, values: pl.DataFrame) -> _Blocks | None:
    """Whether the values are laid out in blocks, and where; None otherwise.

    A database export is usually ordered by unit, year and measure with every value present:
    blocks of one row per measure of the set, each block one (unit, year), every (unit, year)
    once. Such a frame needs no scatter: block b, position p is a fixed cell, so a measure's
    column is a strided read. The check itself is a few passes over integer codes. Anything
    else (a missing or extra row, both stages of a value, other measures or years, another
    order within blocks) returns None and takes the general path, which also reports errors.
    """
    values = _values_frame(values)
    ny, nm, nuy = len(plan.years), len(plan.measures), plan.nuy
    if nuy == 0 or nm == 0 or values.height != nuy * nm:
        return None
    if any(values.get_column(c).null_count() for c in ("unit", "measure", "period")):
        return None
    where = _block_pattern(plan, values)
    if where is None:
        return None
    uid = _block_keys(values, "unit", plan.units, nm)
    if uid is None:
        return None
    period = _block_firsts(values.get_column("period"), nm)
    if period is None:
        return None
    uy = pl.select(uid.cast(pl.Int64) * ny + _year_index(plan, pl.lit(period))).to_series()
    if uy.null_count() or not _distinct(uy, nuy):
        return None
    _check_stages(values)
    if _strictly_increasing(uy):
        return _Blocks(where, None)
    # Blocks in another (unit, year) order: the block of each (unit, year).
    order = pl.zeros(nuy, dtype=pl.UInt32, eager=True)
    order.scatter(uy, pl.int_range(0, nuy, dtype=pl.UInt32, eager=True))
    return _Blocks(where, order)


def _raw(values: pl.DataFrame, name: str) -> pl.Expr:
    """Column `name` as Float64, all null when the frame has no such column."""
    if name in values.schema:
        return pl.col(name).cast(pl.Float64)
    return pl.repeat(None, pl.len(), dtype=pl.Float64)


def _share(values: pl.DataFrame) -> pl.Expr:
    """100 * numerator / denominator; null when the denominator is 0 or null."""
    den = _raw(values, "denominator")
    return pl.when(den != 0).then(100.0 * _raw(values, "numerator") / den)


def _share_value(values: pl.DataFrame, share: pl.Expr) -> pl.Expr:
    """The value of each row: its share where `share` holds, else `value`; NaN stays NaN
    (the statuses read it as missing)."""
    return pl.when(share).then(_share(values)).otherwise(_raw(values, "value"))


def _block_columns(plan: _Plan, values: pl.DataFrame, blocks: _Blocks) -> dict[str, pl.Series]:
    """The measure columns (v{m}, n{m}) read straight from values laid out in blocks."""
    nm, nuy = len(plan.measures), plan.nuy
    where = blocks.where
    # Shares for every row in one pass over the long columns (the general path's arithmetic),
    # then one strided read per measure: the share or the value, by the measure's kind.
    long = {"x": _raw(values, "value"), "r": _share(values)}
    columns = [
        pl.col("r" if plan.share[m] else "x").arr.get(where[m]).alias(f"v{m}") for m in range(nm)
    ]
    if _any_not_applicable(values):
        long["na"] = pl.col("not_applicable").cast(pl.Boolean).fill_null(False)
        columns += [pl.col("na").arr.get(where[m]).alias(f"n{m}") for m in range(nm)]
    frame = values.select(expr.reshape((nuy, nm)).alias(name) for name, expr in long.items())
    frame = frame.select(columns)
    if blocks.order is not None:
        frame = frame[blocks.order]
    return frame.to_dict()


def _any_not_applicable(values: pl.DataFrame) -> bool:
    return "not_applicable" in values.columns and bool(
        values.get_column("not_applicable").cast(pl.Boolean).any()
    )


def _block_explained(
    plan: _Plan, values: pl.DataFrame, blocks: _Blocks, index: pl.DataFrame
) -> tuple[dict[str, pl.Series], pl.DataFrame]:
    """For the explained evaluation of values in blocks: the measure columns and, per
    explained row, its value, numerator, denominator and stage; nothing is scattered.

    The values are the measure columns interleaved (they hold the shares already). The
    other parts are the input's own columns when the blocks are in (unit, year) order and
    list the measures in condition order, as an export made for the set does; else they are
    gathered by row arithmetic."""
    nm = len(plan.measures)
    columns = _block_columns(plan, values, blocks)
    wide = pl.DataFrame({f"v{m}": columns[f"v{m}"] for m in range(nm)})
    value = _interleave(
        wide, [f"v{m}" for m in plan.cond_measure], "value", order=index.get_column("_perm")
    )
    others = values.select(
        numerator=_raw(values, "numerator").fill_nan(None),
        denominator=_raw(values, "denominator").fill_nan(None),
        stage=_verified_expr(values).cast(pl.UInt8).cat.to(_STAGE),
    )
    positions = [blocks.where[m] for m in plan.cond_measure]
    if blocks.order is not None or positions != list(range(nm)):
        rows = index.select(
            blocks.block_rows(
                plan,
                pl.col("_uy"),
                pl.lit(pl.Series(plan.cond_measure, dtype=pl.UInt32)).gather(pl.col("_cid")),
            )
        ).to_series()
        others = others[rows]
    return columns, others.with_columns(value.fill_nan(None))


# ---------------------------------------------------------------------------------- statuses


def _bound(op: Op, threshold: float | None) -> float | None:
    """What a value is compared with, the tolerance folded in: the lowest passing value for
    ">=", the highest for "<=", the tolerance itself for "==" (|value - threshold| <= it).
    The same float arithmetic as the reference's, done once per threshold cell."""
    if threshold is None:
        return None
    tol = S.tolerance(threshold)
    if op == Op.AT_LEAST:
        return threshold - tol
    return threshold + tol if op == Op.AT_MOST else tol


def _condition_status(
    v: pl.Expr,
    t: pl.Expr | None,
    bound: pl.Expr | None,
    na: pl.Expr | None,
    no_group: pl.Expr | None,
    c: _Cond,
) -> pl.Expr:
    """The status code of one condition; `op` is a constant, so the comparison is one branch.
    Branches that cannot apply (no not-applicable row, no threshold to miss, no commune
    group to miss) are left out."""
    if c.op == Op.YES:
        invalid: pl.Expr | None = (v != 1.0) & (v != 0.0)
        ok = v == 1.0
    elif c.op == Op.NONE:
        invalid = v < -S.ABS_TOL
        ok = v.abs() <= S.ABS_TOL
    else:
        assert bound is not None
        if c.op == Op.AT_LEAST:
            ok = v >= bound
        elif c.op == Op.AT_MOST:
            ok = v <= bound
        else:
            assert t is not None
            ok = (v - t).abs() <= bound
        invalid = None
    missing = v.is_null() | v.is_nan()
    branches: list[tuple[pl.Expr, int]] = []
    if na is not None:
        branches.append((na, S.NOT_APPLICABLE if c.may_na else S.MISSING_DATA))
    branches.append((missing if invalid is None else missing | invalid, S.MISSING_DATA))
    if no_group is not None:
        branches.append((no_group, S.MISSING_GROUP))
    if bound is not None:
        branches.append((bound.is_null(), S.MISSING_THRESHOLD))
    branches.append((ok, S.MET))
    out: pl.Expr = pl.lit(S.NOT_MET, pl.UInt8)
    for when, code in reversed(branches):
        out = pl.when(when).then(pl.lit(code, pl.UInt8)).otherwise(out)
    return out


def _wide(frame: pl.Series, width: int, prefix: str) -> pl.DataFrame:
    """A dense array of (rows x width) as a frame of `width` columns."""
    rows = frame.len() // width if width else 0
    if rows == 0 or width == 0:
        return pl.DataFrame({f"{prefix}{i}": frame.clear() for i in range(width)})
    out = frame.reshape((rows, width)).arr.to_struct().struct.unnest()
    return out.rename(dict(zip(out.columns, [f"{prefix}{i}" for i in range(width)], strict=True)))


def _interleave(
    frame: pl.DataFrame,
    columns: Sequence[str],
    name: str,
    empty: pl.DataType | None = None,
    order: pl.Series | None = None,
) -> pl.Series:
    """Wide columns back to one long column, row-major (the inverse of `_wide`); of type
    `empty` when there are no columns.

    The columns are stacked one after another (a copy of contiguous memory) and then read in
    row order by one gather (`order`, from `_interleaving`, may be shared between calls):
    several times faster than flattening them row by row."""
    if frame.height == 0 or not columns:
        dtype = frame.schema[columns[0]] if columns else (empty or pl.UInt8())
        return pl.Series(name, [], dtype=dtype)
    if order is None:
        order = _interleaving(frame.height, len(columns))
    stacked = pl.concat([frame.get_column(c) for c in columns], rechunk=True)
    return stacked.gather(order).rename(name)


def _index_type(n: int) -> pl.UInt32 | pl.UInt64:
    return pl.UInt32() if n < 2**32 else pl.UInt64()


def _interleaving(height: int, width: int) -> pl.Series:
    """For `height` rows of `width` columns stacked column after column: the position of each
    cell in row order (row r, column c at c * height + r)."""
    r = pl.int_range(0, height * width, dtype=_index_type(height * width))
    return pl.select((r % width) * height + r // width).to_series()


def _gap(v: pl.Expr, t: pl.Expr, status: pl.Expr, op: Op) -> pl.Expr:
    """Signed margin, >= 0 on the good side; 0 within the comparison's tolerance."""
    tol = S.REL_TOL * pl.max_horizontal(pl.lit(1.0), t.abs())
    margin = v - t if op == Op.AT_LEAST else t - v if op == Op.AT_MOST else -(v - t).abs()
    return pl.when(status.is_in([S.MET, S.NOT_MET])).then(
        pl.when((v - t).abs() <= tol).then(pl.lit(0.0)).otherwise(margin)
    )


def _measure_columns(plan: _Plan, dense: _Dense) -> dict[str, pl.Series]:
    """The value (v{m}) and, if any row says so, not-applicable (n{m}) column per measure."""
    nuy = plan.nuy
    columns = {f"v{m}": dense.column(dense.value, m, nuy) for m in range(len(plan.measures))}
    if dense.na is not None:
        columns |= {f"n{m}": dense.column(dense.na, m, nuy) for m in range(len(plan.measures))}
    return columns


def _statuses(plan: _Plan, columns: dict[str, pl.Series], with_gap: bool = False) -> pl.DataFrame:
    """Wide frame, one row per (unit, year): c{i} condition statuses, k{j} criterion statuses,
    and with `with_gap` g{i} the gap of each condition (null for yes/no and "none").

    `columns` holds v{m} (value, shares in percent; null or NaN when unusable) and, when some
    row is not applicable, n{m} per measure, one row per (unit, year)."""
    ny, nc = len(plan.years), len(plan.conds)
    nuy = plan.nuy
    has_na = "n0" in columns
    columns = dict(columns)
    numeric = [i for i, c in enumerate(plan.conds) if c.op in NUMERIC_OPS]
    uy = pl.int_range(0, nuy, dtype=pl.UInt32, eager=True)
    # Per (threshold group, year): the bound of each numeric condition, and the threshold
    # where the comparison or the gap needs it.
    table: dict[str, pl.Series] = {}
    for i in numeric:
        op = plan.conds[i].op
        cells = plan.thr_value[i::nc]
        table[f"b{i}"] = pl.Series([_bound(op, t) for t in cells], dtype=pl.Float64)
        if with_gap or op == Op.EQUAL:
            table[f"t{i}"] = pl.Series(cells, dtype=pl.Float64)
        if plan.no_group is not None:
            used = plan.thr_column[i::nc]
            table[f"m{i}"] = pl.Series([u == plan.no_group for u in used], dtype=pl.Boolean)
    thresholds = pl.DataFrame(table)
    if ny and numeric:
        tgy = plan.unit_group.gather(uy // ny) * ny + uy % ny
        columns |= thresholds[tgy].to_dict()
    else:
        columns |= thresholds.clear().to_dict()
    # A set without conditions (thresholds not yet encoded) has no columns at all.
    frame = pl.DataFrame(columns or None, height=nuy)
    cond_exprs = [
        _condition_status(
            pl.col(f"v{plan.cond_measure[i]}"),
            pl.col(f"t{i}") if f"t{i}" in columns else None,
            pl.col(f"b{i}") if c.op in NUMERIC_OPS else None,
            pl.col(f"n{plan.cond_measure[i]}") if has_na else None,
            pl.col(f"m{i}") if f"m{i}" in columns else None,
            c,
        ).alias(f"c{i}")
        for i, c in enumerate(plan.conds)
    ]
    status = frame.select(cond_exprs) if cond_exprs else pl.DataFrame(height=nuy)
    complete = {c.number: c.indicators_complete for c in plan.cset.criteria}
    crit_exprs = [
        (
            pl.max_horizontal(
                [pl.col(f"c{i}") for i in members]
                # Indicators the set does not know stand for a missing threshold: the known
                # ones can fail the criterion, never meet it.
                + ([] if complete[plan.criteria[j]] else [pl.lit(S.MISSING_THRESHOLD, pl.UInt8)])
            )
            if members
            else pl.repeat(S.MISSING_THRESHOLD, nuy, dtype=pl.UInt8)
        ).alias(f"k{j}")
        for j, members in enumerate(plan.crit_conds)
    ]
    status = status.with_columns(crit_exprs)
    if with_gap:
        frame = pl.concat([frame, status.select(f"c{i}" for i in numeric)], how="horizontal")
        gaps = frame.select(
            (
                _gap(pl.col(f"v{plan.cond_measure[i]}"), pl.col(f"t{i}"), pl.col(f"c{i}"), c.op)
                if c.op in NUMERIC_OPS
                else pl.repeat(None, nuy, dtype=pl.Float64)
            ).alias(f"g{i}")
            for i, c in enumerate(plan.conds)
        )
        status = pl.concat([status, gaps], how="horizontal")
    return status


def _declared_dense(
    plan: _Plan, declared: pl.DataFrame | None, what: str = "declared"
) -> pl.Series | None:
    """Criterion-level statuses (declared, or decided by the province: `what`), dense by
    (unit, year, criterion position); null where none. None when there is none at all."""
    if declared is None:
        return None
    missing = [c for c in ("unit", "period", "criterion", "status") if c not in declared.columns]
    if missing:
        raise ValueError(f"{what}: thiếu cột {missing} (missing columns)")
    nk, ny = len(plan.criteria), len(plan.years)
    status = declared.get_column("status").cast(pl.String)
    bad = status.is_null() | ~status.is_in(list(S.DECLARED_STATUSES))
    if bad.any():
        raise ValueError(
            f"{what}: trạng thái không hợp lệ (status must be met/basically_met/not_met): "
            f"{status.filter(bad).unique().head(5).to_list()}"
        )
    crit = declared.get_column("criterion")
    unknown_crit = ~crit.is_in(plan.criteria)
    if unknown_crit.any():
        raise ValueError(
            f"{what}: tiêu chí không có trong bộ {plan.cset.id} (unknown criteria): "
            f"{crit.filter(unknown_crit).unique().sort().to_list()}"
        )
    uid = _encode_keys(declared.get_column("unit"), plan.units, "unit")
    if uid.null_count():
        codes = declared.get_column("unit").filter(uid.is_null()).unique().sort().head(5)
        raise ValueError(
            f"{what}: đơn vị không có trong danh sách (units not in units): {codes.to_list()}"
        )
    frame = pl.DataFrame(
        {
            "uid": uid,
            "yi": declared.get_column("period").replace_strict(
                {y: i for i, y in enumerate(plan.years)}, default=None, return_dtype=pl.UInt32
            ),
            "k": crit.replace_strict(
                {k: i for i, k in enumerate(plan.criteria)}, return_dtype=pl.UInt32
            ),
            "code": status.replace_strict(S.STATUS_CODE, return_dtype=pl.UInt8),
        }
    ).filter(pl.col("yi").is_not_null())
    if frame.height == 0:
        return None
    slots = frame.select(
        (pl.col("uid").cast(pl.Int64) * ny + pl.col("yi")) * nk + pl.col("k")
    ).to_series()
    if slots.n_unique() != slots.len():
        raise ValueError(
            f"{what}: có nhiều hơn một dòng cho cùng đơn vị, năm và tiêu chí "
            "(more than one row per unit, period and criterion)"
        )
    dense = pl.repeat(None, plan.nuy * nk, dtype=pl.UInt8, eager=True)
    dense.scatter(slots, frame.get_column("code"))
    return dense


@dataclass(frozen=True)
class _Record:
    """The criterion-level statuses beside the values, dense (see `_declared_dense`)."""

    declared: pl.Series | None
    decided: pl.Series | None

    @staticmethod
    def of(plan: _Plan, declared: pl.DataFrame | None, decided: pl.DataFrame | None) -> _Record:
        return _Record(_declared_dense(plan, declared), _declared_dense(plan, decided, "decided"))


# Which status stands, from the computed status k, the declared d and the province's decision
# p (codes; d and p null when absent): the province's decision, else the computed result where
# the values decide the criterion, else the declaration, else the computed status.
def _decided_by_values(k: pl.Expr) -> pl.Expr:
    return k.is_in(list(S.DECIDED_CODES))


def _final_status(k: pl.Expr, d: pl.Expr, p: pl.Expr) -> pl.Expr:
    return pl.coalesce(p, pl.when(_decided_by_values(k)).then(k).otherwise(pl.coalesce(d, k)))


def _source(k: pl.Expr, d: pl.Expr, p: pl.Expr) -> pl.Expr:
    code = (
        pl.when(p.is_not_null())
        .then(pl.lit(S.SOURCES.index(S.Source.PROVINCE), pl.UInt8))
        .when(d.is_not_null() & ~_decided_by_values(k))
        .then(pl.lit(S.SOURCES.index(S.Source.DECLARED), pl.UInt8))
        .otherwise(pl.lit(S.SOURCES.index(S.Source.COMPUTED), pl.UInt8))
    )
    return code.cat.to(_SOURCE)


def _disagreement(k: pl.Expr, d: pl.Expr) -> pl.Expr:
    """A declaration differing from a result the values decide (null declarations: false)."""
    return (d.is_not_null() & _decided_by_values(k) & (d != k)).fill_null(False)


def _final_criteria(plan: _Plan, status: pl.DataFrame, rec: _Record) -> pl.DataFrame:
    """Wide final criterion statuses s{j} next to computed k{j}."""
    nk = len(plan.criteria)
    frame = status.select([f"k{j}" for j in range(nk)])
    none = pl.lit(None, pl.UInt8)
    parts = [frame]
    for dense, prefix in ((rec.declared, "d"), (rec.decided, "p")):
        if dense is not None:
            parts.append(_wide(dense, nk, prefix))
    frame = pl.concat(parts, how="horizontal")

    def col(prefix: str, j: int) -> pl.Expr:
        return pl.col(f"{prefix}{j}") if f"{prefix}{j}" in frame.columns else none

    return frame.with_columns(
        [_final_status(pl.col(f"k{j}"), col("d", j), col("p", j)).alias(f"s{j}") for j in range(nk)]
    )


def _communes(plan: _Plan, final: pl.DataFrame) -> pl.DataFrame:
    nk, ny = len(plan.criteria), len(plan.years)
    rule = plan.cset.revocation
    s = [pl.col(f"s{j}") for j in range(nk)]
    # All six counts in one sum: criterion status c adds 1 << (lane * c), a lane wide enough
    # for nk; one gather and one add per criterion instead of a comparison per status.
    lane = max(nk.bit_length(), 1)
    assert lane * len(S.STATUSES) <= 64, "too many criteria to count in one word"
    one_hot = pl.Series([1 << (lane * c) for c in range(len(S.STATUSES))], dtype=pl.UInt64)
    final = final.with_columns(
        _packed=pl.sum_horizontal([pl.lit(one_hot).gather(x) for x in s])
        if s
        else pl.lit(0, pl.UInt64)
    )
    packed = pl.col("_packed")

    def count(*codes: int) -> pl.Expr:
        parts = [(packed // (1 << (lane * c))) % (1 << lane) for c in codes]
        return pl.sum_horizontal(parts).cast(pl.UInt32)

    total = nk
    failing = count(S.NOT_MET, S.BASICALLY_MET)
    share = (failing.cast(pl.Float64) / total) if total else pl.lit(0.0)
    key_pos = [plan.criteria.index(k) for k in (rule.key_criteria if rule else [])]
    keys = (
        pl.concat_list(
            [
                pl.when(s[j].is_in([S.NOT_MET, S.BASICALLY_MET])).then(
                    pl.lit(plan.criteria[j], pl.Int32)
                )
                for j in key_pos
            ]
        ).list.drop_nulls()
        if key_pos
        else pl.lit([], pl.List(pl.Int32))
    )
    # The worst case: every criterion without a result (missing data, group or threshold)
    # fails.
    unknown = count(*S.UNKNOWN)
    worst_share = ((failing + unknown).cast(pl.Float64) / total) if total else pl.lit(0.0)
    unknown_keys = (
        pl.sum_horizontal([s[j].is_in(list(S.UNKNOWN)).cast(pl.UInt32) for j in key_pos])
        if key_pos
        else pl.lit(0, pl.UInt32)
    )
    if rule is None:
        risk: pl.Expr = pl.lit(None, pl.Boolean)
        possible: pl.Expr = pl.lit(None, pl.Boolean)
    else:
        # Shares of criteria are ratios of small integers; compare with a tolerance so that
        # 3/10 is exactly "30 %". The rule only grows with the share and the failing keys, so
        # the worst case says whether unknown criteria could bring the commune under it.
        def hit(x: pl.Expr, any_key: pl.Expr) -> pl.Expr:
            def at_least(t: float) -> pl.Expr:
                return x >= t - S.REL_TOL

            return at_least(rule.full_share) | (
                at_least(rule.partial_share_from) & ~at_least(rule.partial_share_to) & any_key
            )

        risk = hit(share, keys.list.len() > 0)
        possible = hit(worst_share, (keys.list.len() + unknown_keys) > 0)
    uy = pl.int_range(0, plan.nuy, dtype=pl.UInt32)
    units = pl.Series(plan.units, dtype=pl.String)
    years = pl.Series(plan.years, dtype=pl.Int32)
    return (
        final.select(
            unit=pl.lit(units).gather(uy // ny) if ny else pl.lit(None, pl.String),
            period=pl.lit(years).gather(uy % ny) if ny else pl.lit(None, pl.Int32),
            met=count(S.MET),
            basically_met=count(S.BASICALLY_MET),
            not_met=count(S.NOT_MET),
            missing=count(*S.UNKNOWN),
            not_applicable=count(S.NOT_APPLICABLE),
            total=pl.lit(total, pl.UInt32),
            meets_set=count(S.MET, S.NOT_APPLICABLE) == total,
            failing_share=share,
            revocation_risk=risk,
            revocation_possible=possible,
            failing_key_criteria=keys,
        )
        if plan.nuy
        else _empty_communes()
    )


def _empty_communes() -> pl.DataFrame:
    return pl.DataFrame(schema=COMMUNES_SCHEMA)


COMMUNES_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "period": pl.Int32(),
    "met": pl.UInt32(),
    "basically_met": pl.UInt32(),
    "not_met": pl.UInt32(),
    "missing": pl.UInt32(),
    "not_applicable": pl.UInt32(),
    "total": pl.UInt32(),
    "meets_set": pl.Boolean(),
    "failing_share": pl.Float64(),
    "revocation_risk": pl.Boolean(),
    # The rule would hit if every criterion without a result failed ("cannot be ruled out").
    "revocation_possible": pl.Boolean(),
    "failing_key_criteria": pl.List(pl.Int32()),
}


# ---------------------------------------------------------------------------------- long frames


def _criteria_frame(plan: _Plan, final: pl.DataFrame, rec: _Record) -> pl.DataFrame:
    nk, ny = len(plan.criteria), len(plan.years)
    n = plan.nuy * nk
    computed = _interleave(final, [f"k{j}" for j in range(nk)], "computed")
    none = pl.repeat(None, n, dtype=pl.UInt8, eager=True)
    r = pl.int_range(0, n, dtype=pl.UInt32)
    uy = r // max(nk, 1)
    frame = pl.DataFrame(
        {
            "_c": computed,
            "_d": (rec.declared if rec.declared is not None else none).rename("_d"),
            "_p": (rec.decided if rec.decided is not None else none).rename("_p"),
        }
    )
    c, d, p = pl.col("_c"), pl.col("_d"), pl.col("_p")
    return frame.select(
        unit=pl.lit(pl.Series(plan.units, dtype=pl.String)).gather(uy // max(ny, 1)),
        period=pl.lit(pl.Series(plan.years, dtype=pl.Int32)).gather(uy % max(ny, 1)),
        criterion=pl.lit(pl.Series(plan.criteria, dtype=pl.Int32)).gather(r % max(nk, 1)),
        computed_status=_codes_to_enum(c, _STATUS),
        declared_status=_codes_to_enum(d, _STATUS),
        decided_status=_codes_to_enum(p, _STATUS),
        status=_codes_to_enum(_final_status(c, d, p), _STATUS),
        source=_source(c, d, p),
        conflict=_disagreement(c, d),
    )


def _codes_to_enum(codes: pl.Expr, dtype: pl.Enum) -> pl.Expr:
    """Integer codes (positions in the Enum's categories) as that Enum, without strings."""
    return codes.cat.to(dtype)


def _row_index(plan: _Plan) -> pl.DataFrame:
    """Per explained row (unit, year, condition), row-major: the condition `_cid`, the
    (unit, year) `_uy`, and `_perm`, where the row's cell is among the wide status columns
    stacked column after column (see `_interleave`)."""
    nc, nuy = len(plan.conds), plan.nuy
    r = pl.int_range(0, nuy * nc, dtype=_index_type(nuy * nc))
    return pl.select(_cid=r % max(nc, 1), _uy=r // max(nc, 1)).with_columns(
        _perm=pl.col("_cid") * nuy + pl.col("_uy")
    )


def _dense_explained(plan: _Plan, dense: _Dense, index: pl.DataFrame) -> pl.DataFrame:
    """Per explained row, its input row's value, numerator, denominator and stage (null when
    there is none), gathered through the dense row index."""
    if dense.row is None or dense.rows is None:
        raise AssertionError("explained rows need the dense parts (with_parts=True)")
    nuy = plan.nuy
    rows = dense.rows.select(
        "value",
        "numerator",
        "denominator",
        stage=pl.col("verified").cast(pl.UInt8).cat.to(_STAGE),
    )
    if plan.cond_measure == list(range(len(plan.measures))):
        slot = index.get_column("_perm")  # condition i reads measure i
    else:
        offsets = pl.Series(plan.cond_measure, dtype=pl.UInt32) * nuy
        slot = index.select(pl.col("_uy") + pl.lit(offsets).gather(pl.col("_cid"))).to_series()
    return rows[dense.row.gather(slot)]


def _indicators_frame(
    plan: _Plan, index: pl.DataFrame, parts: pl.DataFrame, status: pl.DataFrame
) -> pl.DataFrame:
    """The explained rows: keys and thresholds by index arithmetic, `parts` (value, numerator,
    denominator, stage per row) as given, statuses and gaps interleaved from `status`."""
    ny, nc = len(plan.years), len(plan.conds)
    ncol = plan.ncol
    nuy = plan.nuy
    conds = plan.conds
    # Indicator status per condition: the maximum over the conditions of its indicator (a
    # plain alias, i.e. no copy, for the usual single-condition indicator).
    members: dict[tuple[int, str], list[int]] = {}
    for i, c in enumerate(conds):
        members.setdefault((c.criterion, c.indicator), []).append(i)
    ind_wide = status.select(
        [
            (
                pl.max_horizontal([pl.col(f"c{j}") for j in group])
                if len(group := members[(c.criterion, c.indicator)]) > 1
                else pl.col(f"c{i}")
            ).alias(f"i{i}")
            for i, c in enumerate(conds)
        ]
    )
    order = index.get_column("_perm")
    long = pl.DataFrame(
        [
            _interleave(status, [f"c{i}" for i in range(nc)], "_s", order=order),
            _interleave(ind_wide, [f"i{i}" for i in range(nc)], "_i", order=order),
            _interleave(status, [f"g{i}" for i in range(nc)], "gap", pl.Float64(), order),
        ]
    ).select(
        status=pl.col("_s").cat.to(_STATUS),
        gap=pl.col("gap"),
        indicator_status=pl.col("_i").cat.to(_STATUS),
    )

    # Per (unit, year): threshold group and set label; then per row by index arithmetic.
    per_uy = pl.select(_uy=pl.int_range(0, nuy, dtype=pl.UInt32)).select(
        _yi=pl.col("_uy") % max(ny, 1),
        _group=pl.lit(plan.unit_group).gather(pl.col("_uy") // max(ny, 1)),
    )
    per_uy = per_uy.select(
        _tgy=(pl.col("_group") * ny + pl.col("_yi")) * nc,
        _label=pl.lit(pl.Series(plan.labels, dtype=pl.UInt32)).gather(
            (pl.col("_group") // ncol) * ny + pl.col("_yi")
        ),
    )
    by_cid = {
        "criterion": pl.Series([c.criterion for c in conds], dtype=pl.Int32),
        "indicator": pl.Series([c.indicator for c in conds], dtype=pl.String).cast(
            pl.Enum(list(dict.fromkeys(c.indicator for c in conds)))
        ),
        "condition": pl.Series([c.index for c in conds], dtype=pl.Int32),
        "measure": pl.Series([plan.measures[m] for m in plan.cond_measure], dtype=pl.String).cast(
            pl.Enum(plan.measures)
        ),
        "op": pl.Series([S.OPS.index(c.op) for c in conds], dtype=pl.UInt8).cat.to(_OP),
    }
    by_tix = {
        "threshold": pl.Series(plan.thr_value, dtype=pl.Float64),
        "threshold_status": pl.Series(plan.thr_status, dtype=pl.UInt8).cat.to(_CELL_STATUS),
        "column": pl.Series(plan.thr_column, dtype=pl.UInt8).cat.to(pl.Enum(plan.column_names)),
        "basis": pl.Series(plan.thr_basis, dtype=pl.UInt32).cat.to(pl.Enum(plan.basis_names)),
    }
    labels = per_uy.get_column("_label").cat.to(pl.Enum(plan.label_names))
    tix = pl.lit(per_uy.get_column("_tgy")).gather(pl.col("_uy")) + pl.col("_cid")
    keys = index.with_columns(_tix=tix).select(
        unit=pl.lit(pl.Series(plan.units, dtype=pl.String)).gather(pl.col("_uy") // max(ny, 1)),
        period=pl.lit(pl.Series(plan.years, dtype=pl.Int32)).gather(pl.col("_uy") % max(ny, 1)),
        **{name: pl.lit(s).gather(pl.col("_cid")) for name, s in by_cid.items()},
        **{name: pl.lit(s).gather(pl.col("_tix")) for name, s in by_tix.items()},
        set_version=pl.lit(labels).gather(pl.col("_uy")),
    )
    return pl.concat([keys, parts, long], how="horizontal").select(INDICATOR_COLUMNS)


# The values the engine reads (its input contract): one row per unit, measure and period.
VALUES_SCHEMA: dict[str, pl.DataType] = {
    "unit": pl.String(),
    "measure": pl.String(),
    "period": pl.Int32(),
    "value": pl.Float64(),
    "numerator": pl.Float64(),
    "denominator": pl.Float64(),
    "not_applicable": pl.Boolean(),
    "stage": pl.String(),
}

INDICATOR_COLUMNS = (
    "unit",
    "period",
    "criterion",
    "indicator",
    "condition",
    "measure",
    "op",
    "value",
    "numerator",
    "denominator",
    "stage",
    "threshold",
    "threshold_status",
    "column",
    "basis",
    "set_version",
    "status",
    "gap",
    "indicator_status",
)
_OP = pl.Enum(Op)


# ---------------------------------------------------------------------------------- public API


def _years(values: pl.DataFrame, years: Sequence[int] | None) -> list[int]:
    if years is not None:
        out = sorted({int(y) for y in years})
    elif "period" in values.columns:
        out = sorted(int(y) for y in values.get_column("period").drop_nulls().unique())
    else:
        out = []
    return out


def evaluate(
    cset: CriteriaSet,
    units: pl.DataFrame,
    values: pl.DataFrame,
    *,
    years: Sequence[int] | None = None,
    overlays: Sequence[Overlay] = (),
    declared: pl.DataFrame | None = None,
    decided: pl.DataFrame | None = None,
    check_period: bool = True,
    measures: Mapping[str, Measure] | None = None,
) -> Evaluation:
    """Evaluate every unit for every year: explained indicator rows, criteria, communes.

    `declared` and `decided` (unit, period, criterion, status) are criterion-level statuses:
    the declared ones (by the commune or a reviewer) and the province office's decisions. A
    criterion's status is the province's decision if there is one; else the computed result
    wherever the values decide the criterion (met, not met or not applicable), a differing
    declaration being flagged `conflict`; else the declaration; else the computed status.

    `measures` defaults to the bundled catalogue (`load_measures()`); it tells shares from
    plain numbers.
    """
    plan = _plan(cset, units, _years(values, years), overlays, check_period, measures)
    index = _row_index(plan)
    blocks = _block_layout(plan, values)
    if blocks is not None:
        columns, parts = _block_explained(plan, values, blocks, index)
    else:
        dense = _encode_values(plan, values, with_parts=True)
        columns, parts = _measure_columns(plan, dense), _dense_explained(plan, dense, index)
    status = _statuses(plan, columns, with_gap=True)
    rec = _Record.of(plan, declared, decided)
    final = _final_criteria(plan, status, rec)
    return Evaluation(
        set_id=cset.id,
        labels=dict(plan.national_labels),
        indicators=_indicators_frame(plan, index, parts, status),
        criteria=_criteria_frame(plan, final, rec),
        communes=_communes(plan, final),
    )


def evaluate_counts(
    cset: CriteriaSet,
    units: pl.DataFrame,
    values: pl.DataFrame,
    *,
    years: Sequence[int] | None = None,
    overlays: Sequence[Overlay] = (),
    declared: pl.DataFrame | None = None,
    decided: pl.DataFrame | None = None,
    check_period: bool = True,
    measures: Mapping[str, Measure] | None = None,
) -> pl.DataFrame:
    """The `communes` frame of `evaluate`, without building the explained rows."""
    plan = _plan(cset, units, _years(values, years), overlays, check_period, measures)
    blocks = _block_layout(plan, values)
    if blocks is not None:
        columns = _block_columns(plan, values, blocks)
    else:
        columns = _measure_columns(plan, _encode_values(plan, values, with_parts=False))
    status = _statuses(plan, columns)
    final = _final_criteria(plan, status, _Record.of(plan, declared, decided))
    return _communes(plan, final)
