"""Summary of one evaluation: how many communes meet the set, per criterion, by band.

Input are the engine's `communes` and `criteria` frames (see the engine contract). Every
share is kept exact (`Fraction`) and only rounded or truncated when rendered, per a
`PercentStyle`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import field
from fractions import Fraction
from typing import Annotated

import polars as pl
from pydantic import Field, computed_field
from pydantic.dataclasses import dataclass

from ntm.criteria.schema import Band
from ntm.evaluation.semantics import STATUSES, UNKNOWN_STATUSES
from ntm.stats.jsonable import Exact
from ntm.vn.numbers import DEFAULT_PERCENT, PercentStyle, format_number, format_percent

_COMMUNE_COLUMNS = ("unit", "period", "met", "meets_set")
_CRITERIA_COLUMNS = ("unit", "period", "criterion", "status")


@dataclass(frozen=True)
class CriterionCounts:
    """How many communes are in each status for one criterion."""

    criterion: int
    met: int = 0
    basically_met: int = 0
    not_met: int = 0
    missing_data: int = 0
    missing_threshold: int = 0
    not_applicable: int = 0
    missing_group: int = 0  # no commune group where the threshold depends on it

    @property
    def unknown(self) -> int:
        """Communes without a result: a value, a commune group or a threshold missing."""
        return self.missing_data + self.missing_group + self.missing_threshold


@dataclass(frozen=True)
class BandCount:
    """How many communes fall in a band; in JSON the band's fields beside the count."""

    band: Annotated[Band, Field(exclude=True)]
    count: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label_vi(self) -> str:
        return self.band.label_vi

    @computed_field  # type: ignore[prop-decorator]
    @property
    def label_en(self) -> str:
        return self.band.label_en

    @computed_field  # type: ignore[prop-decorator]
    @property
    def min(self) -> int:
        return self.band.min

    @computed_field  # type: ignore[prop-decorator]
    @property
    def max(self) -> int:
        return self.band.max


@dataclass(frozen=True)
class PeriodSummary:
    """The figures of one period.

    `communes` is Y (communes in scope), `meeting` is X (communes meeting every criterion).
    `communes_missing` counts communes with at least one criterion whose data or threshold is
    missing; `unbanded` counts communes whose number of criteria met falls in no band.
    """

    period: int
    communes: int
    meeting: int
    total_met: int
    criteria: tuple[CriterionCounts, ...]
    bands: tuple[BandCount, ...]
    unbanded: int
    communes_missing: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def meeting_percent(self) -> Exact | None:
        return None if self.communes == 0 else Fraction(100 * self.meeting, self.communes)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def average_met(self) -> Exact | None:
        """Average number of criteria met per commune (basically met does not count)."""
        return None if self.communes == 0 else Fraction(self.total_met, self.communes)

    @property
    def met_by_criterion(self) -> dict[int, int]:
        return {c.criterion: c.met for c in self.criteria}

    @property
    def basically_met_by_criterion(self) -> dict[int, int]:
        return {c.criterion: c.basically_met for c in self.criteria}

    @property
    def missing_by_criterion(self) -> dict[int, int]:
        """Communes whose data or threshold is missing, per criterion."""
        return {c.criterion: c.unknown for c in self.criteria}


@dataclass(frozen=True)
class Summary:
    """One `PeriodSummary` per period present, in period order."""

    periods: tuple[PeriodSummary, ...] = field(default_factory=tuple)

    def for_period(self, period: int) -> PeriodSummary:
        for p in self.periods:
            if p.period == period:
                return p
        raise KeyError(period)

    @property
    def single(self) -> PeriodSummary:
        """The only period; an error when there are several or none."""
        if len(self.periods) != 1:
            raise ValueError(f"expected one period, found {len(self.periods)}")
        return self.periods[0]


def require_columns(frame: pl.DataFrame, columns: Sequence[str], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"khung {name} thiếu cột {missing} (frame {name} lacks columns)")


def require_criteria(criteria: pl.DataFrame) -> None:
    """The engine's `criteria` frame: its columns, and every status one of `STATUSES`."""
    require_columns(criteria, _CRITERIA_COLUMNS, "criteria")
    unknown = set(criteria.get_column("status").unique().to_list()) - set(STATUSES)
    if unknown:
        raise ValueError(f"trạng thái không hợp lệ (unknown status): {sorted(map(str, unknown))}")


def summarize(communes: pl.DataFrame, criteria: pl.DataFrame, bands: Sequence[Band]) -> Summary:
    """Summarise the engine's `communes` and `criteria` frames, per period."""
    require_columns(communes, _COMMUNE_COLUMNS, "communes")
    require_criteria(criteria)

    per_commune = communes.group_by("period").agg(
        pl.len().alias("communes"),
        pl.col("meets_set").cast(pl.Int64).sum().alias("meeting"),
        pl.col("met").cast(pl.Int64).sum().alias("total_met"),
    )
    missing_units = (
        criteria.filter(pl.col("status").is_in(UNKNOWN_STATUSES))
        .select("unit", "period")
        .unique()
        .join(communes.select("unit", "period"), on=["unit", "period"], how="semi")
        .group_by("period")
        .agg(pl.len().alias("communes_missing"))
    )
    per_criterion = (
        criteria.join(communes.select("unit", "period"), on=["unit", "period"], how="semi")
        .group_by("period", "criterion")
        .agg(*[(pl.col("status") == s).sum().alias(s) for s in STATUSES])
        .sort("period", "criterion")
    )
    met_counts = communes.select("period", "met")

    out: list[PeriodSummary] = []
    for row in per_commune.sort("period").iter_rows(named=True):
        period = int(row["period"])
        crit = tuple(
            CriterionCounts(criterion=int(r["criterion"]), **{s: int(r[s]) for s in STATUSES})
            for r in per_criterion.filter(pl.col("period") == period).iter_rows(named=True)
        )
        mets = met_counts.filter(pl.col("period") == period).get_column("met")
        band_counts = tuple(BandCount(b, int(mets.is_between(b.min, b.max).sum())) for b in bands)
        banded = (
            mets.to_frame()
            .select(
                pl.any_horizontal(
                    *[pl.col("met").is_between(b.min, b.max) for b in bands], pl.lit(False)
                ).sum()
            )
            .item()
        )
        missing_row = missing_units.filter(pl.col("period") == period)
        out.append(
            PeriodSummary(
                period=period,
                communes=int(row["communes"]),
                meeting=int(row["meeting"]),
                total_met=int(row["total_met"]),
                criteria=crit,
                bands=band_counts,
                unbanded=len(mets) - int(banded),
                communes_missing=int(missing_row.item(0, 1)) if missing_row.height else 0,
            )
        )
    return Summary(tuple(out))


def render_lines(summary: PeriodSummary, style: PercentStyle = DEFAULT_PERCENT) -> list[str]:
    """Vietnamese text of one period's summary, one line per figure."""
    lines = [
        f"Năm {summary.period}: {format_number(summary.communes)} xã trong phạm vi",
        "Số xã đạt chuẩn: "
        f"{format_number(summary.meeting)}/{format_number(summary.communes)} "
        f"({format_percent(summary.meeting, summary.communes, style)})",
        "Bình quân số tiêu chí đạt/xã: "
        f"{format_number(summary.average_met, style.decimals, style.mode)}",
        f"Số xã thiếu dữ liệu hoặc thiếu ngưỡng: {format_number(summary.communes_missing)}",
    ]
    if summary.bands:
        lines.append("Phân nhóm theo số tiêu chí đạt:")
        lines.extend(f"  {b.band.label_vi}: {format_number(b.count)} xã" for b in summary.bands)
        if summary.unbanded:
            lines.append(f"  Ngoài các nhóm: {format_number(summary.unbanded)} xã")
    if summary.criteria:
        lines.append("Theo tiêu chí (đạt / cơ bản đạt / không đạt / thiếu dữ liệu):")
        lines.extend(
            f"  Tiêu chí {c.criterion}: {format_number(c.met)} / "
            f"{format_number(c.basically_met)} / {format_number(c.not_met)} / "
            f"{format_number(c.unknown)}"
            for c in summary.criteria
        )
    return lines


def render_text(summary: Summary, style: PercentStyle = DEFAULT_PERCENT) -> str:
    """Vietnamese text of every period, separated by blank lines."""
    return "\n\n".join("\n".join(render_lines(p, style)) for p in summary.periods)
