"""The shape of a criteria set file, validated on load (design decision 1).

A set file holds one national set (or a province overlay of one): its legal basis, period,
tier, level, threshold columns, and groups -> criteria -> indicators -> conditions. Every
threshold cell carries a status (verified / unverified / missing) and a source, so nothing
unconfirmed is ever presented as law. Measures live in a separate catalogue
(design decision 2); indicators refer to them by key.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

CellStatus = Literal["verified", "unverified", "missing"]


class Op(StrEnum):
    """How a condition compares its measure (in the order of the engine's codes)."""

    AT_LEAST = ">="  # a number or share against a floor
    AT_MOST = "<="  # ... against a ceiling
    EQUAL = "=="  # ... against an exact value
    YES = "yes"  # a yes/no assessment that must be "Đạt"
    NONE = "none"  # a count that must be zero ("Không" in the law's tables: no temporary houses)


NUMERIC_OPS: frozenset[Op] = frozenset({Op.AT_LEAST, Op.AT_MOST, Op.EQUAL})

MeasureKind = Literal["number", "share", "yesno", "count"]
# How values of one measure combine when units merge (re-basing, see ntm.stats).
Combine = Literal["sum", "shares", "weighted_mean", "not_comparable"]
Tier = Literal["standard", "advanced", "model", "modern"]
Level = Literal["commune", "district", "province"]
ColumnKind = Literal["national", "region", "commune_group"]
NATIONAL = "national"
_DAY = dt.timedelta(days=1)
# Column code of a province overlay cell that applies to every commune of the province.
PROVINCE = "province"
# The column of a commune without a group under a set whose thresholds vary by commune group:
# where the cell depends on the group, there is no threshold to use (never a guessed column).
NO_GROUP = "no_group"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class LegalBasis(Strict):
    number: str
    title_vi: str | None = None
    issuer: str | None = None
    signer: str | None = None
    date_signed: dt.date | None = None
    effective_from: dt.date | None = None
    source: str | None = None
    note: str | None = None


class Cell(Strict):
    """One threshold cell of the law's table."""

    value: float | None = None
    status: CellStatus
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _value_matches_status(self) -> Self:
        if self.status == "missing" and self.value is not None:
            raise ValueError("a cell with status 'missing' cannot have a value")
        if self.status != "missing" and self.value is None:
            raise ValueError(f"a cell with status '{self.status}' needs a value")
        return self


class Condition(Strict):
    """One comparison of one measure; an indicator is met when all its conditions hold."""

    measure: str
    op: Op
    # Thresholds by column code (NATIONAL, a region, a commune group).
    thresholds: dict[str, Cell] = Field(default_factory=dict)
    # Year-dependent thresholds (income rises each year). A condition uses either
    # `thresholds` or `by_year`; a year absent from `by_year` has no threshold ("missing").
    by_year: dict[int, dict[str, Cell]] = Field(default_factory=dict)
    # For "yes" / "none": whether the law's cell ("Đạt" / "Không") is confirmed. Numeric
    # comparisons carry a status on every cell instead. None means verified.
    status: Literal["verified", "unverified"] | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _numeric_ops_have_cells(self) -> Self:
        if self.thresholds and self.by_year:
            raise ValueError("use either 'thresholds' or 'by_year', not both")
        if self.op in NUMERIC_OPS and not self.thresholds and not self.by_year:
            raise ValueError(f"op '{self.op}' needs thresholds (cells may be status 'missing')")
        if self.op not in NUMERIC_OPS and (self.thresholds or self.by_year):
            raise ValueError(f"op '{self.op}' takes no thresholds")
        if self.op in NUMERIC_OPS and self.status is not None:
            raise ValueError(f"op '{self.op}' has a status per threshold cell, not 'status'")
        return self

    @property
    def numeric(self) -> bool:
        return self.op in NUMERIC_OPS


class Indicator(Strict):
    code: str
    name_vi: str
    name_en: str | None = None
    conditions: list[Condition] = Field(min_length=1)
    # True where the law says "(nếu có)": a commune without the object is "not applicable".
    may_be_not_applicable: bool = False
    # Whether a public source names this indicator at all (the 2021-2025 list is uncertain).
    existence: Literal["verified", "likely", "uncertain"] = "verified"
    guidance: str | None = None
    source: str | None = None
    note: str | None = None


class Criterion(Strict):
    number: int
    name_vi: str
    name_en: str | None = None
    # Whether the name was read in the decision's own text (2010-2015: common usage only).
    name_status: Literal["verified", "unverified"] = "verified"
    group: str | None = None
    # Indicators not (yet) known are an empty list: the criterion can then only be declared.
    indicators: list[Indicator] = Field(default_factory=list)
    # False when the law's criterion has indicators not encoded here (2010-2015: only the rows
    # read from a scan): the rows known can fail the criterion, never meet it.
    indicators_complete: bool = True
    source: str | None = None
    note: str | None = None


class Group(Strict):
    id: str
    name_vi: str
    name_en: str | None = None
    criteria: list[int]


class Column(Strict):
    code: str
    kind: ColumnKind
    name_vi: str
    name_en: str | None = None


class ColumnOverride(Strict):
    """A commune flag that sends the commune to another column (318/QĐ-TTg Art. 1)."""

    flags: list[str] = Field(min_length=1)  # any of these flags set triggers the override
    column: str
    legal_basis: str
    note: str | None = None


class RevocationRule(Strict):
    """QĐ 18/2022/QĐ-TTg: share of criteria no longer met, with key criteria."""

    legal_basis: str
    key_criteria: list[int]
    partial_share_from: float = 0.30  # [from, to) and a key criterion fails
    partial_share_to: float = 0.50
    full_share: float = 0.50  # at least this share fails
    note: str | None = None


class Band(Strict):
    label_vi: str
    label_en: str
    min: int
    max: int


class Period(Strict):
    start_year: int
    end_year: int


class Official(Strict):
    """The size of the set in the law, against which the encoded part is stated."""

    criteria: int = Field(gt=0)
    indicators: int = Field(gt=0)
    source: str
    note: str | None = None


class Succession(Strict):
    """The set stays in force until its successor takes effect (the day before it)."""

    set: str
    effective_from: dt.date
    legal_basis: str
    note: str | None = None


class CellChange(Strict):
    """One cell set by an amendment version or an overlay."""

    indicator: str
    condition: int = Field(default=0, ge=0)
    column: str
    year: int | None = None  # None: every year (for a by-year condition too)
    value: float | None = None
    status: CellStatus
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _value_matches_status(self) -> Self:
        if (self.status == "missing") != (self.value is None):
            raise ValueError("a change has a value exactly when its status is not 'missing'")
        return self


class SetVersion(Strict):
    """A version of a set in force from a date (an amendment, e.g. 211/QĐ-TTg)."""

    id: str
    legal_basis: LegalBasis
    effective_from: dt.date
    # Where the amendment's text was not read, cells carried over cannot stay 'verified'.
    carried_over_status: CellStatus | None = None
    changes: list[CellChange] = Field(default_factory=list)
    note: str | None = None


class CriteriaSet(Strict):
    schema_version: Literal[1] = 1
    kind: Literal["set"] = "set"
    id: str
    name_vi: str
    name_en: str | None = None
    tier: Tier
    level: Level
    legal_basis: LegalBasis
    period: Period
    effective_from: dt.date
    effective_to: dt.date | None = None
    succeeded_by: Succession | None = None
    official: Official | None = None
    columns: list[Column]
    column_overrides: list[ColumnOverride] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    criteria: list[Criterion]
    revocation: RevocationRule | None = None
    bands: list[Band]
    versions: list[SetVersion] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)
    # The province decisions applied to this set (the read layer adds those in force on the
    # assessment day): part of the set, so its fingerprint moves with every decision.
    overlays: list[Overlay] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        # Messages start with the path inside the file; the loader shows them as they are.
        codes = [c.code for c in self.columns]
        if NATIONAL not in codes:
            raise ValueError("columns: must include 'national'")
        for i, code in enumerate(codes):
            if code in codes[:i] or code == PROVINCE:
                raise ValueError(f"columns[{i}].code: {code!r} is used twice or reserved")
        numbers = [c.number for c in self.criteria]
        seen: set[str] = set()
        for ci, criterion in enumerate(self.criteria):
            if criterion.number in numbers[:ci]:
                raise ValueError(f"criteria[{ci}].number: {criterion.number} appears twice")
            for ii, ind in enumerate(criterion.indicators):
                where = f"criteria[{ci}].indicators[{ii}]"
                if ind.code in seen:
                    raise ValueError(f"{where}.code: indicator code {ind.code!r} appears twice")
                seen.add(ind.code)
                for ki, cond in enumerate(ind.conditions):
                    cw = f"{where}.conditions[{ki}]"
                    for column in cond.thresholds:
                        if column not in codes:
                            raise ValueError(f"{cw}.thresholds.{column}: unknown column")
                    for year, row in cond.by_year.items():
                        if not self.period.start_year <= year <= self.period.end_year:
                            raise ValueError(f"{cw}.by_year.{year}: year outside the set's period")
                        for column in row:
                            if column not in codes:
                                raise ValueError(f"{cw}.by_year.{year}.{column}: unknown column")
        for gi, group in enumerate(self.groups):
            missing = set(group.criteria) - set(numbers)
            if missing:
                raise ValueError(f"groups[{gi}].criteria: unknown criteria {sorted(missing)}")
        for oi, ov in enumerate(self.column_overrides):
            if ov.column not in codes:
                raise ValueError(f"column_overrides[{oi}].column: unknown column {ov.column!r}")
        if self.revocation:
            missing = set(self.revocation.key_criteria) - set(numbers)
            if missing:
                raise ValueError(f"revocation.key_criteria: unknown criteria {sorted(missing)}")
        self._check_bands(len(numbers))
        if self.period.start_year > self.period.end_year:
            raise ValueError("period: start_year is after end_year")
        if self.effective_to and self.effective_to < self.effective_from:
            raise ValueError("effective_to: before effective_from")
        if self.succeeded_by and self.effective_to != self.succeeded_by.effective_from - _DAY:
            raise ValueError("effective_to: must be the day before succeeded_by.effective_from")
        if self.official and self.official.criteria != len(numbers):
            raise ValueError(f"official.criteria: the set has {len(numbers)} criteria")
        dates = [v.effective_from for v in self.versions]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("versions: must be in strictly increasing effective_from order")
        if dates[0] != self.effective_from:
            raise ValueError("versions[0].effective_from: must equal the set's effective_from")
        for vi, version in enumerate(self.versions):
            for chi, change in enumerate(version.changes):
                check_change(self, change, f"versions[{vi}].changes[{chi}]")
        for oi, overlay in enumerate(self.overlays):
            if overlay.extends != self.id:
                raise ValueError(f"overlays[{oi}].extends: {overlay.extends!r} is not {self.id!r}")
            for chi, change in enumerate(overlay.cells):
                check_change(self, change, f"overlays[{oi}].cells[{chi}]")
        return self

    def _check_bands(self, total: int) -> None:
        covered: set[int] = set()
        for bi, band in enumerate(self.bands):
            if not 0 <= band.min <= band.max <= total:
                raise ValueError(f"bands[{bi}]: needs 0 <= min <= max <= {total} (criteria)")
            span = set(range(band.min, band.max + 1))
            if span & covered:
                raise ValueError(f"bands[{bi}]: overlaps an earlier band")
            covered |= span
        if self.bands and covered != set(range(total + 1)):
            raise ValueError(f"bands: must cover every count from 0 to {total}")

    @property
    def years(self) -> range:
        """The assessment years the set applies to: its period, and after it the years until
        its successor takes effect (2021 and early 2022 are still judged on 2016-2020)."""
        last = self.period.end_year
        if self.effective_to is not None:
            last = max(last, self.effective_to.year)
        return range(self.period.start_year, last + 1)

    def applies_to(self, year: int) -> bool:
        return year in self.years

    def in_force_on(self, day: dt.date) -> bool:
        ends = self.effective_to
        return self.effective_from <= day and (ends is None or day <= ends)

    def indicator(self, code: str) -> Indicator:
        for criterion in self.criteria:
            for ind in criterion.indicators:
                if ind.code == code:
                    return ind
        raise KeyError(code)


def check_change(cset: CriteriaSet, change: CellChange, where: str) -> None:
    """A cell change (amendment or overlay) names a numeric condition and a known column."""
    try:
        ind = cset.indicator(change.indicator)
    except KeyError:
        raise ValueError(f"{where}.indicator: unknown indicator {change.indicator!r}") from None
    if change.condition >= len(ind.conditions):
        raise ValueError(
            f"{where}.condition: indicator {change.indicator} has no condition {change.condition}"
        )
    if not ind.conditions[change.condition].numeric:
        raise ValueError(f"{where}.indicator: {change.indicator} has no numeric threshold")
    if change.column != PROVINCE and change.column not in {c.code for c in cset.columns}:
        raise ValueError(f"{where}.column: unknown column {change.column!r}")
    if change.year is not None and not (
        cset.period.start_year <= change.year <= cset.period.end_year
    ):
        raise ValueError(f"{where}.year: {change.year} is outside the set's period")


class Overlay(Strict):
    """A province's own set on top of a national one: it changes or fills cells."""

    schema_version: Literal[1] = 1
    kind: Literal["overlay"]
    id: str
    extends: str
    province_code: str
    province_name: str
    legal_basis: LegalBasis
    cells: list[CellChange] = Field(min_length=1)
    note: str | None = None


class Measure(Strict):
    key: str
    name_vi: str
    name_en: str
    unit: str  # shown to users, Vietnamese: "%", "triệu đồng/người/năm", "hộ", ...
    kind: MeasureKind
    combine: Combine
    # Shares: what the numerator and denominator count (e.g. "hộ dùng nước sạch" / "tổng số hộ").
    numerator_vi: str | None = None
    denominator_vi: str | None = None
    # For combine == "weighted_mean": the measure whose values weight the mean.
    weight_measure: str | None = None
    # Tighter plausible bounds than the kind's own (ntm.criteria.bounds), e.g. a yearly income.
    minimum: float | None = None
    maximum: float | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _shape(self) -> Self:
        if self.kind == "share" and not (self.numerator_vi and self.denominator_vi):
            raise ValueError("a share needs numerator_vi and denominator_vi")
        if self.kind == "share" and self.combine != "shares":
            raise ValueError("a share combines as 'shares'")
        if self.kind == "yesno" and self.combine != "not_comparable":
            raise ValueError("a yes/no measure does not combine ('not_comparable')")
        if (self.combine == "weighted_mean") != (self.weight_measure is not None):
            raise ValueError("weight_measure goes with combine 'weighted_mean' only")
        if self.minimum is not None and self.maximum is not None and self.minimum > self.maximum:
            raise ValueError("minimum above maximum")
        return self


class MeasureCatalogue(Strict):
    schema_version: Literal[1] = 1
    measures: list[Measure]

    @model_validator(mode="after")
    def _unique(self) -> Self:
        keys = [m.key for m in self.measures]
        dupes = sorted({k for k in keys if keys.count(k) > 1})
        if dupes:
            raise ValueError(f"measure keys appear twice: {dupes}")
        for m in self.measures:
            if m.weight_measure and m.weight_measure not in keys:
                raise ValueError(f"measure {m.key}: unknown weight measure {m.weight_measure!r}")
        return self


CriteriaSet.model_rebuild()
