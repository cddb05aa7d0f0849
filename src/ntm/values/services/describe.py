"""A stage's entry and a user as a person reads them (in conflicts, the history, the pages)."""

from __future__ import annotations

from typing import Any

from ntm.criteria.schema import Measure
from ntm.vn.numbers import format_measured


def display_name(user: Any) -> str:
    if user is None:
        return "—"
    return str(user.get_full_name() or user.get_username())


def describe_entry(measure: Measure | None, entry: dict[str, Any] | None) -> str:
    """A stage's content as a person reads it: "45,5 triệu đồng/người/năm", "Đạt", "12/15
    (80 %)", "Không áp dụng", "(trống)"."""
    if entry is None:
        return "(trống)"
    if entry.get("not_applicable"):
        return "Không áp dụng"
    kind = measure.kind if measure else "number"
    if kind == "share":
        num, den = entry.get("numerator"), entry.get("denominator")
        if num is None and den is None:
            return "(trống)"
        share = f" ({format_measured(100 * num / den)} %)" if num is not None and den else ""
        return f"{format_measured(num)}/{format_measured(den)}{share}"
    value = entry.get("value")
    if value is None:
        return "(trống)"
    if kind == "yesno":
        return "Đạt" if value >= 0.5 else "Chưa đạt"
    unit = f" {measure.unit}" if measure and measure.unit else ""
    return f"{format_measured(value)}{unit}"
