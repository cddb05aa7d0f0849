from __future__ import annotations

import pytest

from ntm.stats.bands import DEFAULT_BANDS, make_bands, parse_bands


def _shape(bands: object) -> list[tuple[str, int, int]]:
    return [(b.label_vi, b.min, b.max) for b in bands]  # type: ignore[attr-defined]


def test_default_bands() -> None:
    assert _shape(DEFAULT_BANDS) == [
        ("19 tiêu chí", 19, 19),
        ("15–18 tiêu chí", 15, 18),
        ("10–14 tiêu chí", 10, 14),
        ("5–9 tiêu chí", 5, 9),
        ("Dưới 5 tiêu chí", 0, 4),
    ]


def test_province_bands_8_9_and_under_8() -> None:
    assert _shape(parse_bands("0, 8,10,15,19", 19)) == [
        ("19 tiêu chí", 19, 19),
        ("15–18 tiêu chí", 15, 18),
        ("10–14 tiêu chí", 10, 14),
        ("8–9 tiêu chí", 8, 9),
        ("Dưới 8 tiêu chí", 0, 7),
    ]


def test_bad_bands() -> None:
    with pytest.raises(ValueError, match="số nguyên"):
        parse_bands("19,x", 19)
    with pytest.raises(ValueError, match=r"0\.\.19"):
        make_bands([20, 0], 19)
    with pytest.raises(ValueError, match="ít nhất"):
        make_bands([], 19)
