"""The narrative report of a province at a date: figures from the read layer, sentences from
`ntm.reports.sentences`, as text (with notes tracing each figure) or HTML (each figure a link
to the province page that shows the same number).

Each point in time (the comparison dates, then the report's date) is the province overview of
its year as of that day (`ntm.results.province.province_overview`); "on the units of another
date" is the last record counted on those units (the year of that date, read as of the point)
when the date is earlier, else the point's year re-based onto them; recognitions, completions
and targets come from `ntm.results.recognition` and `ntm.results.targets` through the
overview.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import override

from ntm.recognition.models import Tier
from ntm.reports import sentences as s
from ntm.results import recognition, record
from ntm.results.province import ProvinceOverview, province_overview
from ntm.results.query import ChoiceError, Geography, parse_day, parse_flag, parse_year
from ntm.results.scope import all_communes, communes_on
from ntm.results.sets import province_sets, years_with_sets
from ntm.stats.rollup import Figures
from ntm.units.models import Unit
from ntm.vn.dates import format_date


class ReportError(ValueError):
    """Options a report cannot be made with; the message says why."""


@dataclass(frozen=True)
class Options:
    day: dt.date
    compare: tuple[dt.date, ...] = ()
    baseline: int | None = None
    units_of: dt.date | None = None
    criteria: tuple[int, ...] | None = None  # None: every criterion of the set
    approved_only: bool = False
    lang: s.Lang = "vi"
    precision: s.Precision = field(default_factory=s.Precision)


@dataclass(frozen=True)
class Narrative:
    province: Unit | None  # the province (a district's province); None: the country
    title: str
    sentences: tuple[s.Sentence, ...]
    lang: s.Lang
    simulated: bool

    @property
    def figures(self) -> tuple[s.Figure, ...]:
        return tuple(f for x in self.sentences for f in x.figures)


def trace_of(o: ProvinceOverview, source: str = "results") -> s.Trace:
    return s.Trace(
        province=o.province.pk,
        province_name=o.province.name,
        period=o.period,
        set_id=o.cset.id,
        decisions=tuple(overlay.id for overlay in o.cset.overlays),
        as_of=o.as_of,
        onto=o.onto,
        approved_only=o.approved_only,
        baseline=o.baseline,
        source=source,
    )


def overview_at(
    province: Unit,
    day: dt.date,
    *,
    approved_only: bool = False,
    lang: str = "vi",
    period: int | None = None,
    baseline: int | None = None,
    onto: dt.date | None = None,
) -> ProvinceOverview:
    """The overview of the year (`period`, else the day's) as of `day`; a year without any
    data is an error, never a report of zeros."""
    o = province_overview(
        province,
        period=day.year if period is None else period,
        baseline=baseline,
        geography=Geography.AS_RECORDED if onto is None else Geography.REBASED,
        onto=onto,
        as_of=day,
        approved_only=approved_only,
        language=lang,
    )
    if not o.has_data:
        raise ReportError(
            _("%(province)s holds no data for %(year)s as of %(day)s.")
            % {"province": province.name, "year": o.period, "day": format_date(day)}
        )
    return o


def check_options(province: Unit, opts: Options) -> None:
    if opts.compare and max(opts.compare) >= opts.day:
        raise ReportError(_("Comparison dates must come before the report's date."))
    ids = [u.pk for u in all_communes(province)]
    first = years_with_sets(record.periods_with_data(ids), province_sets(province))
    earliest = min([opts.day, *opts.compare])
    if not first or earliest.year < first[0]:
        raise ReportError(
            _("%(province)s holds no data on or before %(day)s.")
            % {"province": province.name, "day": format_date(earliest)}
        )
    units_of = opts.units_of
    if units_of is not None and (units_of.year < first[0] or not communes_on(province, units_of)):
        raise ReportError(
            _("%(province)s has no data counted on the units of %(day)s.")
            % {"province": province.name, "day": format_date(opts.units_of)}
        )


def _on_units(province: Unit, opts: Options, day: dt.date, units_of: dt.date) -> s.Sentence:
    if units_of.year < day.year:
        o = overview_at(
            province, day, approved_only=opts.approved_only, lang=opts.lang, period=units_of.year
        )
    else:
        o = overview_at(
            province, day, approved_only=opts.approved_only, lang=opts.lang, onto=units_of
        )
    f = o.figures
    return s.other_units(
        day, units_of, f.meeting, f.communes, trace_of(o), opts.precision, opts.lang
    )


def _point(province: Unit, opts: Options, day: dt.date) -> list[s.Sentence]:
    o = overview_at(province, day, approved_only=opts.approved_only, lang=opts.lang)
    f = o.figures
    out = [
        s.standing(
            day, f.meeting, f.communes, f.average_met, trace_of(o), opts.precision, opts.lang
        )
    ]
    if opts.units_of is not None:
        out.append(_on_units(province, opts, day, opts.units_of))
    return out


def _main(province: Unit, opts: Options) -> tuple[ProvinceOverview, list[s.Sentence]]:
    day, lang, precision = opts.day, opts.lang, opts.precision
    o = overview_at(
        province, day, approved_only=opts.approved_only, lang=opts.lang, baseline=opts.baseline
    )
    f = o.figures
    trace = trace_of(o)
    out = [s.standing(day, f.meeting, f.communes, f.average_met, trace, precision, lang)]
    if opts.units_of is not None:
        out.append(_on_units(province, opts, day, opts.units_of))
    r = o.recognition
    if r is not None:
        out.append(
            s.recognised(day, r.recognised, r.in_scope, trace_of(o, "recognition"), precision, lang)
        )
    change = o.statistics.total.baseline
    if opts.baseline is not None and change is not None and change.average_met is not None:
        out.append(
            s.since_baseline(
                day,
                change.average_met,
                opts.baseline,
                o.period - opts.baseline,
                trace,
                precision,
                lang,
            )
        )
    counts = criterion_counts(f, o, opts.criteria)
    if counts:
        out.append(s.criteria(day, counts, trace, lang))
    return o, out


def criterion_counts(
    f: Figures, o: ProvinceOverview, chosen: tuple[int, ...] | None
) -> list[s.CriterionCount]:
    """The communes meeting each chosen criterion (every criterion of the set by default)
    among those evaluated; `ReportError` for a criterion the set does not have."""
    numbers = chosen or tuple(c.criterion for c in f.criteria)
    met = {c.criterion: c.met for c in f.criteria}
    unknown = [k for k in numbers if k not in met]
    if unknown:
        raise ReportError(
            _("Criteria %(numbers)s are not in the set %(set)s.")
            % {"numbers": ", ".join(map(str, unknown)), "set": o.cset.id}
        )
    return [s.CriterionCount(k, o.criterion_names.get(k, ""), met[k], f.evaluated) for k in numbers]


def _recognitions(province: Unit, o: ProvinceOverview, opts: Options) -> list[s.Sentence]:
    """The communes recognised for the year, and the district-level units' recognitions up to
    the year."""
    trace = trace_of(o, "recognition")
    units = all_communes(province)
    found = recognition.decided([u.pk for u in units], (o.period, o.period), as_of=opts.day)
    by: dict[tuple[str, dt.date], list[str]] = {}
    for d in found:
        if d.tier == Tier.NTM:
            by.setdefault((d.decision, d.signed), []).append(d.unit.name)
    decisions = [s.Decision(n, signed, tuple(names)) for (n, signed), names in by.items()]
    out = [s.decided(o.period, decisions, trace, opts.lang)]
    districts = {u.parent_id for u in units if u.parent_id is not None}
    for d in recognition.decided(districts, (0, o.period), as_of=opts.day):
        out.append(s.completed(d.unit.name, d.tier, d.year, d.decision, d.signed, opts.lang))
    return out


def _targets(o: ProvinceOverview, opts: Options) -> list[s.Sentence]:
    trace = trace_of(o, "recognition")
    return [
        s.target(
            o.period,
            s.Progress(
                f"{t.kind}_{t.tier}_{t.group}",
                t.label,
                t.tier_label,
                t.group_label,
                t.basis,
                t.value,
                t.value_max,
                t.as_share,
                t.actual,
                t.reached,
                t.unmeasured,
            ),
            trace,
            opts.lang,
        )
        for t in o.targets
    ]


def _slipping(o: ProvinceOverview, opts: Options) -> s.Sentence:
    slips = [s.Slip(x.unit.name, tuple(c.criterion for c in x.failing)) for x in o.slipping]
    return s.slipping(opts.day, slips, trace_of(o), opts.lang)


def narrative(province: Unit, opts: Options) -> Narrative:
    """The report; `ReportError` for options it cannot be made with (the read layer's
    `ChoiceError` among them)."""
    with override(opts.lang):
        try:
            check_options(province, opts)
            out: list[s.Sentence] = []
            for day in sorted(opts.compare):
                out += _point(province, opts, day)
            o, main = _main(province, opts)
        except ChoiceError as e:
            raise ReportError(str(e)) from None
        out += main
        out += _recognitions(province, o, opts)
        out += _targets(o, opts)
        out.append(_slipping(o, opts))
        return Narrative(
            province,
            s.title(province.name, opts.day, opts.lang),
            without_repeats(out),
            opts.lang,
            o.simulated,
        )


def without_repeats(found: Sequence[s.Sentence]) -> tuple[s.Sentence, ...]:
    """Without a sentence said twice (the last count on old units, read at two dates)."""
    seen: set[str] = set()
    out = []
    for x in found:
        if x.key == "other_units" and x.text in seen:
            continue
        seen.add(x.text)
        out.append(x)
    return tuple(out)


# ---------------------------------------------------------------------------- rendering


def figure_url(trace: s.Trace) -> str:
    """The page showing the figure: the query that produced it (the province page; its
    district table for a district; the central view for the country)."""
    if trace.national:
        return f"{reverse('web:central')}?{urlencode(trace.query())}"
    url = f"{reverse('web:province', args=[trace.province])}?{urlencode(trace.query())}"
    return url if trace.district is None else f"{url}#h-children"


def _simulated_note(n: Narrative) -> str:
    if not n.simulated:
        return ""
    if n.lang == "vi":
        return "Lưu ý: số liệu mô phỏng."
    return "Note: simulated data."


def as_text(n: Narrative, *, notes: bool = True) -> str:
    lines = [n.title, "", " ".join(x.text for x in n.sentences)]
    if n.simulated:
        lines += ["", _simulated_note(n)]
    if notes:
        lines += ["", "Nguồn số liệu:" if n.lang == "vi" else "Sources of the figures:"]
        lines += [f"- {f.text} [{f.key}]: {f.trace.note(n.lang)}" for f in n.figures]
    return "\n".join(lines) + "\n"


def as_html(n: Narrative) -> str:
    """The narrative's paragraph, each figure linked to its query (a fragment, escaped)."""
    out = []
    for x in n.sentences:
        parts = [
            escape(p)
            if isinstance(p, str)
            else (
                f'<a href="{escape(figure_url(p.trace))}" title="{escape(p.trace.note(n.lang))}" '
                f'data-figure="{escape(p.key)}">{escape(p.text)}</a>'
            )
            for p in x.parts
        ]
        out.append(f'<span data-sentence="{escape(x.key)}">{"".join(parts)}</span>')
    return " ".join(out)


def write(n: Narrative, path: Path) -> None:
    """Writes the text, or an HTML page when the name ends in .html, through a temporary file
    renamed into place: a failure never leaves half a report."""
    if path.suffix.lower() in (".html", ".htm"):
        note = _simulated_note(n)
        body = (
            f'<!DOCTYPE html>\n<html lang="{n.lang}"><head><meta charset="utf-8">'
            f"<title>{escape(n.title)}</title></head><body><h1>{escape(n.title)}</h1>"
            f"<p>{as_html(n)}</p>" + (f"<p>{escape(note)}</p>" if note else "") + "</body></html>\n"
        )
    else:
        body = as_text(n)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(body)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def options_from(q: Mapping[str, str], compare: Sequence[str] = ()) -> Options:
    """The options a page or an API call asks for (`date`, `compare` (several), `baseline`,
    `units_of`, `criteria` "19,18", `lang`, `decimals` "share=2;average@31/12/2020=1",
    `truncate` "share", `approved_only`); `ReportError` when one cannot be read."""
    try:
        day = parse_day(q.get("date"), name=_("The report's date"))
        if day is None:
            raise ReportError(_("Choose the report's date."))
        baseline = parse_year(q.get("baseline"), name=_("The baseline year"))
        units_of = parse_day(q.get("units_of"), name=_("The units' date"))
        approved_only = parse_flag(q.get("approved_only"), name="approved_only")
        days = tuple(d for d in (parse_day(t, name=_("A comparison date")) for t in compare) if d)
    except ChoiceError as e:
        raise ReportError(str(e)) from None
    lang = q.get("lang") or "vi"
    if lang not in ("vi", "en"):
        raise ReportError(_("The language must be vi or en."))
    try:
        criteria = tuple(int(k) for k in q["criteria"].split(",")) if q.get("criteria") else None
        precision = s.parse_precision(
            [x for x in (q.get("decimals") or "").split(";") if x],
            [x for x in (q.get("truncate") or "").split(";") if x],
        )
    except ValueError as e:
        raise ReportError(str(e)) from None
    return Options(
        day=day,
        compare=days,
        baseline=baseline,
        units_of=units_of,
        criteria=criteria,
        approved_only=approved_only,
        lang="en" if lang == "en" else "vi",
        precision=precision,
    )
