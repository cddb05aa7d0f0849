"""Watch lists from the engine's frames (`ntm.evaluation`): the communes close to the
standard, and those the QĐ 18/2022/QĐ-TTg revocation rule reaches.

A criterion without a result (missing data or threshold) is *unknown*, never safe: a commune
that the rule would reach if its unknown criteria failed is listed as "cannot be ruled out"
(`Risk.certain` false), beside the communes the rule reaches on what is known.
Units are the frames' unit keys; names and ordering by name are the caller's.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import polars as pl

from ntm.criteria.schema import RevocationRule
from ntm.evaluation.semantics import REL_TOL, UNKNOWN_STATUSES, Status, revocation_rule_reached

# Communes at most this many criteria short of the standard are "close" to it.
CLOSE_TO_STANDARD = 2


@dataclass(frozen=True)
class Shortfall:
    """One indicator condition that is not met (or has no result) in a criterion short."""

    criterion: int
    indicator: str
    status: str
    value: float | None
    threshold: float | None
    op: str
    gap: float | None  # < 0: how far on the wrong side


@dataclass(frozen=True)
class Close:
    unit: str
    met: int
    total: int
    criteria: tuple[tuple[int, str], ...]  # (number, status) of each criterion short
    shortfalls: tuple[Shortfall, ...]

    @property
    def short(self) -> int:
        return self.total - self.met


@dataclass(frozen=True)
class Risk:
    unit: str
    met: int
    total: int
    failing_share: float  # of the criteria known to fail
    key_criteria: tuple[int, ...]  # key criteria known to fail
    certain: bool  # the rule reaches the commune on what is known
    unknown: tuple[int, ...]  # criteria without a result
    # (number, status) of each criterion known to fail, and the conditions behind them.
    failing: tuple[tuple[int, str], ...] = ()
    shortfalls: tuple[Shortfall, ...] = ()


@dataclass(frozen=True)
class Slipping:
    """A commune that lost criteria (*đang tụt hạng*) without the revocation rule reaching it,
    even if its criteria without a result failed."""

    unit: str
    met: int
    total: int
    failing: tuple[tuple[int, str], ...]  # (number, status) of each criterion lost
    shortfalls: tuple[Shortfall, ...]


def comparable(communes: pl.DataFrame) -> pl.DataFrame:
    """Re-based units whose results do not transfer are not listed."""
    if "comparable" in communes.columns:
        return communes.filter(pl.col("comparable"))
    return communes


def _statuses(criteria: pl.DataFrame, units: list[str]) -> dict[str, list[tuple[int, str]]]:
    out: dict[str, list[tuple[int, str]]] = {u: [] for u in units}
    rows = criteria.filter(pl.col("unit").is_in(units)).sort("unit", "criterion")
    for unit, number, status in rows.select("unit", "criterion", "status").iter_rows():
        out[str(unit)].append((int(number), str(status)))
    return out


def _shortfalls(indicators: pl.DataFrame, unit: str, numbers: list[int]) -> tuple[Shortfall, ...]:
    """The indicator conditions not met (or without a result) of these criteria of a unit."""
    inds = indicators.filter(
        (pl.col("unit") == unit)
        & pl.col("criterion").is_in(numbers)
        & (pl.col("status") != Status.MET)
    ).sort("criterion", "indicator", "condition")
    return tuple(
        Shortfall(
            criterion=int(r["criterion"]),
            indicator=str(r["indicator"]),
            status=str(r["status"]),
            value=r["value"],
            threshold=r["threshold"],
            op=str(r["op"]),
            gap=r["gap"],
        )
        for r in inds.iter_rows(named=True)
    )


FAILING = (Status.NOT_MET, Status.BASICALLY_MET)


def close_to_standard(
    communes: pl.DataFrame,
    criteria: pl.DataFrame,
    indicators: pl.DataFrame,
    *,
    within: int = CLOSE_TO_STANDARD,
) -> list[Close]:
    """Communes not at the standard and at most `within` criteria short, each with the
    criteria short and their indicator conditions not met, fewest short first."""
    close = comparable(communes).filter(
        ~pl.col("meets_set") & ((pl.col("total") - pl.col("met")) <= within)
    )
    units = [str(u) for u in close.get_column("unit").to_list()]
    statuses = _statuses(criteria, units)
    out = []
    for row in close.iter_rows(named=True):
        key = str(row["unit"])
        short = [(n, s) for n, s in statuses[key] if s != Status.MET]
        out.append(
            Close(
                unit=key,
                met=int(row["met"]),
                total=int(row["total"]),
                criteria=tuple(short),
                shortfalls=_shortfalls(indicators, key, [n for n, _ in short]),
            )
        )
    return sorted(out, key=lambda c: (c.short, -c.met))


def _lost(
    statuses: list[tuple[int, str]], indicators: pl.DataFrame | None, unit: str
) -> tuple[tuple[tuple[int, str], ...], tuple[Shortfall, ...]]:
    """A unit's criteria known to fail, and (given `indicators`) the conditions behind them."""
    failing = tuple((n, s) for n, s in statuses if s in FAILING)
    if indicators is None:
        return failing, ()
    return failing, _shortfalls(indicators, unit, [n for n, _ in failing])


def revocation_watch(
    communes: pl.DataFrame, criteria: pl.DataFrame, indicators: pl.DataFrame | None = None
) -> list[Risk]:
    """Communes the revocation rule reaches (`certain`) or could reach once their unknown
    criteria are known (*chưa loại trừ được*), the certain ones first, then by the share known
    to fail; each with the criteria failing and, given `indicators`, the conditions behind
    them."""
    frame = comparable(communes)
    if "revocation_possible" not in frame.columns:
        return []
    watched = frame.filter(pl.col("revocation_possible").fill_null(False))
    units = [str(u) for u in watched.get_column("unit").to_list()]
    statuses = _statuses(criteria, units)
    out = []
    for row in watched.iter_rows(named=True):
        key = str(row["unit"])
        failing, shortfalls = _lost(statuses[key], indicators, key)
        out.append(
            Risk(
                unit=key,
                met=int(row["met"]),
                total=int(row["total"]),
                failing_share=float(row["failing_share"]),
                key_criteria=tuple(int(k) for k in row["failing_key_criteria"]),
                certain=bool(row["revocation_risk"]),
                unknown=tuple(n for n, s in statuses[key] if s in UNKNOWN_STATUSES),
                failing=failing,
                shortfalls=shortfalls,
            )
        )
    return sorted(out, key=lambda r: (not r.certain, -r.failing_share))


def slipping(
    communes: pl.DataFrame, criteria: pl.DataFrame, indicators: pl.DataFrame
) -> list[Slipping]:
    """Communes that lost criteria (not met, or only basically met) but that the revocation
    rule could not reach even if their unknown criteria failed (*đang tụt hạng*); most lost
    first. The caller passes the recognised communes: for the others nothing was lost."""
    frame = comparable(communes).filter((pl.col("not_met") + pl.col("basically_met")) > 0)
    if "revocation_possible" in frame.columns:
        frame = frame.filter(~pl.col("revocation_possible").fill_null(False))
    units = [str(u) for u in frame.get_column("unit").to_list()]
    statuses = _statuses(criteria, units)
    out = []
    for row in frame.iter_rows(named=True):
        key = str(row["unit"])
        failing, shortfalls = _lost(statuses[key], indicators, key)
        out.append(
            Slipping(
                unit=key,
                met=int(row["met"]),
                total=int(row["total"]),
                failing=failing,
                shortfalls=shortfalls,
            )
        )
    return sorted(out, key=lambda s: (-len(s.failing), s.met))


# QĐ 18/2022: a district loses its recognition when this share of its communes lost theirs.
DISTRICT_SHARE = 0.30


@dataclass(frozen=True)
class OwnCriteria:
    """A district's own criteria (the set of its level) under the QĐ 18/2022 rule: the second
    and third branches of the district rule, on the statuses recorded for the district."""

    total: int
    failing: tuple[int, ...]  # recorded not met, or only basically met
    key_failing: tuple[int, ...]  # key criteria among them
    unknown: tuple[int, ...]  # criteria without a recorded status
    reached: bool  # the rule reaches the district on what is recorded
    possible: bool  # ... or would if every criterion without a status failed

    @property
    def failing_share(self) -> float:
        return len(self.failing) / self.total if self.total else 0.0


def own_criteria(
    statuses: Mapping[int, str], numbers: Sequence[int], rule: RevocationRule
) -> OwnCriteria:
    """The rule over a district's criteria `numbers` from their recorded `statuses` (criterion
    -> status; a criterion absent or without a result is unknown, never safe), by the same
    arithmetic as the commune rule (`semantics.revocation_rule_reached`)."""
    failing = tuple(n for n in numbers if statuses.get(n) in FAILING)
    unknown = tuple(n for n in numbers if n not in statuses or statuses[n] in UNKNOWN_STATUSES)
    keys = set(rule.key_criteria)
    key_failing = tuple(n for n in failing if n in keys)
    total = len(numbers)

    def reached(count: int, key: bool) -> bool:
        return bool(total) and revocation_rule_reached(
            count / total,
            key,
            partial_share_from=rule.partial_share_from,
            partial_share_to=rule.partial_share_to,
            full_share=rule.full_share,
        )

    return OwnCriteria(
        total=total,
        failing=failing,
        key_failing=key_failing,
        unknown=unknown,
        reached=reached(len(failing), bool(key_failing)),
        possible=reached(
            len(failing) + len(unknown), bool(key_failing) or bool(keys & set(unknown))
        ),
    )


@dataclass(frozen=True)
class DistrictRisk:
    """A recognised district the district rule reaches, or would once the communes the
    commune rule reaches are revoked, or once its criteria without a status are known."""

    district: str
    communes: int
    revoked: int  # communes whose recognition was revoked
    reached: int  # recognised communes the commune rule reaches (not yet revoked)
    certain: bool  # the revoked communes alone, or its own criteria as recorded, reach the rule
    # The rule over its own criteria; None where no district set with the rule covers the period.
    criteria: OwnCriteria | None = None
    by_communes: bool = False  # revoked and reached communes make the share

    @property
    def share(self) -> float:
        return (self.revoked + self.reached) / self.communes if self.communes else 0.0


def district_watch(
    rows: Iterable[tuple[str, int, int, int]],
    *,
    criteria: Mapping[str, OwnCriteria] | None = None,
    share: float = DISTRICT_SHARE,
) -> list[DistrictRisk]:
    """Of (district, communes, revoked, reached) rows, the districts the QĐ 18/2022 district
    rule reaches or could reach: the communes revoked, with those the commune rule reaches,
    make `share` of the district's communes or more; or, given the district's own criteria
    (`own_criteria`), the rule over them is reached, or cannot be ruled out while criteria
    have no status. The certain ones first, then by share."""
    own = criteria or {}

    def at_least(part: int, whole: int) -> bool:
        return bool(whole) and part / whole >= share - REL_TOL

    out = []
    for d, n, revoked, reached in rows:
        mine = own.get(d)
        by_communes = at_least(revoked + reached, n)
        if by_communes or (mine is not None and mine.possible):
            certain = at_least(revoked, n) or (mine is not None and mine.reached)
            out.append(DistrictRisk(d, n, revoked, reached, certain, mine, by_communes))
    return sorted(out, key=lambda r: (not r.certain, -r.share, r.district))
