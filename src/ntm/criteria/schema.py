"""The shape of a criteria set file, validated on load (design decision 1).

A set file holds one national set (or a province overlay of one): its legal basis, period,
tier, level, threshold columns, and groups -> criteria -> indicators -> conditions. Every
threshold cell carries a status (verified / unverified / missing) and a source, so nothing
unconfirmed is ever presented as law. Measures live in a separate catalogue
(design decision 2); indicators refer to them by key.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

CellStatus = Literal["verified", "unverified", "missing"]
# ">=", "<=", "==": a number or share against a floor, a ceiling or an exact value;
# "yes": a yes/no assessment that must be "Đạt"; "none": a count that must be zero
# ("Không" in the law's tables, e.g. no temporary houses).
Op = Literal[">=", "<=", "==", "yes", "none"]
NUMERIC_OPS: frozenset[str] = frozenset({">=", "<=", "=="})
MeasureKind = Literal["number", "share", "yesno", "count"]
# How values of one measure combine when units merge (re-basing, see ntm.stats).
Combine = Literal["sum", "shares", "weighted_mean", "not_comparable"]
Tier = Literal["standard", "advanced", "model", "modern"]
Level = Literal["commune", "district", "province"]
ColumnKind = Literal["national", "region", "commune_group"]
NATIONAL = "national"
# Column code of a province overlay cell that applies to every commune of the province.
PROVINCE = "province"


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

    @model_validator(mode="after")
    def _numeric_ops_have_cells(self) -> Self:
        if self.thresholds and self.by_year:
            raise ValueError("use either 'thresholds' or 'by_year', not both")
        if self.op in NUMERIC_OPS and not self.thresholds and not self.by_year:
            raise ValueError(f"op '{self.op}' needs thresholds (cells may be status 'missing')")
        if self.op not in NUMERIC_OPS and (self.thresholds or self.by_year):
            raise ValueError(f"op '{self.op}' takes no thresholds")
        return self


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
    group: str | None = None
    # Indicators not (yet) known are an empty list: the criterion can then only be declared.
    indicators: list[Indicator] = Field(default_factory=list)
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


class CellChange(Strict):
    """One cell set by an amendment version or an overlay."""

    indicator: str
    condition: int = 0
    column: str
    year: int | None = None
    value: float | None = None
    status: CellStatus
    source: str | None = None
    note: str | None = None


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
    columns: list[Column]
    column_overrides: list[ColumnOverride] = Field(default_factory=list)
    groups: list[Group] = Field(default_factory=list)
    criteria: list[Criterion]
    revocation: RevocationRule | None = None
    bands: list[Band]
    versions: list[SetVersion] = Field(min_length=1)
    notes: list[str] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        codes = {c.code for c in self.columns}
        if NATIONAL not in codes:
            raise ValueError("columns must include 'national'")
        numbers = [c.number for c in self.criteria]
        if len(set(numbers)) != len(numbers):
            raise ValueError("criterion numbers must be unique")
        seen: set[str] = set()
        for criterion in self.criteria:
            for ind in criterion.indicators:
                if ind.code in seen:
                    raise ValueError(f"indicator code {ind.code!r} appears twice")
                seen.add(ind.code)
                for cond in ind.conditions:
                    used = set(cond.thresholds) | {c for row in cond.by_year.values() for c in row}
                    unknown = used - codes
                    if unknown:
                        raise ValueError(
                            f"indicator {ind.code}: unknown column(s) {sorted(unknown)}"
                        )
        for group in self.groups:
            missing = set(group.criteria) - set(numbers)
            if missing:
                raise ValueError(f"group {group.id}: unknown criteria {sorted(missing)}")
        for ov in self.column_overrides:
            if ov.column not in codes:
                raise ValueError(f"column override to unknown column {ov.column!r}")
        if self.revocation:
            missing = set(self.revocation.key_criteria) - set(numbers)
            if missing:
                raise ValueError(f"revocation key criteria unknown: {sorted(missing)}")
        dates = [v.effective_from for v in self.versions]
        if dates != sorted(dates) or len(set(dates)) != len(dates):
            raise ValueError("versions must be in strictly increasing effective_from order")
        if dates[0] != self.effective_from:
            raise ValueError("the first version must start on the set's effective_from")
        for version in self.versions:
            for change in version.changes:
                check_change(self, change, f"version {version.id}")
        return self

    def indicator(self, code: str) -> Indicator:
        for criterion in self.criteria:
            for ind in criterion.indicators:
                if ind.code == code:
                    return ind
        raise KeyError(code)


def check_change(cset: CriteriaSet, change: CellChange, where: str) -> None:
    try:
        ind = cset.indicator(change.indicator)
    except KeyError:
        raise ValueError(f"{where}: unknown indicator {change.indicator!r}") from None
    if change.condition >= len(ind.conditions):
        raise ValueError(f"{where}: indicator {change.indicator} has no condition {change.condition}")
    if ind.conditions[change.condition].op not in NUMERIC_OPS:
        raise ValueError(f"{where}: indicator {change.indicator} has no numeric threshold")
    if change.column != PROVINCE and change.column not in {c.code for c in cset.columns}:
        raise ValueError(f"{where}: unknown column {change.column!r}")
    if (change.status == "missing") != (change.value is None):
        raise ValueError(f"{where}: value and status disagree for indicator {change.indicator}")


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
