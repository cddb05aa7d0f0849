"""Checking a published text against the record: each figure it states (`ntm.reports.claims`)
is read from the province overview of its date, at the precision it is written with, and
matches (with the query that gives it), differs (by how much, and the closest reading: the
old units, truncation), or cannot be checked (and why)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from fractions import Fraction
from typing import Literal

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from ntm.reports import sentences as s
from ntm.reports.claims import Claim, Written, claims
from ntm.reports.narrative import ReportError, figure_url, overview_at, trace_of
from ntm.results.province import ProvinceOverview
from ntm.results.query import ChoiceError
from ntm.units.models import Unit
from ntm.vn.numbers import Mode, format_number, format_signed, percent

Status = Literal["matches", "differs", "unchecked"]


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    status: Status
    record: str  # what the record says, written as the claim is
    detail: str  # how it was read, or by how much it differs
    trace: s.Trace | None

    @property
    def url(self) -> str:
        return "" if self.trace is None else figure_url(self.trace)


class _Readings:
    """The overviews a text needs, each read once."""

    def __init__(self, province: Unit) -> None:
        self.province = province
        self.found: dict[tuple[dt.date, int | None, int | None], ProvinceOverview] = {}

    def at(
        self, day: dt.date, *, period: int | None = None, baseline: int | None = None
    ) -> ProvinceOverview:
        key = (day, period, baseline)
        if key not in self.found:
            self.found[key] = overview_at(self.province, day, period=period, baseline=baseline)
        return self.found[key]


def _written(value: Fraction, decimals: int, mode: Mode, signed: bool = False) -> str:
    if signed:
        return format_signed(value, decimals, mode).lstrip("+")
    return format_number(value, decimals, mode)


def _same(written: Written, value: Fraction, signed: bool = False) -> tuple[bool, str, str]:
    """Whether the record, written with the claim's decimals, is the claim: rounded, else
    truncated (an office's choice); how the record reads at that precision, and "truncated"
    when that is how it matches."""
    rounded = _written(value, written.decimals, "round", signed)
    if rounded == written.text:
        return True, rounded, ""
    cut = _written(value, written.decimals, "truncate", signed)
    if cut == written.text:
        return True, cut, _("truncated")
    return False, rounded, ""


def _verdict(
    c: Claim, value: Fraction, trace: s.Trace, *, signed: bool = False, unit: str = ""
) -> Verdict:
    """A share, an average or a change against the record's `value`."""
    same, shown, how = _same(c.number, value, signed)
    if same:
        return Verdict(c, "matches", shown + unit, how, trace)
    by = format_signed(c.number.value - value, c.number.decimals)
    return Verdict(c, "differs", shown + unit, _("differs by %(by)s") % {"by": by}, trace)


def _count(c: Claim, r: _Readings) -> tuple[Verdict, tuple[int, int]]:
    o = r.at(c.day)
    f = o.figures
    claimed = (int(c.number.value), c.of or 0)
    if c.kind == "criterion":
        met = f.met_by_criterion.get(c.criterion or 0)
        if met is None:
            return Verdict(c, "unchecked", "", _("No such criterion in the set."), None), claimed
        got = (met, f.evaluated)
    elif c.kind == "recognised":
        rec = o.recognition
        got = (0, 0) if rec is None else (rec.recognised, rec.in_scope)
    else:
        got = (f.meeting, f.communes)
    shown = f"{format_number(got[0])}/{format_number(got[1])}"
    trace = trace_of(o, "recognition" if c.kind == "recognised" else "results")
    if got == claimed:
        return Verdict(c, "matches", shown, "", trace), got
    if c.kind == "meeting":
        old = r.at(c.day, period=c.day.year - 1)
        before = (old.figures.meeting, old.figures.communes)
        if before == claimed:
            detail = _("on the former units: the %(year)s record as of %(day)s") % {
                "year": old.period,
                "day": f"{c.day:%d/%m/%Y}",
            }
            shown = f"{format_number(before[0])}/{format_number(before[1])}"
            return Verdict(c, "matches", shown, detail, trace_of(old)), before
    by = claimed[0] - got[0]
    detail = _("differs by %(by)s communes") % {"by": format_signed(by, 0)}
    return Verdict(c, "differs", shown, detail, trace), got


def _share(c: Claim, count: tuple[int, int] | None, r: _Readings) -> Verdict:
    o = r.at(c.day)
    x, y = count or (o.figures.meeting, o.figures.communes)
    share = percent(x, y)
    if share is None:
        return Verdict(c, "unchecked", "", _("No commune to divide by."), None)
    return _verdict(c, share, trace_of(o), unit=" %")


def _average(c: Claim, r: _Readings) -> Verdict:
    o = r.at(c.day)
    avg = o.figures.average_met
    if avg is None:
        return Verdict(c, "unchecked", "", _("No commune has a result."), None)
    return _verdict(c, Fraction(avg), trace_of(o))


def _change(c: Claim, r: _Readings) -> Verdict:
    o = r.at(c.day, baseline=c.since)
    change = o.statistics.total.baseline
    if change is None or change.average_met is None:
        return Verdict(c, "unchecked", "", _("No result for the baseline year."), None)
    return _verdict(c, Fraction(change.average_met), trace_of(o), signed=True)


def check(province: Unit, text: str, day: dt.date) -> list[Verdict]:
    """Each claim of `text` (dates it does not name: `day`) against the record."""
    r = _Readings(province)
    out: list[Verdict] = []
    count: tuple[int, int] | None = None
    for c in claims(text, day):
        try:
            if c.kind in ("meeting", "recognised", "criterion"):
                verdict, got = _count(c, r)
                count = got if c.kind != "criterion" else count
            elif c.kind == "share":
                verdict = _share(c, count, r)
            elif c.kind == "average":
                verdict = _average(c, r)
            else:
                verdict = _change(c, r)
        except (ReportError, ChoiceError) as e:
            verdict = Verdict(c, "unchecked", "", str(e), None)
        out.append(verdict)
    return out


LABELS: dict[Status, str | Promise] = {
    "matches": pgettext_lazy("check", "MATCHES"),
    "differs": pgettext_lazy("check", "DIFFERS"),
    "unchecked": pgettext_lazy("check", "CANNOT BE CHECKED"),
}


def as_text(verdicts: list[Verdict]) -> str:
    lines = []
    record = _("record")
    for v in verdicts:
        line = f"{LABELS[v.status]}: «{v.claim.text}» ({v.claim.day:%d/%m/%Y})"
        if v.record:
            line += f" — {record}: {v.record}"
        if v.detail:
            line += f"; {v.detail}"
        if v.url:
            line += f" [{v.url}]"
        lines.append(line)
    return "\n".join(lines) + "\n"
