"""Matching text the way people write it: with or without diacritics, in any case, with any
spacing, and for unit names with or without the kind prefix ("Xã Đội Cấn", "xa doi can",
"Đội Cấn" all give "doi can")."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from typing import TypeVar

T = TypeVar("T")

# Longest first, so that "thanh pho" wins over a bare "thanh".
_PREFIXES = (
    "thanh pho",
    "thi tran",
    "dac khu",
    "thi xa",
    "phuong",
    "huyen",
    "quan",
    "tinh",
    "tp.",
    "tp",
    "tt.",
    "tt",
    "xa",
)
_PREFIX_RE = re.compile(r"^(?:" + "|".join(re.escape(p) for p in _PREFIXES) + r")\s+")


def fold(text: str, *, keep_marks: bool = False) -> str:
    """Case-folded, single spaces, and without diacritics: "  Xã  Đội Cấn" -> "xa doi can".
    With `keep_marks` the diacritics stay ("xã đội cấn"), for where they tell words apart
    (a header, a kind prefix: "Phuong Dong" may be "Phường Đông" or "Phương Đông")."""
    if keep_marks:
        text = unicodedata.normalize("NFC", text)
    else:
        text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
        text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.casefold().split())


def name_key(name: str) -> str:
    """The matching key of a name: folded, kind prefix removed ("Xã Đội Cấn" -> "doi can")."""
    folded = fold(name)
    stripped = _PREFIX_RE.sub("", folded, count=1)
    return stripped or folded


def matching_name(items: Iterable[T], name: str, names: Callable[[T], tuple[str, str]]) -> list[T]:
    """The items `name` stands for, without regard to diacritics or the kind prefix; `names`
    gives an item's (name_key, folded name). A name whose first word is also a prefix ("Tĩnh
    Bắc", "Quan Sơn") is tried both whole and without that word; the whole name wins when it
    matches."""
    key, folded = name_key(name), fold(name)
    found = [(item, names(item)) for item in items]
    found = [(item, n) for item, n in found if n[0] in (key, folded)]
    if key != folded:
        whole = [item for item, n in found if folded in n]
        if whole:
            return whole
    return [item for item, _ in found]
