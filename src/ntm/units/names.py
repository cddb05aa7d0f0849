"""Matching unit names the way people write them: with or without diacritics and with or
without the kind prefix ("Xã Đội Cấn", "xa doi can", "Đội Cấn" all give "doi can")."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

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


def fold(text: str) -> str:
    """Lower case, no diacritics, single spaces: "  Xã  Đội Cấn" -> "xa doi can"."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return " ".join(text.lower().split())


def name_key(name: str) -> str:
    """The matching key of a name: folded, kind prefix removed ("Xã Đội Cấn" -> "doi can")."""
    folded = fold(name)
    stripped = _PREFIX_RE.sub("", folded, count=1)
    return stripped or folded


def parse_date(text: str) -> dt.date:
    """dd/mm/yyyy or yyyy-mm-dd; anything else is refused with a Vietnamese message."""
    text = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValueError(f"Ngày không hợp lệ: {text!r} (dùng dd/mm/yyyy hoặc yyyy-mm-dd)")


def vn_date(day: dt.date | None) -> str:
    return day.strftime("%d/%m/%Y") if day else "—"
