"""What the engine and the reference evaluator agree on: statuses, codes, tolerance.

Status codes are ordered so that combining results (conditions -> indicator -> criterion) is a
plain maximum: any not_met wins, then missing_data, then missing_threshold, then met; only when
every part is not_applicable is the whole not_applicable. basically_met only comes from a
declaration and is never produced by combining.
"""

from __future__ import annotations

from typing import Final

NOT_APPLICABLE: Final = 0
MET: Final = 1
MISSING_THRESHOLD: Final = 2
MISSING_DATA: Final = 3
NOT_MET: Final = 4
BASICALLY_MET: Final = 5

# Index = code.
STATUSES: Final = (
    "not_applicable",
    "met",
    "missing_threshold",
    "missing_data",
    "not_met",
    "basically_met",
)
STATUS_CODE: Final = {name: code for code, name in enumerate(STATUSES)}
DECLARED_STATUSES: Final = ("met", "basically_met", "not_met")
CELL_STATUSES: Final = ("verified", "unverified", "missing")
STAGES: Final = ("claimed", "verified")
OPS: Final = (">=", "<=", "==", "yes", "none")

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
