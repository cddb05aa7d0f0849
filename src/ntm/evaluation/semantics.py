"""What the engine and the reference evaluator agree on: statuses, codes, tolerance.

Status codes are ordered so that combining results (conditions -> indicator -> criterion) is a
plain maximum: any not_met wins, then missing_data, then missing_group (the threshold depends
on a commune group the commune has none of), then missing_threshold, then met; only when
every part is not_applicable is the whole not_applicable. basically_met only comes from a
declaration and is never produced by combining.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Final, get_args

from ntm.criteria.schema import CellStatus, Op


class Status(StrEnum):
    """What a condition, an indicator or a criterion is found to be, in the order of the codes
    below (the value is what frames, files and pages carry)."""

    NOT_APPLICABLE = "not_applicable"
    MET = "met"
    MISSING_THRESHOLD = "missing_threshold"
    MISSING_GROUP = "missing_group"
    MISSING_DATA = "missing_data"
    NOT_MET = "not_met"
    BASICALLY_MET = "basically_met"


class Stage(StrEnum):
    """Whose entry a value is: the commune's claim or the appraiser's verification."""

    CLAIMED = "claimed"
    VERIFIED = "verified"


class Source(StrEnum):
    """Where a criterion's status comes from: computed from the values, declared (the
    criterion's result recorded without values behind it) or decided by the province office
    over a computed result."""

    DECLARED = "declared"
    COMPUTED = "computed"
    PROVINCE = "province"


# The engine's codes of the statuses (the order of `Status`).
NOT_APPLICABLE: Final = 0
MET: Final = 1
MISSING_THRESHOLD: Final = 2
MISSING_GROUP: Final = 3
MISSING_DATA: Final = 4
NOT_MET: Final = 5
BASICALLY_MET: Final = 6

# Index = code.
STATUSES: Final = tuple(Status)
STATUS_CODE: Final = {status: code for code, status in enumerate(STATUSES)}
DECLARED_STATUSES: Final = (Status.MET, Status.BASICALLY_MET, Status.NOT_MET)
# No result: a value, a commune group or a threshold is missing (never met, never failing).
UNKNOWN_STATUSES: Final = (Status.MISSING_DATA, Status.MISSING_GROUP, Status.MISSING_THRESHOLD)
UNKNOWN: Final = (MISSING_DATA, MISSING_GROUP, MISSING_THRESHOLD)
# Computed statuses that decide a criterion: where the values give one, a declaration does not
# count (only the province's decision overrides it).
DECIDED_CODES: Final = (NOT_APPLICABLE, MET, NOT_MET)
SOURCES: Final = tuple(Source)
CELL_STATUSES: Final[tuple[str, ...]] = get_args(CellStatus)
OPS: Final = tuple(Op)

# Values are compared to thresholds with a relative tolerance: a share computed as
# 100 * 218 / 1000 must equal a threshold written as 21.8 even though the two floats may differ
# in the last bit. |value - threshold| <= REL_TOL * max(1, |threshold|) counts as equal; for a
# threshold of 100 that is 1e-7 percentage points, far below any meaningful difference.
REL_TOL: Final = 1e-9
# "none" (a count that must be zero) and yes/no (1.0 / 0.0) use this absolute tolerance.
ABS_TOL: Final = 1e-9


def tolerance(threshold: float) -> float:
    return REL_TOL * max(1.0, abs(threshold))


def combine(codes: list[int]) -> int:
    """Conditions -> indicator -> criterion; an empty list has no threshold to judge by."""
    return max(codes) if codes else MISSING_THRESHOLD


def revocation_rule_reached(
    share: float,
    key_failing: bool,
    *,
    partial_share_from: float,
    partial_share_to: float,
    full_share: float,
) -> bool:
    """The QĐ 18/2022 rule on a share of criteria no longer met: from `partial_share_from` up
    to (not including) `partial_share_to` with a key criterion among them, or `full_share` and
    more. Shares are ratios of small integers: the tolerance makes 3/10 exactly 30 %. The
    engine computes the same rule over its frames (`engine._communes`)."""

    def at_least(threshold: float) -> bool:
        return share >= threshold - REL_TOL

    return at_least(full_share) or (
        at_least(partial_share_from) and not at_least(partial_share_to) and key_failing
    )
