"""What a stored number may be: finite and plausible for its measure (one rule for every
entry point — the entry form, the API, the import, `ntm evaluate` and loading a history).

A page must be able to show any stored value, and an engine comparison must mean something:
so a number is finite, not negative, below 10^15 (15 significant digits: counts and money in
đồng alike), a percentage at most 100, a count whole, a yes/no 0 or 1, and within the
measure's own `minimum`/`maximum` when the catalogue sets them. Reasons come in Vietnamese
and English; the caller shows the user's language.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ntm.criteria.schema import Measure
from ntm.vn.numbers import format_number

# 15 significant digits: what a double holds exactly, and more than any count or amount in
# đồng the programme reports (the national budget is of the order of 10^15 đồng).
MAX_MAGNITUDE = 1e15


@dataclass(frozen=True, slots=True)
class OutOfBounds:
    """Why a number cannot be stored, in both languages."""

    vi: str
    en: str

    def __str__(self) -> str:
        return self.vi


def _fmt(x: float) -> str:
    """A bound or a part as people write it in Vietnamese: 1.000.000.000.000.000, 2,5."""
    return format_number(x, 6, strip_zeros=True)


def number_problem(measure: Measure, x: float, *, part: str = "value") -> OutOfBounds | None:
    """Why `x` cannot be the `part` ("value", "numerator" or "denominator") of a value of
    `measure`, or None when it can. Shares compare their parts with `share_problem`."""
    if not math.isfinite(x):
        return OutOfBounds(
            "giá trị không phải là một số hữu hạn", "the value is not a finite number"
        )
    if x < 0:
        return OutOfBounds("giá trị không được âm", "values cannot be negative")
    if x >= MAX_MAGNITUDE:
        return OutOfBounds(
            f"giá trị quá lớn (tối đa 15 chữ số, nhỏ hơn {_fmt(MAX_MAGNITUDE)})",
            "the value is too large (at most 15 digits)",
        )
    if measure.kind == "yesno":
        if x not in (0.0, 1.0):
            return OutOfBounds("cần Đạt hoặc Chưa đạt", "expected met or not met")
        return None
    # A share's parts may measure length or area (km of road, ha of land): only counts are
    # whole numbers.
    if measure.kind == "count" and not float(x).is_integer():
        return OutOfBounds("số đếm phải là số nguyên", "a count is a whole number")
    if measure.kind != "share" and measure.unit.strip() == "%" and x > 100:
        return OutOfBounds("tỷ lệ không được lớn hơn 100 %", "a percentage is at most 100")
    if part == "value" and measure.minimum is not None and x < measure.minimum:
        return OutOfBounds(
            f"giá trị nhỏ hơn mức tối thiểu hợp lý {_fmt(measure.minimum)} {measure.unit}",
            f"the value is below the plausible minimum {measure.minimum:g}",
        )
    if part == "value" and measure.maximum is not None and x > measure.maximum:
        return OutOfBounds(
            f"giá trị lớn hơn mức tối đa hợp lý {_fmt(measure.maximum)} {measure.unit}",
            f"the value is above the plausible maximum {measure.maximum:g}",
        )
    return None


def share_problem(numerator: float, denominator: float) -> OutOfBounds | None:
    """Why two valid parts do not make a share (0–100 % of a positive denominator)."""
    if denominator == 0:
        return OutOfBounds("mẫu số phải lớn hơn 0", "the denominator must be positive")
    if numerator > denominator:
        return OutOfBounds(
            f"tử số lớn hơn mẫu số ({_fmt(numerator)} > {_fmt(denominator)}): tỷ lệ trên 100 %",
            "the numerator is above the denominator",
        )
    return None
