"""What the API reads and writes (pydantic schemas through django-ninja)."""

import datetime as dt
import re
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field
from pydantic_core import PydanticCustomError

from ntm.criteria.bounds import MAX_MAGNITUDE
from ntm.results.commune import CriterionRow
from ntm.results.province import (
    CloseCommune,
    DistrictRiskRow,
    RiskCommune,
    SlippingCommune,
    TrendPoint,
)
from ntm.results.recognition import RecognitionFigures
from ntm.results.scope import UnitRef
from ntm.results.targets import TargetProgress
from ntm.stats.rollup import Statistics
from ntm.values.models import FIRST_YEAR, LAST_YEAR
from ntm.values.services import MAX_REASON

# Input bounds, checked before anything reaches a service or the database.
# Years: the programme's; a criteria set reads only some of them (the service says which).
MIN_YEAR = FIRST_YEAR
MAX_YEAR = LAST_YEAR
# Ids fit a signed 64-bit column (BigAutoField).
MAX_ID = 2**63 - 1
MAX_VERSION = 2**31 - 1
# Every entry is finite and below 10^15 (ntm.criteria.bounds checks each measure's own bounds).
# Text that reaches a query: no NUL (PostgreSQL refuses it in text).
NO_NUL = r"^[^\x00]*$"

Year = Annotated[int, Field(ge=MIN_YEAR, le=MAX_YEAR)]
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
MeasureKey = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[a-z0-9_]+$")]
SetId = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._-]+$")]


def _iso_date_text(value: Any) -> Any:
    # pydantic also reads "0" or "1e9" as a Unix time; the schema says yyyy-mm-dd.
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise PydanticCustomError("date_parsing", "Input should be a date as yyyy-mm-dd")
    return value


IsoDate = Annotated[dt.date, BeforeValidator(_iso_date_text)]
Number = Annotated[float, Field(allow_inf_nan=False, gt=-MAX_MAGNITUDE, lt=MAX_MAGNITUDE)]


class Problem(Schema):
    field: str = Field(description="Where: body.period, query.limit, path.unit_id, …")
    message: str = Field(description="What is wrong, in the caller's language")
    type: str = Field(description="The kind of problem, for programs (pydantic's error type)")


class Error(Schema):
    """Every error body of the API."""

    detail: str = Field(description="What went wrong, in the caller's language")
    code: str = Field(description="For programs: invalid, invalid_json, not_found, …")
    problems: list[Problem] = Field(
        default_factory=list, description="For invalid input: one entry per field"
    )


class StoredEntry(Schema):
    """A stage's entry as stored."""

    value: float | None
    numerator: float | None
    denominator: float | None
    not_applicable: bool


class ConflictError(Error):
    theirs: StoredEntry = Field(description="The entry saved meanwhile")
    current_version: int
    by: str
    at: dt.datetime | None


class UnitOut(Schema):
    id: int
    code: str | None
    name: str
    kind: str
    parent_id: int | None
    region: str | None
    commune_group: str | None
    special_difficulty: bool | None
    safe_zone_poor_district: bool | None
    border: bool | None
    latitude: float | None
    longitude: float | None
    valid_from: dt.date | None
    valid_to: dt.date | None


class LineageStepOut(Schema):
    depth: int
    event_kind: str
    date: dt.date
    legal_basis: str
    old: UnitRef | None
    new: UnitRef | None
    weight: float


class LineageOut(Schema):
    unit: UnitRef
    predecessors: list[LineageStepOut]
    successors: list[LineageStepOut]


class CriteriaSetBrief(Schema):
    id: str
    name_vi: str
    name_en: str | None
    tier: str
    level: str
    start_year: int
    end_year: int
    legal_basis: str


class EntryOut(StoredEntry):
    version: int
    by: str | None
    at: dt.datetime | None


class ValueOut(Schema):
    unit: int
    measure: str
    period: int
    claimed: EntryOut
    verified: EntryOut


class ValueIn(Schema):
    period: Year
    stage: Literal["claimed", "verified"]
    value: Number | None = None
    numerator: Number | None = None
    denominator: Number | None = None
    not_applicable: bool = False
    expected_version: int = Field(
        ge=0, le=MAX_VERSION, description="The stage's version the client last read"
    )
    reason: str = Field("", max_length=MAX_REASON, pattern=NO_NUL)


class EvaluationOut(Schema):
    unit: UnitRef
    period: int
    set_id: str
    set_version: str
    has_data: bool
    met: int
    total: int
    meets_set: bool
    revocation_risk: bool | None
    criteria: list[CriterionRow]
    count_only: bool = Field(
        False,
        description="Only the number of criteria met is recorded (chỉ có số tiêu chí đạt): "
        "`met` and `meets_set` come from it, no criterion has a status of its own",
    )


class StatisticsOut(Schema):
    unit: UnitRef
    period: int
    baseline: int | None
    set_id: str
    geography: str
    basis: str
    basis_text: str
    simulated: bool
    as_of: dt.date | None = Field(
        description="The period's record as it stood at the end of this day (other years at "
        "their end); null: the live record"
    )
    approved_only: bool = Field(description="Only communes whose period is approved counted")
    approved: int = Field(description="Communes in scope whose period is approved")
    communes_in_scope: int
    held_back: int = Field(description="Communes with data not counted: not yet approved")
    count_only: int = Field(
        0,
        description="Communes counted from the number of criteria met alone (chỉ có số tiêu chí "
        "đạt): in the average, the bands and at the standard, in no criterion's count",
    )
    statistics: Statistics
    trend: list[TrendPoint] = Field(description="The figures of every year with results")
    close_to_standard: list[CloseCommune]
    revocation_warnings: list[RiskCommune] = Field(
        description="The QĐ 18/2022 rule on the communes recognised at the set's tier"
    )
    revocation_scope: str
    recognition: RecognitionFigures | None = Field(
        description="Communes recognised at the set's tier (được công nhận) beside those "
        "meeting it (đạt chuẩn), and where the two differ"
    )
    slipping: list[SlippingCommune] = Field(
        description="Recognised communes that lost criteria short of the revocation rule"
    )
    targets: list[TargetProgress] = Field(description="The province's targets for the period")
    district_warnings: list[DistrictRiskRow] = Field(
        description="Recognised districts with 30 % of their communes revoked, or reached by "
        "the commune rule"
    )
