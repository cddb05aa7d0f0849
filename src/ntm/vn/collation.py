"""Vietnamese alphabetical order: the Unicode Collation Algorithm (`pyuca`, DUCET) with the
Vietnamese tailoring of CLDR, which DUCET alone lacks.

In Vietnamese ă, â, đ, ê, ô, ơ and ư are letters of their own, each after its base letter
(a < ă < â < b, d < đ < e, o < ô < ơ < p, u < ư < v): every name in D comes before every name in
Đ ("Dương" < "Đình Lập"), where DUCET reads đ as a d with a mark and interleaves them. The tones
are marks (a secondary difference) in the dictionary order huyền < sắc < hỏi < ngã < nặng
(à < á < ả < ã < ạ), and case is a tertiary difference. Code-point order is never used: it
puts "Đ" after "Z" and "Bình" after "Bắc" only by accident.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import pyuca

T = TypeVar("T")

_LOWER, _UPPER = 0x0002, 0x0008  # DUCET's tertiary weights of small and capital letters
_COMMON = 0x0020  # DUCET's secondary weight of a letter without marks

# Each Vietnamese letter (as NFD) and its primary weight: an unused weight of DUCET between
# its base letter and the next letter of the alphabet (a 1C47 < 1C48 < 1C49 < b 1C60, ...).
_LETTERS = {
    "a\u0306": 0x1C48,  # ă
    "a\u0302": 0x1C49,  # â
    "\u0111": 0x1C90,  # đ (no decomposition)
    "e\u0302": 0x1CAB,  # ê
    "o\u0302": 0x1DDE,  # ô
    "o\u031b": 0x1DDF,  # ơ
    "u\u031b": 0x1EB6,  # ư
}
# The tones' secondary weights in dictionary order (DUCET puts the acute before the grave).
_TONES = {
    "\u0300": 0x0024,  # huyền (grave)
    "\u0301": 0x0025,  # sắc (acute)
    "\u0309": 0x003B,  # hỏi (hook above)
    "\u0303": 0x003C,  # ngã (tilde)
    "\u0323": 0x0042,  # nặng (dot below)
}


@functools.cache
def _collator() -> Any:
    """DUCET with the Vietnamese tailoring, loaded once (reading DUCET takes some 0.5 s)."""
    collator = pyuca.Collator()
    for letter, primary in _LETTERS.items():
        upper = letter.upper()
        collator.table.add([ord(c) for c in letter], [[primary, _COMMON, _LOWER]])
        collator.table.add([ord(c) for c in upper], [[primary, _COMMON, _UPPER]])
    for mark, secondary in _TONES.items():
        collator.table.add([ord(mark)], [[0, secondary, _LOWER]])
    return collator


# Unit names are a finite set read again and again (some 20,000 versions in the country), and
# a key costs some 80 µs to compute: kept, they sort a long list in a few milliseconds.
@functools.lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple[tuple[int, ...], str]:
    """The key that sorts `text` in Vietnamese order: the tailored UCA key (letters, then
    tones, then case), then, for texts equal on all three levels, their NFD form (UCA's
    identical level), so that the order is total and the same on every run."""
    nfd = unicodedata.normalize("NFD", text)
    return tuple(_collator().sort_key(nfd)), nfd


def sorted_vn(items: Iterable[T], key: Callable[[T], str]) -> list[T]:
    """`items` in Vietnamese order of `key(item)`."""
    return sorted(items, key=lambda item: sort_key(key(item)))
