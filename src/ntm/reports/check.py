"""Checking a published text: each figure a Vietnamese report or article states about a
province's communes (`ntm.vn.claims`) reconciled with the record, through the read layer.

A figure *matches* the record at the date asked (with the query that shows it), *differs*
(by how much, and the closest reading that would give it: another date of the year, the old
units, truncation instead of rounding), or *cannot be checked* (a criterion the set does not
name, a figure the record does not hold).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from fractions import Fraction
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ntm.results.province import ProvinceOverview, criterion_name, province_overview
from ntm.units.models import Unit
from ntm.vn.claims import About, Claim, Kind, find_claims
from ntm.vn.dates import format_date
from ntm.vn.numbers import format_number
from ntm.vn.text import fold


class Status:
    MATCHES = "matches"
    DIFFERS = "differs"
    UNCHECKED = "unchecked"


# What a reader is shown for each status (the API and the page).
LABELS = {
    Status.MATCHES: gettext_lazy("Matches"),
    Status.DIFFERS: gettext_lazy("Differs"),
    Status.UNCHECKED: gettext_lazy("Cannot be checked"),
}


@dataclass(frozen=True)
class Reading:
    """The record read one way: a period as it stood at a day."""

    label: str
    period: int
    as_of: dt.date
    overview: ProvinceOverview

    def query(self, baseline: int | None = None) -> str:
        """The province page's query that shows this reading."""
        params = {"period": self.period, "set": self.overview.cset.id}
        params["as_of"] = self.as_of.isoformat()
        if baseline is not None:
            params["baseline"] = baseline
        return urlencode(params)


@dataclass(frozen=True)
class Verdict:
    claim: Claim
    status: str
    record: str  # what the record says, as the text would write it
    reading: str  # the reading it was compared with
    query: str  # the province page's query showing that figure
    note: str = ""

    def url(self, province: Unit) -> str:
        """The province page showing the record's figure."""
        return f"{reverse('web:province', args=[province.pk])}?{self.query}"


def _fraction(value: Fraction | Decimal | int) -> Fraction:
    return value if isinstance(value, Fraction) else Fraction(value)


def _written(value: Fraction, decimals: int, truncate: bool = False) -> Decimal:
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    quantum = Decimal(1).scaleb(-decimals)
    return exact.quantize(quantum, rounding=ROUND_DOWN if truncate else ROUND_HALF_UP)


def _same(value: Fraction, claimed: Decimal, decimals: int) -> str | None:
    """ "rounded" or "truncated" when `claimed` writes `value` so; else None."""
    if _written(value, decimals) == claimed:
        return "rounded"
    if _written(value, decimals, truncate=True) == claimed:
        return "truncated"
    return None


def _criterion(o: ProvinceOverview, name: str) -> int | None:
    """The set's criterion the text names (diacritics and case aside; the first whose name
    starts with, or is started by, the text's)."""
    wanted = fold(name).lower().strip()
    if not wanted:
        return None
    for c in o.cset.criteria:
        own = fold(criterion_name(c, "vi")).lower()
        if own.startswith(wanted) or wanted.startswith(own):
            return c.number
    return None


def _communes_of(claim: Claim, o: ProvinceOverview) -> tuple[int, int] | None:
    """The record's X/Y for what the claim is about; None when it holds none."""
    f = o.figures
    if not o.has_data:
        return None
    if claim.about == About.RECOGNISED:
        r = o.recognition
        return None if r is None else (r.recognised, r.in_scope)
    if claim.about == About.CRITERION:
        number = _criterion(o, claim.criterion)
        return None if number is None else (f.met_by_criterion.get(number, 0), f.communes)
    return f.meeting, f.communes


def _check_communes(claim: Claim, main: Reading, readings: Sequence[Reading]) -> Verdict:
    first = main
    if claim.old_units:
        first = next((r for r in readings if r.period == main.period - 1), main)
    found = _communes_of(claim, first.overview)
    if found is None:
        why = (
            _("The criteria set names no criterion “%(name)s”.") % {"name": claim.criterion}
            if claim.about == About.CRITERION
            else _("The record holds no such figure.")
        )
        return Verdict(claim, Status.UNCHECKED, "—", first.label, first.query(), why)
    record = f"{format_number(found[0])}/{format_number(found[1])}"
    if (claim.numerator, claim.denominator) == found:
        note = ""
        status = Status.MATCHES
        if claim.percent is not None and found[1]:
            share = Fraction(100 * found[0], found[1])
            how = _same(share, claim.percent, claim.percent_decimals)
            shown = format_number(share, claim.percent_decimals)
            if how == "truncated":
                note = _("The share is truncated, not rounded (%(share)s %%).") % {"share": shown}
            elif how is None:
                status = Status.DIFFERS
                note = _("The share written differs: the record gives %(share)s %%.") % {
                    "share": format_number(share, max(claim.percent_decimals, 2))
                }
        return Verdict(claim, status, record, first.label, first.query(), note)
    for other in readings:
        if other is not first and _communes_of(claim, other.overview) == (
            claim.numerator,
            claim.denominator,
        ):
            note = _("The text's figure is the record's on another reading: %(reading)s.") % {
                "reading": other.label
            }
            return Verdict(claim, Status.DIFFERS, record, first.label, first.query(), note)
    gap = (claim.numerator or 0) - found[0]
    note = _("The text writes %(gap)s communes against the record.") % {
        "gap": format_number(gap) if gap < 0 else f"+{format_number(gap)}"
    }
    return Verdict(claim, Status.DIFFERS, record, first.label, first.query(), note)


def _check_value(
    claim: Claim,
    readings: Sequence[Reading],
    value_of: Callable[[Reading], Fraction | None],
    baseline: int | None = None,
) -> Verdict:
    """An average or a change: compared as written (its decimals, rounded or truncated)."""
    main = readings[0]
    value = value_of(main)
    assert claim.value is not None
    if value is None:
        why = _("The record holds no such figure.")
        return Verdict(claim, Status.UNCHECKED, "—", main.label, main.query(baseline), why)
    record = format_number(value, claim.decimals)
    how = _same(value, claim.value, claim.decimals)
    if how == "rounded":
        return Verdict(claim, Status.MATCHES, record, main.label, main.query(baseline))
    if how == "truncated":
        note = _("Truncated, not rounded.")
        return Verdict(claim, Status.MATCHES, record, main.label, main.query(baseline), note)
    for other in readings[1:]:
        found = value_of(other)
        if found is not None and _same(found, claim.value, claim.decimals):
            note = _("The text's figure is the record's on another reading: %(reading)s.") % {
                "reading": other.label
            }
            return Verdict(claim, Status.DIFFERS, record, main.label, main.query(baseline), note)
    gap = Fraction(claim.value) - value
    note = _("The text differs from the record by %(gap)s.") % {
        "gap": format_number(gap, claim.decimals)
    }
    return Verdict(claim, Status.DIFFERS, record, main.label, main.query(baseline), note)


def _average(r: Reading) -> Fraction | None:
    found = r.overview.figures.average_met if r.overview.has_data else None
    return None if found is None else _fraction(found)


def readings(province: Unit, day: dt.date) -> list[Reading]:
    """The record at `day` (its year as it stood then), then the other readings a text's
    figure may come from: the middle of the year, and the year before on its own units."""
    year = day.year
    out = [Reading(format_date(day), year, day, _overview(province, year, day))]
    mid = dt.date(year, 6, 30)
    if day > mid:
        out.append(Reading(format_date(mid), year, mid, _overview(province, year, mid)))
    if year - 1 in out[0].overview.periods:
        label = _("%(year)s on its own units, as of %(day)s") % {
            "year": year - 1,
            "day": format_date(day),
        }
        out.append(Reading(label, year - 1, day, _overview(province, year - 1, day)))
    return out


def _overview(province: Unit, period: int, day: dt.date) -> ProvinceOverview:
    return province_overview(province, period=period, as_of=day)


def check_text(text: str, province: Unit, day: dt.date) -> list[Verdict]:
    """Each figure of `text` against the province's record at `day`."""
    found = find_claims(text)
    if not found:
        return []
    views = readings(province, day)
    out = []
    for claim in found:
        if claim.kind == Kind.COMMUNES:
            out.append(_check_communes(claim, views[0], views))
        elif claim.kind == Kind.AVERAGE:
            out.append(_check_value(claim, views, _average))
        else:
            since = claim.since
            assert since is not None

            def change(r: Reading, since: int = since) -> Fraction | None:
                now = _average(r)
                then = province_overview(province, period=since).figures
                if now is None or then.average_met is None:
                    return None
                return now - _fraction(then.average_met)

            out.append(_check_value(claim, views, change, baseline=since))
    return out
