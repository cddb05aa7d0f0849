"""Vietnamese number style for everything a person reads: 27,1 %; 3.324; 12,5.

Percentages are computed exactly (fractions) and only rounded or truncated when shown,
because offices publish either and a report must reproduce the office's choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Literal

Mode = Literal["round", "truncate"]


@dataclass(frozen=True, slots=True)
class PercentStyle:
    """How percentages are shown: rounded (default) or truncated, to `decimals` places."""

    decimals: int = 2
    mode: Mode = "round"


DEFAULT_PERCENT = PercentStyle()


def _quantize(value: Fraction | Decimal | float | int, decimals: int, mode: Mode) -> Decimal:
    if isinstance(value, Fraction):
        exact = Decimal(value.numerator) / Decimal(value.denominator)
    else:
        exact = Decimal(str(value))
    step = Decimal(1).scaleb(-decimals)
    return exact.quantize(step, rounding=ROUND_DOWN if mode == "truncate" else ROUND_HALF_UP)


def format_number(
    value: Fraction | Decimal | float | int | None,
    decimals: int = 0,
    mode: Mode = "round",
    *,
    strip_zeros: bool = False,
) -> str:
    """3324 -> "3.324"; 12.5 -> "12,5" (decimals=1); None -> "—"."""
    if value is None:
        return "—"
    q = _quantize(value, decimals, mode)
    sign = "-" if q < 0 else ""
    text = f"{abs(q):.{decimals}f}"
    whole, _, frac = text.partition(".")
    groups: list[str] = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    if strip_zeros:
        frac = frac.rstrip("0")
    return sign + ".".join(groups) + ("," + frac if frac else "")


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
    return text if text.startswith("-") or text in {"0", "—"} else "+" + text
