"""The report files of a province at a date: the workbook (`ntm.exchange.report`) and the PDF
(`ntm.reports.pdf`), gathered from the read layer only — the province overview
(`ntm.results.province`), its map (`ntm.results.maps`), its communes' results
(`ntm.results.table`) and the recognition register (`ntm.results.recognition`) — so every
number in them is the number on the page.

A report is read at the province page's choices: a year, the record as it stood at the end of
a date (or now), and with `units_of` every figure carried onto the units of that date.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from ntm.exchange.report import CommuneLine, ConditionLine, CountLine, ReportBook
from ntm.exchange.report import write_report_workbook as write_book
from ntm.jobs import Progress, ProgressCallback
from ntm.results.maps import MapDrawing, draw, latest_boundaries, map_entries
from ntm.results.province import (
    ProvinceOverview,
    RiskCommune,
    SlippingCommune,
    province_overview,
)
from ntm.results.query import ChoiceError, Geography
from ntm.results.recognition import RecognitionRow, register
from ntm.results.scope import communes_on
from ntm.results.table import CommuneResult, commune_results
from ntm.results.targets import TargetProgress
from ntm.units.models import Unit
from ntm.vn.dates import format_date
from ntm.vn.numbers import format_number, format_percent, format_signed

# The steps of a report file: English msgids, translated where they are shown (a job runs
# apart from the request, in no reader's language).
READING_FIGURES = gettext_noop("Reading the province's figures")
READING_COMMUNES = gettext_noop("Reading the communes' results")
READING_RECOGNITIONS = gettext_noop("Reading the recognitions")
STEPS = 4  # the three reads, then the file


@dataclass(frozen=True)
class Report:
    """Everything a report file shows, read once."""

    overview: ProvinceOverview
    date: dt.date  # the as-of date, or the day the live record was read
    communes: tuple[CommuneResult, ...]
    recognitions: tuple[RecognitionRow, ...]
    language: str
    # The map page's map: its drawing (None: no commune can be placed) and how it was drawn
    map: MapDrawing | None
    boundaries: str  # the name of the boundaries file drawn; "": dots at coordinates


def gather(
    province: Unit,
    *,
    period: int | None = None,
    as_of: dt.date | None = None,
    units_of: dt.date | None = None,
    language: str = "vi",
    progress: ProgressCallback | None = None,
) -> Report:
    """The province's report for `period` (the page's default year when None), as the record
    stood at the end of `as_of` (None: now). Raises `ChoiceError` (a sentence in `language`)
    for units of a date without units or a date before any data. Each of its reads is a step
    of `progress` (of `STEPS`, the last being the file's writing)."""
    step = progress or (lambda p: None)
    with translation.override(language):
        step(Progress(READING_FIGURES, 0, STEPS))
        if units_of is not None and not communes_on(province, units_of):
            raise ChoiceError(
                _("%(province)s had no communes on %(day)s.")
                % {"province": province.name, "day": format_date(units_of)}
            )
        o = province_overview(
            province,
            period=period,
            as_of=as_of,
            geography=Geography.REBASED if units_of else Geography.AS_RECORDED,
            onto=units_of,
            language=language,
        )
        date = as_of or timezone.localdate()
        if not o.has_data:
            raise ChoiceError(
                _("%(province)s has no data recorded by %(day)s.")
                % {"province": province.name, "day": format_date(date)}
            )
        boundaries = latest_boundaries(province)
        drawing = draw(map_entries(o, {}), boundaries)
        step(Progress(READING_COMMUNES, 1, STEPS))
        communes = commune_results(o, language)
        step(Progress(READING_RECOGNITIONS, 2, STEPS))
        recognitions = register([p.unit.id for p in o.points], as_of=as_of)
        return Report(
            o,
            date,
            communes,
            recognitions,
            language,
            drawing,
            boundaries.original_name if boundaries else "",
        )


def headline(r: Report) -> str:
    """The report's opening paragraph, from the overview's figures (one sentence per figure)."""
    o, f = r.overview, r.overview.figures
    parts = [
        _("As of %(day)s, %(x)s of %(y)s communes of %(province)s (%(percent)s) meet the %(set)s.")
        % {
            "day": format_date(r.date),
            "x": format_number(f.meeting),
            "y": format_number(f.communes),
            "province": o.province.name,
            "percent": format_percent(f.meeting, f.communes),
            "set": o.cset.name_en if r.language == "en" and o.cset.name_en else o.cset.name_vi,
        }
    ]
    if o.recognition is not None:
        parts.append(
            _("%(x)s of %(y)s communes hold a recognition.")
            % {
                "x": format_number(o.recognition.recognised),
                "y": format_number(o.recognition.in_scope),
            }
        )
    if f.average_met is not None:
        parts.append(
            _("On average a commune meets %(average)s criteria.")
            % {"average": format_number(f.average_met, 2)}
        )
    previous = o.statistics.total.previous
    if previous is not None and previous.average_met is not None:
        parts.append(
            _("Change since %(year)s: %(change)s criteria per commune.")
            % {"year": previous.against, "change": format_signed(previous.average_met)}
        )
    if o.at_risk or o.slipping:
        parts.append(
            _("%(risk)s recognised communes are on the revocation watch and %(slip)s are slipping.")
            % {"risk": format_number(len(o.at_risk)), "slip": format_number(len(o.slipping))}
        )
    return " ".join(parts)


def _units_text(o: ProvinceOverview) -> str:
    if o.onto is None:
        return _("As recorded: each year on the administrative units of that year.")
    return _("Re-based onto the administrative units of %(day)s.") % {"day": format_date(o.onto)}


def _target(t: TargetProgress) -> str:
    """ "actual / target" as the page writes them: 11,54 / 11,5–12; 40 % / 45 %."""

    def number(value: float | None) -> str:
        text = format_number(value, 2, strip_zeros=True)
        return f"{text} %" if t.as_share and value is not None else text

    goal = number(t.value)
    if t.value_max is not None:
        goal = f"{goal}–{number(t.value_max)}"
    return f"{number(t.actual)} / {goal}"


def summary_rows(r: Report) -> list[tuple[str, str | int | float | None]]:
    """The summary's (label, value) rows, shared by the workbook and the PDF."""
    o, f = r.overview, r.overview.figures
    rows: list[tuple[str, str | int | float | None]] = [
        (_("Province"), o.province.name),
        (_("As of"), format_date(r.date)),
        (_("Units"), _units_text(o)),
        (_("Criteria set"), o.cset.name_vi),
        (_("Communes in scope"), f.communes),
        (_("Communes with data"), o.with_data),
        (_("Communes approved"), o.approved),
        (_("Communes meeting the set"), f.meeting),
        (_("Share meeting the set"), format_percent(f.meeting, f.communes)),
        (_("Average criteria met per commune"), format_number(f.average_met, 2)),
    ]
    if o.recognition is not None:
        rows.append((_("Communes recognised"), o.recognition.recognised))
    rows += [(f"{_('Target')}: {t.label} ({t.basis})", _target(t)) for t in o.targets]
    if o.simulated:
        rows.append((_("Simulated data"), _("Yes")))
    return rows


def _conditions(r: Report) -> list[ConditionLine]:
    national = _("National set")
    return [
        ConditionLine(
            code=c.unit.code or "",
            name=c.unit.name,
            criterion=row.number,
            indicator=x.indicator,
            indicator_name=x.indicator_name,
            condition=x.condition,
            op=x.op,
            value=x.value,
            threshold=x.threshold,
            threshold_source=x.threshold_source or national,
            column=x.column,
            gap=x.gap,
            status=x.status,
            stage=x.stage,
        )
        for c in r.communes
        for row in c.criteria
        for x in row.conditions
    ]


def _warning(kind: str, w: RiskCommune | SlippingCommune) -> tuple[str | int | None, ...]:
    """A warning row: its kind, the commune, its criteria met and those it fails."""
    failing = "; ".join(f"{c.criterion}. {c.name}" for c in w.failing)
    return (kind, w.unit.code, w.unit.name, w.met, w.total, failing)


def book(r: Report) -> ReportBook:
    o, f = r.overview, r.overview.figures
    criteria = tuple(sorted(o.criterion_names.items()))
    warnings = [
        _warning(_("Revocation watch") if w.certain else _("Revocation cannot be ruled out"), w)
        for w in o.at_risk
    ] + [_warning(_("Slipping"), s) for s in o.slipping]
    unverified = sorted(
        {
            f"{x.indicator} ({x.column})"
            for c in r.communes
            for row in c.criteria
            for x in row.conditions
            if x.threshold_status == "unverified"
        }
    )
    lb = o.cset.legal_basis
    definitions: list[tuple[str, str | int | float | None]] = [
        (_("Criteria set"), f"{o.cset.id} — {o.cset.name_vi}"),
        (_("Legal basis"), f"{lb.number} ({format_date(lb.date_signed)}) {lb.title_vi or ''}"),
        *(
            (
                _("Province decision"),
                f"{ov.legal_basis.number} ({format_date(ov.legal_basis.date_signed)})",
            )
            for ov in o.cset.overlays
        ),
        (_("Unconfirmed thresholds"), ", ".join(unverified) or _("None")),
        (_("Units"), _units_text(o)),
        (
            _("Source"),
            _("The stored record of ntm, read as of the end of %(day)s.")
            % {"day": format_date(r.date)},
        ),
    ]
    return ReportBook(
        title=_("New rural development report: %(province)s, %(day)s")
        % {"province": o.province.name, "day": format_date(r.date)},
        summary=summary_rows(r),
        criteria=criteria,
        communes=[
            CommuneLine(
                c.unit.code or "",
                c.unit.name,
                c.met,
                c.total,
                c.meets_set,
                {row.number: row.status for row in c.criteria},
            )
            for c in r.communes
        ],
        conditions=_conditions(r),
        bands=[
            (b.band.label_en if r.language == "en" else b.band.label_vi, b.count) for b in f.bands
        ],
        counts=[
            CountLine(
                c.criterion,
                o.criterion_names.get(c.criterion, ""),
                c.met,
                c.basically_met,
                c.not_met,
                c.missing_data + c.missing_threshold + c.missing_group,
            )
            for c in f.criteria
        ],
        recognitions=[
            (x.unit.code, x.unit.name, x.tier, x.year, x.status, x.decision, x.issuer, x.revocation)
            for x in r.recognitions
        ],
        warnings=warnings,
        definitions=definitions,
    )


def write_workbook(r: Report, out: str | Path) -> None:
    """Write the report workbook to `out` (atomically)."""
    with translation.override(r.language):
        write_book(book(r), out)


def file_name(r: Report, suffix: str) -> str:
    """The name a downloaded report file is given: province, year and as-of date."""
    p = r.overview.province
    return f"ntm-{p.code or p.pk}-{r.overview.period}-{r.date:%Y-%m-%d}{suffix}"


def opened(r: Report, write: Callable[[Report, Path], None], name: str) -> BinaryIO:
    """The file `write` makes of `r`, open for reading (for a download to stream, then close).
    It is written in a temporary folder that goes at once — the open file stays readable — so
    nothing is left behind, and a write that fails leaves nothing at all."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / name
        write(r, path)
        return path.open("rb")
