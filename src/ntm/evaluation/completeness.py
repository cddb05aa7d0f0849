"""How complete a commune's period is under a set: what submit and approve show first.

Counted from the engine's criterion rows of one unit: criteria whose status comes from the
values, declared (or decided by the province) without them, and the gaps — criteria still
missing data, and criteria whose threshold (or the commune group it depends on) is missing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import polars as pl

from ntm.evaluation.semantics import Source, Status

_NO_THRESHOLD = (Status.MISSING_THRESHOLD.value, Status.MISSING_GROUP.value)


@dataclass(frozen=True)
class Completeness:
    total: int
    computed: int  # decided by the values (met, not met, not applicable)
    declared: int  # declared by the commune or decided by the province, no values behind
    missing_data: int
    missing_threshold: int  # the threshold, or the commune group it depends on, is missing

    @property
    def gaps(self) -> int:
        return self.missing_data + self.missing_threshold

    @property
    def complete(self) -> bool:
        return self.gaps == 0

    def as_record(self) -> dict[str, Any]:
        """What an audit row keeps of it."""
        return {
            "total": self.total,
            "computed": self.computed,
            "declared": self.declared,
            "missing_data": self.missing_data,
            "missing_threshold": self.missing_threshold,
        }


def completeness(criteria: pl.DataFrame, total: int) -> Completeness:
    """The completeness of one unit's period from its criterion rows (`Evaluation.criteria`
    filtered to the unit); a criterion of the set without a row counts as missing data."""
    status = criteria.get_column("status").cast(pl.String)
    source = criteria.get_column("source").cast(pl.String)
    no_threshold = int(status.is_in(_NO_THRESHOLD).sum())
    missing = int((status == Status.MISSING_DATA.value).sum()) + max(0, total - criteria.height)
    settled = ~status.is_in([*_NO_THRESHOLD, Status.MISSING_DATA.value])
    computed = int((settled & (source == Source.COMPUTED.value)).sum())
    declared = int((settled & (source != Source.COMPUTED.value)).sum())
    return Completeness(
        total=total,
        computed=computed,
        declared=declared,
        missing_data=missing,
        missing_threshold=no_threshold,
    )
