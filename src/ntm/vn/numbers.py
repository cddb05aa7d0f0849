"""Vietnamese number style for everything a person reads: 27,1 %; 3.324; 12,5.

Percentages are computed exactly (fractions) and only rounded or truncated when shown,
because offices publish either and a report must reproduce the office's choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Literal

Mode = Literal["round", "truncate"]


@dataclass(frozen=True, slots=True)
class PercentStyle:
    """How percentages are shown: rounded (default) or truncated, to `decimals` places."""

    decimals: int = 2
    mode: Mode = "round"


DEFAULT_PERCENT = PercentStyle()


def _exact(value: Fraction | Decimal | float | int) -> Fraction:
    if isinstance(value, float):
        # A float as written (its shortest repr): 2.675 is "2,68", not 2,67499….
        return Fraction(Decimal(repr(value)))
    return Fraction(value)


def _scaled(value: Fraction, decimals: int, mode: Mode) -> int:
    """`value` × 10^decimals rounded to an integer: half away from zero, or toward zero. Exact
    integer arithmetic, so no size of number runs out of precision (Decimal's context has 28
    digits, and quantizing 1e28 to units raised InvalidOperation)."""
    scaled = value * 10**decimals
    magnitude = abs(scaled)
    whole = int(magnitude) if mode == "truncate" else int(magnitude + Fraction(1, 2))
    return -whole if scaled < 0 else whole


def format_number(
    value: Fraction | Decimal | float | int | None,
    decimals: int = 0,
    mode: Mode = "round",
    *,
    strip_zeros: bool = False,
) -> str:
    """3324 -> "3.324"; 12.5 -> "12,5" (decimals=1); None -> "—". Any number is shown in
    full, 1e28 as "10.000.000.000.000.000.000.000.000.000"; infinity as "∞" and NaN as
    "NaN" (a float column may hold them), so a page never fails on a stored value."""
    if value is None:
        return "—"
    if isinstance(value, Decimal) and not value.is_finite():
        return "NaN" if value.is_nan() else ("-∞" if value < 0 else "∞")
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("-∞" if value < 0 else "∞")
    q = _scaled(_exact(value), decimals, mode)
    sign = "-" if q < 0 else ""
    digits = str(abs(q)).rjust(decimals + 1, "0")
    whole, frac = (digits[:-decimals], digits[-decimals:]) if decimals else (digits, "")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    if strip_zeros:
        frac = frac.rstrip("0")
    return sign + ".".join(groups) + ("," + frac if frac else "")


def format_measured(value: float | None) -> str:
    """A measured value as a person reads it beside its unit: at most two decimals, no
    trailing zeros (45,5; 12; 1.234,57)."""
    return format_number(value, 2, strip_zeros=True)


def percent(numerator: int, denominator: int) -> Fraction | None:
    """The exact share in percent, or None when there is nothing to divide by."""
    if denominator == 0:
        return None
    return Fraction(100 * numerator, denominator)


def format_percent(numerator: int, denominator: int, style: PercentStyle = DEFAULT_PERCENT) -> str:
    """49 of 181 -> "27,07 %" (rounded, 2 decimals by default)."""
    share = percent(numerator, denominator)
    if share is None:
        return "—"
    return f"{format_number(share, style.decimals, style.mode)} %"


def format_signed(
    value: Fraction | Decimal | float | int, decimals: int = 2, mode: Mode = "round"
) -> str:
    """A change: +9,93 / -1,2 / 0."""
    text = format_number(value, decimals, mode, strip_zeros=True)
    return text if text.startswith("-") or text in {"0", "—", "NaN"} else "+" + text
