"""The figures a published Vietnamese text states (pure: no Django, no query).

A report or an article says "Tính đến 30/06/2020, toàn tỉnh có 49/181 xã đạt chuẩn (27,1 %),
bình quân đạt 11,54 tiêu chí/xã", "165/181 xã đạt tiêu chí số 19", "tăng 9,93 tiêu chí/xã so
với năm 2011". Each claim keeps the date the text last named (or the one given) and the
number as written, decimals included: checking it reads the record at the same precision.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

ClaimKind = Literal["meeting", "recognised", "criterion", "share", "average", "change"]

_NUMBER = r"\d{1,3}(?:\.\d{3})*(?:,\d+)?|\d+(?:,\d+)?"
_DAY = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_YEAR_END = re.compile(r"(?:hết|cuối)\s+năm\s+(\d{4})", re.I)
_PATTERNS: list[tuple[ClaimKind, re.Pattern[str]]] = [
    (
        "criterion",
        re.compile(rf"({_NUMBER})/({_NUMBER})\s*xã\s+đạt\s+tiêu\s+chí\s+(?:số\s+)?(\d+)", re.I),
    ),
    (
        "recognised",
        re.compile(rf"({_NUMBER})/({_NUMBER})\s*xã\s+(?:đã\s+)?được\s+công\s+nhận", re.I),
    ),
    ("meeting", re.compile(rf"({_NUMBER})/({_NUMBER})\s*xã", re.I)),
    ("share", re.compile(rf"({_NUMBER})\s*%")),
    (
        "change",
        re.compile(
            rf"(?:tăng\s+|\+)({_NUMBER})\s*(?:tiêu\s+chí/xã\s+)?so\s+với\s+năm\s+(\d{{4}})", re.I
        ),
    ),
    ("average", re.compile(rf"({_NUMBER})\s*tiêu\s+chí\s*/\s*xã", re.I)),
]


@dataclass(frozen=True)
class Written:
    """A number as the text writes it: its value and its decimals."""

    text: str

    @property
    def value(self) -> Fraction:
        return Fraction(self.text.replace(".", "").replace(",", "."))

    @property
    def decimals(self) -> int:
        return len(self.text.partition(",")[2])


@dataclass(frozen=True)
class Claim:
    kind: ClaimKind
    text: str  # the words of the claim
    day: dt.date  # the date the text speaks of there
    number: Written  # X of X/Y, the percentage, the average or the change
    of: int | None = None  # Y of X/Y
    criterion: int | None = None
    since: int | None = None  # the year a change is measured from
    after: ClaimKind | None = None  # a share: the count it follows (meeting, recognised)


def _int(text: str) -> int:
    return int(text.replace(".", ""))


def _days(text: str, default: dt.date) -> list[tuple[int, dt.date]]:
    """Where the text names a date (dd/mm/yyyy, "hết năm 2020"), from the start: default."""
    found = [(0, default)]
    for m in _DAY.finditer(text):
        try:
            found.append((m.start(), dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))))
        except ValueError:
            continue
    for m in _YEAR_END.finditer(text):
        found.append((m.start(), dt.date(int(m.group(1)), 12, 31)))
    return sorted(found, key=lambda x: x[0])


def claims(text: str, default: dt.date) -> list[Claim]:
    """The claims of `text`, in order; a span claimed by one pattern is not read again by a
    later one (a criterion count is not also a count at the standard)."""
    days = _days(text, default)
    taken: list[tuple[int, int]] = []
    found: list[tuple[int, Claim]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            day = [d for at, d in days if at <= m.start()][-1]
            g = m.groups()
            if kind in ("meeting", "recognised", "criterion"):
                claim = Claim(
                    kind,
                    m.group(0),
                    day,
                    Written(g[0]),
                    _int(g[1]),
                    criterion=int(g[2]) if kind == "criterion" else None,
                )
            elif kind == "change":
                claim = Claim(kind, m.group(0), day, Written(g[0]), since=int(g[1]))
            else:
                claim = Claim(kind, m.group(0), day, Written(g[0]))
            found.append((m.start(), claim))
    found.sort(key=lambda x: x[0])
    out: list[Claim] = []
    for _, c in found:
        if c.kind == "share":
            before = next(
                (p.kind for p in reversed(out) if p.kind in ("meeting", "recognised")), None
            )
            c = Claim(c.kind, c.text, c.day, c.number, after=before)
        out.append(c)
    return out
