"""The narrative of a district of the time and of the country, in the province report's
style (`ntm.reports.narrative`): the same options, the same precision, each figure traced.

- A district's figures are its row of its province's district table
  (`ntm.results.district`): at each point in time the province overview of the year as of
  that day; "on the units of another date" as for the province. Recognitions of its communes
  in the year, and its own (district-level) recognition.
- The country's figures are the central view's provinces added up
  (`ntm.results.country`), as recorded: only the provinces holding a result for the year are
  counted, and the report says how many they are. The central view has no per-criterion
  counts, so the country report takes no criteria.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from django.utils.translation import gettext as _
from django.utils.translation import override

from ntm.reports import sentences as s
from ntm.reports.narrative import (
    Narrative,
    Options,
    ReportError,
    check_options,
    criterion_counts,
    trace_of,
    without_repeats,
)
from ntm.results import recognition
from ntm.results.country import CountryFigures, change, country_figures
from ntm.results.district import DistrictOverview, district_overview, province_of
from ntm.results.query import ChoiceError
from ntm.results.scope import all_communes
from ntm.units.models import Unit
from ntm.vn.dates import format_date

# ---------------------------------------------------------------------------- district


def _existed(district: Unit, day: dt.date) -> None:
    if district.is_valid_on(day):
        return
    names = {"district": district.name, "day": format_date(day)}
    if district.valid_to is not None and day > district.valid_to:
        message = _("%(district)s did not exist on %(day)s: it ended on %(end)s.")
        names["end"] = format_date(district.valid_to)
    else:
        message = _("%(district)s did not exist on %(day)s: it began on %(start)s.")
        names["start"] = format_date(district.valid_from or day)
    raise ReportError(message % names)


def _district_at(
    district: Unit,
    opts: Options,
    day: dt.date,
    *,
    period: int | None = None,
    baseline: int | None = None,
    onto: dt.date | None = None,
) -> DistrictOverview:
    d = district_overview(
        district,
        period=day.year if period is None else period,
        baseline=baseline,
        onto=onto,
        as_of=day,
        approved_only=opts.approved_only,
        language=opts.lang,
    )
    if not d.overview.has_data or d.figures.evaluated == 0:
        raise ReportError(
            _("%(unit)s holds no data for %(year)s as of %(day)s.")
            % {"unit": district.name, "year": d.overview.period, "day": format_date(day)}
        )
    return d


def district_trace(d: DistrictOverview, source: str = "results") -> s.Trace:
    return replace(
        trace_of(d.overview, source), district=d.district.pk, district_name=d.district.name
    )


def _district_point(district: Unit, opts: Options, day: dt.date) -> list[s.Sentence]:
    d = _district_at(district, opts, day, baseline=opts.baseline if day == opts.day else None)
    f = d.figures
    place = s.district_place(district.name)
    trace = district_trace(d)
    out = [
        s.standing(
            day, f.meeting, f.communes, f.average_met, trace, opts.precision, opts.lang, place
        )
    ]
    units_of = opts.units_of
    if units_of is not None:
        if units_of.year < day.year:
            other = _district_at(district, opts, day, period=units_of.year)
        else:
            other = _district_at(district, opts, day, onto=units_of)
        g = other.figures
        out.append(
            s.other_units(
                day,
                units_of,
                g.meeting,
                g.communes,
                district_trace(other),
                opts.precision,
                opts.lang,
                place,
            )
        )
    return out


def _district_main(district: Unit, opts: Options) -> tuple[DistrictOverview, list[s.Sentence]]:
    day, lang, precision = opts.day, opts.lang, opts.precision
    d = _district_at(district, opts, day, baseline=opts.baseline)
    f, trace, place = d.figures, district_trace(d), s.district_place(district.name)
    out = [
        s.recognised(
            day,
            d.recognised,
            f.communes,
            district_trace(d, "recognition"),
            precision,
            lang,
            place,
        )
    ]
    previous = d.row.previous
    if previous is not None:
        out.append(
            s.since_previous(
                previous.against,
                previous.meeting,
                previous.average_met,
                trace,
                precision,
                lang,
            )
        )
    since = d.row.baseline
    if opts.baseline is not None and since is not None and since.average_met is not None:
        years = d.overview.period - opts.baseline
        out.append(
            s.since_baseline(day, since.average_met, opts.baseline, years, trace, precision, lang)
        )
    counts = criterion_counts(f, d.overview, opts.criteria)
    if counts:
        out.append(s.criteria(day, counts, trace, lang))
    out += _district_recognitions(district, d, opts)
    slips = [s.Slip(x.unit.name, tuple(c.criterion for c in x.failing)) for x in d.slipping]
    out.append(s.slipping(day, slips, trace, lang))
    return d, out


def _district_recognitions(district: Unit, d: DistrictOverview, opts: Options) -> list[s.Sentence]:
    """Its communes recognised for the year, by decision; then its own recognition."""
    period, lang = d.overview.period, opts.lang
    province = d.overview.province
    # Every version of its communes (a commune merged during the year was recognised too).
    mine = [u.pk for u in all_communes(province) if u.parent_id == district.pk]
    by: dict[tuple[str, dt.date], list[str]] = {}
    for x in recognition.decided(mine, (period, period), as_of=opts.day):
        if x.tier == "ntm":
            by.setdefault((x.decision, x.signed), []).append(x.unit.name)
    decisions = [s.Decision(n, signed, tuple(names)) for (n, signed), names in by.items()]
    out = [s.decided(period, decisions, district_trace(d, "recognition"), lang)]
    own = recognition.decided([district.pk], (0, period), as_of=opts.day)
    out += [s.completed(x.unit.name, x.tier, x.year, x.decision, x.signed, lang) for x in own]
    if not own:
        out.append(s.not_completed(district.name, opts.day, lang))
    return out


def district_narrative(district: Unit, opts: Options) -> Narrative:
    """The report of a district of the time; `ReportError` for options it cannot be made
    with: a unit that is not a district, a date on which it did not exist, or the province
    report's bad options."""
    with override(opts.lang):
        try:
            province = province_of(district)
            check_options(province, opts)
            for day in (opts.day, *opts.compare):
                _existed(district, day)
            if opts.units_of is not None:
                _existed(district, opts.units_of)
            out: list[s.Sentence] = []
            for day in sorted(opts.compare):
                out += _district_point(district, opts, day)
            out += _district_point(district, opts, opts.day)
            d, main = _district_main(district, opts)
        except ChoiceError as e:
            raise ReportError(str(e)) from None
        return Narrative(
            province,
            s.title(district.name, opts.day, opts.lang),
            without_repeats(out + main),
            opts.lang,
            d.overview.simulated,
        )


# ---------------------------------------------------------------------------- country


def country_trace(c: CountryFigures, day: dt.date, baseline: int | None = None) -> s.Trace:
    return s.Trace(
        province=0,
        province_name="",
        period=c.period,
        set_id=c.view.cset.id,
        as_of=day,
        approved_only=c.view.approved_only,
        baseline=baseline,
        national=True,
    )


def _country_at(opts: Options, day: dt.date, period: int | None = None) -> CountryFigures:
    c = country_figures(
        day.year if period is None else period, as_of=day, approved_only=opts.approved_only
    )
    if not c.reporting:
        raise ReportError(
            _("No province holds data for %(year)s as of %(day)s.")
            % {"year": c.period, "day": format_date(day)}
        )
    return c


def _country_check(opts: Options) -> None:
    if opts.compare and max(opts.compare) >= opts.day:
        raise ReportError(_("Comparison dates must come before the report's date."))
    if opts.criteria:
        raise ReportError(
            _("The country report counts no criterion one by one: leave the criteria empty.")
        )
    earliest = min([opts.day, *opts.compare])
    try:
        years = country_figures(opts.day.year, as_of=opts.day).view.periods
    except ChoiceError:
        years = ()  # no criteria set for the year: no data either
    if not years or earliest.year < years[0]:
        raise ReportError(
            _("The country holds no data on or before %(day)s.") % {"day": format_date(earliest)}
        )
    units_of = opts.units_of
    if units_of is not None and (units_of.year < years[0] or units_of.year >= earliest.year):
        raise ReportError(
            _(
                "The country is counted on each year's own units: the units of %(day)s can "
                "only be those of a year with data before %(year)s."
            )
            % {"day": format_date(units_of), "year": earliest.year}
        )


def _country_point(opts: Options, day: dt.date) -> list[s.Sentence]:
    c = _country_at(opts, day)
    trace = country_trace(c, day)
    place = s.COUNTRY if len(c.reporting) == c.provinces else s.REPORTING
    out = [
        s.reporting(day, c.period, len(c.reporting), c.provinces, trace, opts.lang),
        s.standing(day, c.meeting, c.communes, c.average, trace, opts.precision, opts.lang, place),
    ]
    if opts.units_of is not None:
        # The last count on those units: their year, read as of the point.
        old = _country_at(opts, day, opts.units_of.year)
        out.append(
            s.other_units(
                day,
                opts.units_of,
                old.meeting,
                old.communes,
                country_trace(old, day),
                opts.precision,
                opts.lang,
                s.COUNTRY if len(old.reporting) == old.provinces else s.REPORTING,
            )
        )
    return out


def _country_main(opts: Options) -> tuple[CountryFigures, list[s.Sentence]]:
    day, lang, precision = opts.day, opts.lang, opts.precision
    c = _country_at(opts, day)
    trace = country_trace(c, day)
    place = s.COUNTRY if len(c.reporting) == c.provinces else s.REPORTING
    out = [s.recognised(day, c.recognised, c.communes, trace, precision, lang, place)]
    previous = c.period - 1
    if previous in c.view.periods:
        then = _country_at(opts, min(day, dt.date(previous, 12, 31)), previous)
        moved = change(c, then)
        out.append(
            s.since_previous(previous, moved.meeting, moved.average_met, trace, precision, lang)
        )
    baseline = opts.baseline
    if baseline is not None:
        if baseline not in c.view.periods or baseline >= c.period:
            raise ReportError(
                _("The country holds no data for the baseline year %(year)s.") % {"year": baseline}
            )
        then = _country_at(opts, min(day, dt.date(baseline, 12, 31)), baseline)
        moved = change(c, then)
        if moved.average_met is not None:
            out.append(
                s.since_baseline(
                    day,
                    moved.average_met,
                    baseline,
                    c.period - baseline,
                    country_trace(c, day, baseline),
                    precision,
                    lang,
                )
            )
    shares = [
        s.ProvinceShare(
            r.province.id,
            r.province.name,
            r.meeting,
            r.communes,
            replace(trace, province=r.province.id, province_name=r.province.name, national=False),
        )
        for r in c.reporting
    ]
    out.append(s.by_province(day, shares, precision, lang))
    out.append(s.country_basis(day, lang))
    return c, out


def country_narrative(opts: Options) -> Narrative:
    """The country's report; `ReportError` for options it cannot be made with."""
    with override(opts.lang):
        try:
            _country_check(opts)
            out: list[s.Sentence] = []
            for day in sorted(opts.compare):
                out += _country_point(opts, day)
            out += _country_point(opts, opts.day)
            c, main = _country_main(opts)
        except ChoiceError as e:
            raise ReportError(str(e)) from None
        return Narrative(
            None,
            s.country_title(opts.day, opts.lang),
            without_repeats(out + main),
            opts.lang,
            c.simulated,
        )
