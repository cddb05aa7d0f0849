"""The figures a Vietnamese report or article states about new rural communes, found in its
text: "65/181 xã (35,91 %)", "đạt 12,5 tiêu chí/xã", "tăng 9,93 tiêu chí/xã so với năm 2011",
"165/181 xã đạt tiêu chí An ninh, trật tự xã hội". Pure: reconciling them with the record is
`ntm.reports.check`'s work.

Numbers are read in Vietnamese style (decimal comma, thousands dot); the decimals written are
kept, so that a reconciliation can tell rounding from truncation. What a figure is about is
read from the words around it: *được công nhận* (recognised), *đạt chuẩn* (at the standard),
*đạt tiêu chí …* (one criterion), *theo đơn vị hành chính cũ* (the old units).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from ntm.vn.text import fold


class Kind(StrEnum):
    COMMUNES = "communes"  # X/Y communes (at the standard, recognised, meeting a criterion)
    AVERAGE = "average"  # criteria met per commune
    CHANGE = "change"  # change of the average since a year


class About(StrEnum):
    STANDARD = "standard"  # đạt chuẩn
    RECOGNISED = "recognised"  # được công nhận
    CRITERION = "criterion"  # đạt tiêu chí …


@dataclass(frozen=True)
class Claim:
    kind: Kind
    text: str  # the words of the text that state it
    start: int  # where in the text
    numerator: int | None = None
    denominator: int | None = None
    percent: Decimal | None = None  # the share written beside X/Y, if any
    percent_decimals: int = 0
    value: Decimal | None = None  # an average or a change
    decimals: int = 0
    about: About = About.STANDARD
    criterion: str = ""  # the criterion's name as written (About.CRITERION)
    since: int | None = None  # the year a change is measured from
    old_units: bool = False  # "theo đơn vị hành chính cũ"


_INT = r"\d{1,3}(?:\.\d{3})+|\d+"
_DEC = r"\d+(?:,\d+)?"
_COMMUNES = re.compile(rf"(?P<num>{_INT})\s*/\s*(?P<den>{_INT})\s*xã", re.IGNORECASE)
# The share written after it, before any other figure: "(35,91 %)", "(chiếm 27,1 %)".
_PERCENT = re.compile(rf"^[^\d/]{{0,60}}?\(\s*(?:chiếm\s*)?(?P<pct>{_DEC})\s*%\s*\)")
_AVERAGE = re.compile(rf"(?P<value>{_DEC})\s*tiêu chí\s*/\s*xã", re.IGNORECASE)
_CHANGE = re.compile(
    rf"(?:(?P<word>tăng|giảm)(?:\s+thêm)?\s+|(?P<sign>[+−-])\s*)(?P<value>{_DEC})\s*"
    r"(?:tiêu chí\s*(?:/\s*xã)?)?\s*,?\s*so với (?:năm\s*)?(?P<year>(?:19|20)\d\d)",
    re.IGNORECASE,
)
_CRITERION = re.compile(
    r"^[^\d/]{0,40}?đạt\s+tiêu chí\s+(?:số\s+\d+\s*)?(?:\(\s*)?(?P<name>[^.;:()\d]+)",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;](?:\s|$)")


def _number(text: str) -> int:
    return int(text.replace(".", ""))


def _decimal(text: str) -> tuple[Decimal, int]:
    whole, _, fraction = text.partition(",")
    return Decimal(f"{whole}.{fraction}" if fraction else whole), len(fraction)


def _clause(before: str, after: str) -> tuple[str, str]:
    """The words of the figure's own clause (from the last "." or ";" to the next)."""
    ends = list(_CLAUSE_END.finditer(before))
    start = ends[-1].end() if ends else 0
    end = _CLAUSE_END.search(after)
    return before[start:], after[: end.start() if end else len(after)]


def _about(before: str, after: str) -> tuple[About, str]:
    found = _CRITERION.match(after)
    if found:
        name = re.sub(r"\s+(?:và|,)$", "", " ".join(found.group("name").split()))
        return About.CRITERION, name
    head, tail = _clause(before, after)
    if "cong nhan" in fold(head + " " + tail).lower():
        return About.RECOGNISED, ""
    return About.STANDARD, ""


def _old_units(before: str) -> bool:
    head, _ = _clause(before, "")
    return "don vi hanh chinh cu" in fold(head).lower()


def find_claims(text: str) -> list[Claim]:
    """Every figure of the kinds above stated in `text`, in the order they appear."""
    out: list[Claim] = []
    for m in _COMMUNES.finditer(text):
        after = text[m.end() :]
        about, criterion = _about(text[: m.start()], after)
        share = _PERCENT.match(after)
        pct, pct_decimals = _decimal(share.group("pct")) if share else (None, 0)
        out.append(
            Claim(
                Kind.COMMUNES,
                m.group(0),
                m.start(),
                numerator=_number(m.group("num")),
                denominator=_number(m.group("den")),
                percent=pct,
                percent_decimals=pct_decimals,
                about=about,
                criterion=criterion,
                old_units=_old_units(text[: m.start()]),
            )
        )
    changes = list(_CHANGE.finditer(text))
    for m in changes:
        value, decimals = _decimal(m.group("value"))
        negative = (m.group("word") or "").lower() == "giảm" or m.group("sign") in ("-", "−")
        out.append(
            Claim(
                Kind.CHANGE,
                m.group(0),
                m.start(),
                value=-value if negative else value,
                decimals=decimals,
                since=int(m.group("year")),
            )
        )
    for m in _AVERAGE.finditer(text):
        if any(c.start() <= m.start() < c.end() for c in changes):
            continue
        value, decimals = _decimal(m.group("value"))
        out.append(Claim(Kind.AVERAGE, m.group(0), m.start(), value=value, decimals=decimals))
    return sorted(out, key=lambda c: c.start)
