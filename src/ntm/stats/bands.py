"""Bands of communes by number of criteria met (configurable; provinces differ)."""

from __future__ import annotations

from collections.abc import Sequence

from ntm.criteria.schema import Band


def make_bands(lower_bounds: Sequence[int], total: int) -> list[Band]:
    """Bands from their lower bounds, highest first: (19, 15, 10, 5, 0) with 19 criteria gives
    19 / 15–18 / 10–14 / 5–9 / under 5."""
    bounds = sorted(set(lower_bounds), reverse=True)
    if not bounds:
        raise ValueError("cần ít nhất một nhóm (at least one band is needed)")
    if bounds[0] > total or bounds[-1] < 0:
        raise ValueError(
            f"giới hạn nhóm phải nằm trong 0..{total} (band bounds must lie in 0..{total})"
        )
    bands: list[Band] = []
    upper = total
    for low in bounds:
        if low == 0 and upper < total:
            bands.append(
                Band(
                    label_vi=f"Dưới {upper + 1} tiêu chí",
                    label_en=f"under {upper + 1} criteria",
                    min=0,
                    max=upper,
                )
            )
        elif low == upper:
            bands.append(
                Band(label_vi=f"{low} tiêu chí", label_en=f"{low} criteria", min=low, max=low)
            )
        else:
            bands.append(
                Band(
                    label_vi=f"{low}–{upper} tiêu chí",
                    label_en=f"{low}–{upper} criteria",
                    min=low,
                    max=upper,
                )
            )
        upper = low - 1
    return bands


def parse_bands(text: str, total: int) -> list[Band]:
    """ "19,15,10,8,0" -> 19 / 15–18 / 10–14 / 8–9 / under 8 (lower bounds, any order)."""
    try:
        bounds = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise ValueError(
            f"nhóm không hợp lệ {text!r}: cần các số nguyên cách nhau bởi dấu phẩy "
            "(bands must be comma-separated integers)"
        ) from None
    return make_bands(bounds, total)


# The national default for the 19-criteria sets (domain: 19 / 15–18 / 10–14 / 5–9 / under 5).
DEFAULT_BANDS: tuple[Band, ...] = tuple(make_bands((19, 15, 10, 5, 0), 19))
